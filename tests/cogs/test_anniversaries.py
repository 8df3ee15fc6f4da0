"""/anniversaries through simcord: a moderator sets it up and the post arrives when the clock says."""

from __future__ import annotations

import discord
import pytest
import simcord
from discord import app_commands

from bot.errors import UserError
from bot.runtime import Services
from tests.support import World

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
    assert shown.ephemeral and last == "2026-01-02"


async def test_only_the_configured_role_is_pinged(world: World, moderator: object) -> None:
    readers = world.guild.create_role("Readers")
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
