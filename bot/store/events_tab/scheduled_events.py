"""The Events tab (migration 014): each server's choice (`events_tab`), and one row per anniversary
the bot keeps there as a Discord scheduled event (`scheduled_events`), claimed before it is made
and given its Discord id after, so that no process ever makes one twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.store.base import StoreBase, utc_now
from bot.store.posts.settings import Shards

_TAB_COLUMNS = "guild_id, enabled, days, next_sync_utc, synced_at, last_error, error_at"
_ROW_COLUMNS = "guild_id, event_id, local_date, state, discord_id, fingerprint, start_utc, claimed_at"

TabKey = tuple[int, str]  # (chronology event id, local day)


@dataclass(frozen=True)
class TabSettings:
    guild_id: int
    enabled: bool
    days: int
    next_sync_utc: str | None
    synced_at: str | None
    last_error: str | None
    error_at: str | None


@dataclass(frozen=True)
class TabRow:
    """One anniversary the bot keeps (or is making, or was told to leave alone) in a server's tab."""

    guild_id: int
    event_id: int
    local_date: str
    state: str  # claimed (being made), created (its Discord id known), gone (a person deleted it)
    discord_id: int | None
    fingerprint: str | None
    start_utc: str | None
    claimed_at: str | None

    @property
    def key(self) -> TabKey:
        return self.event_id, self.local_date


def _tab(row: Any) -> TabSettings:
    return TabSettings(int(row[0]), bool(row[1]), int(row[2]), row[3], row[4], row[5], row[6])


def _row(row: Any) -> TabRow:
    discord_id = None if row[4] is None else int(row[4])
    return TabRow(int(row[0]), int(row[1]), str(row[2]), str(row[3]), discord_id, *row[5:8])


def _shard_filter(shards: Shards | None) -> str:
    if shards is None:
        return ""
    ids = ", ".join(str(int(shard)) for shard in shards.ids)  # integers from the settings
    return f" AND ((guild_id >> 22) % {int(shards.count)}) IN ({ids})"


class EventsTabData(StoreBase):
    # -- a server's choice ------------------------------------------------------------------

    async def events_tab(self, guild_id: int) -> TabSettings | None:
        row = await self._one(f"SELECT {_TAB_COLUMNS} FROM events_tab WHERE guild_id = ?", (guild_id,))
        return None if row is None else _tab(row)

    async def save_events_tab(
        self, guild_id: int, *, enabled: bool, days: int, next_sync_utc: str, actor: int | None
    ) -> None:
        """Turn the tab on (for `days` days) or off; either way the server is due a sync at
        `next_sync_utc`, which fills the tab or empties it of the bot's events. Turning it on
        forgets the last error: the next sync says whether it is still there."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO events_tab (guild_id, enabled, days, next_sync_utc, updated_by, updated_at)"
                " VALUES (:guild, :enabled, :days, :due, :actor, :now) ON CONFLICT (guild_id) DO UPDATE"
                " SET enabled = :enabled, days = :days, next_sync_utc = :due, updated_by = :actor,"
                " updated_at = :now, last_error = CASE WHEN :enabled = 1 THEN NULL"
                " ELSE events_tab.last_error END",
                {
                    "guild": guild_id,
                    "enabled": int(enabled),
                    "days": days,
                    "due": next_sync_utc,
                    "actor": actor,
                    "now": utc_now(),
                },
            )

    # -- when each server is looked at --------------------------------------------------------

    async def due_events_tabs(
        self, now_utc: str, limit: int, shards: Shards | None = None
    ) -> list[TabSettings]:
        """Servers due a sync (disabled ones too, while the bot's events are still to be removed)."""
        rows = await self._all(
            f"SELECT {_TAB_COLUMNS} FROM events_tab WHERE next_sync_utc <= ?{_shard_filter(shards)}"
            " ORDER BY next_sync_utc LIMIT ?",
            (now_utc, limit),
        )
        return [_tab(row) for row in rows]

    async def next_events_tab_sync(self, shards: Shards | None = None) -> str | None:
        row = await self._one(
            "SELECT min(next_sync_utc) FROM events_tab WHERE next_sync_utc IS NOT NULL"
            f"{_shard_filter(shards)}"
        )
        return None if row is None or row[0] is None else str(row[0])

    async def events_tabs_enabled(self) -> bool:
        """Whether any server has the tab on (else a pass has nothing to follow changes for)."""
        return await self._one("SELECT 1 FROM events_tab WHERE enabled = 1 LIMIT 1") is not None

    async def events_tabs_due_now(self, guild_ids: Sequence[int] | None, now_utc: str) -> None:
        """Make these servers (None: every server with the tab on) due a sync now: their
        chronology changed. A server already due sooner stays as it is."""
        where = ""
        params: tuple[Any, ...] = (now_utc, now_utc)
        if guild_ids is not None:
            if not guild_ids:
                return
            where = f" AND guild_id IN ({', '.join('?' for _ in guild_ids)})"
            params = (*params, *guild_ids)
        async with self.transaction() as db:
            await db.execute(
                "UPDATE events_tab SET next_sync_utc = ? WHERE enabled = 1"
                f" AND (next_sync_utc IS NULL OR next_sync_utc > ?){where}",
                params,
            )

    async def events_tab_synced(
        self, guild_id: int, *, next_sync_utc: str | None, error: str | None, now_utc: str
    ) -> None:
        """A sync's outcome: when to look again (None: not until it is turned on again), and the
        error it ran into (None: it went through, and any earlier error is forgotten)."""
        async with self.transaction() as db:
            if error is None:
                await db.execute(
                    "UPDATE events_tab SET next_sync_utc = ?, synced_at = ?, last_error = NULL,"
                    " error_at = NULL WHERE guild_id = ?",
                    (next_sync_utc, now_utc, guild_id),
                )
            else:
                await db.execute(
                    "UPDATE events_tab SET next_sync_utc = ?, last_error = ?, error_at = ?"
                    " WHERE guild_id = ?",
                    (next_sync_utc, error, now_utc, guild_id),
                )

    # -- the rows, one per anniversary kept in the tab ---------------------------------------

    async def tab_rows(self, guild_id: int) -> list[TabRow]:
        rows = await self._all(
            f"SELECT {_ROW_COLUMNS} FROM scheduled_events WHERE guild_id = ? ORDER BY local_date, event_id",
            (guild_id,),
        )
        return [_row(row) for row in rows]

    async def claim_tab_event(
        self, guild_id: int, key: TabKey, *, now_utc: str, held_since: str, enabled: bool = True
    ) -> bool:
        """Claim one anniversary's scheduled event before creating it. False when it needs no
        creating (already made, or deleted by a person), when another process claimed it after
        `held_since` and may be creating it now, or when the tab was turned off meanwhile: only
        a claim older than that (its holder dead, or slower than any create may be) is taken over,
        and only after the caller has looked in Discord for what that holder may have made."""
        event_id, local_date = key
        async with self.transaction() as db:
            setting = await db.value("SELECT enabled FROM events_tab WHERE guild_id = ?", (guild_id,))
            if bool(setting) != enabled:
                return False
            rows = await db.fetch(
                "SELECT state, claimed_at FROM scheduled_events"
                " WHERE guild_id = ? AND event_id = ? AND local_date = ?",
                (guild_id, event_id, local_date),
            )
            state, claimed_at = next(iter(rows), (None, None))
            if state is not None and (state != "claimed" or (claimed_at or "") > held_since):
                return False
            await db.execute(
                "INSERT INTO scheduled_events (guild_id, event_id, local_date, state, claimed_at, updated_at)"
                " VALUES (:guild, :event, :day, 'claimed', :now, :now)"
                " ON CONFLICT (guild_id, event_id, local_date) DO UPDATE SET state = 'claimed',"
                " discord_id = NULL, claimed_at = :now, updated_at = :now",
                {"guild": guild_id, "event": event_id, "day": local_date, "now": now_utc},
            )
        return True

    async def record_tab_event(
        self, guild_id: int, key: TabKey, *, discord_id: int, fingerprint: str, start_utc: str
    ) -> None:
        """The scheduled event exists in Discord with this id and says what `fingerprint` sums up
        (after a create, an update, or finding it made before a crash)."""
        event_id, local_date = key
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO scheduled_events (guild_id, event_id, local_date, state, discord_id,"
                " fingerprint, start_utc, updated_at) VALUES (:guild, :event, :day, 'created', :id,"
                " :print, :start, :now) ON CONFLICT (guild_id, event_id, local_date) DO UPDATE SET"
                " state = 'created', discord_id = :id, fingerprint = :print, start_utc = :start,"
                " updated_at = :now",
                {
                    "guild": guild_id,
                    "event": event_id,
                    "day": local_date,
                    "id": discord_id,
                    "print": fingerprint,
                    "start": start_utc,
                    "now": utc_now(),
                },
            )

    async def tab_event_gone(self, guild_id: int, key: TabKey) -> None:
        """A person deleted the scheduled event by hand: it is not made again for that day."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE scheduled_events SET state = 'gone', discord_id = NULL, updated_at = ?"
                " WHERE guild_id = ? AND event_id = ? AND local_date = ?",
                (utc_now(), guild_id, *key),
            )

    async def forget_tab_events(self, guild_id: int, keys: Sequence[TabKey]) -> None:
        """Forget rows whose scheduled events are deleted (or were never made)."""
        async with self.transaction() as db:
            await db.executemany(
                "DELETE FROM scheduled_events WHERE guild_id = ? AND event_id = ? AND local_date = ?",
                [(guild_id, event_id, day) for event_id, day in keys],
            )

    async def release_tab_claim(self, guild_id: int, key: TabKey, claimed_at: str) -> None:
        """Give up a claim of ours whose create Discord refused outright (nothing was made)."""
        async with self.transaction() as db:
            await db.execute(
                "DELETE FROM scheduled_events WHERE guild_id = ? AND event_id = ? AND local_date = ?"
                " AND state = 'claimed' AND claimed_at = ?",
                (guild_id, *key, claimed_at),
            )
