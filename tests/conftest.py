"""Shared fixtures: a temp-file database with the bundled chronology, the application over it,
and the bot in simcord's simulated Discord.

Fixtures here stay generic; a test module keeps its own special-purpose ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import simcord

from bot.almanac import Almanac
from bot.chronology import DEFAULT_DATA_FILE
from bot.client import AlmanacBot, create_bot
from bot.config import Settings
from bot.model import Event, EventFields
from bot.runtime import open_almanac

# simcord's virtual clock starts here; tests that need "today" outside Discord use the same day.
SIMCORD_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CURATOR_ID = 4242  # who `add_event` records as having added an event


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "db.sqlite3"


@pytest.fixture
def settings(database_path: Path) -> Settings:
    """Settings as a deployment would have them, minus the token (simcord needs none)."""
    return Settings(database_path=database_path, data_file=DEFAULT_DATA_FILE)


@pytest.fixture
async def almanac(database_path: Path) -> AsyncIterator[Almanac]:
    """A migrated temp-file database with the bundled chronology loaded, and the application over it."""
    async with open_almanac(database_path, DEFAULT_DATA_FILE) as opened:
        yield opened


AddEvent = Callable[..., Awaitable[Event]]


@pytest.fixture
def add_event(almanac: Almanac) -> AddEvent:
    """`await add_event(guild_id, "1920-02-29", "Title", summary=..., people=[...])`: a server's
    own event, validated as a data-file entry would be.

    Written through the store and indexed as `almanac.curation.add` does, but from any fields
    rather than a moderator's modal form, so tests can give people, places, russia and so on.
    """
    counter = iter(range(1, 1_000_000))

    async def add(guild_id: int, date: str, title: str, **extra: Any) -> Event:
        raw = {"id": f"server-event-{next(counter)}", "date": date, "title": title} | extra
        fields = EventFields.from_mapping(raw)
        event = await almanac.store.add_event(guild_id, fields, CURATOR_ID)
        almanac.index.add(event)
        return event

    return add


# -- simcord ------------------------------------------------------------------------------------


@pytest.fixture
def simcord_bot(almanac: Almanac, settings: Settings) -> AlmanacBot:
    """The production bot, unstarted; simcord logs it in (setup_hook runs) and brings it to READY.

    The bot is an AutoShardedBot, which simcord can only attach with a known shard count: one
    shard, as a small deployment would run with SHARD_COUNT=1.
    """
    return create_bot(almanac, replace(settings, shard_count=1))


@dataclass
class World:
    """One server as a test arranges it: a channel, two ordinary members."""

    env: simcord.Env
    guild: Any  # simcord GuildHandle
    channel: Any  # simcord ChannelHandle
    alice: Any  # simcord MemberActor
    bob: Any

    @property
    def bot(self) -> AlmanacBot:
        assert isinstance(self.env.bot, AlmanacBot)
        return self.env.bot


@pytest.fixture
async def world(simcord_env: simcord.Env) -> World:
    """A server with #general and two members, with the commands synced.

    Production syncs the tree by a deliberate command, never on start, so the test syncs here;
    simcord's strict_sync stays on, so a command that was never synced fails loudly.
    """
    env = simcord_env
    guild = env.create_guild("Chronology Club")
    channel = guild.create_text_channel("general")
    alice = guild.add_member(env.create_user("alice"))
    bob = guild.add_member(env.create_user("bob"))
    world = World(env, guild, channel, alice, bob)
    await world.bot.tree.sync()
    return world
