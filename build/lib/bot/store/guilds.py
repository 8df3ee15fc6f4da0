"""Per-server data: settings and the audit log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.model.kinds import AuditAction
from bot.store.base import StoreBase, utc_now


@dataclass(frozen=True)
class AuditEntry:
    id: int
    event_id: int | None
    actor_id: int | None
    action: AuditAction
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: str


class GuildData(StoreBase):
    # -- settings and audit --------------------------------------------------------------------

    async def guild_timezone(self, guild_id: int) -> str:
        row = await self._one("SELECT timezone FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return "UTC" if row is None else str(row[0])

    async def curator_role(self, guild_id: int) -> int | None:
        row = await self._one("SELECT curator_role_id FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return None if row is None or row[0] is None else int(row[0])

    async def audit_entries(self, guild_id: int, event_id: int | None, limit: int) -> list[AuditEntry]:
        condition = "" if event_id is None else " AND event_id = :event"
        rows = await self._all(
            "SELECT id, event_id, actor_id, action, before, after, at FROM audit_log"
            f" WHERE guild_id = :guild{condition} ORDER BY id DESC LIMIT :limit",
            {"guild": guild_id, "event": event_id, "limit": limit},
        )
        return [
            AuditEntry(
                row[0],
                row[1],
                row[2],
                AuditAction(row[3]),
                None if row[4] is None else json.loads(row[4]),
                None if row[5] is None else json.loads(row[5]),
                row[6],
            )
            for row in rows
        ]

    # -- curation (the curator role, logged) ------------------------------------------------------

    async def change_curator_role(self, guild_id: int, role_id: int | None, actor: int | None) -> int | None:
        """Name (or clear) the curator role and log who did it; returns the role it replaces."""
        async with self.transaction() as db:
            rows = await db.fetch(
                "SELECT curator_role_id FROM guild_settings WHERE guild_id = ?", (guild_id,)
            )
            previous = next((int(row[0]) for row in rows if row[0] is not None), None)
            now = utc_now()
            await db.execute(
                "INSERT INTO guild_settings (guild_id, curator_role_id, updated_by, updated_at)"
                " VALUES (:guild, :role, :actor, :now) ON CONFLICT (guild_id) DO UPDATE SET"
                " curator_role_id = :role, updated_by = :actor, updated_at = :now",
                {"guild": guild_id, "role": role_id, "actor": actor, "now": now},
            )
            await db.execute(
                "INSERT INTO audit_log (guild_id, event_id, actor_id, action, before, after, at)"
                " VALUES (?, NULL, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    actor,
                    AuditAction.CURATOR_ROLE,
                    json.dumps({"role": previous}),
                    json.dumps({"role": role_id}),
                    now,
                ),
            )
        return previous
