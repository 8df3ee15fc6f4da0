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
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import math
import time
from typing import TYPE_CHECKING

from bot.almanac.hidden import HiddenEvents
from bot.search.words import search_words
from bot.store import Shards, Store

if TYPE_CHECKING:  # numpy, through the index's module: loaded by whoever makes the index
    from bot.search.index import SearchIndex

log = logging.getLogger(__name__)

FEED_INTERVAL = 1.0  # seconds between looks at the feed: a change anywhere is answered within 2
FEED_KEPT = dt.timedelta(hours=1)  # older changes are pruned; a process away longer rebuilds
PRUNE_INTERVAL = 600.0  # seconds between prunings
FILL_PAGE = 10_000  # events read at a time while the index fills
BACKFILL_BATCH = 500  # events read whole at a time, when their search words are not stored yet


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
            self.seen = await fill_index(self._store, self._index, self._shards)
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
            self.seen = await fill_index(self._store, self._index, self._shards)
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
    return seen


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
