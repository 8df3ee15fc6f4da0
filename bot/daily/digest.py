"""The weekly or monthly digest: one post listing the anniversaries of the week (or month) ahead,
sent at the daily post's time, in its channel, on the server's chosen weekday (or the 1st).

Exactly once, as the daily post is: the (server, kind, period) row is claimed before the first page
goes out and each page is counted as it does, so a restart resumes after the last page recorded.
The page being sent when the process died is looked for in the channel (by its footer's marker)
before it is sent again, and a resend carries the same nonce, which Discord drops as a repeat.
A digest whose whole day passed while the bot was offline is recorded as missed, never sent late.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import hashlib
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from bot.almanac.answers import UpcomingAnswer
from bot.almanac.questions import Almanac
from bot.daily.post import PostFailed
from bot.daily.scheduler import CLAIM_LEASE, PASS_BATCH, SEND_TIMEOUT, retry_after
from bot.dates.post_times import iso, post_instant, zone_named
from bot.model.kinds import Digest, EmptyDay, PostOutcome, PostState
from bot.store import DigestRecord, PostSettings, Shards, Store
from bot.store.posts.records import ClaimHeld

log = logging.getLogger(__name__)

MISSED = "the bot was offline for the whole day the digest was due"


def first_period(kind: Digest, weekday: int, today: dt.date) -> dt.date:
    """The first day the next digest covers, on or after `today`: the next chosen weekday, or
    the 1st of the month (today's, if today is the 1st)."""
    if kind is Digest.MONTHLY:
        return today if today.day == 1 else period_after(kind, today.replace(day=1))
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


def period_after(kind: Digest, period: dt.date) -> dt.date:
    if kind is Digest.MONTHLY:
        return (period.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return period + dt.timedelta(days=7)


def period_days(kind: Digest, period: dt.date) -> int:
    return calendar.monthrange(period.year, period.month)[1] if kind is Digest.MONTHLY else 7


def digest_marker(kind: Digest, period: dt.date, page: int) -> str:
    """The start of page `page`'s footer (counting from 1), found again after a restart by this
    exact text: the `/` after the number keeps page 1 from matching page 12."""
    return f"Almanac digest · {kind} {period.isoformat()} · {page}/"


def digest_nonce(guild_id: int, kind: Digest, period: dt.date, page: int) -> str:
    """The same page of the same digest always gets the same nonce (Discord allows 25 characters)."""
    text = f"digest:{guild_id}:{kind}:{period}:{page}"
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()[:25]


@dataclass(frozen=True)
class DigestPost:
    guild_id: int
    kind: Digest
    period: dt.date  # the first day it covers
    answer: UpcomingAnswer
    language: str | None  # the server's chosen language; None: its own


class DigestProgress:
    """What of a digest has gone out: the sender asks where to start and reports each page."""

    def __init__(self, store: Store, record: DigestRecord, now: dt.datetime) -> None:
        self._store = store
        self._record = record
        self._now = now  # the pass's clock: a claim's age is measured on it
        self.pages_sent = record.pages_sent
        self.thread_id = record.thread_id
        self.resuming = record.attempts > 1  # an earlier attempt may have sent a page unrecorded

    async def page_sent(self, message_id: int, thread_id: int | None = None) -> None:
        self.pages_sent += 1
        self.thread_id = self.thread_id or thread_id
        await self._store.digest_page_sent(
            self._record, self.pages_sent, message_id, thread_id, iso(self._now)
        )


class DigestSender(Protocol):
    async def send_digest(self, channel_id: int, digest: DigestPost, progress: DigestProgress) -> None: ...


class Digests:
    """Finds the servers whose digest is due and sends each once; run by the daily posts' loop."""

    def __init__(self, store: Store, almanac: Almanac, *, shards: Shards | None = None) -> None:
        self._store = store
        self._almanac = almanac
        self.shards = shards

    async def run_pass(self, now: dt.datetime, sender: DigestSender) -> Counter[PostOutcome]:
        outcomes: Counter[PostOutcome] = Counter()
        while True:
            due = await self._store.due_digests(iso(now), PASS_BATCH, self.shards)
            for settings in due:
                outcomes[await self._guarded(settings, now, sender)] += 1
            if len(due) < PASS_BATCH:
                return outcomes

    async def build(self, settings: PostSettings, period: dt.date) -> DigestPost | None:
        """The digest for the period from `period`; None when it has nothing and the server asked
        for nothing on quiet days."""
        answer = await self._almanac.upcoming(settings.guild_id, period_days(settings.digest, period), period)
        if not answer.by_day and settings.empty_day is EmptyDay.NOTHING:
            return None
        return DigestPost(settings.guild_id, settings.digest, period, answer, settings.language)

    async def _guarded(self, settings: PostSettings, now: dt.datetime, sender: DigestSender) -> PostOutcome:
        try:
            return await self.serve(settings, now, sender)
        except Exception as error:  # a busy database, say: pushed back, so a bug cannot spin the loop
            log.exception("digest for server %s: %s", settings.guild_id, error)
            period = settings.digest_period or ""
            retry_at = iso(now + dt.timedelta(minutes=5))
            try:
                await self._store.reschedule_digest(settings.guild_id, period, retry_at, settings.version)
            except Exception:
                log.exception("digest for server %s could not be pushed back", settings.guild_id)
            return PostOutcome.RETRYING

    async def serve(self, settings: PostSettings, now: dt.datetime, sender: DigestSender) -> PostOutcome:
        zone = zone_named(settings.timezone)
        today = now.astimezone(zone).date()
        kind = settings.digest
        period = (
            dt.date.fromisoformat(settings.digest_period)
            if settings.digest_period
            else first_period(kind, settings.digest_weekday, today)
        )
        if period < today:
            record = await self._store.digest_record(settings.guild_id, kind, period.isoformat())
            if record is None or not record.state.final:
                await self._store.finish_digest(
                    settings.guild_id, kind, period.isoformat(), PostState.MISSED, error=MISSED
                )
            await self._next_period(settings, today, now)
            return PostOutcome.WAITING
        if settings.channel_id is None:
            await self._next_period(settings, period + dt.timedelta(days=1), now)
            return PostOutcome.FAILED
        key = period.isoformat()
        try:
            record = await self._store.claim_digest(
                settings.guild_id,
                kind,
                key,
                settings.channel_id,
                now=iso(now),
                held_since=iso(now - CLAIM_LEASE),
            )
        except ClaimHeld:  # another process is sending it: look again once its claim is stale
            await self._reschedule(settings, period, now + CLAIM_LEASE)
            return PostOutcome.RETRYING
        if record is None:
            await self._next_period(settings, period + dt.timedelta(days=1), now)
            return PostOutcome.SENT
        digest = await self.build(settings, period)
        if digest is None:
            await self._store.finish_digest(settings.guild_id, kind, key, PostState.SKIPPED)
            await self._next_period(settings, period + dt.timedelta(days=1), now)
            return PostOutcome.SKIPPED
        try:
            sending = sender.send_digest(
                settings.channel_id, digest, DigestProgress(self._store, record, now)
            )
            await asyncio.wait_for(sending, SEND_TIMEOUT)
        except (PostFailed, TimeoutError) as error:
            return await self._failed(settings, period, record, now, str(error) or "Discord did not answer")
        await self._store.finish_digest(settings.guild_id, kind, key, PostState.SENT)
        await self._next_period(settings, period + dt.timedelta(days=1), now)
        return PostOutcome.SENT

    async def _failed(
        self, settings: PostSettings, period: dt.date, record: DigestRecord, now: dt.datetime, reason: str
    ) -> PostOutcome:
        """Recorded; tried again later the same local day with backoff, else given up."""
        log.warning("digest for server %s from %s failed: %s", settings.guild_id, period, reason)
        key = period.isoformat()
        await self._store.finish_digest(
            settings.guild_id, settings.digest, key, PostState.FAILED, error=reason
        )
        retry_at = retry_after(record.attempts, now)
        if retry_at.astimezone(zone_named(settings.timezone)).date() > period:
            await self._next_period(settings, period + dt.timedelta(days=1), now)
            return PostOutcome.FAILED
        await self._reschedule(settings, period, retry_at)
        return PostOutcome.RETRYING

    async def _next_period(self, settings: PostSettings, after: dt.date, now: dt.datetime) -> None:
        """Schedule the first digest from `after` on whose time is still ahead."""
        zone = zone_named(settings.timezone)
        period = first_period(settings.digest, settings.digest_weekday, after)
        while (instant := post_instant(period, settings.post_time or "09:00", zone)) <= now:
            period = period_after(settings.digest, period)
        await self._reschedule(settings, period, instant)

    async def _reschedule(self, settings: PostSettings, period: dt.date, instant: dt.datetime) -> None:
        if not await self._store.reschedule_digest(
            settings.guild_id, period.isoformat(), iso(instant), settings.version
        ):
            log.info("server %s changed its digest settings during a pass; keeping them", settings.guild_id)
