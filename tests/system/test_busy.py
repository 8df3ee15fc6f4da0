"""Another process holding the database's write lock: every writer waits for it (SQLite's busy
timeout, on both of the store's connections), and only a lock held for longer than that is an
error, one that says the database is busy and to try again, never that the file may be damaged.

The waits are made short here with `Store.open(busy_timeout=...)` (0.3 s; the bot waits 5 s).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import __main__ as cli
from bot.model.event import EventFields
from bot.store import Store, StoreError
from cogs.errors import error_message
from tests.support import FIXTURE_CHRONOLOGY

BUSY_REPLY = "The database is busy (another process is writing); try again."
SHORT = 0.3


def an_event(slug: str) -> EventFields:
    return EventFields.from_mapping({"id": slug, "date": "1921-03-02", "title": f"Event {slug}"})


@pytest.fixture
async def migrated(tmp_path: Path) -> Path:
    path = tmp_path / "db.sqlite3"
    store = await Store.open(path)
    await store.close()
    return path


@pytest.fixture
def other_process(migrated: Path) -> Iterator[sqlite3.Connection]:
    """Another process's connection to the file, holding the write lock until the test lets go."""
    connection = sqlite3.connect(migrated, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    yield connection
    if connection.in_transaction:
        connection.execute("ROLLBACK")
    connection.close()


async def test_a_write_waits_for_a_lock_released_within_the_busy_timeout(
    migrated: Path, other_process: sqlite3.Connection
) -> None:
    store = await Store.open(migrated, busy_timeout=5.0)
    try:
        asyncio.get_running_loop().call_later(0.2, other_process.execute, "COMMIT")
        started = time.monotonic()
        event = await store.add_event(1, an_event("waited"), actor=1)
        assert time.monotonic() - started >= 0.15  # it waited for the lock instead of failing
        assert [e.slug for e in await store.scope_events(1)] == [event.slug]
    finally:
        await store.close()


async def test_a_lock_held_past_the_busy_timeout_says_busy_to_a_discord_user(
    migrated: Path, other_process: sqlite3.Connection
) -> None:
    store = await Store.open(migrated, busy_timeout=SHORT)
    try:
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError) as caught:
            await store.add_event(1, an_event("refused"), actor=1)
        assert time.monotonic() - started >= SHORT * 0.9  # it waited first
        # what the member who typed the command reads (the cogs' one error path)
        assert error_message(caught.value) == BUSY_REPLY
        other_process.execute("COMMIT")
        await store.add_event(1, an_event("later"), actor=1)  # trying again works
    finally:
        await store.close()


async def test_opening_a_database_another_process_is_migrating_says_busy(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError) as caught:
            await Store.open(path, busy_timeout=SHORT)
        assert str(caught.value) == (
            f"cannot open the database {path}: the database is busy (another process is writing); try again."
        )
    finally:
        holder.close()


def test_almanac_import_during_another_write_says_busy_and_not_damaged(
    migrated: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("bot.store.base.BUSY_TIMEOUT", SHORT, raising=False)  # the default wait
    monkeypatch.setenv("DATABASE_PATH", str(migrated))
    monkeypatch.setenv("DATA_FILE", str(FIXTURE_CHRONOLOGY))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    env_file = tmp_path / "no.env"
    assert cli.main(["--env-file", str(env_file), "db", "migrate"]) == 0  # loads nothing yet
    assert cli.main(["--env-file", str(env_file), "ask", "/onthisday 16 March"]) == 0  # loads the data file
    upload = tmp_path / "events.csv"
    upload.write_text("id,date,title\nclub-founded,1921-03-02,Founding of our club\n", encoding="utf-8")
    capsys.readouterr()
    holder = sqlite3.connect(migrated, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        status = cli.main(["--env-file", str(env_file), "import", str(upload), "--guild", "5"])
    finally:
        holder.close()
    err = capsys.readouterr().err
    assert (status, err) == (2, "almanac: the database is busy (another process is writing); try again.\n")
    assert "damaged" not in err and "db check" not in err
