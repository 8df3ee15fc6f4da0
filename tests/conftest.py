"""Shared fixtures: a database with the fixture chronology, the services over it, and the bot in
simcord's simulated Discord. Helpers and fakes live in tests/support.py.

The store, application, curation and scheduler tests (BOTH_ENGINES) run twice: on a temp-file
SQLite database and on a real PostgreSQL server, which this test run starts itself (pgserver, a
pip-installed wheel with the server's binaries) and stops at the end; each test gets a schema of
its own there. Every other test runs on SQLite.

Fixtures here stay generic; a test module keeps its own special-purpose ones.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import simcord
from hypothesis import settings

from bot.almanac.questions import Almanac
from bot.client import AlmanacBot, create_bot
from bot.config import Settings
from bot.model.event import EventFields
from bot.runtime import Services, open_services
from bot.store.engines.common import POSTGRESQL, SQLITE
from tests.support import CURATOR_ID, FIXTURE_CHRONOLOGY, AddEvent, World

# No example may fail for its time: a deadline is a wall-clock assert, and one example's first
# call can load a table (anyascii's, CLDR's) or share the machine with a build. Speed is the
# benchmark's to measure.
settings.register_profile("almanac", deadline=None)
settings.load_profile("almanac")

BOTH_ENGINES = {
    "tests.bot.store.test_store",
    "tests.bot.store.test_digests",
    "tests.bot.store.test_events_tab",
    "tests.bot.store.test_calendars",
    "tests.bot.almanac.test_questions",
    "tests.bot.curation.test_service",
    "tests.bot.daily.test_scheduler",
    "tests.system.test_concurrency",  # two processes on one database: one file, or one server
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames:
        both = metafunc.module.__name__ in BOTH_ENGINES
        metafunc.parametrize("engine", [SQLITE, POSTGRESQL] if both else [SQLITE])


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("postgres"), cleanup_mode="stop")
    yield server
    server.cleanup()


@pytest.fixture
def database(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where the test's store lives: a SQLite file, or a fresh schema on the PostgreSQL server."""
    if engine == SQLITE:
        return str(tmp_path / "db.sqlite3")
    server = request.getfixturevalue("postgres_server")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    server.psql(f"CREATE SCHEMA {schema};")
    return f"{server.get_uri()}&search_path={schema}"


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "db.sqlite3"


@pytest.fixture
def settings(database_path: Path) -> Settings:
    """Settings as a deployment would have them, minus the token (simcord needs none)."""
    return Settings(database_path=database_path, data_file=FIXTURE_CHRONOLOGY)


@pytest.fixture
async def services(database: str) -> AsyncIterator[Services]:
    """A migrated database with the fixture chronology loaded, and every service over it."""
    async with open_services(database, FIXTURE_CHRONOLOGY) as opened:
        yield opened


@pytest.fixture
def almanac(services: Services) -> Almanac:
    return services.almanac


@pytest.fixture
def add_event(services: Services) -> AddEvent:
    """`await add_event(guild_id, "1920-02-29", "Title", summary=..., people=[...])`: a server's
    own event, validated as a data-file entry would be.

    Written through the store and indexed as `Curation.add` does, but from any fields rather
    than a moderator's modal form, so tests can give people, places, russia and so on.
    """
    counter = iter(range(1, 1_000_000))

    async def add(guild_id: int, date: str, title: str, **extra: Any) -> Any:
        raw = {"id": f"server-event-{next(counter)}", "date": date, "title": title} | extra
        fields = EventFields.from_mapping(raw)
        event = await services.store.add_event(guild_id, fields, CURATOR_ID)
        services.index.add(event)
        return event

    return add


# -- simcord ------------------------------------------------------------------------------------


@pytest.fixture
def simcord_bot(services: Services, settings: Settings) -> AlmanacBot:
    """The production bot, unstarted; simcord logs it in (setup_hook runs) and brings it to READY.

    The bot is an AutoShardedBot, which simcord can only attach with a known shard count: one
    shard, as a small deployment would run with SHARD_COUNT=1.
    """
    return create_bot(services, replace(settings, shard_count=1))


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
