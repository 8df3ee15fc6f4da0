"""The weekly or monthly digest: which servers' digests are due, and the record of each one, claimed
before its first page is sent and counted page by page, so that no digest goes out twice or is lost
however many messages it takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.model.kinds import Digest, PostState
from bot.store.base import StoreBase, utc_now
from bot.store.posts.records import ClaimHeld
from bot.store.posts.settings import _SETTINGS_COLUMNS, PostSettings, Shards, _settings, _shard_filter

_DIGEST_COLUMNS = (
    "guild_id, kind, period, state, channel_id, pages_sent, thread_id, message_id, attempts,"
    " last_error, claimed_at, finished_at"
)
DIGEST_RECORDS_KEPT = 12  # a server's latest digests kept; older ones are deleted as new ones close


@dataclass(frozen=True)
class DigestRecord:
    guild_id: int
    kind: Digest
    period: str  # the first local day it covers
    state: PostState
    channel_id: int | None
    pages_sent: int
    thread_id: int | None  # in a forum, the digest's post (the thread its later pages go into)
    message_id: int | None  # the first page
    attempts: int
    last_error: str | None
    claimed_at: str | None
    finished_at: str | None


def _record(row: Any) -> DigestRecord:
    return DigestRecord(row[0], Digest(row[1]), row[2], PostState(row[3]), *row[4:12])


class DigestData(StoreBase):
    async def due_digests(self, now_utc: str, limit: int, shards: Shards | None = None) -> list[PostSettings]:
        rows = await self._all(
            f"SELECT {_SETTINGS_COLUMNS} FROM guild_settings WHERE digest != 'off'"
            f" AND digest_next_utc <= ?{_shard_filter(shards)} ORDER BY digest_next_utc LIMIT ?",
            (now_utc, limit),
        )
        return [_settings(row) for row in rows]

    async def reschedule_digest(self, guild_id: int, period: str, next_utc: str, version: int) -> bool:
        """Move the next digest, only if the settings are still at `version`: a moderator's change
        saved meanwhile computed its own."""
        async with self.transaction() as db:
            changed = await db.execute(
                "UPDATE guild_settings SET digest_period = ?, digest_next_utc = ?"
                " WHERE guild_id = ? AND posts_version = ?",
                (period, next_utc, guild_id, version),
            )
            return changed > 0

    async def digest_record(self, guild_id: int, kind: Digest, period: str) -> DigestRecord | None:
        row = await self._one(
            f"SELECT {_DIGEST_COLUMNS} FROM digest_posts WHERE guild_id = ? AND kind = ? AND period = ?",
            (guild_id, kind, period),
        )
        return None if row is None else _record(row)

    async def last_digest(self, guild_id: int) -> DigestRecord | None:
        """The server's latest digest that went out or failed, for `/anniversaries show`."""
        row = await self._one(
            f"SELECT {_DIGEST_COLUMNS} FROM digest_posts WHERE guild_id = ?"
            " AND state IN ('sent', 'failed', 'missed') ORDER BY period DESC, kind LIMIT 1",
            (guild_id,),
        )
        return None if row is None else _record(row)

    async def claim_digest(
        self, guild_id: int, kind: Digest, period: str, channel_id: int, *, now: str, held_since: str
    ) -> DigestRecord | None:
        """Claim the digest before sending (or resuming) it; None when it is already closed.
        ClaimHeld while another scheduler's claim is younger than `held_since`."""
        key = {"guild": guild_id, "kind": kind, "period": period}
        async with self.transaction() as db:
            rows = await db.fetch(
                "SELECT state, claimed_at FROM digest_posts"
                " WHERE guild_id = :guild AND kind = :kind AND period = :period",
                key,
            )
            state, previous = next(iter(rows), (None, None))
            if state is not None and PostState(state).final:
                return None
            if state == PostState.CLAIMED and (previous or "") > held_since:
                raise ClaimHeld(previous or "")
            await db.execute(
                "INSERT INTO digest_posts (guild_id, kind, period, state, channel_id, attempts, claimed_at)"
                " VALUES (:guild, :kind, :period, 'claimed', :channel, 1, :now)"
                " ON CONFLICT (guild_id, kind, period) DO UPDATE SET state = 'claimed',"
                " attempts = digest_posts.attempts + 1, claimed_at = :now",
                key | {"channel": channel_id, "now": now},
            )
            found = await db.fetch(
                f"SELECT {_DIGEST_COLUMNS} FROM digest_posts"
                " WHERE guild_id = :guild AND kind = :kind AND period = :period",
                key,
            )
        return _record(found[0])

    async def digest_page_sent(
        self, record: DigestRecord, pages_sent: int, message_id: int, thread_id: int | None, now: str
    ) -> None:
        """One more page is out: counted at once, so a restart resumes after it. The claim is
        renewed with it, so a long digest is not taken for an abandoned one halfway through."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE digest_posts SET pages_sent = ?, message_id = coalesce(message_id, ?),"
                " thread_id = coalesce(thread_id, ?), claimed_at = ?"
                " WHERE guild_id = ? AND kind = ? AND period = ?",
                (pages_sent, message_id, thread_id, now, record.guild_id, record.kind, record.period),
            )

    async def finish_digest(
        self, guild_id: int, kind: Digest, period: str, state: PostState, *, error: str | None = None
    ) -> None:
        """Record how the digest ended (or why its last attempt failed), and let the server's
        older records go: only the latest few are ever read."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO digest_posts (guild_id, kind, period, state, last_error, finished_at)"
                " VALUES (:guild, :kind, :period, :state, :error, :now)"
                " ON CONFLICT (guild_id, kind, period) DO UPDATE SET state = :state,"
                " last_error = coalesce(:error, digest_posts.last_error), finished_at = :now",
                {
                    "guild": guild_id,
                    "kind": kind,
                    "period": period,
                    "state": state,
                    "error": error,
                    "now": utc_now(),
                },
            )
            await db.execute(
                "DELETE FROM digest_posts WHERE guild_id = :guild AND state != 'claimed' AND period < ("
                "SELECT min(period) FROM (SELECT period FROM digest_posts WHERE guild_id = :guild"
                " ORDER BY period DESC LIMIT :kept) AS latest)",
                {"guild": guild_id, "kept": DIGEST_RECORDS_KEPT},
            )
