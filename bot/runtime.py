"""The composition root: the one place the object graph is built, the same way for the bot, the
shell, the command line, the benchmarks and the tests.

    Store ──┬── SearchIndex (filled from the store once: at start, or by the first search; or
            │                loaded from its snapshot beside the database, then brought up to date)
            ├── HiddenEvents (per-server cache)
            ├── IndexFeed(store, index, hidden)          writes made elsewhere, into the index
            ├── Almanac(store, index, hidden, feed)      the questions
            ├── Curation(store, index, hidden, feed)     moderators' changes
            ├── Scheduler(store, almanac, shards)        the daily passes
            ├── Digests(store, almanac, shards)          the weekly or monthly digests
            ├── Anniversaries(store, scheduler)          daily-post settings
            ├── EventsTab(store, almanac, shards)        the Events tab's scheduled events
            └── CalendarFeeds(store, curation)           the calendar link's feeds

Every service gets what it uses through its constructor and nothing else; no service reaches
through another to get at a third. The Discord side (`bot.client`) receives a `Services` and
hands each cog only the services that cog uses.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from bot.almanac.freshness import IndexFeed, IndexSnapshots, fill_index, snapshot_path
from bot.almanac.hidden import HiddenEvents
from bot.almanac.questions import Almanac
from bot.chronology.names import Gazetteer
from bot.chronology.prepared import PreparedFile
from bot.chronology.reader import file_fingerprint, file_stat
from bot.config import Settings
from bot.curation.service import Curation
from bot.daily.digest import Digests
from bot.daily.scheduler import Scheduler
from bot.daily.settings import Anniversaries
from bot.dates.months import load_date_words
from bot.events_tab.service import EventsTab
from bot.store import Shards, Store
from bot.store.engines.common import is_server_url
from bot.webcal.feeds import CalendarFeeds

if TYPE_CHECKING:  # numpy, through the index's module: imported when an index is first made
    from bot.search.index import SearchIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    """Everything one process runs on, built once."""

    store: Store
    index: SearchIndex
    hidden: HiddenEvents
    almanac: Almanac
    curation: Curation
    scheduler: Scheduler
    digests: Digests
    anniversaries: Anniversaries
    feed: IndexFeed
    calendars: CalendarFeeds
    events_tab: EventsTab
    snapshots: IndexSnapshots | None = None  # the index saved beside the database (open_services)


def wire(
    store: Store,
    index: SearchIndex,
    *,
    shards: Shards | None = None,
    seen: int | None = 0,
    tag_words: Mapping[str, str] | None = None,
) -> Services:
    """The object graph over an open store and its index, which holds every change up to `seen`
    (None: an empty index, filled when first asked). `tag_words`: the bundled tags as any
    language writes them (the data file's gazetteer)."""
    hidden = HiddenEvents(store)
    feed = IndexFeed(store, index, hidden, seen, shards=shards)
    almanac = Almanac(store, index, hidden, feed, tag_words=tag_words)
    scheduler = Scheduler(store, almanac, shards=shards)
    curation = Curation(store, index, hidden, feed)
    return Services(
        store=store,
        index=index,
        hidden=hidden,
        almanac=almanac,
        curation=curation,
        scheduler=scheduler,
        digests=Digests(store, almanac, shards=shards),
        anniversaries=Anniversaries(store, scheduler),
        feed=feed,
        calendars=CalendarFeeds(store, curation),
        events_tab=EventsTab(store, almanac, shards=shards),
    )


def own_shards(settings: Settings) -> Shards | None:
    """Only when shards are split across processes does each process serve just its own servers."""
    if settings.shard_ids is None or settings.shard_count is None:
        return None
    return Shards(settings.shard_count, settings.shard_ids)


async def build_index(store: Store, shards: Shards | None = None) -> SearchIndex:
    """The search index over every live event (see `fill_index`)."""
    index = new_index()
    await fill_index(store, index, shards)
    return index


def new_index() -> SearchIndex:
    from bot.search.index import SearchIndex  # here: numpy's import is a sixth of a second

    return SearchIndex()


def settle_memory() -> None:
    """At the end of start-up: what it made and still holds (modules, numba's compiled loops,
    caches) lives as long as the process, so the cyclic collector is told to leave it alone
    (`gc.freeze`, after one last collection). A full collection while questions are answered
    then walks only what was made since: a pause of a millisecond, not the ten or more it takes
    to walk the start-up's objects.

    numpy asks the kernel for huge pages for any array of 4 MB or more. The index's arrays,
    made by now, keep theirs; a question's arrays live a few milliseconds, and a huge page costs
    2 MB cleared for each one a question touches, then stalls while the kernel gathers small
    pages into huge ones (khugepaged): so numpy stops asking from here on (a private switch,
    looked for rather than assumed; numpy is not imported by a process that never needed it)."""
    gc.collect()
    gc.freeze()
    multiarray = sys.modules.get("numpy._core.multiarray")
    switch = getattr(multiarray, "_set_madvise_hugepage", None)
    if switch is not None:
        switch(False)


def warm_up_search() -> None:
    """The index's compiled loops loaded (or compiled, the first time), not at the first question."""
    from bot.search.warming import warm_up  # here, as in `new_index`

    warm_up()


class _DeferredIndex:
    """The search index, made when something first asks it anything: `almanac ask` with a date
    question never does, and so never imports numpy, most of a one-shot command's start."""

    def __init__(self) -> None:
        self._index: SearchIndex | None = None

    def _made(self) -> SearchIndex:
        if self._index is None:
            self._index = new_index()
        return self._index

    def __getattr__(self, name: str) -> Any:
        return getattr(self._made(), name)

    def __len__(self) -> int:
        return len(self._made())


async def load_bundled(store: Store, data_file: Path) -> int | None:
    """Bring the bundled events in line with the data file; None when it was already loaded."""
    # The bytes loaded last time passed validation then: unchanged, there is nothing to parse.
    # The same size and modification time as the file last loaded is the same file without
    # reading it (a million events' file takes most of a second just to read and hash).
    stat = file_stat(data_file)
    if stat is not None and await store.get_meta("bundled_file_stat") == stat:
        log.info("bundled chronology unchanged")
        return None
    fingerprint = file_fingerprint(data_file)
    if await store.get_meta("bundled_fingerprint") == fingerprint:
        # touched but the same bytes: remember its new size and time, so the next start reads
        # nothing
        if stat is not None:
            await store.set_meta("bundled_file_stat", stat)
        log.info("bundled chronology unchanged")
        return None
    # read, checked and written a chunk at a time: a big file is never in memory whole, and is
    # read in a helper process while this one writes
    prepared = PreparedFile(data_file, fingerprint)
    with cyclic_collection_paused():
        changed = await store.sync_prepared(prepared.chunks(), fingerprint, file_stat=stat)
    if changed is None:
        log.info("bundled chronology unchanged")
    else:
        log.info("bundled chronology loaded: %d events, %d changed", prepared.count, changed)
    return changed


@contextmanager
def cyclic_collection_paused() -> Iterator[None]:
    """A large data file becomes millions of objects at once, none of them in a cycle: the
    cyclic collector would walk them all again and again, a third of a million-event load."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@asynccontextmanager
async def open_services(
    database: Path | str, data_file: Path, *, shards: Shards | None = None, index_now: bool = True
) -> AsyncIterator[Services]:
    """A migrated database with the bundled chronology loaded, and every service over it.
    `index_now=False` leaves the search index to the first question that needs it."""
    if not is_server_url(database):  # a SQLite file: its folder, made on first use
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    store = await Store.open(database)
    try:
        await load_bundled(store, data_file)
        snapshots = IndexSnapshots(store, snapshot_path(database, shards) if index_now else None, shards)
        loaded = await snapshots.load()
        seen: int | None
        if loaded is not None:  # saved at the last start or shutdown: the changes since applied below
            index, seen = loaded
        elif index_now:  # a long-running process: ready for any question before the first comes
            index = new_index()
            seen = await fill_index(store, index, shards)
        else:
            index, seen = cast("SearchIndex", _DeferredIndex()), None
        if index_now:
            load_date_words()
            warm_up_search()
        tag_words = Gazetteer.beside(data_file).tag_words()
        services = wire(store, index, shards=shards, seen=seen, tag_words=tag_words)
        services = replace(services, snapshots=snapshots)
        if index_now:  # after the feed's position is known: what changes later, it forgets
            await services.hidden.read_all()
        if loaded is not None:
            await services.feed.catch_up()
        elif index_now:  # saved in a thread while the first questions are answered
            snapshots.save_soon(index, services.feed)
        stop_listening = await store.listen(services.feed.wake)  # PostgreSQL only
        settle_memory()
        try:
            yield services
            await snapshots.close(index, services.feed)  # a clean shutdown: saved if it moved on
        finally:
            snapshots.abandon()
            if stop_listening is not None:
                await stop_listening()
    finally:
        await store.close()


def open_configured(settings: Settings, *, index_now: bool = True) -> AbstractAsyncContextManager[Services]:
    """`open_services` as the settings say: their database, data file and shards."""
    return open_services(
        settings.database, settings.data_file, shards=own_shards(settings), index_now=index_now
    )
