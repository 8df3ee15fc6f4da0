"""The change feed (migration 008): what changed since a process last looked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.store.base import StoreBase

FEED_BATCH = 5000  # changes read at a time


@dataclass(frozen=True)
class Change:
    seq: int
    kind: str  # "event" or "hidden"
    event_id: int
    scope: int  # the event's scope; for "hidden", the server that hid or unhid it


class ChangeFeed(StoreBase):
    async def latest_change(self) -> int:
        """The newest change's number (0 for none): a process that indexes after reading it
        needs only the changes after it."""
        row = await self._one("SELECT COALESCE(MAX(seq), 0) FROM changes")
        return int(row[0])

    async def changes_after(self, seq: int, limit: int = FEED_BATCH) -> list[Change]:
        rows = await self._all(
            "SELECT seq, kind, event_id, scope FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)
        )
        return [Change(*row) for row in rows]

    async def prune_changes(self, older_than: dt.timedelta) -> int:
        """Forget changes older than `older_than`: a process away that long rebuilds its index
        when it starts again, rather than reading them."""
        cutoff = (dt.datetime.now(dt.UTC) - older_than).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        async with self.transaction() as db:
            return int(await db.execute("DELETE FROM changes WHERE at < ?", (cutoff,)))
