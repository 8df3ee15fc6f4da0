"""`almanac db backup`: SQLite's online backup, taken while the bot keeps writing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.model.event import EventFields
from bot.store import Store, StoreError
from tests.support import run_almanac

GUILD = 7001


def fields(n: int) -> EventFields:
    return EventFields.from_mapping(
        {
            "id": f"meeting-{n}",
            "date": f"1921-03-{n % 28 + 1:02d}",
            "title": f"Meeting number {n}",
            "summary": "x" * 400,
        }
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "live.sqlite3")
    yield opened
    await opened.close()


async def ids_in(path: Path, guild: int = GUILD) -> list[int]:
    copy = await Store.open(path)
    try:
        assert await copy.integrity_check() == "ok"
        return sorted(event.id for event in await copy.scope_events(guild))
    finally:
        await copy.close()


async def test_a_backup_taken_during_writes_has_every_event_committed_before_it(
    store: Store, tmp_path: Path
) -> None:
    # enough data that the copy takes a while, so writes really do land while it runs
    await store.import_events(GUILD, [fields(n) for n in range(1000)], actor=1)
    committed: list[int] = []
    stop = asyncio.Event()

    async def keep_writing() -> None:
        n = 10_000
        while not stop.is_set():
            committed.append((await store.add_event(GUILD, fields(n), actor=1)).id)
            n += 1

    writer = asyncio.create_task(keep_writing())
    while len(committed) < 20:
        await asyncio.sleep(0)
    before = list(committed)
    await store.backup(tmp_path / "copy.sqlite3")
    during = len(committed) - len(before)
    stop.set()
    await writer

    copied = await ids_in(tmp_path / "copy.sqlite3")
    assert set(before) <= set(copied), "an event committed before the backup began is missing"
    own = [event_id for event_id in copied if event_id in set(committed)]
    assert own == committed[: len(own)], "the copy is not one consistent moment of the database"
    assert during > 0, "no write landed while the backup ran, so this test proved nothing"
    assert len(await store.scope_events(GUILD)) == 1000 + len(committed), "the live database lost writes"


async def test_a_backup_never_overwrites_a_file(store: Store, tmp_path: Path) -> None:
    existing = tmp_path / "existing.sqlite3"
    existing.write_text("precious", encoding="utf-8")

    with pytest.raises(StoreError, match="already exists"):
        await store.backup(existing)
    with pytest.raises(StoreError, match="already exists"):
        await store.backup(Path(store.path))  # the live database itself
    with pytest.raises(StoreError, match="does not exist"):
        await store.backup(tmp_path / "no-such-folder" / "copy.sqlite3")

    assert existing.read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("live")) == ["existing.sqlite3"]


async def test_almanac_db_backup_copies_the_database_of_a_running_bot(tmp_path: Path) -> None:
    database = tmp_path / "var" / "almanac.sqlite3"
    database.parent.mkdir()
    running = await Store.open(database)  # the bot, still holding the database open
    try:
        added = await running.add_event(GUILD, fields(1), actor=1)
        result = await asyncio.to_thread(run_almanac, tmp_path, "db", "backup", "backup.sqlite3")
    finally:
        await running.close()

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("backup.sqlite3: backup of ") and "integrity ok" in result.stdout
    assert await ids_in(tmp_path / "backup.sqlite3") == [added.id]


def test_almanac_db_backup_refuses_when_there_is_no_database(tmp_path: Path) -> None:
    result = run_almanac(tmp_path, "db", "backup", "backup.sqlite3")

    assert result.returncode == 1
    assert "there is no database" in result.stderr
    assert not (tmp_path / "backup.sqlite3").exists()
