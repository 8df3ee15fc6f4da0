"""The change feed (migration 008): what changed since a process last looked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.store.base import SET_META, StoreBase

FEED_BATCH = 5000  # changes read at a time
PRUNED_THROUGH = "changes_pruned_through"  # meta: the newest change pruning has deleted


@dataclass(frozen=True)
class Change:
    seq: int
    kind: str  # "event" or "hidden"
    event_id: int
    scope: int  # the event's scope; for "hidden", the server that hid or unhid it


class ChangeFeed(StoreBase):
    async def latest_change(self) -> int:
        """The newest change's number (0 for none): a process that indexes after reading it
        needs only the changes after it. Never below the newest pruned: once pruning has deleted
        every change, a process that indexes now has seen that far, not missed any of them."""
        row = await self._one("SELECT COALESCE(MAX(seq), 0) FROM changes")
        return max(int(row[0]), await self.pruned_through())

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
            # remembered first, so that a process that had not read them yet knows it missed them
            newest = await db.value("SELECT MAX(seq) FROM changes WHERE at < ?", (cutoff,))
            if newest is None:
                return 0
            await db.execute(SET_META, (PRUNED_THROUGH, str(newest)))
            return int(await db.execute("DELETE FROM changes WHERE seq <= ?", (newest,)))

    async def pruned_through(self) -> int:
        """The newest change pruning has deleted (0: none yet): a process that has seen less
        than this missed changes it can no longer read, and must index afresh."""
        found = await self.get_meta(PRUNED_THROUGH)
        return int(found) if found else 0
