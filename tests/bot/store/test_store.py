"""The SQLite store: migrations, the bundled sync, reads per server, the audit log (bot/store/)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import sqlite3
from collections.abc import AsyncIterator, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from bot.almanac.freshness import fill_index
from bot.chronology.reader import DEFAULT_DATA_FILE, ChronologyError, load_chronology
from bot.health import probe_database
from bot.model.event import Event, EventFields
from bot.search.index import SearchIndex
from bot.store import ConflictError, Store, StoreError
from bot.store.engines import common

GUILD_A = 111
GUILD_B = 222


def fields(slug: str, date: str, title: str | None = None, **extra: Any) -> EventFields:
    return EventFields.from_mapping({"id": slug, "date": date, "title": title or slug.title(), **extra})


BUNDLED = [
    fields("putilov", "1919-03-16", "Cheka storms the Putilov works"),
    fields("astrakhan", "1919-03-12/1919-03-14", "Astrakhan massacre"),
    fields("brest", "1918-03", "Treaty of Brest-Litovsk"),
    fields("long-range", "1921-01-20/1921-02-28", "A forty-day range"),
    fields("leap", "1920-02-29", "A leap-day event"),
    fields("new-year", "1918-12-30/1919-01-02", "Across New Year"),
    fields("whole-year", "1918", "A whole year"),
]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db.sqlite3"


async def with_bundled(target: str | Path) -> AsyncIterator[Store]:
    store = await Store.open(target)
    await store.sync_bundled([BUNDLED], "v1")
    yield store
    await store.close()


@pytest.fixture
async def store(database: str) -> AsyncIterator[Store]:
    """On each engine in turn (tests/conftest.py)."""
    async for opened in with_bundled(database):
        yield opened


@pytest.fixture
async def file_store(db_path: Path) -> AsyncIterator[Store]:
    """A SQLite file, for what only a SQLite file has (pragmas, another connection to the file)."""
    async for opened in with_bundled(db_path):
        yield opened


@pytest.fixture
def raw(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A second, plain connection: what another process would see in the file."""
    connection = sqlite3.connect(db_path)
    yield connection
    connection.close()


def data_version(connection: sqlite3.Connection) -> int:
    """Changes whenever another connection commits to the file."""
    return int(connection.execute("PRAGMA data_version").fetchone()[0])


def slugs(events: Any) -> list[str]:
    return [getattr(item, "event", item).slug for item in events]


async def bundled(store: Store, slug: str) -> Any:
    return next(event for event in await store.scope_events(0) if event.slug == slug)


# -- the database file ---------------------------------------------------------------------------


def highest_migration() -> int:
    names = [entry.name for entry in resources.files("bot.store.migrations").iterdir()]
    return max(int(name.split("_", 1)[0]) for name in names if name.endswith(".sql"))


async def test_migrations_set_the_schema_version(file_store: Store, raw: sqlite3.Connection) -> None:
    assert await file_store.schema_version() == highest_migration()
    assert raw.execute("PRAGMA user_version").fetchone()[0] == highest_migration()


async def test_reopening_keeps_the_data_and_runs_no_migration_twice(database: str) -> None:
    first = await Store.open(database)
    await first.sync_bundled([BUNDLED], "v1")
    await first.add_event(GUILD_A, fields("own", "1920-05-01"), actor=1)
    await first.close()
    again = await Store.open(database)  # re-running a migration's CREATE TABLE would fail here
    try:
        assert await again.migrate() == highest_migration()
        assert slugs(await again.scope_events(GUILD_A)) == ["own"]
        assert len(await again.scope_events(0)) == len(BUNDLED)
        assert await again.sync_bundled([BUNDLED], "v1") is None
    finally:
        await again.close()


async def test_migration_010_keeps_each_days_order_and_drops_removed_events_days(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await Store.open(db_path)
    await store.sync_bundled([BUNDLED], "v1")
    later = await store.add_event(GUILD_A, fields("later", "1921-03-16", "Later"), actor=1)
    await store.add_event(GUILD_A, fields("earlier", "1905-03-16", "Earlier"), actor=1)
    await store.set_deleted(later, True, actor=1)
    await store.close()
    old = sqlite3.connect(db_path)  # the file as migration 009 left it: removed events kept their days
    with old:
        old.execute("ALTER TABLE event_days DROP COLUMN start_ord")
        old.execute("INSERT INTO event_days VALUES (?, 316, ?, 1, 1)", (GUILD_A, later.id))
        old.execute("PRAGMA user_version = 9")
    old.close()
    # only 010 runs again: the later migrations' tables are still there, as they would not be
    every = common.migrations
    monkeypatch.setattr(common, "migrations", lambda dialect: [m for m in every(dialect) if m[0] <= 10])

    store = await Store.open(db_path)
    try:
        assert slugs(await store.on_month_day(GUILD_A, (316,))) == ["earlier", "putilov"]
        await store.set_deleted(later, False, actor=1)
        assert slugs(await store.on_month_day(GUILD_A, (316,))) == ["earlier", "putilov", "later"]
    finally:
        await store.close()


async def test_wal_and_foreign_keys(file_store: Store, raw: sqlite3.Connection) -> None:
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert (await file_store._one("PRAGMA foreign_keys"))[0] == 1
    async with file_store.transaction() as db:
        assert (await db.fetch("PRAGMA foreign_keys"))[0][0] == 1


async def test_an_unusable_path_is_a_store_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("not a folder")
    with pytest.raises(StoreError, match=r"file\.txt"):
        await Store.open(tmp_path / "file.txt" / "db.sqlite3")


# -- the bundled chronology ----------------------------------------------------------------------


async def test_sync_loads_the_bundled_events(store: Store) -> None:
    assert sorted(slugs(await store.scope_events(0))) == sorted(event.slug for event in BUNDLED)
    assert await store.get_meta("bundled_fingerprint") == "v1"
    assert (await store.counts())["bundled"] == len(BUNDLED)


async def test_an_unchanged_file_writes_nothing(file_store: Store, raw: sqlite3.Connection) -> None:
    before = data_version(raw)
    assert await file_store.sync_bundled([BUNDLED], "v1") is None
    assert data_version(raw) == before
    assert await file_store.sync_bundled([BUNDLED], "v2") == 0  # new bytes, same events: only the meta row
    assert data_version(raw) != before


async def test_a_changed_file_updates_removes_and_restores(store: Store) -> None:
    renamed = [fields("putilov", "1919-03-16", "Putilov works stormed"), *BUNDLED[1:-1]]
    assert await store.sync_bundled([renamed], "v2") == 2
    putilov = await bundled(store, "putilov")
    assert (putilov.title, putilov.version) == ("Putilov works stormed", 2)
    removed = await bundled(store, "whole-year")
    assert removed.deleted
    assert "whole-year" not in slugs(await store.visible_events(GUILD_A))
    assert await store.sync_bundled([BUNDLED], "v3") == 2
    assert not (await bundled(store, "whole-year")).deleted
    assert (await bundled(store, "putilov")).title == "Cheka storms the Putilov works"


async def test_a_file_given_in_chunks_is_synced_as_one(store: Store) -> None:
    changed = [fields("putilov", "1919-03-16", "Putilov works stormed"), *BUNDLED[1:-1]]
    added = fields("added", "1920-05-01", "Added later")
    renamed = dataclasses.replace(BUNDLED[2], slug="brest-litovsk", old_ids=("brest",))
    brest = await bundled(store, "brest")
    chunks = [changed[:2], [renamed], [*changed[3:], added]]

    assert await store.sync_bundled(chunks, "v2") == 4  # changed, renamed, removed, added

    assert (await bundled(store, "brest-litovsk")).id == brest.id  # renamed across chunks, same row
    assert (await bundled(store, "whole-year")).deleted  # listed in no chunk
    assert (await bundled(store, "putilov")).title == "Putilov works stormed"
    assert not (await bundled(store, "added")).deleted


async def test_an_error_from_a_later_chunk_undoes_the_whole_sync(store: Store) -> None:
    before = await store.scope_events(0)

    def chunks() -> Iterator[list[EventFields]]:
        yield [fields("putilov", "1919-03-16", "Changed title"), fields("fresh", "1930", "Fresh")]
        raise ChronologyError(Path("data.toml"), ["event 9 (bad): date: is not a date"])

    with pytest.raises(ChronologyError):
        await store.sync_bundled(chunks(), "v2")

    assert await store.scope_events(0) == before
    assert await store.get_meta("bundled_fingerprint") == "v1"


async def test_one_id_in_two_chunks_is_refused_by_name(store: Store) -> None:
    with pytest.raises(ConflictError, match="putilov"):
        await store.sync_bundled([BUNDLED[:3], BUNDLED[:1]], "v2")
    assert await store.get_meta("bundled_fingerprint") == "v1"


async def test_a_moved_bundled_event_moves_its_anniversary(store: Store) -> None:
    moved = [fields("putilov", "1919-03-17", "Cheka storms the Putilov works"), *BUNDLED[1:]]
    await store.sync_bundled([moved], "v2")
    assert slugs(await store.on_month_day(GUILD_A, (316,))) == []
    assert slugs(await store.on_month_day(GUILD_A, (317,))) == ["putilov"]


async def test_sync_never_touches_a_servers_own_events(store: Store) -> None:
    own = await store.add_event(GUILD_A, fields("whole-year", "1930", "Our own event"), actor=7)
    await store.sync_bundled([BUNDLED[:-1]], "v2")  # removes the bundled event with the same slug
    [kept] = await store.scope_events(GUILD_A)
    assert (kept.id, kept.title, kept.version, kept.deleted) == (own.id, "Our own event", 1, False)
    assert (await bundled(store, "whole-year")).deleted


async def test_the_real_bundled_chronology_answers_16_march(store: Store) -> None:
    chronology = load_chronology(DEFAULT_DATA_FILE)
    await store.sync_bundled([chronology.events], chronology.fingerprint)
    assert "putilov-works-assault" in slugs(await store.on_month_day(0, (316,)))
    assert "astrakhan-massacre" in slugs(await store.on_month_day(0, (313,)))
    assert (await store.counts())["bundled"] == 72


# -- reading -------------------------------------------------------------------------------------


async def test_on_month_day(store: Store) -> None:
    assert slugs(await store.on_month_day(GUILD_A, (316,))) == ["putilov"]
    [astrakhan] = await store.on_month_day(GUILD_A, (313,))
    assert (astrakhan.event.slug, astrakhan.nth, astrakhan.span) == ("astrakhan", 2, 3)
    [long_range] = await store.on_month_day(GUILD_A, (210,))
    assert (long_range.event.slug, long_range.nth, long_range.span) == ("long-range", 22, 40)
    assert slugs(await store.on_month_day(GUILD_A, (101,))) == ["new-year"]
    assert slugs(await store.on_month_day(GUILD_A, (601,))) == []


async def test_an_event_read_back_is_whole_and_equal_to_the_one_written(store: Store) -> None:
    written = fields(
        "full",
        "1919-03-16",
        "Full",
        summary="S",
        people=["A", "B"],
        places=["P"],
        tags=["t"],
        aliases=["Whole"],
        source="src",
        note="n",
        russia=True,
        translations={"ca": {"title": "Ple", "summary": "R"}},
    )
    added = await store.add_event(GUILD_A, written, actor=1)
    stored = await store.get_event(added.id)
    assert stored == Event(id=added.id, scope=GUILD_A, fields=written)  # every field, as written
    assert set(vars(stored.fields)) == {field.name for field in dataclasses.fields(EventFields)}
    assert set(vars(stored)) == {field.name for field in dataclasses.fields(Event)}
    assert hash(stored.fields) == hash(written) and stored.fields.old_ids == ()


async def test_a_leap_day_event_is_found_with_28_february_in_common_years(store: Store) -> None:
    found = await store.on_month_day(GUILD_A, (228, 229))
    assert sorted(slugs(found)) == ["leap", "long-range"]
    assert len(found) == len(set(slugs(found)))  # each event once


@pytest.mark.parametrize(
    ("after", "following"),
    [
        (316, 1230),
        (1230, 1231),
        (1231, 101),
        (0, 101),
        (120, 228),
        (228, 229),
        (229, 312),
        (312, 313),
        (314, 316),
    ],
)
async def test_next_month_day_goes_to_the_next_remembered_day_and_wraps(
    store: Store, after: int, following: int
) -> None:
    assert await store.next_month_day(GUILD_A, after) == following


async def test_next_month_day_with_no_day_precise_events(tmp_path: Path) -> None:
    empty = await Store.open(tmp_path / "empty.sqlite3")
    try:
        await empty.sync_bundled([[fields("only-a-year", "1918")]], "x")
        assert await empty.next_month_day(GUILD_A, 316) is None
    finally:
        await empty.close()


async def test_month_only_gives_month_precise_events(store: Store) -> None:
    assert slugs(await store.month_only(GUILD_A, 3)) == ["brest"]
    assert slugs(await store.month_only(GUILD_A, 6)) == []


async def test_in_span_gives_overlapping_events_in_order(store: Store) -> None:
    found = await store.in_span(GUILD_A, dt.date(1919, 1, 1), dt.date(1919, 3, 13), 100)
    assert slugs(found.events) == ["new-year", "astrakhan"] and found.total == 2 and found.unread == []
    found = await store.in_span(GUILD_A, dt.date(1918, 1, 1), dt.date(1918, 12, 31), 100)
    assert slugs(found.events) == ["whole-year", "brest", "new-year"] and found.total == 3
    found = await store.in_span(GUILD_A, dt.date(1918, 1, 1), dt.date(1918, 12, 31), 2)
    assert slugs(found.events) == ["whole-year", "brest"] and found.total == 3


async def test_in_span_reads_whole_only_the_first_and_lists_the_rest_by_id(store: Store) -> None:
    first, last = dt.date(1918, 1, 1), dt.date(1919, 12, 31)
    every = await store.in_span(GUILD_A, first, last, 100)
    found = await store.in_span(GUILD_A, first, last, 100, whole=2)
    assert found.events == every.events[:2] and found.total == every.total
    assert found.unread == [event.id for event in every.events[2:]]
    assert await store.get_visible(GUILD_A, found.unread) == every.events[2:]
    removed = every.events[3]
    await store.set_deleted(removed, True, actor=1)
    assert await store.get_visible(GUILD_A, found.unread) == [every.events[2], *every.events[4:]]
    assert await store.get_visible(GUILD_B, [every.events[2].id]) == [every.events[2]]


async def test_in_span_finds_events_longer_than_a_year_that_began_long_before(store: Store) -> None:
    await store.add_event(GUILD_A, fields("decade", "1910-01-01/1925-12-31", "A long decade"), actor=1)
    await store.add_event(GUILD_A, fields("years", "1910/1925", "Years of it"), actor=1)
    await store.add_event(GUILD_A, fields("ended", "1910/1917", "Over before"), actor=1)
    found = await store.in_span(GUILD_A, dt.date(1921, 3, 1), dt.date(1921, 3, 31), 100)
    assert {"decade", "years"} <= set(slugs(found.events)) and "ended" not in slugs(found.events)
    assert found.total == len(found.events)


async def test_in_span_merges_long_and_short_events_in_order_leaving_out_hidden_and_removed(
    store: Store,
) -> None:
    decade = await store.add_event(GUILD_A, fields("decade", "1910/1925", "A long decade"), actor=1)
    await store.add_event(GUILD_A, fields("spring", "1918-03-01/1918-03-31", "A spring"), actor=1)
    removed = await store.add_event(GUILD_A, fields("gone", "1918-05-01", "Gone"), actor=1)
    await store.set_deleted(removed, True, actor=1)
    await store.set_hidden(GUILD_A, await bundled(store, "brest"), True, actor=1)

    found = await store.in_span(GUILD_A, dt.date(1918, 1, 1), dt.date(1918, 12, 31), 3)

    assert slugs(found.events) == ["decade", "whole-year", "spring"]
    assert found.total == 4  # and new-year, unlisted
    assert (await store.in_span(GUILD_B, dt.date(1918, 1, 1), dt.date(1918, 12, 31), 9)).total == 3
    assert decade.id in {event.id for event in found.events}


# -- servers -------------------------------------------------------------------------------------


async def test_a_servers_events_are_invisible_to_other_servers(store: Store) -> None:
    await store.add_event(GUILD_A, fields("own", "1919-03-16", "Our strike"), actor=1)
    await store.add_event(GUILD_A, fields("own-month", "1919-03", "Our month"), actor=1)
    assert slugs(await store.on_month_day(GUILD_A, (316,))) == ["putilov", "own"]
    assert slugs(await store.on_month_day(GUILD_B, (316,))) == ["putilov"]
    assert slugs(await store.on_month_day(0, (316,))) == ["putilov"]
    assert "own-month" not in slugs(await store.month_only(GUILD_B, 3))
    assert "own" not in slugs(await store.visible_events(GUILD_B))
    first, last = dt.date(1919, 3, 1), dt.date(1919, 3, 31)
    assert "own" not in slugs((await store.in_span(GUILD_B, first, last, 100)).events)
    assert "own" in slugs((await store.in_span(GUILD_A, first, last, 100)).events)


async def test_a_hidden_bundled_event_disappears_for_that_server_only(store: Store) -> None:
    putilov = await bundled(store, "putilov")
    await store.set_hidden(GUILD_A, putilov, True, actor=1)
    assert slugs(await store.on_month_day(GUILD_A, (316,))) == []
    assert "putilov" not in slugs(await store.visible_events(GUILD_A))
    assert await store.next_month_day(GUILD_A, 314) == 1230
    assert slugs(await store.on_month_day(GUILD_B, (316,))) == ["putilov"]
    assert await store.hidden_event_ids(GUILD_A) == {putilov.id}
    brest = await bundled(store, "brest")
    await store.set_hidden(GUILD_B, brest, True, actor=1)
    assert await store.every_hidden_event(most=2) == {GUILD_A: {putilov.id}, GUILD_B: {brest.id}}
    assert await store.every_hidden_event(most=1) is None  # more than that: read server by server
    await store.set_hidden(GUILD_A, putilov, False, actor=1)
    assert slugs(await store.on_month_day(GUILD_A, (316,))) == ["putilov"]


async def test_a_deleted_event_disappears_and_can_come_back(store: Store) -> None:
    own = await store.add_event(GUILD_A, fields("own", "1919-03-16"), actor=1)
    await store.set_deleted(own, True, actor=1)
    assert slugs(await store.on_month_day(GUILD_A, (316,))) == ["putilov"]
    assert slugs(await store.scope_events(GUILD_A, deleted=True)) == ["own"]
    await store.set_deleted(own, False, actor=1)
    assert slugs(await store.on_month_day(GUILD_A, (316,))) == ["putilov", "own"]


# -- edits and the audit log ---------------------------------------------------------------------


async def test_editing_from_a_stale_version_is_a_conflict(store: Store) -> None:
    own = await store.add_event(GUILD_A, fields("own", "1919-03-16", "First title"), actor=1)
    edited = await store.edit_event(own, fields("own", "1919-03-17", "Second title"), actor=2)
    assert edited.version == 2
    with pytest.raises(ConflictError):
        await store.edit_event(own, fields("own", "1919-03-18", "Lost update"), actor=3)
    stored = await store.get_event(own.id)
    assert stored is not None and (stored.title, stored.version) == ("Second title", 2)
    assert slugs(await store.on_month_day(GUILD_A, (317,))) == ["own"]
    assert slugs(await store.on_month_day(GUILD_A, (316,))) == ["putilov"]


async def test_every_change_is_in_the_audit_log(store: Store) -> None:
    own = await store.add_event(GUILD_A, fields("own", "1919-03-16", "First"), actor=1)
    await store.edit_event(own, fields("own", "1919-03-16", "Second"), actor=2)
    entries = await store.audit_entries(GUILD_A, None, limit=10)
    assert [entry.action for entry in entries] == ["edit", "add"]
    edit = entries[0]
    assert (edit.actor_id, edit.before, edit.after) == (2, own.fields.as_mapping(), edit.after)
    assert edit.before is not None and edit.after is not None
    assert (edit.before["title"], edit.after["title"]) == ("First", "Second")
    assert await store.audit_entries(GUILD_B, None, limit=10) == []


async def test_the_audit_log_refuses_update_and_delete(file_store: Store, raw: sqlite3.Connection) -> None:
    await file_store.add_event(GUILD_A, fields("own", "1919-03-16"), actor=1)
    with pytest.raises(sqlite3.DatabaseError, match="never rewritten"):
        raw.execute("UPDATE audit_log SET action = 'nothing'")
    with pytest.raises(sqlite3.DatabaseError, match="never rewritten"):
        raw.execute("DELETE FROM audit_log")
    raw.rollback()
    assert len(await file_store.audit_entries(GUILD_A, None, limit=10)) == 1


async def test_an_in_memory_database_is_refused_with_a_reason() -> None:
    from bot.store import StoreError

    with pytest.raises(StoreError, match="must be a file"):
        await Store.open(":memory:")


# -- a bundled event renamed in the data file --------------------------------------------------------

PUTILOV_V1 = """
[[event]]
id = "putilov"
date = "1919-03-16"
title = "Cheka storms the Putilov works"
"""
PUTILOV_RENAMED = """
[[event]]
id = "putilov-works-assault"
old_ids = ["putilov"]
date = "1919-03-16"
title = "Cheka storms the Putilov works"
"""


async def load_file(store: Store, path: Path, text: str) -> int | None:
    path.write_text(text, encoding="utf-8")
    chronology = load_chronology(path)
    return await store.sync_bundled([chronology.events], chronology.fingerprint)


async def test_a_bundled_id_renamed_with_old_ids_keeps_its_row_and_every_servers_hide(
    db_path: Path, tmp_path: Path
) -> None:
    store = await Store.open(db_path)
    try:
        await load_file(store, tmp_path / "v1.toml", PUTILOV_V1)
        putilov = await bundled(store, "putilov")
        await store.set_hidden(GUILD_A, putilov, True, actor=1)
        assert await load_file(store, tmp_path / "v2.toml", PUTILOV_RENAMED) == 1
        renamed = await bundled(store, "putilov-works-assault")
        assert (renamed.id, renamed.deleted) == (putilov.id, False)
        assert slugs(await store.scope_events(0)) == ["putilov-works-assault"]  # no deleted copy left
        assert slugs(await store.on_month_day(GUILD_A, (316,))) == []  # still hidden where it was
        assert slugs(await store.on_month_day(GUILD_B, (316,))) == ["putilov-works-assault"]
        assert await store.hidden_event_ids(GUILD_A) == {putilov.id}
    finally:
        await store.close()


async def test_old_ids_added_after_a_rename_bring_the_lost_hides_back(db_path: Path, tmp_path: Path) -> None:
    store = await Store.open(db_path)
    try:
        await load_file(store, tmp_path / "v1.toml", PUTILOV_V1)
        await store.set_hidden(GUILD_A, await bundled(store, "putilov"), True, actor=1)
        # a release renamed the id without old_ids: the hide stayed on the old, now deleted, row
        await load_file(store, tmp_path / "v2.toml", PUTILOV_RENAMED.replace('old_ids = ["putilov"]\n', ""))
        assert slugs(await store.on_month_day(GUILD_A, (316,))) == ["putilov-works-assault"]
        await load_file(store, tmp_path / "v3.toml", PUTILOV_RENAMED + "\n")  # the next one adds old_ids
        assert slugs(await store.on_month_day(GUILD_A, (316,))) == []
        assert await store.hidden_event_ids(GUILD_A) == {(await bundled(store, "putilov-works-assault")).id}
    finally:
        await store.close()


# -- the change feed ---------------------------------------------------------------------------------


async def test_every_write_lands_in_the_change_feed_in_order(store: Store) -> None:
    start = await store.latest_change()
    added = await store.add_event(7, EventFields.from_mapping({"id": "a", "date": "1919", "title": "A"}), 1)
    edited = await store.edit_event(
        added, EventFields.from_mapping({"id": "a", "date": "1920", "title": "B"}), 1
    )
    await store.set_deleted(edited, True, 1)
    changes = await store.changes_after(start)

    assert [(c.kind, c.event_id, c.scope) for c in changes] == [("event", added.id, 7)] * 3
    assert [c.seq for c in changes] == sorted(c.seq for c in changes)
    await store.set_hidden(8, edited, True, 1)  # another server hides it, then shows it again
    await store.set_hidden(8, edited, False, 1)
    assert [(c.kind, c.scope) for c in await store.changes_after(changes[-1].seq)] == [("hidden", 8)] * 2


async def test_old_changes_are_pruned_and_numbers_never_reused(store: Store) -> None:
    await store.add_event(7, EventFields.from_mapping({"id": "a", "date": "1919", "title": "A"}), 1)
    last = await store.latest_change()

    assert await store.prune_changes(dt.timedelta(hours=1)) == 0  # nothing that old
    assert await store.prune_changes(dt.timedelta(seconds=-1)) >= 1  # everything
    assert await store.changes_after(0) == []
    assert await store.latest_change() == last  # not 0: a process indexing now has seen them all
    await store.add_event(7, EventFields.from_mapping({"id": "b", "date": "1919", "title": "B"}), 1)
    (change,) = await store.changes_after(0)
    assert change.seq > last


async def test_the_audit_log_is_append_only_on_either_engine(store: Store) -> None:
    await store.set_hidden(GUILD_A, await bundled(store, "putilov"), True, actor=7)
    for statement in ("UPDATE audit_log SET action = 'edit'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="the audit log is never rewritten"):
            async with store.transaction() as db:
                await db.execute(statement)
    assert [entry.actor_id for entry in await store.audit_entries(GUILD_A, None, 10)] == [7]


def test_each_migration_is_written_for_both_dialects_under_one_number_and_name() -> None:
    from bot.store.engines.common import POSTGRESQL, SQLITE, migrations

    folder = resources.files("bot.store.migrations")
    sqlite_names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".sql"))
    postgres_names = sorted(
        entry.name for entry in (folder / "postgresql").iterdir() if entry.name.endswith(".sql")
    )
    assert sqlite_names == postgres_names
    assert [number for number, _ in migrations(SQLITE)] == [number for number, _ in migrations(POSTGRESQL)]


async def test_a_batch_claims_only_untouched_days_and_closes_them_in_one_go(store: Store) -> None:
    from bot.model.kinds import PostState
    from bot.store.posts.records import ClosedDay, NewClaim

    day, now = "2026-03-16", "2026-03-16T09:00:00+00:00"
    await store.claim_post(GUILD_A, day, 10, "a", False, now=now)  # another scheduler got here first
    claimed = await store.claim_new_posts(
        [NewClaim(GUILD_A, day, 10, "a", False), NewClaim(GUILD_B, day, 20, "b", True)], now=now
    )
    assert claimed == {(GUILD_B, day)}
    records = await store.post_records([(GUILD_A, day), (GUILD_B, day), (GUILD_B, "2026-03-17")])
    assert set(records) == {(GUILD_A, day), (GUILD_B, day)}
    assert records[(GUILD_B, day)].state == PostState.CLAIMED and records[(GUILD_B, day)].late
    await store.close_days([ClosedDay(GUILD_B, day, PostState.SENT, "b", 777)], [])
    sent = await store.post_record(GUILD_B, day)
    assert sent is not None and sent.state == PostState.SENT and sent.message_id == 777
    assert sent.attempts == 1 and sent.channel_id == 20  # the claim's own columns are kept


async def test_closing_a_day_drops_the_servers_records_older_than_kept_but_the_latest_of_each_kind(
    store: Store,
) -> None:
    """One row per server per day would grow forever; what status shows must survive the pruning."""
    from bot.model.kinds import PostState
    from bot.store.posts.records import POST_RECORDS_KEPT_DAYS, ClosedDay

    start = dt.date(2026, 1, 1)

    def day(offset: int) -> str:
        return (start + dt.timedelta(days=offset)).isoformat()

    await store.finish_post(GUILD_A, day(0), PostState.MISSED, error="offline", nonce="m")
    await store.finish_post(GUILD_A, day(1), PostState.FAILED, error="no access", nonce="f")
    await store.claim_post(GUILD_A, day(2), 10, "c", False, now=f"{day(2)}T09:00:00+00:00")
    for offset in range(3, 80):
        await store.close_days([ClosedDay(GUILD_A, day(offset), PostState.SENT, "s", offset)], [])
    await store.close_days([ClosedDay(GUILD_B, day(3), PostState.SENT, "b", 1)], [])  # another server
    await store.close_days([ClosedDay(GUILD_A, day(80), PostState.SKIPPED, "k")], [])

    kept = [day(offset) for offset in range(81) if await store.post_record(GUILD_A, day(offset))]
    first_kept = 80 - POST_RECORDS_KEPT_DAYS
    # the only missed day, the only failure and a claim still being read back stay, whatever their age
    assert kept == [day(0), day(1), day(2), *(day(offset) for offset in range(first_kept, 81))]
    assert await store.post_record(GUILD_B, day(3)) is not None
    assert await store.last_failure(GUILD_A) is None  # a later day was sent since
    last_sent = await store.last_post(GUILD_A, (PostState.SENT,))
    assert last_sent is not None and last_sent.local_date == day(79)
    assert await store.last_closed_day(GUILD_A) == day(80)


async def test_a_fresh_claim_is_another_schedulers_and_a_stale_one_may_be_taken_over(store: Store) -> None:
    from bot.store.posts.records import ClaimHeld

    day = "2026-03-16"
    first = await store.claim_post(GUILD_A, day, 10, "n", False, now="2026-03-16T09:00:00+00:00")
    assert first is not None and first.attempts == 1
    with pytest.raises(ClaimHeld):  # a second scheduler, 30 seconds later, with a 90-second lease
        await store.claim_post(
            GUILD_A,
            day,
            10,
            "n",
            False,
            now="2026-03-16T09:00:30+00:00",
            held_since="2026-03-16T08:59:00+00:00",
        )
    again = await store.claim_post(
        GUILD_A, day, 10, "n", False, now="2026-03-16T09:02:00+00:00", held_since="2026-03-16T09:00:30+00:00"
    )
    assert again is not None and again.attempts == 2


async def test_every_write_keeps_the_events_search_words(store: Store) -> None:
    """What the search index is built from, without reading whole events (`search_words`)."""
    added = await store.add_event(GUILD_A, fields("kronstadt", "1921-03-01", "Kronstadt rebellion"), None)
    rows = await store.search_rows(added.id - 1)
    assert rows == [(added.id, GUILD_A, "Kronstadt rebellion", "kronstadt rebellion\n")]
    await store.edit_event(
        added, fields("kronstadt", "1921-03-01", "Kronstadt revolt", people=["Petrichenko"]), None
    )
    assert (await store.search_rows(added.id - 1))[0][3] == "kronstadt revolt\npetrichenko"
    await store.set_deleted(await store.get_event(added.id) or added, True, None)
    assert await store.search_rows(added.id - 1) == []  # only live events are indexed
    bundled = await store.search_rows(limit=3)
    assert len(bundled) == 3 and bundled == sorted(bundled)
    assert (await store.search_rows(bundled[-1][0]))[0][0] > bundled[-1][0]  # the next page


async def test_events_stored_before_search_words_are_indexed_and_their_words_stored(store: Store) -> None:
    await store.add_event(GUILD_A, fields("kronstadt", "1921-03-01", "Kronstadt rebellion"), None)
    async with store.transaction() as db:  # as a database written before migration 009 holds them
        await db.execute("DELETE FROM search_words")
    index = SearchIndex()
    await fill_index(store, index)
    assert [hit.title for hit in index.search("kronstat", (GUILD_A,))] == ["Kronstadt rebellion"]
    assert "Putilov" in index.search("putilov", (0, GUILD_A))[0].title
    assert all(words is not None for *_, words in await store.search_rows())


async def test_random_matches_a_tag_in_any_case_and_script_on_either_engine(store: Store) -> None:
    await store.add_event(
        GUILD_A, fields("anarchists", "1921-03-16", "Anarchists", tags=["Анархисты"]), actor=1
    )
    await store.add_event(GUILD_A, fields("strike", "1921-03-17", "Strike", tags=["Grève Générale"]), actor=1)

    for typed, title in (
        ("анархисты", "Anarchists"),
        ("АНАРХИСТЫ", "Anarchists"),
        ("grève générale", "Strike"),
    ):
        found = await store.random_event(GUILD_A, 0.0, tag=typed)
        assert found is not None and found.title == title, typed


async def test_the_health_probe_reads_and_never_waits_for_the_write_lock(store: Store) -> None:
    """A daily pass holding the write lock (on PostgreSQL, for seconds under load) leaves the
    probe answering at once: it reads, and takes no lock."""
    async with store.transaction():
        assert await asyncio.wait_for(probe_database(store), 2.0) == "ok"
