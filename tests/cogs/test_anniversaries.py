"""/anniversaries through simcord: a moderator sets it up and the post arrives when the clock says."""

from __future__ import annotations

import datetime as dt
import re

import discord
import pytest
import simcord
from discord import app_commands

from bot.daily.sender import DiscordSender
from bot.i18n.errors import UserError
from bot.model.event import EventFields
from bot.runtime import Services
from tests.support import AddEvent, World, live_mentions

HOUR = 3600


def only_user_errors(world: World) -> bool:
    """simcord records every error the tree saw; refusals and bad input are expected ones."""
    expected = (UserError, app_commands.CheckFailure)
    return all(isinstance(getattr(e, "original", e), expected) for e in world.env.errors)


def bot_posts(channel: object, bot_id: int) -> list[discord.Message]:
    return [m for m in channel.history() if m.author.id == bot_id]  # type: ignore[attr-defined]


@pytest.fixture
def moderator(world: World) -> object:
    managers = world.guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    return world.guild.add_member(world.env.create_user("mod"), roles=[managers])


@pytest.mark.simcord(settle_timeout=30.0)
async def test_setup_then_the_post_arrives_once_a_day(world: World, moderator: object) -> None:
    # simcord's clock starts at 2026-01-01 00:00 UTC, which is 03:00 in Moscow
    result = await moderator.slash(  # type: ignore[attr-defined]
        world.channel, "anniversaries setup", channel=world.channel, time="09:00", timezone="Europe/Moscow"
    )
    assert result.ephemeral and result.response.content == "Saved."
    fields = {f.name: f.value for f in result.response.embeds[0].fields}
    assert fields["Time"] == "09:00 Europe/Moscow" and fields["Channel"] == f"<#{world.channel.id}>"

    await world.env.advance_time(5 * HOUR + 59 * 60)  # 08:59 Moscow: not yet
    assert bot_posts(world.channel, world.bot.user.id) == []
    await world.env.advance_time(2 * 60)  # 09:01 Moscow
    posts = bot_posts(world.channel, world.bot.user.id)
    assert len(posts) == 1
    embed = posts[0].embeds[0]
    assert embed.title == "On this day: 1 January"
    assert embed.footer.text == "Almanac daily · 2026-01-01"

    await world.env.advance_time(12 * HOUR)  # the rest of the day: nothing more
    assert len(bot_posts(world.channel, world.bot.user.id)) == 1
    await world.env.advance_time(12 * HOUR)  # 09:01 on 2 January
    posts = bot_posts(world.channel, world.bot.user.id)
    assert [p.embeds[0].footer.text for p in posts] == [
        "Almanac daily · 2026-01-01",
        "Almanac daily · 2026-01-02",
    ]

    shown = await moderator.slash(world.channel, "anniversaries show")  # type: ignore[attr-defined]
    last = {f.name: f.value for f in shown.response.embeds[0].fields}["Last post"]
    # when it was sent, as a Discord timestamp (each reader's zone and words), like "Next post"
    stamp = re.fullmatch(r"<t:(\d+):F> \(<t:\1:R>\)", last)
    assert shown.ephemeral and stamp is not None
    assert dt.datetime.fromtimestamp(int(stamp[1]), dt.UTC).date() == dt.date(2026, 1, 2)


async def test_only_the_configured_role_is_pinged(world: World, moderator: object) -> None:
    readers = world.guild.create_role("Readers", mentionable=True)  # a role anyone may ping
    await moderator.slash(  # type: ignore[attr-defined]
        world.channel,
        "anniversaries setup",
        channel=world.channel,
        time="00:30",
        timezone="UTC",
        role=readers,
    )
    await world.env.advance_time(31 * 60)
    post = bot_posts(world.channel, world.bot.user.id)[0]
    stored = world.env.backend.get_message(world.channel.id, post.id)
    assert stored.ping_role_ids == {readers.id} or set(stored.ping_role_ids) == {readers.id}
    assert not stored.mention_everyone and not stored.ping_user_ids


async def test_members_cannot_set_up_posts_and_bad_input_changes_nothing(
    world: World, moderator: object, services: Services
) -> None:
    # the command is hidden from members; if an admin un-hides it, the bot still refuses them
    with pytest.raises(simcord.SetupError):
        await world.alice.slash(
            world.channel, "anniversaries setup", channel=world.channel, time="09:00", timezone="UTC"
        )
    group = next(c for c in await world.bot.tree.fetch_commands() if c.name == "anniversaries")
    world.guild.set_command_permissions(group, {world.alice: True})
    refused = await world.alice.slash(
        world.channel, "anniversaries setup", channel=world.channel, time="09:00", timezone="UTC"
    )
    assert refused.ephemeral and "Manage Server" in refused.response.content

    for time, zone in [("25:61", "UTC"), ("09:00", "Mars/Olympus_Mons")]:
        bad = await moderator.slash(
            world.channel,
            "anniversaries setup",  # type: ignore[attr-defined]
            channel=world.channel,
            time=time,
            timezone=zone,
        )
        assert bad.ephemeral and len(bad.response.content) < 200
    assert await services.store.post_settings(world.guild.id) is None
    assert only_user_errors(world)


async def test_timezone_autocomplete_offers_real_zones(world: World, moderator: object) -> None:
    choices = await moderator.autocomplete(  # type: ignore[attr-defined]
        world.channel, "anniversaries setup", "timezone", "kathm", channel=world.channel, time="09:00"
    )
    assert choices[0] == {"name": "Asia/Kathmandu", "value": "Asia/Kathmandu"}
    assert (
        len(
            await moderator.autocomplete(
                world.channel,
                "anniversaries setup",
                "timezone",
                "a",  # type: ignore[attr-defined]
                channel=world.channel,
                time="09:00",
            )
        )
        == 25
    )


async def test_a_channel_the_bot_cannot_post_in_is_refused_at_setup(world: World, moderator: object) -> None:
    locked = world.guild.create_text_channel(
        "locked", overwrites={world.guild.me: discord.PermissionOverwrite(send_messages=False)}
    )
    result = await moderator.slash(  # type: ignore[attr-defined]
        world.channel, "anniversaries setup", channel=locked, time="09:00", timezone="UTC"
    )
    assert result.ephemeral and "Send Messages" in result.response.content


async def test_whoever_sets_up_the_post_must_be_able_to_post_and_ping_there_themselves(
    world: World, moderator: object
) -> None:
    # the bot may post in #staff and ping @Staff; the moderator may do neither
    staff = world.guild.create_text_channel(
        "staff", overwrites={moderator: discord.PermissionOverwrite(send_messages=False)}
    )
    muted = world.guild.create_role("Staff", mentionable=False)
    refused = await moderator.slash(  # type: ignore[attr-defined]
        world.channel, "anniversaries setup", channel=staff, time="09:00", timezone="UTC"
    )
    assert refused.ephemeral and "You cannot post in" in refused.response.content
    pinged = await moderator.slash(  # type: ignore[attr-defined]
        world.channel, "anniversaries setup", channel=world.channel, time="09:00", timezone="UTC", role=muted
    )
    assert pinged.ephemeral and "You cannot mention" in pinged.response.content
    shown = await moderator.slash(world.channel, "anniversaries show")  # type: ignore[attr-defined]
    assert "not set up" in shown.response.content  # nothing was saved
    assert all(isinstance(getattr(error, "original", error), UserError) for error in world.env.errors)


async def test_a_deleted_channel_is_reported_and_other_servers_still_post(
    world: World, moderator: object
) -> None:
    other = world.env.create_guild("Another Club")
    other_channel = other.create_text_channel("news")
    other_mod = other.add_member(
        world.env.create_user("othermod"),
        roles=[other.create_role("Mods", permissions=discord.Permissions(manage_guild=True))],
    )
    doomed = world.guild.create_text_channel("doomed")
    await moderator.slash(
        world.channel,
        "anniversaries setup",
        channel=doomed,
        time="01:00",  # type: ignore[attr-defined]
        timezone="UTC",
    )
    await other_mod.slash(
        other_channel, "anniversaries setup", channel=other_channel, time="01:00", timezone="UTC"
    )
    world.env.backend.delete_channel(doomed.id)
    await world.env.settle()

    await world.env.advance_time(61 * 60)
    assert len(bot_posts(other_channel, world.bot.user.id)) == 1
    shown = await moderator.slash(world.channel, "anniversaries show")  # type: ignore[attr-defined]
    fields = {f.name: f.value for f in shown.response.embeds[0].fields}
    assert "deleted" in fields["Last failure"]


async def test_preview_is_ephemeral_and_matches_the_post(world: World, moderator: object) -> None:
    result = await moderator.slash(world.channel, "anniversaries preview", date="7 November")  # type: ignore[attr-defined]
    assert result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title == "On this day: 7 November" and "1917" in (embed.description or "")
    assert world.channel.history() == [] or all(not m.embeds for m in world.channel.history())


# -- forums, threads and the intro line ---------------------------------------------------------


async def test_a_forum_gets_one_post_a_day_each_its_own_thread(world: World, moderator: object) -> None:
    forum = world.guild.create_forum_channel("history-forum")
    result = await moderator.slash(  # type: ignore[attr-defined]
        world.channel, "anniversaries setup", channel=forum, time="00:30", timezone="UTC"
    )
    assert result.response.content == "Saved."

    await world.env.advance_time(31 * 60)
    await world.env.advance_time(24 * HOUR)
    await world.env.advance_time(12 * HOUR)

    threads = sorted(forum.threads, key=lambda thread: thread.id)
    assert [thread.name for thread in threads] == [
        "On this day: 1 January · 2026",
        "On this day: 2 January · 2026",
    ]
    starters = [thread.history()[-1] for thread in threads]  # a forum post's first message
    assert [message.embeds[0].footer.text for message in starters] == [
        "Almanac daily · 2026-01-01",
        "Almanac daily · 2026-01-02",
    ]
    assert all(len(thread.history()) == 1 for thread in threads)  # no repeat inside a post


async def test_after_a_crash_the_forum_post_is_found_and_not_made_again(
    world: World, moderator: object
) -> None:
    """A forum post takes no nonce: what keeps it to one a day after a crash mid-send is reading
    the forum's posts back for the day's marker."""
    forum = world.guild.create_forum_channel("history-forum")
    await moderator.slash(  # type: ignore[attr-defined]
        world.channel, "anniversaries setup", channel=forum, time="00:30", timezone="UTC"
    )
    await world.env.advance_time(31 * 60)
    (thread,) = forum.threads
    sender = DiscordSender(world.bot)

    assert await sender.find_sent(forum.id, "Almanac daily · 2026-01-01") == thread.history()[-1].id
    assert await sender.find_sent(forum.id, "Almanac daily · 2026-01-02") is None


async def test_a_thread_can_be_the_daily_posts_channel(world: World, moderator: object) -> None:
    world.env.backend.create_thread(world.channel.id, "Anniversaries", owner_id=world.alice.id)
    await world.env.settle()
    (thread,) = world.channel.threads
    await moderator.slash(  # type: ignore[attr-defined]
        world.channel, "anniversaries setup", channel=thread, time="00:30", timezone="UTC"
    )

    await world.env.advance_time(31 * 60)

    posts = bot_posts(thread, world.bot.user.id)
    assert [post.embeds[0].footer.text for post in posts] == ["Almanac daily · 2026-01-01"]
    assert bot_posts(world.channel, world.bot.user.id) == []


async def test_the_intro_line_fills_in_the_day_and_the_count_and_pings_nobody(
    world: World, moderator: object, add_event: AddEvent
) -> None:
    await add_event(world.guild.id, "1919-01-01", "A New Year's strike")
    await moderator.slash(  # type: ignore[attr-defined]
        world.channel,
        "anniversaries setup",
        channel=world.channel,
        time="00:30",
        timezone="UTC",
        language="ru",
        intro="Good   morning @everyone! {count} today, {date}. <@&1> **bold**",
    )
    await world.env.advance_time(31 * 60)

    (post,) = bot_posts(world.channel, world.bot.user.id)
    count = len(post.embeds[0].description.split("\n\n"))  # type: ignore[union-attr]
    assert post.content.startswith(f"Good morning @\u200beveryone! {count} today, 1 января.")
    assert live_mentions(post.content) == []
    stored = world.env.backend.get_message(world.channel.id, post.id)
    assert not stored.mention_everyone and not stored.ping_role_ids and not stored.ping_user_ids
    shown = await moderator.slash(world.channel, "anniversaries show")  # type: ignore[attr-defined]
    fields = {f.name: f.value for f in shown.response.embeds[0].fields}
    assert fields["Intro line"].startswith("Good morning @\u200beveryone! {count} today, {date}.")


async def test_a_crowded_day_is_posted_with_its_true_count_and_the_rest_counted(
    world: World, moderator: object, services: Services
) -> None:
    crowd = [
        EventFields.from_mapping({"id": f"strike-{n}", "date": f"{1850 + n}-01-01", "title": f"Strike {n}"})
        for n in range(80)
    ]
    await services.store.import_events(world.guild.id, crowd, actor=None)
    await moderator.slash(  # type: ignore[attr-defined]
        world.channel,
        "anniversaries setup",
        channel=world.channel,
        time="00:30",
        timezone="UTC",
        intro="{count} anniversaries today",
    )
    await world.env.advance_time(31 * 60)

    (post,) = bot_posts(world.channel, world.bot.user.id)
    bundled = len(await services.store.on_month_day(0, (101,)))
    assert post.content == f"{80 + bundled} anniversaries today"
    description = post.embeds[0].description or ""
    assert len(description) <= 4096
    assert description.startswith("**1 January 1850** — Strike 0")
    listed = description.count("\n\n")  # the blocks shown before the "…and N more" line
    assert description.endswith(f"…and {80 + bundled - listed} more; try `/timeline` or `/search`.")


@pytest.mark.parametrize(
    ("intro", "said"),
    [
        ("Hello {name}", "only `{date}`, `{count}`, `{anniversaries}`, not `{name}`"),
        ("Hello {date!r}", "not `{date!r}`"),
        ("Hello {count:>9}", "not `{count:>9}`"),
        ("Hello {", "a brace that opens or closes nothing"),
        ("Hello }", "a brace that opens or closes nothing"),
        ("\u200b \u3164", "no visible characters"),
    ],
)
async def test_a_bad_intro_line_is_refused_and_changes_nothing(
    world: World, moderator: object, services: Services, intro: str, said: str
) -> None:
    result = await moderator.slash(  # type: ignore[attr-defined]
        world.channel, "anniversaries setup", channel=world.channel, time="09:00", timezone="UTC", intro=intro
    )

    assert result.ephemeral and said in result.response.content
    assert await services.store.post_settings(world.guild.id) is None
    assert only_user_errors(world)
