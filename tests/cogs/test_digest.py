"""The weekly and monthly digest through simcord: a moderator turns it on with `/anniversaries setup`
and one post listing the days ahead arrives on the chosen weekday, once, however the bot restarts."""

from __future__ import annotations

import datetime as dt

import discord
import pytest

from bot.daily.digest import Digests
from bot.daily.sender import DiscordSender
from bot.i18n.errors import UserError
from bot.runtime import Services
from tests.support import AddEvent, Crash, World

HOUR = 3600
# simcord's clock starts at Thursday 2026-01-01 00:00 UTC
THURSDAY, FRIDAY = 3, 4


@pytest.fixture
def moderator(world: World) -> object:
    managers = world.guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    return world.guild.add_member(world.env.create_user("mod"), roles=[managers])


def bot_embeds(channel: object, world: World) -> list[discord.Embed]:
    messages = [m for m in channel.history() if m.author.id == world.bot.user.id]  # type: ignore[attr-defined]
    return [embed for message in sorted(messages, key=lambda m: m.id) for embed in message.embeds]


def digests(channel: object, world: World) -> list[discord.Embed]:
    return [e for e in bot_embeds(channel, world) if (e.footer.text or "").startswith("Almanac digest")]


async def setup(moderator: object, world: World, channel: object | None = None, **options: object) -> None:
    result = await moderator.slash(  # type: ignore[attr-defined]
        world.channel,
        "anniversaries setup",
        channel=channel or world.channel,
        time="09:00",
        timezone="UTC",
        **options,
    )
    assert result.response.content == "Saved.", result.response.content


async def later_pass(world: World, services: Services, now: dt.datetime) -> None:
    """A pass of the digests at `now`, as a process would run it then: simulated weeks of the bot's
    own loop would cost minutes of waiting for simcord to settle each hourly wake."""
    await Digests(services.store, services.almanac).run_pass(now, DiscordSender(world.bot))


async def test_a_weekly_digest_comes_on_its_day_once_a_week_beside_the_daily_post(
    world: World, moderator: object, add_event: AddEvent, services: Services
) -> None:
    await add_event(world.guild.id, "1905-01-03", "Club founded", summary="Our first meeting.")
    await add_event(world.guild.id, "1911-01-09", "Second club house opened")
    await setup(moderator, world, digest="weekly", digest_day=FRIDAY)

    await world.env.advance_time(33 * HOUR + 60)  # the bot's loop, to Friday 2 January, 09:01
    (digest,) = digests(world.channel, world)
    assert digest.title == "This week's anniversaries: 2 January – 8 January"
    assert digest.footer.text == "Almanac digest · weekly 2026-01-02 · 1/1"
    days = {field.name: field.value for field in digest.fields}
    assert "Club founded" in days["Saturday 3 January"] and "121 years ago" in days["Saturday 3 January"]
    assert not any("Second club house" in value for value in days.values())  # the 9th: next week's
    daily = [e for e in bot_embeds(world.channel, world) if (e.footer.text or "").startswith("Almanac daily")]
    assert len(daily) == 2  # 1 and 2 January: the daily posts go on beside it

    await later_pass(world, services, dt.datetime(2026, 1, 8, 9, 1, tzinfo=dt.UTC))  # Thursday: none
    assert len(digests(world.channel, world)) == 1
    for _ in range(2):  # Friday 9 January, and the same moment again: one digest
        await later_pass(world, services, dt.datetime(2026, 1, 9, 9, 1, tzinfo=dt.UTC))
    _, second = digests(world.channel, world)
    assert second.footer.text == "Almanac digest · weekly 2026-01-09 · 1/1"
    assert "Second club house opened" in "".join(field.value for field in second.fields)


async def test_a_digest_instead_of_daily_posts_in_the_servers_language(
    world: World, moderator: object, add_event: AddEvent, services: Services
) -> None:
    await add_event(
        world.guild.id,
        "1921-03-02",
        "Kronstadt declaration",
        translations={"ru": {"title": "Кронштадтская резолюция"}},
    )
    await setup(moderator, world, digest="monthly-only", language="ru")

    await world.env.advance_time(33 * HOUR)  # to 2 January, 09:00: January's digest, no daily post
    (january,) = digests(world.channel, world)
    assert january.title == "Годовщины этого месяца: январь 2026"
    await later_pass(world, services, dt.datetime(2026, 2, 1, 9, 1, tzinfo=dt.UTC))
    await later_pass(world, services, dt.datetime(2026, 3, 1, 9, 1, tzinfo=dt.UTC))
    embeds = bot_embeds(world.channel, world)
    assert [e.footer.text for e in embeds] == [
        "Almanac digest · monthly 2026-01-01 · 1/1",
        "Almanac digest · monthly 2026-02-01 · 1/1",
        "Almanac digest · monthly 2026-03-01 · 1/1",
    ]  # and no daily post
    march = embeds[-1]
    assert "Кронштадтская резолюция" in "".join(field.value for field in march.fields)
    assert "105" in "".join(field.value for field in march.fields)

    shown = await moderator.slash(world.channel, "anniversaries show")  # type: ignore[attr-defined]
    rows = {field.name: field.value for field in shown.response.embeds[0].fields}
    assert rows["Digest"] == "monthly, on the 1st · instead of the daily posts"
    assert rows["Last digest"] == "2026-03-01" and rows["Status"] == "off"


async def test_a_long_digest_takes_several_messages_and_a_crash_sends_none_twice(
    world: World, moderator: object, add_event: AddEvent, services: Services
) -> None:
    """A month with many long entries needs more than one message; a crash after the first leaves
    the digest claimed with one page counted, and the next process sends only the rest."""
    for day in range(1, 29):
        for n in range(4):
            await add_event(world.guild.id, f"19{10 + n}-02-{day:02d}", f"{'Long title ' * 8}{day}/{n}")
    await setup(moderator, world, digest="monthly-only")
    await world.env.advance_time(9 * HOUR + 60)  # January's digest: nothing in January
    (january,) = digests(world.channel, world)
    assert january.description == "No anniversaries in the next 31 days."

    pages_sent = 0

    class DiesAfterOnePage(DiscordSender):
        async def _send_page(self, *args: object, **kwargs: object) -> tuple[int, int | None]:
            nonlocal pages_sent
            if pages_sent == 1:
                raise Crash
            pages_sent += 1
            return await super()._send_page(*args, **kwargs)  # type: ignore[arg-type]

    february = dt.datetime(2026, 2, 1, 9, 1, tzinfo=dt.UTC)
    with pytest.raises(Crash):
        await Digests(services.store, services.almanac).run_pass(february, DiesAfterOnePage(world.bot))
    assert len(digests(world.channel, world)) == 2

    # a new process at once: the claim is too fresh to be a dead one's, so it waits the lease out
    await later_pass(world, services, february)
    assert len(digests(world.channel, world)) == 2
    # once the lease is over: the first page is found in the channel, the others sent
    await later_pass(world, services, february + dt.timedelta(minutes=5))
    await later_pass(world, services, february + dt.timedelta(minutes=10))  # nothing left to send
    pages = digests(world.channel, world)[1:]
    total = len(pages)
    assert total >= 2
    assert [page.footer.text for page in pages] == [
        f"Almanac digest · monthly 2026-02-01 · {number}/{total}" for number in range(1, total + 1)
    ]
    assert all(len(page) <= 6000 and len(page.fields) <= 25 for page in pages)
    listed = "".join(field.value for page in pages for field in page.fields)
    assert all(f"{day}/3" in listed for day in range(1, 29))  # every day, none lost to paging


async def test_a_forum_digest_is_one_post_with_its_pages_inside(
    world: World, moderator: object, add_event: AddEvent
) -> None:
    for day in range(1, 29):
        for n in range(4):
            await add_event(world.guild.id, f"19{10 + n}-01-{day:02d}", f"{'Long title ' * 8}{day}/{n}")
    forum = world.guild.create_forum_channel("digests")
    await setup(moderator, world, channel=forum, digest="monthly-only")

    await world.env.advance_time(9 * HOUR + 60)

    (thread,) = forum.threads
    assert thread.name == "This month's anniversaries: January 2026"
    messages = sorted(thread.history(), key=lambda message: message.id)
    assert len(messages) >= 2
    assert messages[0].embeds[0].footer.text.startswith("Almanac digest · monthly 2026-01-01 · 1/")


async def test_a_bad_digest_choice_changes_nothing(
    world: World, moderator: object, services: Services
) -> None:
    """Discord offers only the listed choices; a request that bypasses them is refused all the same."""
    await setup(moderator, world)
    for digest, weekday in (("fortnightly", 0), ("weekly", 7)):
        with pytest.raises(UserError, match="digest"):
            await services.anniversaries.setup(
                world.guild.id,
                channel_id=world.channel.id,
                post_time="10:00",
                timezone="UTC",
                mention_role_id=None,
                empty_day="next",
                actor=None,
                now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                digest=digest,
                digest_weekday=weekday,
            )
    shown = await moderator.slash(world.channel, "anniversaries show")  # type: ignore[attr-defined]
    rows = {field.name: field.value for field in shown.response.embeds[0].fields}
    assert rows["Time"] == "09:00 UTC" and rows["Digest"] == "off"
