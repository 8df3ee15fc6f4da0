"""Daily anniversary posts: the record of each server's day, claimed before it is sent and
closed once it is sent, skipped or missed, so that no day is posted twice or lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.model.kinds import PostState
from bot.store.base import StoreBase, utc_now

_RECORD_COLUMNS = (
    "guild_id, local_date, state, channel_id, nonce, message_id, attempts, late, last_error,"
    " claimed_at, finished_at"
)

# How many days of a server's post records are kept: a server's day older than this is deleted
# when a later day of its own is closed, unless it is the latest of its kind (the latest sent, the
# latest missed...), which `/anniversaries status` reads. Without it the table grows by one row per
# server per day, forever.
POST_RECORDS_KEPT_DAYS = 60

# A server's records before a day, except any still claimed (a crash may be reading it back) and
# the latest of each kind: state, and whether it carries an error.
_PRUNE_RECORDS = (
    "DELETE FROM daily_posts WHERE guild_id = ? AND local_date < ? AND state != 'claimed'"
    " AND EXISTS (SELECT 1 FROM daily_posts AS newer WHERE newer.guild_id = daily_posts.guild_id"
    " AND newer.local_date > daily_posts.local_date AND newer.state = daily_posts.state"
    " AND (newer.last_error IS NULL) = (daily_posts.last_error IS NULL))"
)


@dataclass(frozen=True)
class PostRecord:
    guild_id: int
    local_date: str
    state: PostState
    channel_id: int | None
    nonce: str
    message_id: int | None
    attempts: int
    late: bool
    last_error: str | None
    claimed_at: str | None
    finished_at: str | None


def _record(row: Any) -> PostRecord:
    return PostRecord(
        row[0], row[1], PostState(row[2]), row[3], row[4], row[5], row[6], bool(row[7]), *row[8:11]
    )


@dataclass(frozen=True)
class NewClaim:
    """A day about to be sent, claimed in a batch (see `claim_new_posts`)."""

    guild_id: int
    local_date: str
    channel_id: int
    nonce: str
    late: bool


@dataclass(frozen=True)
class ClosedDay:
    guild_id: int
    local_date: str
    state: PostState  # sent or skipped
    nonce: str
    message_id: int | None = None


@dataclass(frozen=True)
class Reschedule:
    guild_id: int
    due_local_date: str
    next_due_utc: str
    version: int  # the settings the times were computed from


def _among(keys: Sequence[tuple[int, str]]) -> tuple[str, tuple[Any, ...]]:
    """A condition on daily_posts for these (server, local day) pairs, and its parameters: the
    rows of their servers on their days (a superset when the days differ; callers keep the pairs)."""
    guilds, days = sorted({guild for guild, _ in keys}), sorted({day for _, day in keys})
    where = (
        f"guild_id IN ({', '.join('?' for _ in guilds)}) AND local_date IN ({', '.join('?' for _ in days)})"
    )
    return where, (*guilds, *days)


def _kept_from(local_date: str) -> str:
    """The first local day whose record is kept once `local_date` is closed."""
    return (dt.date.fromisoformat(local_date) - dt.timedelta(days=POST_RECORDS_KEPT_DAYS)).isoformat()


class ClaimHeld(Exception):
    """Another scheduler claimed this day a moment ago (at the time the message gives)."""


class PostRecords(StoreBase):
    async def last_closed_day(self, guild_id: int) -> str | None:
        """The latest local day that was posted, skipped, missed or is being sent right now: the
        next post is always for a later day. (A failed day may still be retried.)"""
        row = await self._one(
            "SELECT max(local_date) FROM daily_posts WHERE guild_id = ? AND state != 'failed'", (guild_id,)
        )
        return None if row is None or row[0] is None else str(row[0])

    async def post_record(self, guild_id: int, local_date: str) -> PostRecord | None:
        row = await self._one(
            f"SELECT {_RECORD_COLUMNS} FROM daily_posts WHERE guild_id = ? AND local_date = ?",
            (guild_id, local_date),
        )
        return None if row is None else _record(row)

    async def claim_post(
        self,
        guild_id: int,
        local_date: str,
        channel_id: int,
        nonce: str,
        late: bool,
        *,
        now: str | None = None,
        held_since: str | None = None,
    ) -> PostRecord | None:
        """Claim the day before sending; None when it is already sent or skipped (nothing to do).
        ClaimHeld when another scheduler claimed it after `held_since` and may be sending it now:
        only once that claim is older (its holder dead, or slower than any send may be) is the
        day claimed again, so two schedulers on one database never both send it."""
        claimed_at = now or utc_now()
        async with self.transaction() as db:
            rows = await db.fetch(
                "SELECT state, claimed_at FROM daily_posts WHERE guild_id = ? AND local_date = ?",
                (guild_id, local_date),
            )
            state, previous = next(iter(rows), (None, None))
            if state is not None and PostState(state).final:
                return None
            if state == PostState.CLAIMED and held_since is not None and (previous or "") > held_since:
                raise ClaimHeld(previous or "")
            await db.execute(
                "INSERT INTO daily_posts (guild_id, local_date, state, channel_id, nonce, attempts, late,"
                " claimed_at) VALUES (:guild, :day, 'claimed', :channel, :nonce, 1, :late, :now)"
                " ON CONFLICT (guild_id, local_date) DO UPDATE SET state = 'claimed',"
                " channel_id = :channel, attempts = daily_posts.attempts + 1, late = :late,"
                " claimed_at = :now",
                {
                    "guild": guild_id,
                    "day": local_date,
                    "channel": channel_id,
                    "nonce": nonce,
                    "late": int(late),
                    "now": claimed_at,
                },
            )
        return await self.post_record(guild_id, local_date)

    async def post_records(self, keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], PostRecord]:
        """The records of many (server, local day) pairs at once (a pass's batch), by pair."""
        if not keys:
            return {}
        where, params = _among(keys)
        rows = await self._all(f"SELECT {_RECORD_COLUMNS} FROM daily_posts WHERE {where}", params)
        wanted = set(keys)
        records = (_record(row) for row in rows)
        return {key: record for record in records if (key := (record.guild_id, record.local_date)) in wanted}

    async def claim_new_posts(self, claims: Sequence[NewClaim], now: str) -> set[tuple[int, str]]:
        """Claim many days that had no record when the pass looked, in one transaction; the
        (server, day) pairs claimed. A pair that has a record by now (another scheduler got there
        first) is left alone, for the caller to serve one by one."""
        if not claims:
            return set()
        async with self.transaction() as db:
            where, params = _among([(claim.guild_id, claim.local_date) for claim in claims])
            rows = await db.fetch(f"SELECT guild_id, local_date FROM daily_posts WHERE {where}", params)
            taken = {(int(guild), str(day)) for guild, day in rows}
            new = [claim for claim in claims if (claim.guild_id, claim.local_date) not in taken]
            await db.executemany(
                "INSERT INTO daily_posts (guild_id, local_date, state, channel_id, nonce, attempts, late,"
                " claimed_at) VALUES (?, ?, 'claimed', ?, ?, 1, ?, ?)",
                [(c.guild_id, c.local_date, c.channel_id, c.nonce, int(c.late), now) for c in new],
            )
        return {(claim.guild_id, claim.local_date) for claim in new}

    async def close_days(self, closed: Sequence[ClosedDay], reschedules: Sequence[Reschedule]) -> None:
        """Record many days as sent or skipped and move each server's next post, in one
        transaction (a reschedule only where the settings are still at its version). Each of
        those servers' records older than `POST_RECORDS_KEPT_DAYS` before its closed day goes."""
        if not closed and not reschedules:
            return
        finished = utc_now()
        async with self.transaction() as db:
            await db.executemany(
                "INSERT INTO daily_posts (guild_id, local_date, state, nonce, message_id, finished_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, local_date) DO UPDATE SET"
                " state = excluded.state, message_id = coalesce(excluded.message_id,"
                " daily_posts.message_id), finished_at = excluded.finished_at",
                [(c.guild_id, c.local_date, c.state, c.nonce, c.message_id, finished) for c in closed],
            )
            await db.executemany(
                "UPDATE guild_settings SET due_local_date = ?, next_due_utc = ?"
                " WHERE guild_id = ? AND posts_version = ?",
                [(r.due_local_date, r.next_due_utc, r.guild_id, r.version) for r in reschedules],
            )
            await db.executemany(_PRUNE_RECORDS, [(c.guild_id, _kept_from(c.local_date)) for c in closed])

    async def finish_post(
        self,
        guild_id: int,
        local_date: str,
        state: PostState,
        *,
        message_id: int | None = None,
        error: str | None = None,
        nonce: str = "",
    ) -> None:
        """Record how the day ended (or how the last attempt failed)."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO daily_posts (guild_id, local_date, state, nonce, message_id, last_error,"
                " finished_at) VALUES (:guild, :day, :state, :nonce, :message, :error, :now)"
                " ON CONFLICT (guild_id, local_date) DO UPDATE SET state = :state,"
                " message_id = coalesce(:message, daily_posts.message_id),"
                " last_error = coalesce(:error, daily_posts.last_error),"
                " finished_at = :now",
                {
                    "guild": guild_id,
                    "day": local_date,
                    "state": state,
                    "nonce": nonce,
                    "message": message_id,
                    "error": error,
                    "now": utc_now(),
                },
            )

    async def last_post(self, guild_id: int, states: tuple[PostState, ...]) -> PostRecord | None:
        marks = ", ".join("?" for _ in states)
        row = await self._one(
            f"SELECT {_RECORD_COLUMNS} FROM daily_posts WHERE guild_id = ? AND state IN ({marks})"
            " ORDER BY local_date DESC LIMIT 1",
            (guild_id, *states),
        )
        return None if row is None else _record(row)

    async def last_failure(self, guild_id: int) -> PostRecord | None:
        """The latest day that failed or was missed, unless a later day has been posted since (a
        day that failed and was then sent on a retry is no failure either)."""
        row = await self._one(
            f"SELECT {_RECORD_COLUMNS} FROM daily_posts WHERE guild_id = :guild AND last_error IS NOT NULL"
            " AND state != 'sent' AND local_date > coalesce((SELECT max(local_date) FROM daily_posts"
            " WHERE guild_id = :guild AND state = 'sent'), '')"
            " ORDER BY local_date DESC LIMIT 1",
            {"guild": guild_id},
        )
        return None if row is None else _record(row)
