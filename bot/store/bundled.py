"""The bundled chronology's sync: scope 0 made to match the data file, a chunk at a time."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.model.event import BUNDLED_SCOPE, EventFields
from bot.store.base import SET_META, ConflictError, utc_now
from bot.store.engines.common import Connection
from bot.store.rows import EVENT_VALUE_COLUMNS, PreparedEvent, prepare_chunks
from bot.store.writes import EventWrites

LOOKUP_CHUNK = 1000  # ids a lookup of stored events names at once


@dataclass(frozen=True)
class _Stored:
    """A stored bundled event, as a load compares it with the file's."""

    id: int
    values: tuple[Any, ...]  # in EVENT_VALUE_COLUMNS' order, as PreparedEvent has them
    deleted: bool


async def _prepared(chunks: Iterable[Sequence[EventFields]]) -> AsyncIterator[list[PreparedEvent]]:
    for chunk in prepare_chunks(chunks):
        yield chunk


class BundledSync(EventWrites):
    async def sync_bundled(
        self, chunks: Iterable[Sequence[EventFields]], fingerprint: str, *, file_stat: str | None = None
    ) -> int | None:
        """`sync_prepared` for events given as fields, a chunk at a time."""
        return await self.sync_prepared(_prepared(chunks), fingerprint, file_stat=file_stat)

    async def sync_prepared(
        self,
        chunks: AsyncIterable[Sequence[PreparedEvent]],
        fingerprint: str,
        *,
        file_stat: str | None = None,
    ) -> int | None:
        """Make scope 0 match the data file, whose events come a chunk at a time, ready to write
        (see `bot.chronology.prepared`). It is one transaction: an error from `chunks` (a bad entry further
        on) undoes every chunk. Returns how many events changed, or None when the file's
        fingerprint is the one already loaded (no writes at all)."""
        if await self.get_meta("bundled_fingerprint") == fingerprint:
            return None
        changed = 0
        now = utc_now()
        listed: set[str] = set()
        async with self.transaction() as db:
            # a first load compares nothing: no stored event to look up for each chunk
            had_events = bool(await db.fetch("SELECT 1 FROM events WHERE scope = 0 LIMIT 1"))
            async for chunk in chunks:
                for event in chunk:
                    if event.slug in listed:
                        raise ConflictError(f"the id `{event.slug}` is given to two events")
                    listed.add(event.slug)
                stored = await self._bundled_rows(db, chunk) if had_events else {}
                changed += await self._sync_chunk(db, chunk, stored, now)
            if had_events:
                changed += await self._remove_unlisted(db, listed, now)
            # the file's size and time too, so an untouched file is known without reading it
            await db.executemany(
                SET_META, [("bundled_fingerprint", fingerprint), ("bundled_file_stat", file_stat or "")]
            )
        return changed

    async def _sync_chunk(
        self, db: Connection, chunk: Sequence[PreparedEvent], stored: dict[str, _Stored], now: str
    ) -> int:
        """Write one chunk of the data file's events: new ones inserted, changed ones updated (a
        removed one restored); how many changed. An event is unchanged when every column it is
        stored in holds what the file says now."""
        changed = 0
        new: list[PreparedEvent] = []
        for event in chunk:
            old, renamed = await self._adopt_old_ids(db, stored, event)
            if old is not None and old.values == event.values and not old.deleted and not renamed:
                continue
            changed += 1
            if old is None:
                new.append(event)
            else:
                await db.execute("UPDATE events SET deleted_at = NULL WHERE id = ?", (old.id,))
                await self._update(db, old.id, event, actor=None, now=now)
        await self._insert_prepared(db, BUNDLED_SCOPE, new, actor=None, now=now)
        return changed

    @staticmethod
    async def _bundled_rows(db: Connection, chunk: Sequence[PreparedEvent]) -> dict[str, _Stored]:
        """The stored bundled events a chunk names, by id or old id, by slug."""
        slugs = list(dict.fromkeys(name for event in chunk for name in (event.slug, *event.old_ids)))
        stored: dict[str, _Stored] = {}
        for start in range(0, len(slugs), LOOKUP_CHUNK):
            some = slugs[start : start + LOOKUP_CHUNK]
            rows = await db.fetch(
                f"SELECT id, deleted_at, {EVENT_VALUE_COLUMNS} FROM events WHERE scope = 0"
                f" AND slug IN ({', '.join('?' * len(some))})",
                some,
            )
            stored |= {row[2]: _Stored(int(row[0]), tuple(row[2:]), row[1] is not None) for row in rows}
        return stored

    async def _remove_unlisted(self, db: Connection, listed: set[str], now: str) -> int:
        """Remove the bundled events the file no longer lists; how many. Read a page of ids at a
        time, so that a million stored events are never all in memory."""
        removed, after = 0, 0
        while rows := await db.fetch(
            "SELECT id, slug FROM events WHERE scope = 0 AND deleted_at IS NULL AND id > ?"
            " ORDER BY id LIMIT ?",
            (after, LOOKUP_CHUNK * 10),
        ):
            after = int(rows[-1][0])
            for event_id, slug in rows:
                if slug not in listed:
                    removed += 1
                    await db.execute("UPDATE events SET deleted_at = ? WHERE id = ?", (now, event_id))
                    await self._write_days_of(db, event_id)
        return removed

    @staticmethod
    async def _adopt_old_ids(
        db: Connection, stored: dict[str, _Stored], event: PreparedEvent
    ) -> tuple[_Stored | None, bool]:
        """The stored bundled event for `event`'s id, and whether it was just renamed to it: a data
        file that renames an event lists the id it had in `old_ids`, and the row it had is renamed,
        so it keeps its id and every server's hide of it. Were both rows stored already (renamed
        once without `old_ids`), the old one's hides move to the new one and the old one goes."""
        slug = event.slug
        current = stored.get(slug)
        renamed = False
        for old_slug in event.old_ids:
            previous = stored.get(old_slug)
            if previous is None:
                continue
            if current is None:
                await db.execute("UPDATE events SET slug = ? WHERE id = ?", (slug, previous.id))
                current = replace(previous, values=(slug, *previous.values[1:]))
                stored[slug] = current
                del stored[old_slug]
                renamed = True
            else:
                await db.execute(
                    "INSERT INTO hidden_events (guild_id, event_id, hidden_by, hidden_at)"
                    " SELECT guild_id, ?, hidden_by, hidden_at FROM hidden_events WHERE event_id = ?"
                    " ON CONFLICT DO NOTHING",
                    (current.id, previous.id),
                )
                await db.execute("DELETE FROM hidden_events WHERE event_id = ?", (previous.id,))
        return current, renamed
