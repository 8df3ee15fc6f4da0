"""Keeping a process's search index and hidden-event cache in step with writes made anywhere.

Questions by day or span read the database and are always fresh; search, autocomplete and
`/event` use the in-memory index, and each server's hidden set is cached. Writes this process
makes update both at once (bot.curation.service); writes made elsewhere (`almanac import` beside the
running bot, another shard's process) reach them through the change feed, which triggers fill
in the same transaction as each write (migration 008). `catch_up` applies what is new.

The questions that use the index call `fresh` first, which looks at the feed at most once every
FEED_INTERVAL seconds: so an answer reflects every write made anywhere more than a second before
it, a busy bot asks the database two small questions a second (what changed, and whether
pruning took any change it had not read yet), and an idle one none. On
PostgreSQL the feed's trigger also NOTIFYs: a listening process (`wake`) looks at once, so there
an answer reflects every write committed before it reached the process.

A start loads the index saved beside a SQLite database at the last start or shutdown
(`IndexSnapshots`) and applies the changes after it, rather than building it from every event.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import datetime as dt
import gc
import logging
import math
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from bot.almanac.hidden import HiddenEvents
from bot.relevance.words import search_words
from bot.store import Shards, Store
from bot.store.engines.common import is_server_url

if TYPE_CHECKING:  # numpy, through the index's module: loaded by whoever makes the index
    from bot.search.index import SearchIndex

log = logging.getLogger(__name__)

FEED_INTERVAL = 1.0  # seconds between looks at the feed: a change anywhere is answered within 2
FEED_KEPT = dt.timedelta(hours=1)  # older changes are pruned; a process away longer rebuilds
PRUNE_INTERVAL = 600.0  # seconds between prunings
FILL_PAGE = 10_000  # events read at a time while the index fills
BACKFILL_BATCH = 500  # events read whole at a time, when their search words are not stored yet
SAVE_AFTER = 5.0  # seconds from a full build at start to saving the index beside the database
DATABASE_ID = "database_id"  # meta: names the database, so that another's index snapshot is refused


class IndexFeed:
    def __init__(
        self,
        store: Store,
        index: SearchIndex,
        hidden: HiddenEvents,
        seen: int | None,
        *,
        shards: Shards | None = None,
    ) -> None:
        self._store, self._index, self._hidden = store, index, hidden
        self._shards = shards  # only these shards' servers are indexed here (all when None)
        # The last change applied (or already in the index when it was built); None: the index
        # is still empty, to be filled by the first question that needs it (a one-shot
        # `almanac ask` about a day never does, and so never pays for it).
        self.seen = seen
        self._looked = self._pruned = -math.inf  # time.monotonic() of the last look and pruning
        self._woken = False  # PostgreSQL said a change was committed (LISTEN/NOTIFY)
        self.filling = False  # the index is being filled afresh: neither whole nor at `seen`

    def wake(self) -> None:
        """A change was committed somewhere: the next question looks at once, throttle or not."""
        self._woken = True

    async def fresh(self) -> None:
        """Catch up, unless the feed was looked at less than FEED_INTERVAL seconds ago."""
        now = time.monotonic()  # read here, so that a simulated clock (simcord) drives it too
        if not self._woken and now - self._looked < FEED_INTERVAL:
            return
        self._woken = False
        self._looked = now  # before awaiting: questions arriving meanwhile do not look again
        await self.catch_up()
        if now - self._pruned >= PRUNE_INTERVAL:
            self._pruned = now
            try:
                await self._store.prune_changes(FEED_KEPT)
            except Exception:  # a read-only or busy database: the question is answered all the same
                log.warning("change feed: could not prune old changes", exc_info=True)

    def _serves(self, scope: int) -> bool:
        return self._shards is None or self._shards.serves(scope)

    async def catch_up(self) -> int:
        """Apply every change after the last one seen; how many there were."""
        if self.seen is None:
            self.seen = await self._fill()
            return 0
        if await self._store.pruned_through() > self.seen:
            # idle past FEED_KEPT while others wrote: the changes it missed are pruned away, so
            # nothing says which events to read again; all of them are
            log.warning(
                "change feed: changes after %d were pruned before this process read them; indexing afresh",
                self.seen,
            )
            self._index.clear()
            self._hidden.forget_all()
            self.seen = await self._fill()
            return 0
        applied = 0
        while changes := await self._store.changes_after(self.seen):
            event_ids = list(
                dict.fromkeys(c.event_id for c in changes if c.kind == "event" and self._serves(c.scope))
            )
            events = {event.id: event for event in await self._store.get_events(event_ids)}
            for event_id in event_ids:
                event = events.get(event_id)
                if event is None or event.deleted:
                    self._index.remove(event_id)
                else:
                    self._index.add(event)
            for server in {c.scope for c in changes if c.kind == "hidden"}:
                self._hidden.forget(server)
            self.seen = changes[-1].seq
            applied += len(changes)
        if applied:
            log.debug("change feed: %d changes applied, up to %d", applied, self.seen)
        return applied

    async def _fill(self) -> int:
        self.filling = True
        try:
            return await fill_index(self._store, self._index, self._shards)
        finally:
            self.filling = False


async def fill_index(store: Store, index: SearchIndex, shards: Shards | None = None) -> int:
    """Index every live event: with `shards`, only the bundled chronology and the servers of
    those shards, so a process's memory grows with its share. Returns the latest change, read
    first: a change committed while the index fills is applied again by the next catch-up."""
    seen = await store.latest_change()
    after = 0
    while rows := await store.search_rows(after, FILL_PAGE):
        after = rows[-1][0]
        for event_id, scope, title, words in await _with_words(store, rows):
            if shards is None or shards.serves(scope):
                index.add_words(event_id, scope, title, words)
    index.ready()  # its postings built now, not by the first question
    # The index's objects live as long as the process: keep the cyclic collector from walking
    # them all at every full collection (a pause of tens of milliseconds at 100,000 events).
    gc.freeze()
    release_free_memory()
    return seen


def release_free_memory() -> None:
    """Hand the memory a build freed back to the system: glibc keeps freed pieces in its heaps
    (one a thread, and the database's reads run on another), and after a million events' rows
    that can be a hundred megabytes and more the process no longer uses. A no-op off glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


async def _with_words(
    store: Store, rows: list[tuple[int, int, str, str | None]]
) -> list[tuple[int, int, str, str]]:
    """The rows with their search words: events stored before the store kept them are read
    whole once, and their words stored."""
    found = [(event_id, scope, title, words) for event_id, scope, title, words in rows if words is not None]
    missing = [event_id for event_id, _, _, words in rows if words is None]
    for first in range(0, len(missing), BACKFILL_BATCH):
        events = await store.get_events(missing[first : first + BACKFILL_BATCH])
        words = [(event.id, search_words(event.fields)) for event in events]
        found += [
            (event.id, event.scope, event.fields.title, spelled)
            for event, (_, spelled) in zip(events, words, strict=True)
        ]
        try:
            await store.save_search_words(words)
        except Exception:  # a read-only or busy database: the next start reads them whole again
            log.warning("search index: could not store search words", exc_info=True)
    return found


def snapshot_path(database: Path | str, shards: Shards | None = None) -> Path | None:
    """Where a SQLite database's search index snapshot lives: beside it, `<database>.index`
    (`<database>.shards-2-0_1.index` for a process serving shards 0 and 1 of 2). PostgreSQL
    keeps none: each process builds its index from the database at start."""
    if is_server_url(database):
        return None
    where = Path(database)
    part = "" if shards is None else f".shards-{shards.count}-{'_'.join(map(str, sorted(shards.ids)))}"
    return where.with_name(f"{where.name}{part}.index")


class IndexSnapshots:
    """The search index saved beside the database (bot/search/snapshot.py), so that a start
    loads it and applies the changes made since through the feed, instead of numbering every
    event's words again. A snapshot is trusted only if it is whole (its checksum), of this
    format, built for these shards from this database (an id kept in its meta) and this
    bundled file, and the feed still holds every change after the position it was saved at;
    any other is deleted and the index built afresh, then saved again. Deleting it is always
    safe: the next start builds the index from the database, as it did before snapshots."""

    def __init__(self, store: Store, path: Path | None, shards: Shards | None = None) -> None:
        self._store, self.path, self._shards = store, path, shards
        self.position: int | None = None  # the feed position of the snapshot on disk, if known
        self._writing: asyncio.Task[None] | None = None
        self._waiting = True  # the save after a full build has not begun

    async def _built_from(self, *, create: bool) -> dict[str, object]:
        database = await self._store.get_meta(DATABASE_ID)
        if database is None and create:
            database = uuid.uuid4().hex
            await self._store.set_meta(DATABASE_ID, database)
        shards = self._shards
        return {
            "database": database,
            "schema": await self._store.schema_version(),
            "bundled": await self._store.get_meta("bundled_fingerprint"),
            "shards": None if shards is None else [shards.count, sorted(shards.ids)],
        }

    async def load(self) -> tuple[SearchIndex, int] | None:
        """The saved index and the feed position it holds every change up to, if it can be trusted."""
        if self.path is None:
            return None
        try:  # the database named at start, so that its meta does not change later on
            built_from = await self._built_from(create=True)
        except Exception:  # a read-only database: no snapshot is written either
            log.warning("search index snapshot: could not name the database", exc_info=True)
            return None
        if not self.path.exists():
            return None
        from bot.search import snapshot  # numpy's import: only where an index is made

        try:
            meta = await asyncio.to_thread(snapshot.read_meta, self.path)  # cheap: the header
            seen = meta.get("seen")
            if meta.get("built_from") != built_from or built_from["database"] is None:
                raise snapshot.SnapshotError("built from another database, bundled file or shards")
            if not isinstance(seen, int):
                raise snapshot.SnapshotError("no position in the change feed")
            pruned = await self._store.pruned_through()
            if not pruned <= seen <= max(pruned, await self._store.latest_change()):
                raise snapshot.SnapshotError(f"changes after {seen} are no longer in the feed")
            loaded, index = snapshot.load(self.path)
            if loaded != meta:
                raise snapshot.SnapshotError("replaced while it was read")
        except (OSError, snapshot.SnapshotError) as error:
            log.warning("search index snapshot %s not used (%s): building the index afresh", self.path, error)
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
            return None
        gc.freeze()  # as fill_index does: the index's objects live as long as the process
        self.position = seen
        log.info("search index loaded from %s: %d events, up to change %d", self.path, len(index), seen)
        return index, seen

    def save_soon(self, index: SearchIndex, feed: IndexFeed) -> None:
        """Save the index in the background (after a full build at start), SAVE_AFTER seconds
        on, so that the first questions do not share the processor with it."""
        if self.path is not None and self._writing is None:
            self._writing = asyncio.create_task(self._save_later(index, feed))

    async def _save_later(self, index: SearchIndex, feed: IndexFeed) -> None:
        await asyncio.sleep(SAVE_AFTER)
        self._waiting = False
        await self.save(index, feed)

    async def save(self, index: SearchIndex, feed: IndexFeed) -> None:
        """Save the index as it is now, at the feed's position: copied here, between changes,
        and written in a thread."""
        if self.path is None:
            return
        from bot.search import snapshot

        try:
            built_from = await self._built_from(create=True)
            seen = feed.seen
            if seen is None or feed.filling:  # not a whole index at a known position
                return
            captured = snapshot.capture(index)  # no await between reading `seen` and this
            meta = {"seen": seen, "built_from": built_from}
            size = await asyncio.to_thread(snapshot.write, captured, self.path, meta)
        except Exception:  # a read-only folder or database, a full disk: the next start builds
            log.warning("search index snapshot %s not written", self.path, exc_info=True)
            return
        self.position = seen
        log.info("search index saved to %s: up to change %d, %.1f MB", self.path, seen, size / 1e6)

    async def saved(self) -> None:
        """Wait for the save under way or to come, if any (the benchmark times questions without it)."""
        if self._writing is not None:
            await self._writing

    async def close(self, index: SearchIndex, feed: IndexFeed) -> None:
        """At a clean shutdown: finish any save under way, and save again if the index moved on."""
        if self._waiting:  # not begun: saved below instead
            self.abandon()
        await self.saved()

        if self.path is None or feed.seen is None:
            return
        try:
            await feed.catch_up()  # this process's own writes too, which the feed has not read yet
        except Exception:
            log.warning("change feed: could not catch up before saving the index", exc_info=True)
            return
        if feed.seen != self.position:
            await self.save(index, feed)

    def abandon(self) -> None:
        """Stop waiting for the save under way (its thread still finishes the file, or leaves
        the old one) or to come."""
        if self._writing is not None and not self._writing.done():
            self._writing.cancel()
        self._writing = None
