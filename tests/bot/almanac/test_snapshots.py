"""The search index saved beside a SQLite database: a start loads it and applies the changes
made since, and a snapshot that is damaged, truncated, of another format, another database's,
or older than the change feed still holds is never trusted: the index is built afresh, answers
as a fresh build does, and the file is replaced."""

from __future__ import annotations

import json
import logging
import shutil
import struct
from pathlib import Path
from typing import Any

import pytest

from bot.almanac.freshness import IndexSnapshots, snapshot_path
from bot.model.event import BUNDLED_SCOPE, EventFields
from bot.runtime import build_index, open_services
from bot.search import snapshot
from bot.store import Shards, Store
from bot.store.changes import PRUNED_THROUGH
from tests.support import FIXTURE_CHRONOLOGY

SERVER = 111
QUERIES = ("kronstadt", "kronstat", "makhno", "cheka", "zhelyabov rally", "brest litovsk", "petrograd")


async def answers_of(index: Any) -> list[Any]:
    scopes = (BUNDLED_SCOPE, SERVER)
    return [index.search(q, scopes) for q in QUERIES] + [index.complete(q[:4], scopes) for q in QUERIES]


async def fresh_answers(database: Path) -> list[Any]:
    """What an index built from the database as it is now answers."""
    store = await Store.open(database)
    try:
        return await answers_of(await build_index(store))
    finally:
        await store.close()


async def start(database: Path, caplog: pytest.LogCaptureFixture) -> tuple[list[Any], bool]:
    """One run of the bot: its answers, and whether it loaded the snapshot."""
    caplog.clear()
    async with open_services(database, FIXTURE_CHRONOLOGY) as services:
        found = await answers_of(services.index)
    loaded = any("search index loaded" in record.getMessage() for record in caplog.records)
    return found, loaded


async def write_elsewhere(database: Path) -> None:
    """Changes made while the bot is not running (`almanac import`, another process)."""
    store = await Store.open(database)
    try:
        added = await store.add_event(
            SERVER, EventFields.from_mapping({"id": "r", "date": "1881-03-13", "title": "Zhelyabov rally"}), 1
        )
        second = await store.add_event(
            SERVER, EventFields.from_mapping({"id": "k", "date": "1921-03-01", "title": "Kronstat typo"}), 1
        )
        edited = second.fields.as_mapping() | {"title": "Petrograd strike"}
        await store.edit_event(second, EventFields.from_mapping(edited), 1)
        await store.set_deleted(added, True, 1)
        await store.add_event(
            SERVER,
            EventFields.from_mapping({"id": "z", "date": "1881-03-14", "title": "Zhelyabov rally again"}),
            1,
        )
    finally:
        await store.close()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "db.sqlite3"


@pytest.fixture(autouse=True)
def logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.almanac.freshness")


async def test_a_start_saves_the_index_and_the_next_loads_it_with_the_changes_since(
    database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first, loaded = await start(database, caplog)
    index_file = snapshot_path(database)
    assert not loaded and index_file is not None and index_file.exists()
    assert index_file == database.with_name("db.sqlite3.index")
    again, loaded = await start(database, caplog)
    assert loaded and again == first
    await write_elsewhere(database)
    after, loaded = await start(database, caplog)
    assert loaded and after == await fresh_answers(database)
    titles = [hit.title for hit in after[QUERIES.index("zhelyabov rally")]]
    assert titles[0] == "Zhelyabov rally again" and "Zhelyabov rally" not in titles  # removed
    assert "Petrograd strike" in [hit.title for hit in after[QUERIES.index("petrograd")]]
    # saved again at shutdown, at the feed's newest change
    store = await Store.open(database)
    try:
        assert snapshot.read_meta(index_file)["seen"] == await store.latest_change()
    finally:
        await store.close()


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def another_version(path: Path) -> None:
    whole = path.read_bytes()
    start = len(snapshot.MAGIC) + 4
    (length,) = struct.unpack_from("<I", whole, len(snapshot.MAGIC))
    header = json.loads(whole[start : start + length]) | {"format": 0}
    raw = json.dumps(header).encode()
    path.write_bytes(snapshot.MAGIC + struct.pack("<I", len(raw)) + raw + whole[start + length :])


def garbage(path: Path) -> None:
    path.write_bytes(b"not an index at all")


@pytest.mark.parametrize("spoil", [flip_a_byte, truncate, another_version, garbage])
async def test_a_damaged_snapshot_is_rebuilt_never_trusted(
    database: Path, caplog: pytest.LogCaptureFixture, spoil: Any
) -> None:
    await start(database, caplog)
    await write_elsewhere(database)  # so a wrong index would answer differently
    index_file = database.with_name("db.sqlite3.index")
    spoil(index_file)
    found, loaded = await start(database, caplog)
    assert not loaded and "not used" in caplog.text
    assert found == await fresh_answers(database)
    snapshot.load(index_file)  # replaced by a whole one
    assert (await start(database, caplog))[1]


async def test_a_snapshot_older_than_the_feed_holds_is_rebuilt(
    database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await start(database, caplog)
    index_file = database.with_name("db.sqlite3.index")
    position = snapshot.read_meta(index_file)["seen"]
    await write_elsewhere(database)
    store = await Store.open(database)
    try:  # the changes after the snapshot pruned away, as after an hour without the bot
        await store.set_meta(PRUNED_THROUGH, str(position + 1))
        latest = await store.latest_change()
    finally:
        await store.close()
    found, loaded = await start(database, caplog)
    assert not loaded and "no longer in the feed" in caplog.text
    assert found == await fresh_answers(database)
    assert snapshot.read_meta(index_file)["seen"] == latest


async def test_another_databases_snapshot_is_refused(
    tmp_path: Path, database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    other = tmp_path / "other.sqlite3"
    await start(other, caplog)
    await start(database, caplog)
    await write_elsewhere(database)
    shutil.copy(tmp_path / "other.sqlite3.index", tmp_path / "db.sqlite3.index")
    found, loaded = await start(database, caplog)
    assert not loaded and "another database" in caplog.text
    assert found == await fresh_answers(database)
    assert (await start(database, caplog))[1]  # its own again


async def test_each_set_of_shards_has_its_own_snapshot_and_postgresql_none(database: Path) -> None:
    assert snapshot_path(database, Shards(2, (1, 0))) == database.with_name("db.sqlite3.shards-2-0_1.index")
    assert snapshot_path("postgresql://localhost/almanac") is None


async def test_an_unwritable_folder_leaves_the_bot_answering(
    database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with open_services(database, FIXTURE_CHRONOLOGY) as services:
        found = await answers_of(services.index)
        nowhere = IndexSnapshots(services.store, database.with_name("missing") / "db.index")
        await nowhere.save(services.index, services.feed)
    assert "not written" in caplog.text and found == await fresh_answers(database)
