"""/almanac status and /almanac sync through simcord: who may use them, and what they show."""

from __future__ import annotations

from typing import Any

import discord
import pytest
import simcord
from discord import app_commands

from bot import __version__
from bot.i18n.errors import UserError
from cogs.admin import NOT_OWNER, NOT_OWNER_OR_MANAGER, Admin
from tests.support import FIXTURE_EVENTS, AddEvent, World

HOUR = 3600


def fields_of(result: Any) -> dict[str, str]:
    return {field.name: field.value for field in result.response.embeds[0].fields}


def refusals(world: World) -> list[str]:
    """The checks that refused someone (reading env.errors acknowledges what simcord recorded)."""
    errors = [getattr(error, "original", error) for error in world.env.errors]
    assert all(isinstance(error, app_commands.CheckFailure | UserError) for error in errors), errors
    return [str(error) for error in errors]


@pytest.fixture
def manager(world: World) -> Any:
    managers = world.guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    return world.guild.add_member(world.env.create_user("mod"), roles=[managers])


def make_owner(world: World, member: Any) -> None:
    """OWNER_IDS=<member's id>, as an operator would set it."""
    admin = world.bot.get_cog("Admin")
    assert isinstance(admin, Admin)
    admin.owner_ids = frozenset({member.id})  # as OWNER_IDS would have named them


async def test_a_manager_sees_the_status_of_the_bot(world: World, manager: Any, add_event: AddEvent) -> None:
    first = await manager.slash(world.channel, "almanac status")
    await add_event(world.guild.id, "1921-03-02", "Kronstadt meeting on Anchor Square")
    await world.env.advance_time(2 * HOUR + 5 * 60)
    later = await manager.slash(world.channel, "almanac status")

    assert first.ephemeral and first.response.embeds[0].title == "Almanac status"
    before, after = fields_of(first), fields_of(later)
    assert before["Uptime"].startswith("0 s (since 2026-01-01 00:00 UTC)")
    assert before["Last daily-post pass"].startswith("none since start")
    assert before["Version"] == __version__ != "0+unknown"
    assert before["Events"] == f"{FIXTURE_EVENTS} bundled, 0 added by 0 servers"
    assert after["Uptime"].startswith("2 h 5 min (since 2026-01-01 00:00 UTC)")
    assert after["Events"] == f"{FIXTURE_EVENTS} bundled, 1 added by 1 server"
    assert (after["Shard"], after["Servers"]) == ("0 of 1", "1")
    assert (
        "permissions=274878024704" in after["Invite link"] and "applications.commands" in after["Invite link"]
    )


async def test_the_status_shows_the_last_daily_post_pass(world: World, manager: Any) -> None:
    await manager.slash(
        world.channel, "anniversaries setup", channel=world.channel, time="00:30", timezone="UTC"
    )
    await world.env.advance_time(31 * 60)

    result = await manager.slash(world.channel, "almanac status")

    last = fields_of(result)["Last daily-post pass"]
    assert last.startswith("2026-01-01 00:30 UTC (1 min ago): 1 due: 1 sent")


async def test_members_neither_see_nor_can_run_status_or_sync(world: World) -> None:
    assert "almanac" not in " ".join(world.alice.available_commands(world.channel))
    with pytest.raises(simcord.SetupError, match="default-member-permissions"):
        await world.alice.slash(world.channel, "almanac status")

    # a server admin may un-hide the group for anyone; the bot still decides
    group = next(c for c in await world.bot.tree.fetch_commands() if c.name == "almanac")
    world.guild.set_command_permissions(group, {world.alice: True})
    status = await world.alice.slash(world.channel, "almanac status")
    sync = await world.alice.slash(world.channel, "almanac sync")

    assert status.ephemeral and status.response.content == str(NOT_OWNER_OR_MANAGER)
    assert sync.ephemeral and sync.response.content == str(NOT_OWNER)
    assert refusals(world) == [str(NOT_OWNER_OR_MANAGER), str(NOT_OWNER)]


async def test_managing_the_server_is_not_enough_to_sync(world: World, manager: Any) -> None:
    result = await manager.slash(world.channel, "almanac sync")

    assert result.ephemeral and result.response.content == str(NOT_OWNER)
    assert refusals(world) == [str(NOT_OWNER)]


async def test_an_owner_syncs_globally_and_to_one_server(world: World, manager: Any) -> None:
    make_owner(world, manager)
    globally = await manager.slash(world.channel, "almanac sync")
    here = await manager.slash(world.channel, "almanac sync", guild="here")

    top_level = len(world.bot.tree.get_commands())
    assert globally.ephemeral and globally.response.content == f"Synced {top_level} commands globally."
    assert here.response.content == (
        f"Synced {top_level} commands to server {world.guild.id}, usable there at once."
    )
    in_server = await world.bot.tree.fetch_commands(guild=discord.Object(world.guild.id))
    assert "almanac" in {command.name for command in in_server}


async def test_an_owner_who_is_not_a_manager_may_check_the_status(world: World) -> None:
    group = next(c for c in await world.bot.tree.fetch_commands() if c.name == "almanac")
    world.guild.set_command_permissions(group, {world.bob: True})
    world.bot.owner_id = world.bob.id  # the application's owner, as Discord reports it

    result = await world.bob.slash(world.channel, "almanac status")

    assert result.ephemeral and result.response.embeds[0].title == "Almanac status"


async def test_a_bad_server_id_is_explained(world: World, manager: Any) -> None:
    make_owner(world, manager)

    result = await manager.slash(world.channel, "almanac sync", guild="my server")

    assert result.ephemeral and "is not a server id" in result.response.content
    assert len(refusals(world)) == 1
