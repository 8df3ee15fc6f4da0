"""/events calendar in (simulated) Discord: the links a moderator is shown, a reset, who may ask,
and what it says while the bot's owner has not turned the calendar link on."""

from __future__ import annotations

import re
from pathlib import Path

import discord
import pytest

from bot.config import Settings
from bot.i18n.messages import said
from bot.runtime import Services
from cogs.checks import NOT_CURATOR
from tests.support import FIXTURE_CHRONOLOGY, World, speak

BASE = "https://calendar.example.org"
LINK = re.compile(r"`(https://calendar\.example\.org/calendar/([A-Za-z0-9_-]+)\.ics)`")
OFF = "The calendar link is off: the bot's owner has not turned it on."


@pytest.fixture
def calendar_port() -> int | None:
    return 8765


@pytest.fixture
def settings(database_path: Path, calendar_port: int | None) -> Settings:
    """The bot as its owner runs it with CALENDAR_PORT and CALENDAR_BASE_URL set (the HTTP server
    itself is started by `almanac run`, not by the bot: tests/bot/webcal/ serves it)."""
    return Settings(
        database_path=database_path,
        data_file=FIXTURE_CHRONOLOGY,
        calendar_port=calendar_port,
        calendar_base_url=BASE,
    )


def moderator(world: World) -> object:
    managers = world.guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    return world.guild.add_member(world.env.create_user("mod"), roles=[managers])


async def test_a_moderator_gets_both_links_and_a_reset_ends_the_old_one(
    world: World, services: Services
) -> None:
    mod = moderator(world)
    shown = await mod.slash(world.channel, "events calendar")  # type: ignore[attr-defined]
    text = shown.response.content
    assert shown.ephemeral
    https, token = LINK.search(text).groups()  # type: ignore[union-attr]
    assert f"`webcal://calendar.example.org/calendar/{token}.ics`" in text
    assert "the bundled ones it has not hidden" in text and "reset:true" in text
    found = await services.store.calendar_by_token(token)
    assert found is not None and found.guild_id == world.guild.id
    assert found.title == "Chronology Club: chronology"

    again = await mod.slash(world.channel, "events calendar")  # type: ignore[attr-defined]
    assert LINK.search(again.response.content).group(1) == https  # type: ignore[union-attr]

    reset = await mod.slash(world.channel, "events calendar", reset=True, with_bundled=False)  # type: ignore[attr-defined]
    new_token = LINK.search(reset.response.content).group(2)  # type: ignore[union-attr]
    assert new_token != token and "the old one no longer works" in reset.response.content
    assert "own events only" in reset.response.content
    assert await services.store.calendar_by_token(token) is None
    assert await services.store.calendar_by_token(new_token) is not None


async def test_only_curators_see_the_link(world: World) -> None:
    synced = await world.bot.tree.sync()
    events = next(command for command in synced if command.name == "events")
    world.guild.set_command_permissions(events, {world.alice: True})  # an admin lets her try
    refused = await world.alice.slash(world.channel, "events calendar")
    assert refused.ephemeral and refused.response.content == str(NOT_CURATOR)
    assert "calendar.example.org" not in refused.response.content
    assert [type(error).__name__ for error in world.env.errors] == ["Refused"]


async def test_the_link_is_given_in_the_moderators_language(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    mod = moderator(world)
    speak(monkeypatch, {mod.id: "de"})  # type: ignore[attr-defined]
    shown = await mod.slash(world.channel, "events calendar")  # type: ignore[attr-defined]
    german = said("It holds this server's own events and the bundled ones it has not hidden.").in_language(
        "de"
    )
    assert german != "It holds this server's own events and the bundled ones it has not hidden."
    assert german in shown.response.content and LINK.search(shown.response.content)


@pytest.mark.parametrize("calendar_port", [None])
async def test_without_calendar_port_the_moderator_is_told_it_is_off(
    world: World, services: Services
) -> None:
    mod = moderator(world)
    shown = await mod.slash(world.channel, "events calendar")  # type: ignore[attr-defined]
    assert shown.ephemeral and shown.response.content == OFF
    assert [type(getattr(error, "original", error)).__name__ for error in world.env.errors] == ["UserError"]
    assert await services.store.calendar_token(world.guild.id) is None
