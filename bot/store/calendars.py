"""Each server's calendar link (migration 012): its secret token and what the feed holds.

The token is stored as it is, so `/events calendar` can show the same link again without
resetting it, and beside it its SHA-256, by which a request is looked up: the database compares
digests, so the time a lookup takes says nothing about how close a guessed token came.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from bot.store.base import StoreBase, utc_now

_COLUMNS = "guild_id, token, with_bundled, title"
DEFAULT_TITLE = "Almanac chronology"  # as an export is named outside a server


@dataclass(frozen=True)
class CalendarToken:
    guild_id: int
    token: str
    with_bundled: bool  # the bundled chronology too (as this server sees it), or its own events only
    title: str  # the calendar's name in the subscriber's app


def token_digest(token: str) -> str:
    """What a token is looked up by: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _token(row: Any) -> CalendarToken:
    return CalendarToken(int(row[0]), str(row[1]), bool(row[2]), str(row[3]))


class CalendarTokens(StoreBase):
    async def calendar_token(self, guild_id: int) -> CalendarToken | None:
        row = await self._one(f"SELECT {_COLUMNS} FROM calendar_tokens WHERE guild_id = ?", (guild_id,))
        return None if row is None else _token(row)

    async def calendar_by_token(self, token: str) -> CalendarToken | None:
        """The server whose link holds `token`, or None (a wrong or replaced token)."""
        row = await self._one(
            f"SELECT {_COLUMNS} FROM calendar_tokens WHERE token_hash = ?", (token_digest(token),)
        )
        return None if row is None else _token(row)

    async def keep_calendar_token(
        self,
        guild_id: int,
        token: str,
        *,
        title: str | None = None,
        actor: int | None = None,
        replace: bool = False,
        with_bundled: bool | None = None,
    ) -> CalendarToken:
        """The server's token, made from `token` if it has none, or if `replace` (the old link
        stops working in the same transaction). `title` and `with_bundled`, when given, are saved
        too (a server may have been renamed). A new link includes the bundled chronology, as the
        daily post does, and is named DEFAULT_TITLE until a title is given."""
        params = {
            "guild": guild_id,
            "token": token,
            "hash": token_digest(token),
            "bundled": 1 if with_bundled is None else int(with_bundled),
            "title": title or DEFAULT_TITLE,
            "actor": actor,
            "now": utc_now(),
        }
        kept = [
            *(
                ["token = :token", "token_hash = :hash", "created_by = :actor", "created_at = :now"]
                if replace
                else []
            ),
            *([] if title is None else ["title = :title"]),
            *([] if with_bundled is None else ["with_bundled = :bundled"]),
        ]
        on_conflict = f"DO UPDATE SET {', '.join(kept)}" if kept else "DO NOTHING"
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO calendar_tokens"
                " (guild_id, token, token_hash, with_bundled, title, created_by, created_at)"
                " VALUES (:guild, :token, :hash, :bundled, :title, :actor, :now)"
                f" ON CONFLICT (guild_id) {on_conflict}",
                params,
            )
            rows = await db.fetch(f"SELECT {_COLUMNS} FROM calendar_tokens WHERE guild_id = ?", (guild_id,))
        return _token(rows[0])
