"""One server's Events tab brought in step, each scheduled event made exactly once.

Exactly-once lives in the database and in Discord's own list, never in memory. A sync lists the
server's scheduled events first; the plan (`bot.events_tab.plan`) compares that list and the
database's rows with what should be there. Each new event's (server, anniversary, day) row is
claimed in a transaction before the event is created and given its Discord id after. A row left
claimed (the process died between the two) is not created again while its claim is younger than
CLAIM_LEASE (another process may be creating it right now); after that, the next sync's list
shows whether it was made, by the marker in its description, and it is recorded or made then.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from bot.almanac.questions import Almanac
from bot.dates.post_times import iso, zone_named
from bot.events_tab.plan import Listed, Plan, Spec, next_midnight, plan, window
from bot.events_tab.texts import specs_for
from bot.store import Store, TabKey, TabSettings

log = logging.getLogger(__name__)

CALL_TIMEOUT = 60.0  # seconds one request to Discord may take (its rate limits included)
# A claim younger than this may be another process's, creating its event right now.
CLAIM_LEASE = dt.timedelta(seconds=CALL_TIMEOUT + 30)
RESYNC = dt.timedelta(hours=6)  # a server with nothing changed is looked at this often anyway
RETRY = dt.timedelta(minutes=15)  # after a failed sync
REFUSED_RETRY = dt.timedelta(hours=1)  # after Discord refused for want of a permission
ROLLOVER = dt.timedelta(minutes=1)  # after local midnight: the window has moved on by a day

T = TypeVar("T")


class TabFailed(Exception):
    """A request Discord refused or never answered; the message is the reason `/anniversaries show`
    gives. `forbidden`: the bot lacks the permission (every other request would fail the same
    way); `made_nothing`: Discord certainly created nothing (a claim can be given up)."""

    def __init__(self, reason: str, *, forbidden: bool = False, made_nothing: bool = False) -> None:
        super().__init__(reason)
        self.forbidden = forbidden
        self.made_nothing = made_nothing or forbidden


class TabGone(TabFailed):
    """The scheduled event is not there any more (someone deleted it)."""


class Tab(Protocol):
    """The Discord side of a server's Events tab (`bot.events_tab.discord_side`)."""

    def language(self, guild_id: int) -> str: ...

    async def listed(self, guild_id: int) -> list[Listed]: ...

    async def create(self, guild_id: int, spec: Spec) -> int: ...

    async def edit(self, guild_id: int, discord_id: int, spec: Spec, *, move: bool) -> None: ...

    async def delete(self, guild_id: int, discord_id: int) -> None:
        """Delete it; one that is already gone is no error."""


@dataclass
class SyncReport:
    """What one sync did, and when the server is to be looked at again (None: not until enabled)."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    gone: int = 0
    held: int = 0
    error: str | None = None
    next_sync: dt.datetime | None = None


async def _within(call: Awaitable[T]) -> T:
    try:
        return await asyncio.wait_for(call, CALL_TIMEOUT)
    except TimeoutError:
        raise TabFailed("Discord did not answer in time") from None


class ServerSync:
    """One sync of one server's tab: list, plan, then delete, record, update and create."""

    def __init__(self, store: Store, almanac: Almanac, tab: Tab, settings: TabSettings, now: dt.datetime):
        self._store, self._almanac, self._tab = store, almanac, tab
        self.settings = settings
        self.guild_id = settings.guild_id
        self._now = now
        self._started = time.monotonic()  # simcord's clock drives it too
        self.report = SyncReport()

    def _clock(self) -> dt.datetime:
        """Now, as the sync goes on: a claim made late in a long sync says when it was made."""
        return self._now + dt.timedelta(seconds=time.monotonic() - self._started)

    async def wanted(self) -> list[Spec]:
        """Every anniversary of the window as the scheduled event it should be (none when off)."""
        if not self.settings.enabled:
            return []
        zone = zone_named(await self._store.guild_timezone(self.guild_id))
        days = window(self._now, zone, self.settings.days)
        today = self._now.astimezone(zone).date()
        answer = await self._almanac.upcoming(self.guild_id, self.settings.days, today)
        posts = await self._store.post_settings(self.guild_id)
        language = (posts.language if posts else None) or self._tab.language(self.guild_id)
        return specs_for(answer, days, language)

    async def run(self) -> SyncReport:
        """Sync, record the outcome and when to look again; never raises for Discord's refusals."""
        try:
            wanted = await self.wanted()
            found = await _within(self._tab.listed(self.guild_id))
            rows = await self._store.tab_rows(self.guild_id)
            todo = plan(wanted, rows, found, held_since=iso(self._clock() - CLAIM_LEASE))
            self.report.held = todo.held
            await self._carry_out(todo)
        except TabFailed as error:
            log.warning("events tab of server %s: %s", self.guild_id, error)
            self.report.error = str(error)
            wait = REFUSED_RETRY if error.forbidden else RETRY
            self.report.next_sync = self._now + wait
        else:
            self.report.next_sync = await self._next_sync(todo)
        await self._store.events_tab_synced(
            self.guild_id,
            next_sync_utc=None if self.report.next_sync is None else iso(self.report.next_sync),
            error=self.report.error,
            now_utc=iso(self._now),
        )
        return self.report

    async def _next_sync(self, todo: Plan) -> dt.datetime | None:
        if todo.held:
            return self._now + CLAIM_LEASE  # another process's claim: see what became of it
        if self.report.error:
            return self._now + RETRY
        if not self.settings.enabled:
            return None if not await self._store.tab_rows(self.guild_id) else self._now + RETRY
        zone = zone_named(await self._store.guild_timezone(self.guild_id))
        return min(self._now + RESYNC, next_midnight(self._now, zone) + ROLLOVER)

    async def _carry_out(self, todo: Plan) -> None:
        """Deletes first, so a full tab has room for what is made after."""
        forget: list[TabKey] = []
        for delete in todo.deletes:
            if delete.discord_id is not None and await self._attempt(
                self._tab.delete(self.guild_id, delete.discord_id)
            ):
                self.report.deleted += 1
            elif delete.discord_id is not None:
                continue  # still there: its row stays, to be deleted next time
            if delete.key is not None:
                forget.append(delete.key)
        await self._store.forget_tab_events(self.guild_id, forget)
        for key in todo.gone:
            await self._store.tab_event_gone(self.guild_id, key)
            self.report.gone += 1
        for spec, found in todo.adopts:
            await self._record(spec.key, found.id, found.fingerprint, found.start)
            if spec.fingerprint != found.fingerprint:
                await self._update(found.id, spec, move=spec.start != found.start)
        for discord_id, spec, move in todo.updates:
            await self._update(discord_id, spec, move=move)
        for spec in todo.creates:
            await self._create(spec)

    async def _attempt(self, call: Awaitable[None]) -> bool:
        """Run one request; False (the error kept for the report) when Discord refused it."""
        try:
            await _within(call)
        except TabFailed as error:
            if error.forbidden:
                raise
            self.report.error = self.report.error or str(error)
            return False
        return True

    async def _record(self, key: TabKey, discord_id: int, printed: str, start: dt.datetime) -> None:
        await self._store.record_tab_event(
            self.guild_id, key, discord_id=discord_id, fingerprint=printed, start_utc=iso(start)
        )

    async def _update(self, discord_id: int, spec: Spec, *, move: bool) -> None:
        try:
            await _within(self._tab.edit(self.guild_id, discord_id, spec, move=move))
        except TabGone:
            await self._store.tab_event_gone(self.guild_id, spec.key)  # deleted by hand meanwhile
            self.report.gone += 1
            return
        except TabFailed as error:
            if error.forbidden:
                raise
            self.report.error = self.report.error or str(error)
            return
        await self._record(spec.key, discord_id, spec.fingerprint, spec.start)
        self.report.updated += 1

    async def _create(self, spec: Spec) -> None:
        claimed_at = iso(self._clock())
        held_since = iso(self._clock() - CLAIM_LEASE)
        if not await self._store.claim_tab_event(
            self.guild_id, spec.key, now_utc=claimed_at, held_since=held_since
        ):
            return  # made, claimed elsewhere meanwhile, or the tab was turned off
        try:
            discord_id = await _within(self._tab.create(self.guild_id, spec))
        except TabFailed as error:
            if error.made_nothing:
                await self._store.release_tab_claim(self.guild_id, spec.key, claimed_at)
            # else it may exist after all: the claim stays, and a later list tells
            if error.forbidden:
                raise
            self.report.error = self.report.error or str(error)
            return
        await self._record(spec.key, discord_id, spec.fingerprint, spec.start)
        self.report.created += 1
