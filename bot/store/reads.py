"""Reading events for a server: by id, by month-day, by month and by span."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
from collections.abc import Sequence
from typing import Any

from bot.dates.partial import LONGEST_ANNIVERSARY_SPAN
from bot.model.event import Event
from bot.store.base import StoreBase
from bot.store.engines.common import POSTGRESQL, SQLITE
from bot.store.rows import (
    DAY_VISIBLE,
    EVENT_COLUMNS,
    VISIBLE,
    VISIBLE_EVENTS,
    DayMatch,
    DayMatches,
    SpanEvents,
    event_from_row,
)

LONG_EVENT_DAYS = 366
# The days an event is remembered on: every day of a short one, the first and last of a long one.
# An event carrying the tag :tag, in any case: its tags are a JSON array in a text column.
TAG_MATCH = {
    SQLITE: "EXISTS (SELECT 1 FROM json_each(e.tags) t WHERE unicode_lower(t.value) = :tag)",
    POSTGRESQL: "EXISTS (SELECT 1 FROM jsonb_array_elements_text(e.tags::jsonb) t WHERE lower(t) = :tag)",
}
REMEMBERED = f"(d.span <= {LONGEST_ANNIVERSARY_SPAN} OR d.nth = 1 OR d.nth = d.span)"


class EventReads(StoreBase):
    # -- reading events ------------------------------------------------------------------------

    async def get_event(self, event_id: int) -> Event | None:
        row = await self._one(f"SELECT {EVENT_COLUMNS} FROM events e WHERE e.id = ?", (event_id,))
        return None if row is None else event_from_row(row)

    async def get_events(self, event_ids: Sequence[int]) -> list[Event]:
        """Several events in one read, in the order of `event_ids` (missing ones left out)."""
        if not event_ids:
            return []
        marks = ", ".join("?" for _ in event_ids)
        rows = await self._all(f"SELECT {EVENT_COLUMNS} FROM events e WHERE e.id IN ({marks})", event_ids)
        found = {row[0]: event_from_row(row) for row in rows}
        return [found[event_id] for event_id in event_ids if event_id in found]

    async def get_visible(self, guild_id: int, event_ids: Sequence[int]) -> list[Event]:
        """Those of `event_ids` the server still sees (not removed or hidden since), in their order."""
        if not event_ids:
            return []
        marks = ", ".join(f":id{number}" for number in range(len(event_ids)))
        params: dict[str, object] = {"guild": guild_id}
        params |= {f"id{number}": event_id for number, event_id in enumerate(event_ids)}
        rows = await self._all(
            f"SELECT {EVENT_COLUMNS} FROM events e WHERE e.id IN ({marks}) AND {VISIBLE}", params
        )
        found = {row[0]: event_from_row(row) for row in rows}
        return [found[event_id] for event_id in event_ids if event_id in found]

    async def visible_events(self, guild_id: int) -> list[Event]:
        """Every event a server sees, oldest first (for the search index and exports)."""
        return await _events_from(await self._all(VISIBLE_EVENTS, {"guild": guild_id}))

    async def scope_events(self, scope: int, *, deleted: bool | None = None) -> list[Event]:
        """The events stored in one scope (a server's own, or the bundled ones)."""
        condition = (
            ""
            if deleted is None
            else (" AND e.deleted_at IS NOT NULL" if deleted else " AND e.deleted_at IS NULL")
        )
        rows = await self._all(
            f"SELECT {EVENT_COLUMNS} FROM events e WHERE e.scope = ?{condition} ORDER BY e.start_ord, e.id",
            (scope,),
        )
        return await _events_from(rows)

    async def search_rows(
        self, after: int = 0, limit: int = 10_000
    ) -> list[tuple[int, int, str, str | None]]:
        """(id, scope, title, search words) of the first `limit` live events after event `after`,
        by id: what the search index is built from, a page at a time (the next page starts after
        the last id of this one). The words are None for an event stored before they were kept."""
        rows = await self._all(
            "SELECT e.id, e.scope, e.title, s.words FROM events e"
            " LEFT JOIN search_words s ON s.event_id = e.id"
            " WHERE e.id > ? AND e.deleted_at IS NULL ORDER BY e.id LIMIT ?",
            (after, limit),
        )
        return [(int(row[0]), int(row[1]), str(row[2]), row[3]) for row in rows]

    async def scopes(self) -> list[int]:
        rows = await self._all("SELECT DISTINCT scope FROM events ORDER BY scope")
        return [int(row[0]) for row in rows]

    async def hidden_event_ids(self, guild_id: int) -> set[int]:
        rows = await self._all("SELECT event_id FROM hidden_events WHERE guild_id = ?", (guild_id,))
        return {int(row[0]) for row in rows}

    async def every_hidden_event(self, most: int) -> dict[int, set[int]] | None:
        """Every server's hidden events, by server; None when there are more than `most` in all."""
        rows = await self._all("SELECT guild_id, event_id FROM hidden_events LIMIT ?", (most + 1,))
        if len(rows) > most:
            return None
        found: dict[int, set[int]] = {}
        for guild_id, event_id in rows:
            found.setdefault(int(guild_id), set()).add(int(event_id))
        return found

    async def on_month_day(self, guild_id: int, keys: Sequence[int]) -> list[DayMatch]:
        """Every event a server sees on these month-days, chronological."""
        [matches] = await self._day_matches(await self._day_rows(guild_id, keys))
        return matches

    async def day_matches(
        self, guild_id: int, keys: Sequence[int], limit: int, *, ongoing: bool = True
    ) -> DayMatches:
        """The first `limit` anniversaries and inner days of these month-days, and how many of
        each there are. Only the shown ones are read whole: a crowded day costs its index rows.
        With `ongoing` False the inner days are counted but none is read."""
        remembered: list[tuple[int, int, int, int]] = []
        inner: list[tuple[int, int, int, int]] = []
        for row in await self._day_rows(guild_id, keys):
            (remembered if row[3] else inner).append(row)
        shown, under_way = await self._day_matches(remembered[:limit], inner[:limit] if ongoing else [])
        return DayMatches(shown, len(remembered), under_way, len(inner))

    async def _day_rows(self, guild_id: int, keys: Sequence[int]) -> list[tuple[int, int, int, int]]:
        """(event id, nth, span, remembered) of each event on these month-days, chronological;
        an event on two of them (28 February and 29 February) counts at the first."""
        marks = ", ".join("?" for _ in keys)
        rows = await self._all(
            f"SELECT d.event_id, d.nth, d.span, {REMEMBERED} FROM event_days d"
            f" WHERE d.month_day IN ({marks}) AND {DAY_VISIBLE.replace(':guild', '?')}"
            " ORDER BY d.start_ord, d.event_id, d.month_day",
            (*keys, guild_id, guild_id),
        )
        unique: dict[int, tuple[int, int, int, int]] = {}
        for row in rows:
            unique.setdefault(row[0], (int(row[0]), int(row[1]), int(row[2]), int(row[3])))
        return list(unique.values())

    async def _day_matches(self, *lists: Sequence[tuple[int, int, int, int]]) -> list[list[DayMatch]]:
        """Each list of `_day_rows` rows as matches, their events read in one query (one removed
        in between is left out)."""
        found = {
            event.id: event for event in await self.get_events([row[0] for rows in lists for row in rows])
        }
        return [
            [DayMatch(found[row[0]], nth=row[1], span=row[2]) for row in rows if row[0] in found]
            for rows in lists
        ]

    async def next_month_day(self, guild_id: int, after_key: int) -> int | None:
        """The first remembered month-day after `after_key`, wrapping round the year."""
        sql = (
            "SELECT min(d.month_day) FROM event_days d"
            f" WHERE d.month_day {{op}} :key AND {REMEMBERED} AND {DAY_VISIBLE}"
        )
        params = {"guild": guild_id, "key": after_key}
        row = await self._one(sql.format(op=">"), params)
        if row is None or row[0] is None:
            row = await self._one(sql.format(op=">="), params | {"key": 0})
        return None if row is None or row[0] is None else int(row[0])

    async def month_only(self, guild_id: int, month: int) -> list[Event]:
        """Events known only to the month (or a span of months) that start in `month`."""
        rows = await self._all(
            f"SELECT {EVENT_COLUMNS} FROM events e WHERE e.scope IN (0, :guild)"
            f" AND e.start_month = :month AND e.precision = 2 AND {VISIBLE}"
            " ORDER BY e.start_ord, e.id",
            {"guild": guild_id, "month": month},
        )
        return [event_from_row(row) for row in rows]

    async def in_span(
        self, guild_id: int, first: dt.date, last: dt.date, limit: int, *, whole: int | None = None
    ) -> SpanEvents:
        """The first `limit` events overlapping [first, last], chronological, and how many there
        are; only the first `whole` of them (all, when None) read whole, the rest by id."""
        params = {
            "guild": guild_id,
            "first": first.toordinal(),
            "last": last.toordinal(),
            "near": max(first.toordinal() - LONG_EVENT_DAYS, 1),
            "limit": limit,
            "whole": limit if whole is None else whole,
        }
        # Events up to a year long start no earlier than `near`: a bounded index range. Longer
        # ones come from their own partial index (migrations 003, 011). Together: every overlap.
        short = (
            f"e.scope IN (0, :guild) AND e.start_ord BETWEEN :near AND :last"
            f" AND e.end_ord >= :first AND e.end_ord - e.start_ord <= {LONG_EVENT_DAYS} AND {VISIBLE}"
        )
        long = (
            f"e.scope IN (0, :guild) AND e.end_ord >= :first AND e.start_ord <= :last"
            f" AND e.end_ord - e.start_ord > {LONG_EVENT_DAYS} AND {VISIBLE}"
        )
        # One read for the rows and one for the count, sent together: the count runs on the
        # database's side while the rows become events here. The events are picked from the
        # indexes alone (migration 011), both kinds merged in order and cut, and only the first
        # `whole` picked rows are then read whole: a crowded year's other rows are never visited,
        # and a timeline's later pages are read when someone turns to them (`get_visible`).
        rows = self._all(
            f"WITH picked AS (SELECT e.id, e.start_ord, e.end_ord FROM events e WHERE {short}"
            f" UNION ALL SELECT e.id, e.start_ord, e.end_ord FROM events e WHERE {long}"
            " ORDER BY 2, 3, 1 LIMIT :limit),"
            " numbered AS (SELECT id, start_ord, end_ord,"
            " row_number() OVER (ORDER BY start_ord, end_ord, id) AS n FROM picked)"
            f" SELECT p.id, {EVENT_COLUMNS} FROM numbered p LEFT JOIN events e"
            " ON e.id = p.id AND p.n <= :whole ORDER BY p.n",
            params,
        )
        count = asyncio.ensure_future(
            self._one(
                f"SELECT (SELECT count(*) FROM events e WHERE {short})"
                f" + (SELECT count(*) FROM events e WHERE {long})",
                params,
            )
        )
        try:
            picked = await rows
            events = [event_from_row(row[1:]) for row in picked if row[1] is not None]
            unread = [int(row[0]) for row in picked[len(events) :]]
        except BaseException:
            count.cancel()
            raise
        return SpanEvents(events, unread, int((await count)[0]))

    async def random_event(
        self, guild_id: int, pick: float, *, year: int | None = None, tag: str | None = None
    ) -> Event | None:
        """The event at fraction `pick` (0 ≤ pick < 1) of those the server sees, optionally only
        those overlapping `year` or carrying `tag` (any case): a fair draw in two reads."""
        conditions = [VISIBLE]
        params: dict[str, object] = {"guild": guild_id}
        if year is not None:
            conditions.append("e.end_ord >= :first AND e.start_ord <= :last")
            params |= {"first": dt.date(year, 1, 1).toordinal(), "last": dt.date(year, 12, 31).toordinal()}
        if tag is not None:
            conditions.append(TAG_MATCH[self.engine.dialect])
            params["tag"] = tag.lower()
        where = " AND ".join(conditions)
        count = int((await self._one(f"SELECT count(*) FROM events e WHERE {where}", params))[0])
        if count == 0:
            return None
        params["offset"] = min(int(pick * count), count - 1)
        row = await self._one(
            f"SELECT {EVENT_COLUMNS} FROM events e WHERE {where} ORDER BY e.id LIMIT 1 OFFSET :offset", params
        )
        return None if row is None else event_from_row(row)


ROWS_BETWEEN_YIELDS = 500  # about 10 ms of turning rows into events


async def _events_from(rows: Sequence[Any]) -> list[Event]:
    """The rows as events, letting the event loop answer others every few hundred: a server's
    20,000 events take half a second to build, which would otherwise stop every other reply."""
    if len(rows) <= ROWS_BETWEEN_YIELDS:
        return [event_from_row(row) for row in rows]
    events: list[Event] = []
    for start in range(0, len(rows), ROWS_BETWEEN_YIELDS):
        if start:
            await asyncio.sleep(0)
        # the rows, and then each chunk of events, leave the cyclic collector's care: its full
        # passes would otherwise walk every one of them again and again as more are made, for a
        # tenth of a second at a time (they are acyclic: reference counting frees them all)
        gc.freeze()
        events += [event_from_row(row) for row in rows[start : start + ROWS_BETWEEN_YIELDS]]
    gc.freeze()
    return events
