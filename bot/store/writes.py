"""Writing events: servers' additions, edits, removals and hiding, and imports (the bundled
chronology's sync, bot/store/bundled.py, writes through these)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.dates.partial import EventDate
from bot.model.event import Event, EventFields
from bot.model.kinds import AuditAction
from bot.store.base import ConflictError, StoreBase, utc_now
from bot.store.engines.common import Connection
from bot.store.rows import (
    EVENT_INSERT_COLUMNS,
    EVENT_VALUE_COLUMNS,
    SCOPE_EVENTS,
    VISIBLE_EVENTS,
    PreparedEvent,
    anniversary_rows,
    event_from_row,
    prepare_event,
)

# Given (the server's own events, the events it sees), the fields to insert: see `import_planned`.
ImportPlan = Callable[[list[Event], list[Event]], Awaitable[Sequence[EventFields]]]
# Events one INSERT writes: 22 parameters each, far inside both engines' limits (32,766 in SQLite,
# 32,767 in PostgreSQL), and few enough statements that a million events are a few thousand.
INSERT_CHUNK = 400
# The month-days an event is found on (see event_days): one row each.
DAYS_INSERT = (
    "INSERT INTO event_days (scope, month_day, event_id, nth, span, start_ord) VALUES (?, ?, ?, ?, ?, ?)"
)
VALUE_NAMES = tuple(name.strip() for name in EVENT_VALUE_COLUMNS.split(","))


class EventWrites(StoreBase):
    # -- writing events ----------------------------------------------------------------------

    async def _insert(
        self, db: Connection, scope: int, fields: EventFields, *, actor: int | None, now: str
    ) -> int:
        [event_id] = await self._insert_many(db, scope, [fields], actor=actor, now=now)
        return event_id

    async def _insert_many(
        self, db: Connection, scope: int, batch: Sequence[EventFields], *, actor: int | None, now: str
    ) -> list[int]:
        return await self._insert_prepared(db, scope, list(map(prepare_event, batch)), actor=actor, now=now)

    async def _insert_prepared(
        self, db: Connection, scope: int, batch: Sequence[PreparedEvent], *, actor: int | None, now: str
    ) -> list[int]:
        """Insert `batch` a few hundred rows a statement, with their days and search words; the
        new ids in `batch`'s order. A row a statement would cost a round trip to the database's
        thread or server each: most of a big import's time."""
        ids: list[int] = []
        for start in range(0, len(batch), INSERT_CHUNK):
            chunk = batch[start : start + INSERT_CHUNK]
            rows = [(scope, *event.values, actor, now, actor, now) for event in chunk]
            marks = ", ".join([f"({', '.join('?' * len(rows[0]))})"] * len(rows))
            returned = await db.fetch(
                f"INSERT INTO events ({EVENT_INSERT_COLUMNS}) VALUES {marks} RETURNING id, slug",
                [value for row in rows for value in row],
            )
            by_slug = {str(slug): int(event_id) for event_id, slug in returned}
            ids += [by_slug[event.slug] for event in chunk]
        written = list(zip(ids, batch, strict=True))
        days = [(scope, day[0], event_id, *day[1:]) for event_id, event in written for day in event.days]
        await db.executemany(DAYS_INSERT, days)
        await self._write_search_words(db, [(event_id, event.words) for event_id, event in written])
        return ids

    async def _update(
        self, db: Connection, event_id: int, event: PreparedEvent, *, actor: int | None, now: str
    ) -> None:
        params = dict(zip(VALUE_NAMES, event.values, strict=True)) | {
            "id": event_id,
            "actor": actor,
            "now": now,
        }
        await db.execute(
            "UPDATE events SET edtf = :edtf, precision = :precision, start_ord = :start_ord,"
            " end_ord = :end_ord, start_year = :start_year, start_month = :start_month,"
            " title = :title, summary = :summary, people = :people, places = :places, tags = :tags,"
            " aliases = :aliases, source = :source, note = :note, russian = :russian,"
            " translations = :translations, version = version + 1, updated_by = :actor,"
            " updated_at = :now WHERE id = :id",
            params,
        )
        await self._write_days_of(db, event_id)
        await self._write_search_words(db, [(event_id, event.words)])

    async def save_search_words(self, words: Sequence[tuple[int, str]]) -> None:
        """Store (event id, `search_words`) pairs for events stored before there were any."""
        async with self.transaction() as db:
            await db.executemany(
                "INSERT INTO search_words (event_id, words) VALUES (?, ?)"
                " ON CONFLICT (event_id) DO UPDATE SET words = excluded.words",
                words,
            )

    @staticmethod
    async def _write_search_words(db: Connection, words: Sequence[tuple[int, str]]) -> None:
        """(event id, `search_words`) for each event written."""
        await db.executemany(
            "INSERT INTO search_words (event_id, words) VALUES (?, ?)"
            " ON CONFLICT (event_id) DO UPDATE SET words = excluded.words",
            words,
        )

    async def _write_days_of(self, db: Connection, event_id: int) -> None:
        """An event's days as its stored row has them now: none while it is removed, so that a
        day's reads need not look at the event's row to leave it out. Called after each change."""
        await db.execute("DELETE FROM event_days WHERE event_id = ?", (event_id,))
        [(scope, edtf, deleted_at)] = await db.fetch(
            "SELECT scope, edtf, deleted_at FROM events WHERE id = ?", (event_id,)
        )
        if deleted_at is None:
            days = anniversary_rows(EventDate.parse(edtf))
            await db.executemany(DAYS_INSERT, [(scope, day[0], event_id, *day[1:]) for day in days])

    async def add_event(self, guild_id: int, fields: EventFields, actor: int | None) -> Event:
        async with self.transaction() as db:
            event_id = await self._insert(db, guild_id, fields, actor=actor, now=utc_now())
            await db.execute(
                AUDIT_INSERT,
                _audit_row(guild_id, event_id, actor, AuditAction.ADD, None, fields.as_mapping()),
            )
        return Event(id=event_id, scope=guild_id, fields=fields)

    async def edit_event(self, event: Event, fields: EventFields, actor: int | None) -> Event:
        """Replace an event's fields, refusing if someone else edited it since `event` was read."""
        async with self.transaction() as db:
            rows = await db.fetch("SELECT version FROM events WHERE id = ?", (event.id,))
            current = next(iter(rows), None)
            if current is None or int(current[0]) != event.version:
                raise ConflictError(event.title)
            await self._update(db, event.id, prepare_event(fields), actor=actor, now=utc_now())
            await db.execute(
                AUDIT_INSERT,
                _audit_row(
                    event.scope,
                    event.id,
                    actor,
                    AuditAction.EDIT,
                    event.fields.as_mapping(),
                    fields.as_mapping(),
                ),
            )
        return Event(id=event.id, scope=event.scope, fields=fields, version=event.version + 1)

    async def set_deleted(self, event: Event, deleted: bool, actor: int | None) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE events SET deleted_at = ?, deleted_by = ?, version = version + 1 WHERE id = ?",
                (utc_now() if deleted else None, actor if deleted else None, event.id),
            )
            await self._write_days_of(db, event.id)
            snapshot = event.fields.as_mapping()
            # removing: the values before were the snapshot; restoring: they are the values after
            before, after = (snapshot, None) if deleted else (None, snapshot)
            action = AuditAction.REMOVE if deleted else AuditAction.RESTORE
            await db.execute(AUDIT_INSERT, _audit_row(event.scope, event.id, actor, action, before, after))

    async def set_hidden(self, guild_id: int, event: Event, hidden: bool, actor: int | None) -> None:
        async with self.transaction() as db:
            if hidden:
                await db.execute(
                    "INSERT INTO hidden_events (guild_id, event_id, hidden_by, hidden_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (guild_id, event.id, actor, utc_now()),
                )
            else:
                await db.execute(
                    "DELETE FROM hidden_events WHERE guild_id = ? AND event_id = ?", (guild_id, event.id)
                )
            await db.execute(
                AUDIT_INSERT,
                _audit_row(
                    guild_id,
                    event.id,
                    actor,
                    AuditAction.HIDE if hidden else AuditAction.UNHIDE,
                    None,
                    {"id": event.slug, "title": event.title},
                ),
            )

    # -- curation (imports) ----------------------------------------------------------------------

    async def import_events(
        self, guild_id: int, batch: Sequence[EventFields], actor: int | None
    ) -> list[Event]:
        """Insert all of `batch` in one transaction, or none of it; the stored events, to be indexed.
        Nothing is read first (a bulk load checks its rows itself), so a big server's batches cost
        the same however many events it already holds."""
        async with self.transaction() as db:
            return await self._insert_all(db, guild_id, batch, actor)

    async def import_planned(self, guild_id: int, plan: ImportPlan, actor: int | None) -> list[Event]:
        """Decide what to insert and insert it in ONE write transaction: `plan(own, visible)` is
        given the server's own events (removed ones too) and the events it sees as they are with
        the write lock held, so another process's import of the same rows, committed a moment
        earlier, is seen as duplicates instead of being stored twice. All of it, or none."""
        async with self.transaction() as db:
            own = [event_from_row(row) for row in await db.fetch(SCOPE_EVENTS, {"scope": guild_id})]
            visible = [event_from_row(row) for row in await db.fetch(VISIBLE_EVENTS, {"guild": guild_id})]
            return await self._insert_all(db, guild_id, await plan(own, visible), actor)

    async def _insert_all(
        self, db: Connection, guild_id: int, batch: Sequence[EventFields], actor: int | None
    ) -> list[Event]:
        repeated = next((slug for slug, n in Counter(f.slug for f in batch).items() if n > 1), None)
        if repeated is not None:
            raise ConflictError(f"the id `{repeated}` is given to two events")
        now = utc_now()
        try:
            ids = await self._insert_many(db, guild_id, batch, actor=actor, now=now)
        except self.engine.integrity_errors:
            raise ConflictError("one of its ids is already taken in this server") from None
        events = [
            Event(id=event_id, scope=guild_id, fields=fields)
            for event_id, fields in zip(ids, batch, strict=True)
        ]
        audit = [
            _audit_row(guild_id, event.id, actor, AuditAction.IMPORT, None, event.fields.as_mapping(), now)
            for event in events
        ]
        await db.executemany(AUDIT_INSERT, audit)
        return events


AUDIT_INSERT = (
    "INSERT INTO audit_log (guild_id, event_id, actor_id, action, before, after, at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _audit_row(
    guild_id: int,
    event_id: int | None,
    actor: int | None,
    action: AuditAction,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: str | None = None,
) -> tuple[Any, ...]:
    """One audit_log row: what an event was before the change and after it, as JSON; `at` now
    unless given (an import's rows all share its time)."""
    return (
        guild_id,
        event_id,
        actor,
        action,
        None if before is None else json.dumps(before, ensure_ascii=False),
        None if after is None else json.dumps(after, ensure_ascii=False),
        at or utc_now(),
    )
