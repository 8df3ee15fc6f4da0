"""`almanac db copy` (bot/store/copy.py): SQLite to PostgreSQL and back, every row and id kept."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest

from bot.curation.forms import EventForm
from bot.runtime import open_services
from bot.store import Store, StoreError
from bot.store.copy import TABLES, copy_database
from bot.store.engines.common import SQLITE, migrations
from tests.support import FIXTURE_CHRONOLOGY, run_almanac

GUILD, MOD = 4242, 7


def new_schema(server: Any) -> str:
    schema = f"copy_{uuid.uuid4().hex[:12]}"
    server.psql(f"CREATE SCHEMA {schema};")
    return f"{server.get_uri()}&search_path={schema}"


async def table_rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    for table in TABLES:
        columns = ", ".join(sorted(await store.engine.columns(table)))
        found[table] = sorted(await store.engine.fetch(f"SELECT {columns} FROM {table}"), key=repr)
    return found


async def test_a_copy_to_postgresql_and_back_keeps_every_row_and_answers_the_same(
    tmp_path: Path, postgres_server: Any
) -> None:
    original = tmp_path / "original.sqlite3"
    async with open_services(original, FIXTURE_CHRONOLOGY) as services:
        added = await services.curation.add(
            GUILD, MOD, EventForm("Strike at the Obukhov works", "1919-03-10")
        )
        await services.curation.set_curator_role(GUILD, 99, MOD)
        bundled = (await services.store.scope_events(0, deleted=False))[0]
        await services.store.set_hidden(GUILD, bundled, True, MOD)
        before = await table_rows(services.store)
        searched = [event.id for event in (await services.almanac.search(GUILD, "obukhov strike")).events]

    server = new_schema(postgres_server)
    source, target = await Store.open(original), await Store.open(server)
    try:
        report = await copy_database(source, target)
        assert report.rows["events"] == len(before["events"]) and report.rows["audit_log"] == 3
        assert await table_rows(target) == before
        with pytest.raises(StoreError, match="is not empty"):
            await copy_database(source, target)  # a second copy into the same database
    finally:
        await source.close()
        await target.close()

    async with open_services(server, FIXTURE_CHRONOLOGY) as on_postgres:
        assert [
            event.id for event in (await on_postgres.almanac.search(GUILD, "obukhov strike")).events
        ] == searched
        newer = await on_postgres.curation.add(
            GUILD, MOD, EventForm("Lockout at the Izhora works", "1919-03-12")
        )
        assert newer.id > added.id  # the ids PostgreSQL hands out next follow the copied ones

    back = tmp_path / "back.sqlite3"
    source, target = await Store.open(server), await Store.open(back)
    try:
        await copy_database(source, target)
        assert await table_rows(target) == await table_rows(source)
    finally:
        await source.close()
        await target.close()


def test_the_command_copies_into_an_empty_database_and_refuses_a_full_one(tmp_path: Path) -> None:
    first = run_almanac(tmp_path, "ask", "/onthisday 16 March")  # the bundled chronology, loaded
    assert first.returncode == 0, first.stderr
    source, copy = tmp_path / "var" / "almanac.sqlite3", tmp_path / "copy.sqlite3"
    done = run_almanac(tmp_path, "db", "copy", str(source), str(copy))
    assert done.returncode == 0, done.stderr
    assert "counts and audit log verified" in done.stdout and "events" in done.stdout
    again = run_almanac(tmp_path, "db", "copy", str(source), str(copy))
    assert again.returncode == 2 and "is not empty" in again.stderr and "Traceback" not in again.stderr


def test_the_command_never_migrates_or_makes_its_source_and_refuses_a_newer_one(tmp_path: Path) -> None:
    missing = run_almanac(
        tmp_path, "db", "copy", str(tmp_path / "nothing.sqlite3"), str(tmp_path / "a.sqlite3")
    )
    assert missing.returncode != 0 and "no database at" in missing.stderr
    assert not (tmp_path / "nothing.sqlite3").exists()

    older = tmp_path / "older.sqlite3"
    with sqlite3.connect(older) as db:  # a database an older Almanac wrote: schema version 3
        for number, script in migrations(SQLITE)[:3]:
            db.executescript(script)
            db.execute(f"PRAGMA user_version = {number}")
    before = older.read_bytes()
    refused = run_almanac(tmp_path, "db", "copy", str(older), str(tmp_path / "b.sqlite3"))
    assert (
        refused.returncode != 0 and "older than" in refused.stderr and "almanac db migrate" in refused.stderr
    )
    assert older.read_bytes() == before  # not migrated, not touched

    newer = tmp_path / "newer.sqlite3"
    first = run_almanac(tmp_path, "db", "migrate", DATABASE_PATH=str(newer))
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version = 999")
    refused = run_almanac(tmp_path, "db", "copy", str(newer), str(tmp_path / "c.sqlite3"))
    assert refused.returncode != 0 and "newer than this Almanac" in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "c.sqlite3").exists()
