"""Every SQL statement of the project, behind plain async methods.

Two aiosqlite connections share one WAL database: a writer, serialised by a lock so no two
transactions interleave on it, and a reader, so that answering questions never waits behind a
write and never sees a transaction that is still open.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.dates import EventDate
from bot.model import BUNDLED_SCOPE, Event, EventFields

_EVENT_COLUMNS = (
    "e.id, e.scope, e.slug, e.edtf, e.title, e.summary, e.people, e.places, e.tags, e.aliases, "
    "e.source, e.note, e.russian, e.version, e.deleted_at"
)
# The events a server sees: the bundled chronology plus its own, minus deleted and hidden ones.
_VISIBLE = (
    "e.scope IN (0, :guild) AND e.deleted_at IS NULL AND NOT EXISTS "
    "(SELECT 1 FROM hidden_events h WHERE h.guild_id = :guild AND h.event_id = e.id)"
)


class StoreError(Exception):
    """The database cannot be opened or used; the message names the file and the reason."""


class ConflictError(Exception):
    """An edit was based on an older version of the event than the one stored."""


@dataclass(frozen=True)
class DayMatch:
    event: Event
    nth: int  # which day of the event this month-day is (1 for the first)
    span: int  # the event's length in days


@dataclass(frozen=True)
class AuditEntry:
    id: int
    event_id: int | None
    actor_id: int | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: str


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("bot.migrations")
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def _event_from_row(row: Sequence[Any]) -> Event:
    fields = EventFields(
        slug=row[2], date=EventDate.parse(row[3]), title=row[4], summary=row[5],
        people=tuple(json.loads(row[6])), places=tuple(json.loads(row[7])),
        tags=tuple(json.loads(row[8])), aliases=tuple(json.loads(row[9])),
        source=row[10], note=row[11], russian=bool(row[12]),
    )  # fmt: skip
    return Event(id=row[0], scope=row[1], fields=fields, version=row[13], deleted=row[14] is not None)


def _event_params(scope: int, fields: EventFields) -> dict[str, Any]:
    date = fields.date
    return {
        "scope": scope, "slug": fields.slug, "edtf": date.edtf(), "precision": int(date.precision),
        "start_ord": date.first_day().toordinal(), "end_ord": date.last_day().toordinal(),
        "start_year": date.start.year, "start_month": date.start.month,
        "title": fields.title, "summary": fields.summary,
        "people": json.dumps(fields.people), "places": json.dumps(fields.places),
        "tags": json.dumps(fields.tags), "aliases": json.dumps(fields.aliases),
        "source": fields.source, "note": fields.note, "russian": int(fields.russian),
    }  # fmt: skip


class Store:
    def __init__(self, path: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) and migrate the database at `path`."""
        path = str(path)
        try:
            writer = await aiosqlite.connect(path, isolation_level=None)
            await writer.execute("PRAGMA journal_mode = WAL")
            reader = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the database {path}: {error}") from None
        store = cls(path, writer, reader)
        try:
            for connection in (writer, reader):
                await connection.execute("PRAGMA foreign_keys = ON")
                await connection.execute("PRAGMA busy_timeout = 5000")
                await connection.execute("PRAGMA synchronous = NORMAL")
            await store.migrate()
        except sqlite3.Error as error:
            await store.close()
            raise StoreError(f"cannot use the database {path}: {error}") from None
        return store

    async def close(self) -> None:
        await self._reader.close()
        await self._writer.close()

    async def migrate(self) -> int:
        """Apply each numbered migration newer than PRAGMA user_version, one transaction each."""
        version = await self.schema_version()
        for number, script in _migrations():
            if number <= version:
                continue
            async with self.transaction() as db:
                # executescript would commit on its own; run the statements inside our transaction.
                for statement in _split_sql(script):
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {number}")
            version = number
        return version

    async def schema_version(self) -> int:
        async with self._writer.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")

    async def _all(self, sql: str, params: dict[str, Any] | Sequence[Any] = ()) -> list[Any]:
        async with self._reader.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _one(self, sql: str, params: dict[str, Any] | Sequence[Any] = ()) -> Any:
        async with self._reader.execute(sql, params) as cursor:
            return await cursor.fetchone()

    # -- health --------------------------------------------------------------------------

    async def integrity_check(self) -> str:
        row = await self._one("PRAGMA integrity_check")
        return str(row[0])

    async def counts(self) -> dict[str, int]:
        row = await self._one(
            "SELECT (SELECT count(*) FROM events WHERE scope = 0 AND deleted_at IS NULL),"
            " (SELECT count(*) FROM events WHERE scope != 0 AND deleted_at IS NULL),"
            " (SELECT count(DISTINCT scope) FROM events WHERE scope != 0),"
            " (SELECT count(*) FROM audit_log)"
        )
        return {"bundled": row[0], "server_events": row[1], "servers": row[2], "audit_entries": row[3]}

    async def get_meta(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    # -- the bundled chronology ----------------------------------------------------------------

    async def sync_bundled(self, events: Iterable[EventFields], fingerprint: str) -> int | None:
        """Make scope 0 match the data file. Returns how many events changed, or None when the
        file's fingerprint is the one already loaded (no writes at all)."""
        if await self.get_meta("bundled_fingerprint") == fingerprint:
            return None
        wanted = {fields.slug: fields for fields in events}
        changed = 0
        now = utc_now()
        async with self.transaction() as db:
            existing = await db.execute_fetchall(f"SELECT {_EVENT_COLUMNS} FROM events e WHERE e.scope = 0")
            stored = {row[2]: _event_from_row(row) for row in existing}
            for slug, fields in wanted.items():
                old = stored.get(slug)
                if old is not None and old.fields == fields and not old.deleted:
                    continue
                changed += 1
                if old is None:
                    await self._insert(db, BUNDLED_SCOPE, fields, actor=None, now=now)
                else:
                    await self._update(db, old.id, fields, actor=None, now=now)
                    await db.execute("UPDATE events SET deleted_at = NULL WHERE id = ?", (old.id,))
            for slug, old in stored.items():
                if slug not in wanted and not old.deleted:
                    changed += 1
                    await db.execute("UPDATE events SET deleted_at = ? WHERE id = ?", (now, old.id))
            await db.execute(
                "INSERT INTO meta (key, value) VALUES ('bundled_fingerprint', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (fingerprint,),
            )
        return changed

    # -- writing events ----------------------------------------------------------------------

    async def _insert(
        self, db: aiosqlite.Connection, scope: int, fields: EventFields, *, actor: int | None, now: str
    ) -> int:
        params = _event_params(scope, fields) | {"actor": actor, "now": now}
        cursor = await db.execute(
            "INSERT INTO events (scope, slug, edtf, precision, start_ord, end_ord, start_year,"
            " start_month, title, summary, people, places, tags, aliases, source, note, russian,"
            " created_by, created_at, updated_by, updated_at) VALUES (:scope, :slug, :edtf,"
            " :precision, :start_ord, :end_ord, :start_year, :start_month, :title, :summary,"
            " :people, :places, :tags, :aliases, :source, :note, :russian, :actor, :now, :actor, :now)",
            params,
        )
        event_id = int(cursor.lastrowid or 0)
        await self._write_days(db, event_id, scope, fields.date)
        return event_id

    async def _update(
        self, db: aiosqlite.Connection, event_id: int, fields: EventFields, *, actor: int | None, now: str
    ) -> None:
        params = _event_params(0, fields) | {"id": event_id, "actor": actor, "now": now}
        await db.execute(
            "UPDATE events SET edtf = :edtf, precision = :precision, start_ord = :start_ord,"
            " end_ord = :end_ord, start_year = :start_year, start_month = :start_month,"
            " title = :title, summary = :summary, people = :people, places = :places, tags = :tags,"
            " aliases = :aliases, source = :source, note = :note, russian = :russian,"
            " version = version + 1, updated_by = :actor, updated_at = :now WHERE id = :id",
            params,
        )
        scope_row = await db.execute_fetchall("SELECT scope FROM events WHERE id = ?", (event_id,))
        await db.execute("DELETE FROM event_days WHERE event_id = ?", (event_id,))
        await self._write_days(db, event_id, int(next(iter(scope_row))[0]), fields.date)

    @staticmethod
    async def _write_days(db: aiosqlite.Connection, event_id: int, scope: int, date: EventDate) -> None:
        span = date.span_days()
        await db.executemany(
            "INSERT INTO event_days (scope, month_day, event_id, nth, span) VALUES (?, ?, ?, ?, ?)",
            [(scope, month * 100 + day, event_id, nth, span) for month, day, nth in date.anniversary_days()],
        )

    async def add_event(self, guild_id: int, fields: EventFields, actor: int | None) -> Event:
        async with self.transaction() as db:
            event_id = await self._insert(db, guild_id, fields, actor=actor, now=utc_now())
            await self._audit(db, guild_id, event_id, actor, "add", None, fields.as_mapping())
        return Event(id=event_id, scope=guild_id, fields=fields)

    async def add_events(
        self, guild_id: int, batch: Sequence[EventFields], actor: int | None, action: str = "import"
    ) -> int:
        """Insert all of `batch` in one transaction, or none of it."""
        now = utc_now()
        async with self.transaction() as db:
            for fields in batch:
                event_id = await self._insert(db, guild_id, fields, actor=actor, now=now)
                await self._audit(db, guild_id, event_id, actor, action, None, fields.as_mapping())
        return len(batch)

    async def edit_event(self, event: Event, fields: EventFields, actor: int | None) -> Event:
        """Replace an event's fields, refusing if someone else edited it since `event` was read."""
        async with self.transaction() as db:
            rows = await db.execute_fetchall("SELECT version FROM events WHERE id = ?", (event.id,))
            current = next(iter(rows), None)
            if current is None or int(current[0]) != event.version:
                raise ConflictError(event.title)
            await self._update(db, event.id, fields, actor=actor, now=utc_now())
            await self._audit(db, event.scope, event.id, actor, "edit",
                              event.fields.as_mapping(), fields.as_mapping())  # fmt: skip
        return Event(id=event.id, scope=event.scope, fields=fields, version=event.version + 1)

    async def set_deleted(self, event: Event, deleted: bool, actor: int | None) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE events SET deleted_at = ?, deleted_by = ?, version = version + 1 WHERE id = ?",
                (utc_now() if deleted else None, actor if deleted else None, event.id),
            )
            snapshot = event.fields.as_mapping()
            # removing: the values before were the snapshot; restoring: they are the values after
            before, after = (snapshot, None) if deleted else (None, snapshot)
            action = "remove" if deleted else "restore"
            await self._audit(db, event.scope, event.id, actor, action, before, after)

    async def set_hidden(self, guild_id: int, event: Event, hidden: bool, actor: int | None) -> None:
        async with self.transaction() as db:
            if hidden:
                await db.execute(
                    "INSERT OR IGNORE INTO hidden_events (guild_id, event_id, hidden_by, hidden_at)"
                    " VALUES (?, ?, ?, ?)",
                    (guild_id, event.id, actor, utc_now()),
                )
            else:
                await db.execute(
                    "DELETE FROM hidden_events WHERE guild_id = ? AND event_id = ?", (guild_id, event.id)
                )
            await self._audit(db, guild_id, event.id, actor, "hide" if hidden else "unhide",
                              None, {"id": event.slug, "title": event.title})  # fmt: skip

    @staticmethod
    async def _audit(
        db: aiosqlite.Connection, guild_id: int, event_id: int | None, actor: int | None, action: str,
        before: dict[str, Any] | None, after: dict[str, Any] | None,
    ) -> None:  # fmt: skip
        await db.execute(
            "INSERT INTO audit_log (guild_id, event_id, actor_id, action, before, after, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (guild_id, event_id, actor, action,
             None if before is None else json.dumps(before, ensure_ascii=False),
             None if after is None else json.dumps(after, ensure_ascii=False), utc_now()),
        )  # fmt: skip

    # -- reading events ------------------------------------------------------------------------

    async def get_event(self, event_id: int) -> Event | None:
        row = await self._one(f"SELECT {_EVENT_COLUMNS} FROM events e WHERE e.id = ?", (event_id,))
        return None if row is None else _event_from_row(row)

    async def visible_events(self, guild_id: int) -> list[Event]:
        """Every event a server sees, oldest first (for the search index and exports)."""
        rows = await self._all(
            f"SELECT {_EVENT_COLUMNS} FROM events e WHERE {_VISIBLE} ORDER BY e.start_ord, e.id",
            {"guild": guild_id},
        )
        return [_event_from_row(row) for row in rows]

    async def scope_events(self, scope: int, *, deleted: bool | None = None) -> list[Event]:
        """The events stored in one scope (a server's own, or the bundled ones)."""
        condition = "" if deleted is None else (" AND e.deleted_at IS NOT NULL" if deleted
                                               else " AND e.deleted_at IS NULL")  # fmt: skip
        rows = await self._all(
            f"SELECT {_EVENT_COLUMNS} FROM events e WHERE e.scope = ?{condition} ORDER BY e.start_ord, e.id",
            (scope,),
        )
        return [_event_from_row(row) for row in rows]

    async def scopes(self) -> list[int]:
        rows = await self._all("SELECT DISTINCT scope FROM events ORDER BY scope")
        return [int(row[0]) for row in rows]

    async def hidden_event_ids(self, guild_id: int) -> set[int]:
        rows = await self._all("SELECT event_id FROM hidden_events WHERE guild_id = ?", (guild_id,))
        return {int(row[0]) for row in rows}

    async def on_month_day(self, guild_id: int, keys: Sequence[int]) -> list[DayMatch]:
        marks = ", ".join("?" for _ in keys)
        rows = await self._all(
            f"SELECT {_EVENT_COLUMNS}, d.nth, d.span FROM event_days d JOIN events e ON e.id = d.event_id"
            f" WHERE d.scope IN (0, ?) AND d.month_day IN ({marks})"
            f" AND {_VISIBLE.replace(':guild', '?')} ORDER BY e.start_ord, e.id",
            (guild_id, *keys, guild_id, guild_id),
        )
        unique: dict[int, DayMatch] = {}
        for row in rows:
            unique.setdefault(row[0], DayMatch(_event_from_row(row[:15]), nth=row[15], span=row[16]))
        return list(unique.values())

    async def next_month_day(self, guild_id: int, after_key: int) -> int | None:
        """The first remembered month-day after `after_key`, wrapping round the year."""
        sql = (
            "SELECT min(d.month_day) FROM event_days d JOIN events e ON e.id = d.event_id"
            f" WHERE d.scope IN (0, :guild) AND d.month_day {{op}} :key AND d.nth = 1 AND {_VISIBLE}"
        )
        params = {"guild": guild_id, "key": after_key}
        row = await self._one(sql.format(op=">"), params)
        if row is None or row[0] is None:
            row = await self._one(sql.format(op=">="), params | {"key": 0})
        return None if row is None or row[0] is None else int(row[0])

    async def month_only(self, guild_id: int, month: int) -> list[Event]:
        """Events known only to the month (or a span of months) that start in `month`."""
        rows = await self._all(
            f"SELECT {_EVENT_COLUMNS} FROM events e WHERE e.scope IN (0, :guild)"
            f" AND e.start_month = :month AND e.precision = 2 AND {_VISIBLE}"
            " ORDER BY e.start_ord, e.id",
            {"guild": guild_id, "month": month},
        )
        return [_event_from_row(row) for row in rows]

    async def in_span(self, guild_id: int, first: dt.date, last: dt.date) -> list[Event]:
        """Events overlapping [first, last], chronological."""
        rows = await self._all(
            f"SELECT {_EVENT_COLUMNS} FROM events e WHERE e.scope IN (0, :guild)"
            f" AND e.start_ord <= :last AND e.end_ord >= :first AND {_VISIBLE}"
            " ORDER BY e.start_ord, e.end_ord, e.id",
            {"guild": guild_id, "first": first.toordinal(), "last": last.toordinal()},
        )
        return [_event_from_row(row) for row in rows]

    # -- settings and audit --------------------------------------------------------------------

    async def guild_timezone(self, guild_id: int) -> str:
        row = await self._one("SELECT timezone FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return "UTC" if row is None else str(row[0])

    async def audit_entries(self, guild_id: int, event_id: int | None, limit: int) -> list[AuditEntry]:
        condition = "" if event_id is None else " AND event_id = :event"
        rows = await self._all(
            "SELECT id, event_id, actor_id, action, before, after, at FROM audit_log"
            f" WHERE guild_id = :guild{condition} ORDER BY id DESC LIMIT :limit",
            {"guild": guild_id, "event": event_id, "limit": limit},
        )
        return [
            AuditEntry(row[0], row[1], row[2], row[3],
                       None if row[4] is None else json.loads(row[4]),
                       None if row[5] is None else json.loads(row[5]), row[6])
            for row in rows
        ]  # fmt: skip


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN … END;) whole."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
