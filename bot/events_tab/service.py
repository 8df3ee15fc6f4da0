"""/anniversaries events enable | disable, and the pass that keeps every server's tab in step.

A server is looked at when it is due (`events_tab.next_sync_utc`): at once when the tab is turned
on or off, after its local midnight (the window moves on by a day), every RESYNC anyway, and soon
after its chronology changes. Changes are read from the change feed (migration 008), so an edit,
a hide or an import made by any process reaches the tab within FEED_POLL seconds; curation in
this process also wakes the pass through `wake`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from dataclasses import dataclass

from bot.almanac.questions import Almanac
from bot.dates.alarm import Alarm
from bot.dates.post_times import iso
from bot.events_tab.sync import ServerSync, SyncReport, Tab
from bot.i18n.errors import UserError
from bot.i18n.messages import said
from bot.store import Shards, Store, TabSettings

log = logging.getLogger(__name__)

NOT_ON = said("The Events tab is not kept here; `/anniversaries events enable` starts it.")
DEFAULT_DAYS = 14
MOST_DAYS = 30
FEED_POLL = 300.0  # seconds between looks at the change feed while any server has the tab on
LONGEST_SLEEP = 6 * 3600.0  # with no server on, look this often anyway (enabling wakes it)
PASS_BATCH = 100  # servers read at a time
UNEXPECTED = "an unexpected error; the bot's log has the details"
CONCURRENCY = 5  # servers synced at once (Discord's rate limits are per server for these routes)


@dataclass(frozen=True)
class TabPass:
    """One pass: how many servers were synced, and what they did between them."""

    servers: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    failed: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.servers} servers: {self.created} created, {self.updated} updated,"
            f" {self.deleted} deleted, {self.failed} failed"
        )


class EventsTab:
    def __init__(self, store: Store, almanac: Almanac, *, shards: Shards | None = None) -> None:
        self._store = store
        self._almanac = almanac
        self.shards = shards  # None: this process serves every server
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._seen: int | None = None  # the last change of the feed looked at
        self._alarm = Alarm()
        self.last_pass: tuple[dt.datetime, TabPass] | None = None

    # -- a server's choice ------------------------------------------------------------------

    async def enable(
        self, guild_id: int, days: int | None, actor: int | None, now: dt.datetime
    ) -> TabSettings:
        """Keep the next `days` days' anniversaries in the server's Events tab; the first sync
        follows at once (the bot's Manage Events permission is the Discord side's to check)."""
        days = DEFAULT_DAYS if days is None else days
        if not 1 <= days <= MOST_DAYS:
            raise UserError(said("Pick between 1 and {most} days.", most=MOST_DAYS))
        await self._store.save_events_tab(
            guild_id, enabled=True, days=days, next_sync_utc=iso(now), actor=actor
        )
        self.wake()
        settings = await self._store.events_tab(guild_id)
        assert settings is not None
        return settings

    async def disable(self, guild_id: int, actor: int | None, now: dt.datetime) -> None:
        """Stop, and delete every scheduled event the bot made there (the next pass does, at once)."""
        current = await self._store.events_tab(guild_id)
        if current is None or not current.enabled:
            raise UserError(
                said("The Events tab is not kept here; `/anniversaries events enable` starts it.")
            )
        await self._store.save_events_tab(
            guild_id, enabled=False, days=current.days, next_sync_utc=iso(now), actor=actor
        )
        self.wake()

    async def status(self, guild_id: int) -> TabSettings | None:
        """What `/anniversaries show` says of the tab: on or off, how many days, the last error."""
        return await self._store.events_tab(guild_id)

    # -- the pass ----------------------------------------------------------------------------

    def wake(self) -> None:
        """A setting or the chronology changed: look now instead of at the next due time."""
        self._alarm.wake()

    async def wait_for_next(self, now: dt.datetime) -> None:
        """Sleep until a server is due, the feed is to be looked at, or `wake()`."""
        delay = LONGEST_SLEEP
        upcoming = await self._store.next_events_tab_sync(self.shards)
        if upcoming is not None:
            delay = (dt.datetime.fromisoformat(upcoming) - now).total_seconds()
        if await self._store.events_tabs_enabled():
            delay = min(delay, FEED_POLL)
        delay = min(max(delay, 1.0), LONGEST_SLEEP)
        await self._alarm.sleep(delay)

    async def run_pass(self, now: dt.datetime, tab: Tab) -> TabPass:
        """Sync every server of this process that is due at `now`."""
        started = time.perf_counter()
        await self._follow_changes(now)
        reports: list[SyncReport] = []
        while True:
            due = await self._store.due_events_tabs(iso(now), PASS_BATCH, self.shards)
            reports += await asyncio.gather(*(self._guarded(settings, now, tab) for settings in due))
            if len(due) < PASS_BATCH:
                break
        result = TabPass(
            servers=len(reports),
            created=sum(report.created for report in reports),
            updated=sum(report.updated for report in reports),
            deleted=sum(report.deleted for report in reports),
            failed=sum(1 for report in reports if report.error),
            seconds=time.perf_counter() - started,
        )
        self.last_pass = (now, result)
        return result

    async def sync(self, settings: TabSettings, now: dt.datetime, tab: Tab) -> SyncReport:
        """Bring one server's tab in step now."""
        return await ServerSync(self._store, self._almanac, tab, settings, now).run()

    async def _guarded(self, settings: TabSettings, now: dt.datetime, tab: Tab) -> SyncReport:
        async with self._slots:
            try:
                return await self.sync(settings, now, tab)
            except Exception as error:  # a busy database, a bug: one server's, never the pass's
                log.exception("events tab of server %s", settings.guild_id)
                retry = now + dt.timedelta(minutes=5)
                try:
                    await self._store.events_tab_synced(
                        settings.guild_id, next_sync_utc=iso(retry), error=UNEXPECTED, now_utc=iso(now)
                    )
                except Exception:
                    log.warning("events tab of server %s: could not reschedule", settings.guild_id)
                return SyncReport(error=str(error) or type(error).__name__, next_sync=retry)

    async def _follow_changes(self, now: dt.datetime) -> None:
        """Make the servers whose chronology changed since the last look due now: a change to
        the bundled chronology (scope 0) concerns every server with the tab on."""
        if self._seen is None:
            self._seen = await self._store.latest_change()
            return
        if await self._store.pruned_through() > self._seen:  # changes missed: look at every server
            self._seen = await self._store.latest_change()
            await self._store.events_tabs_due_now(None, iso(now))
            return
        servers: set[int] = set()
        everyone = False
        while changes := await self._store.changes_after(self._seen):
            for change in changes:
                everyone = everyone or change.scope == 0
                servers.add(change.scope)
            self._seen = changes[-1].seq
        if everyone:
            await self._store.events_tabs_due_now(None, iso(now))
        elif servers:
            await self._store.events_tabs_due_now(sorted(servers), iso(now))
