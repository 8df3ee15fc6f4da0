"""Daily anniversary posts: the scheduler that sends each server's day once.

Exactly-once lives in the database, not in memory. Each pass asks the store for servers whose
next post is due; for each, the (server, local day) row is claimed in a transaction before
sending and marked sent after. A row left `claimed` means we died mid-send: the channel is read
back for the day's marker before anything is resent, and a resend carries the same nonce with
`enforce_nonce`, so Discord itself drops a duplicate sent within its nonce window.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field, replace

from bot.almanac.questions import Almanac
from bot.daily.post import DailyPost, PostFailed, Sender, build_post, marker_for, nonce_for
from bot.dates.alarm import Alarm
from bot.dates.post_times import iso, post_instant, zone_named
from bot.model.kinds import PostOutcome, PostState
from bot.store import PostRecord, PostSettings, Shards, Store, is_busy
from bot.store.posts.records import ClaimHeld, ClosedDay, NewClaim, Reschedule

log = logging.getLogger(__name__)

BACKOFF_MINUTES = (1, 5, 15, 60)  # between failed attempts on the same day
SEND_TIMEOUT = 60.0
# A claim younger than this may be another scheduler's, sending right now: longer than any send.
CLAIM_LEASE = dt.timedelta(seconds=SEND_TIMEOUT + 30)
LONGEST_SLEEP = 3600.0  # with nothing due, look again this often anyway (a wall-clock jump, say)
PASS_BATCH = 500


def retry_after(attempts: int, now: dt.datetime) -> dt.datetime:
    """When to try again after the `attempts`-th failure of the same day's post (or digest)."""
    wait = BACKOFF_MINUTES[min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1]
    return now + dt.timedelta(minutes=wait)


@dataclass(frozen=True)
class PassReport:
    """One scheduling pass: every due server ends in exactly one outcome, so the counts add up."""

    outcomes: Counter[PostOutcome] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def due(self) -> int:
        return self.outcomes.total()

    @property
    def sent(self) -> int:
        return self.outcomes[PostOutcome.SENT]

    @property
    def failed(self) -> int:
        """Attempts that failed this pass, whether retried later today or given up."""
        return self.outcomes[PostOutcome.FAILED] + self.outcomes[PostOutcome.RETRYING]

    def summary(self) -> str:
        """`3 due: 2 sent, 1 retrying` — the outcomes that happened, in a fixed order."""
        parts = [f"{self.outcomes[o]} {o.value}" for o in PostOutcome if self.outcomes[o]]
        return f"{self.due} due" + (": " + ", ".join(parts) if parts else "")


# -- the scheduler -----------------------------------------------------------------------------------


_BROKEN = object()  # a post whose building raised


@dataclass(frozen=True)
class _Due:
    """A server's post for `day` (today where it is), not yet looked at by anyone."""

    settings: PostSettings
    day: dt.date
    zone: zoneinfo.ZoneInfo

    @property
    def guild_id(self) -> int:
        return self.settings.guild_id

    @property
    def channel_id(self) -> int:
        assert self.settings.channel_id is not None  # only servers with a channel are batched
        return self.settings.channel_id

    @property
    def key(self) -> tuple[int, str]:
        return self.settings.guild_id, self.day.isoformat()

    @property
    def nonce(self) -> str:
        return nonce_for(self.settings.guild_id, self.day)

    def tomorrow(self) -> Reschedule:
        tomorrow = self.day + dt.timedelta(days=1)
        instant = post_instant(tomorrow, self.settings.post_time or "09:00", self.zone)
        return Reschedule(self.guild_id, tomorrow.isoformat(), iso(instant), self.settings.version)


class Scheduler:
    """Finds the servers whose post is due and serves each once; the sender is handed to each pass,
    so the same scheduler previews posts in the shell and sends them from the bot."""

    def __init__(
        self, store: Store, almanac: Almanac, *, concurrency: int = 20, shards: Shards | None = None
    ) -> None:
        self._store = store
        self._almanac = almanac
        self.shards = shards  # None: this process serves every server
        self._slots = asyncio.Semaphore(concurrency)
        # Days claimed (and closed) in one transaction: as many as are sent at once, so a claimed
        # day never waits for a slot (a settings change meanwhile is seen at the next chunk), and
        # a crash mid-chunk leaves at most these to read back from their channels.
        self._chunk = concurrency
        self._alarm = Alarm()
        self.last_pass: tuple[dt.datetime, PassReport] | None = None

    def wake(self) -> None:
        """Settings changed: look again now instead of at the next due time."""
        self._alarm.wake()

    async def next_due_at(self) -> dt.datetime | None:
        """When the next post of this process's servers is due."""
        upcoming = await self._store.next_due_at(self.shards)
        return None if upcoming is None else dt.datetime.fromisoformat(upcoming)

    async def wait_for_next(self, now: dt.datetime) -> None:
        """Sleep until the next post is due, or until `wake()`: one pass per due moment, not per tick."""
        upcoming = await self.next_due_at()
        delay = LONGEST_SLEEP
        if upcoming is not None:
            delay = min(max((upcoming - now).total_seconds(), 1.0), LONGEST_SLEEP)
        await self._alarm.sleep(delay)

    async def run_pass(self, now: dt.datetime, sender: Sender) -> PassReport:
        """Serve every server whose post is due at `now`; one server's trouble never holds up another."""
        started = time.perf_counter()
        outcomes: Counter[PostOutcome] = Counter()
        while True:
            due = await self._store.due_posts(iso(now), PASS_BATCH, self.shards)
            outcomes.update(await self._serve_batch(due, now, sender))
            if len(due) < PASS_BATCH:
                break
        report = PassReport(outcomes, time.perf_counter() - started)
        self.last_pass = (now, report)
        return report

    async def _serve_batch(
        self, due: list[PostSettings], now: dt.datetime, sender: Sender
    ) -> list[PostOutcome]:
        """The usual case, a server's first look at today, goes in chunks that each cost two
        transactions (claim them all, then close them all); anything else (a day already
        claimed, failed or missed, no channel) is served one by one as before."""
        new_days: list[_Due] = []
        others: list[PostSettings] = []
        for settings in due:
            zone = zone_named(settings.timezone)
            today = now.astimezone(zone).date()
            if settings.channel_id is not None and settings.due_local_date in (None, today.isoformat()):
                new_days.append(_Due(settings, today, zone))
            else:
                others.append(settings)
        records = await self._store.post_records([item.key for item in new_days])
        others += [item.settings for item in new_days if item.key in records]
        new_days = [item for item in new_days if item.key not in records]
        outcomes = []
        for start in range(0, len(new_days), self._chunk):
            chunk = new_days[start : start + self._chunk]
            leftover, served = await self._serve_new_days(chunk, now, sender)
            outcomes += served
            others += leftover
        outcomes += await asyncio.gather(*(self._guarded(settings, now, sender) for settings in others))
        return outcomes

    async def _serve_new_days(
        self, chunk: list[_Due], now: dt.datetime, sender: Sender
    ) -> tuple[list[PostSettings], list[PostOutcome]]:
        """Build, claim, send and close a chunk of days nobody has touched yet. Returns the
        servers to serve one by one after all (claimed elsewhere meanwhile, or a post that could
        not be built or sent), and the outcomes of the rest."""
        # A moderator may have changed the settings since the batch was read: those go one by one.
        current = await self._store.post_settings_of([item.guild_id for item in chunk])
        changed = [item.settings for item in chunk if current.get(item.guild_id) != item.settings]
        chunk = [item for item in chunk if current.get(item.guild_id) == item.settings]
        built = await asyncio.gather(*(self._build_guarded(item, now) for item in chunk))
        broken = [item.settings for item, post in zip(chunk, built, strict=True) if post is _BROKEN]
        ready = [(item, post) for item, post in zip(chunk, built, strict=True) if isinstance(post, DailyPost)]
        skipped = [item for item, post in zip(chunk, built, strict=True) if post is None]
        claims = [
            NewClaim(item.guild_id, item.day.isoformat(), item.channel_id, item.nonce, p.late)
            for item, p in ready
        ]
        try:
            claimed = await self._store.claim_new_posts(claims, now=iso(now))
        except Exception:  # a busy database, say: one by one, each server's trouble its own
            log.exception("daily posts: could not claim a batch of %d days", len(claims))
            return [item.settings for item in chunk] + changed, []
        lost = [item.settings for item, _ in ready if item.key not in claimed]
        sending = [(item, post) for item, post in ready if item.key in claimed]
        sent = await asyncio.gather(*(self._send(item, post, sender) for item, post in sending))
        closed = [
            ClosedDay(item.guild_id, item.day.isoformat(), PostState.SKIPPED, item.nonce) for item in skipped
        ]
        failed: list[tuple[_Due, str]] = []
        for (item, _), result in zip(sending, sent, strict=True):
            if isinstance(result, int):
                closed.append(
                    ClosedDay(item.guild_id, item.day.isoformat(), PostState.SENT, item.nonce, result)
                )
            else:
                failed.append((item, result))
        done = {day.guild_id for day in closed}
        reschedules = [item.tomorrow() for item in chunk if item.guild_id in done]
        try:
            await self._store.close_days(closed, reschedules)
        except Exception:
            # Sent but not recorded: the days stay claimed, and the next look at each reads the
            # channel back for the post before anything is sent again.
            log.exception("daily posts: could not record a batch of %d days", len(closed))
        outcomes = [PostOutcome.SKIPPED] * len(skipped) + [PostOutcome.SENT] * (len(closed) - len(skipped))
        for item, reason in failed:
            outcome = await self._failed(item.settings, item.day, now, item.zone, reason)
            if outcome is not PostOutcome.RETRYING:
                await self._store.close_days([], [item.tomorrow()])
            outcomes.append(outcome)
        return changed + broken + lost, outcomes

    async def _build_guarded(self, item: _Due, now: dt.datetime) -> DailyPost | object | None:
        async with self._slots:
            try:
                return await build_post(self._almanac, item.settings, item.day, now, item.zone)
            except Exception:
                log.exception("daily post for server %s could not be built", item.guild_id)
                return _BROKEN  # served one by one, where a failure is pushed back a little

    async def _send(self, item: _Due, post: DailyPost, sender: Sender) -> int | str:
        """The message id, or why the send failed."""
        async with self._slots:
            try:
                return await asyncio.wait_for(sender.send(item.channel_id, post, item.nonce), SEND_TIMEOUT)
            except (PostFailed, TimeoutError) as error:
                return str(error) or "Discord did not answer in time"

    async def _guarded(self, settings: PostSettings, now: dt.datetime, sender: Sender) -> PostOutcome:
        async with self._slots:
            try:
                current = await self._store.post_settings(settings.guild_id)
                if current is not None and current.version != settings.version:  # changed meanwhile
                    if not current.enabled or (current.next_due_utc or "9999") > iso(now):
                        return PostOutcome.WAITING
                    settings = current
                return await self.serve(settings, now, sender)
            except Exception as error:  # a busy database (another process's write lock): a delay
                report = log.warning if is_busy(error) else log.exception
                report("daily post for %s: %s", settings.guild_id, error)
                # pushed back so a bug cannot spin the loop (unwritable: due again next pass)
                with contextlib.suppress(Exception):
                    retry_at, day = iso(now + dt.timedelta(minutes=5)), settings.due_local_date or ""
                    await self._store.reschedule_post(settings.guild_id, day, retry_at, settings.version)
                return PostOutcome.RETRYING

    async def serve(self, settings: PostSettings, now: dt.datetime, sender: Sender) -> PostOutcome:
        zone = zone_named(settings.timezone)
        post_time = settings.post_time or "09:00"
        today = now.astimezone(zone).date()
        day = dt.date.fromisoformat(settings.due_local_date) if settings.due_local_date else today
        if day < today:
            # Downtime swallowed that day: never post for a day already past, go on to today.
            await self._close_past_day(settings, day, sender)
            day = today
            if (instant := post_instant(day, post_time, zone)) > now:
                await self._reschedule(settings, day, instant)
                return PostOutcome.WAITING
        outcome = await self._post_day(settings, day, zone, now, sender)
        if outcome is not PostOutcome.RETRYING:
            tomorrow = day + dt.timedelta(days=1)
            await self._reschedule(settings, tomorrow, post_instant(tomorrow, post_time, zone))
        return outcome

    async def _reschedule(self, settings: PostSettings, day: dt.date, instant: dt.datetime) -> None:
        """Move the next post, computed from `settings`; a change saved since (during a send,
        say) wins, because `/anniversaries setup` already computed its next post itself."""
        if not await self._store.reschedule_post(
            settings.guild_id, day.isoformat(), iso(instant), settings.version
        ):
            log.info(
                "server %s changed its daily-post settings during a pass; keeping them", settings.guild_id
            )

    async def _close_past_day(self, settings: PostSettings, day: dt.date, sender: Sender) -> None:
        record = await self._store.post_record(settings.guild_id, day.isoformat())
        if record is not None and record.state.final:
            return
        if await self._recover_claimed(settings, day, record, sender):
            return
        await self._store.finish_post(
            settings.guild_id,
            day.isoformat(),
            PostState.MISSED,
            error="the bot was offline for the whole posting day",
            nonce=nonce_for(settings.guild_id, day),
        )

    async def _post_day(
        self, settings: PostSettings, day: dt.date, zone: zoneinfo.ZoneInfo, now: dt.datetime, sender: Sender
    ) -> PostOutcome:
        """Post `day` once."""
        key, nonce = day.isoformat(), nonce_for(settings.guild_id, day)
        record = await self._store.post_record(settings.guild_id, key)
        if record is not None and record.state.final:
            return PostOutcome.SKIPPED if record.state is PostState.SKIPPED else PostOutcome.SENT
        post = await build_post(self._almanac, settings, day, now, zone)
        if post is not None and record is not None and record.last_error:
            post = replace(post, late=False)  # late for Discord's refusals, not an offline bot
        if post is None:
            await self._store.finish_post(settings.guild_id, key, PostState.SKIPPED, nonce=nonce)
            return PostOutcome.SKIPPED
        if settings.channel_id is None:
            return await self._failed(settings, day, now, zone, "no channel is set")
        if await self._recover_claimed(settings, day, record, sender):
            return PostOutcome.SENT
        try:
            claimed = await self._store.claim_post(
                settings.guild_id,
                key,
                settings.channel_id,
                nonce,
                post.late,
                now=iso(now),
                held_since=iso(now - CLAIM_LEASE),
            )
        except ClaimHeld:  # another scheduler is sending it: look again once its claim is stale
            await self._reschedule(settings, day, now + CLAIM_LEASE)
            return PostOutcome.RETRYING
        if claimed is None:
            return PostOutcome.SENT
        try:
            message_id = await asyncio.wait_for(sender.send(settings.channel_id, post, nonce), SEND_TIMEOUT)
        except (PostFailed, TimeoutError) as error:
            reason = str(error) or "Discord did not answer in time"
            return await self._failed(settings, day, now, zone, reason)
        await self._store.finish_post(settings.guild_id, key, PostState.SENT, message_id=message_id)
        return PostOutcome.SENT

    async def _failed(
        self, settings: PostSettings, day: dt.date, now: dt.datetime, zone: zoneinfo.ZoneInfo, reason: str
    ) -> PostOutcome:
        """Record the failure; retry later the same local day with backoff, else give the day up."""
        key = day.isoformat()
        log.warning("daily post for server %s on %s failed: %s", settings.guild_id, key, reason)
        record = await self._store.post_record(settings.guild_id, key)
        attempts = record.attempts if record else 1
        await self._store.finish_post(
            settings.guild_id, key, PostState.FAILED, error=reason, nonce=nonce_for(settings.guild_id, day)
        )
        retry_at = retry_after(attempts, now)
        if retry_at.astimezone(zone).date() > day:
            return PostOutcome.FAILED
        await self._reschedule(settings, day, retry_at)
        return PostOutcome.RETRYING

    async def _recover_claimed(
        self, settings: PostSettings, day: dt.date, record: PostRecord | None, sender: Sender
    ) -> bool:
        """A row still `claimed` means we died between sending and recording: look in the channel
        for the day's post before sending again. True when it was there (now recorded as sent)."""
        if record is None or record.state is not PostState.CLAIMED or settings.channel_id is None:
            return False
        try:
            found = await sender.find_sent(settings.channel_id, marker_for(day))
        except PostFailed:
            return False
        if found is None:
            return False
        await self._store.finish_post(settings.guild_id, day.isoformat(), PostState.SENT, message_id=found)
        return True

    async def build_post(
        self, settings: PostSettings, day: dt.date, now: dt.datetime | None, zone: zoneinfo.ZoneInfo
    ) -> DailyPost | None:
        """A preview of the server's post for `day` (`now` None: never late)."""
        return await build_post(self._almanac, settings, day, now, zone)
