"""Daily anniversary posts: each server's posting settings and when its next post is due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.model.event import BUNDLED_SCOPE
from bot.model.kinds import Digest, EmptyDay
from bot.store.base import StoreBase, utc_now

_SETTINGS_COLUMNS = (
    "guild_id, channel_id, post_time, timezone, mention_role_id, empty_day, posts_enabled,"
    " due_local_date, next_due_utc, posts_version, post_language, post_intro,"
    " digest, digest_weekday, digest_period, digest_next_utc"
)


@dataclass(frozen=True)
class PostSettings:
    guild_id: int
    channel_id: int | None
    post_time: str | None  # local HH:MM
    timezone: str
    mention_role_id: int | None
    empty_day: EmptyDay
    enabled: bool
    due_local_date: str | None
    next_due_utc: str | None
    version: int = 0  # bumped by every saved change; the scheduler reschedules only while unchanged
    language: str | None = None  # the post's language; None follows the server's own
    intro: str | None = None  # the moderator's line above each post, with {date} and {count}
    digest: Digest = Digest.OFF  # the weekly or monthly post; `enabled` is the daily one's
    digest_weekday: int = 0  # a weekly digest's day: 0 Monday … 6 Sunday
    digest_period: str | None = None  # the first local day the next digest covers
    digest_next_utc: str | None = None


@dataclass(frozen=True)
class Shards:
    """The shards one process runs: Discord puts a server on shard (id >> 22) % count."""

    count: int
    ids: tuple[int, ...]

    def serves(self, scope: int) -> bool:
        """Whether this process answers for `scope`: the bundled chronology (0) everywhere, a
        server only on the process running its shard."""
        return scope == BUNDLED_SCOPE or (scope >> 22) % self.count in self.ids


def _shard_filter(shards: Shards | None) -> str:
    if shards is None:
        return ""
    # both are integers from the settings, never user text
    ids = ", ".join(str(int(shard)) for shard in shards.ids)
    return f" AND ((guild_id >> 22) % {int(shards.count)}) IN ({ids})"


def _settings(row: Any) -> PostSettings:
    return PostSettings(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        EmptyDay(row[5]),
        bool(row[6]),
        row[7],
        row[8],
        row[9],
        row[10],
        row[11],
        Digest(row[12]),
        row[13],
        row[14],
        row[15],
    )


class PostData(StoreBase):
    async def post_settings(self, guild_id: int) -> PostSettings | None:
        row = await self._one(
            f"SELECT {_SETTINGS_COLUMNS} FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else _settings(row)

    async def post_settings_of(self, guild_ids: Sequence[int]) -> dict[int, PostSettings]:
        """Many servers' settings at once, by server."""
        if not guild_ids:
            return {}
        rows = await self._all(
            f"SELECT {_SETTINGS_COLUMNS} FROM guild_settings"
            f" WHERE guild_id IN ({', '.join('?' for _ in guild_ids)})",
            tuple(guild_ids),
        )
        return {settings.guild_id: settings for settings in map(_settings, rows)}

    async def save_post_settings(
        self,
        settings: PostSettings,
        actor: int | None,
        *,
        missed_days: Sequence[str] = (),
        missed_reason: str = "",
    ) -> None:
        """Save a moderator's change (bumping the version, so a pass that read the old settings
        cannot overwrite it). `missed_days` are local days the change leaves unposted: each is
        recorded as missed with `missed_reason`, unless the day already has a row of its own."""
        async with self.transaction() as db:
            await db.executemany(
                "INSERT INTO daily_posts (guild_id, local_date, state, nonce, last_error, finished_at)"
                " VALUES (?, ?, 'missed', '', ?, ?) ON CONFLICT (guild_id, local_date) DO NOTHING",
                [(settings.guild_id, day, missed_reason, utc_now()) for day in missed_days],
            )
            await db.execute(
                "INSERT INTO guild_settings (guild_id, channel_id, post_time, timezone, mention_role_id,"
                " empty_day, posts_enabled, due_local_date, next_due_utc, post_language, post_intro,"
                " digest, digest_weekday, digest_period, digest_next_utc,"
                " updated_by, updated_at) VALUES (:guild, :channel, :time, :zone, :role, :empty, :enabled,"
                " :due_date, :due, :language, :intro, :digest, :weekday, :period, :digest_due, :actor, :now)"
                " ON CONFLICT (guild_id) DO UPDATE SET channel_id = :channel,"
                " post_time = :time, timezone = :zone, mention_role_id = :role, empty_day = :empty,"
                " posts_enabled = :enabled, due_local_date = :due_date, next_due_utc = :due,"
                " post_language = :language, post_intro = :intro, digest = :digest,"
                " digest_weekday = :weekday, digest_period = :period, digest_next_utc = :digest_due,"
                " posts_version = guild_settings.posts_version + 1, updated_by = :actor, updated_at = :now",
                {
                    "guild": settings.guild_id,
                    "channel": settings.channel_id,
                    "time": settings.post_time,
                    "zone": settings.timezone,
                    "role": settings.mention_role_id,
                    "empty": settings.empty_day,
                    "enabled": int(settings.enabled),
                    "due_date": settings.due_local_date,
                    "due": settings.next_due_utc,
                    "language": settings.language,
                    "intro": settings.intro,
                    "digest": settings.digest,
                    "weekday": settings.digest_weekday,
                    "period": settings.digest_period,
                    "digest_due": settings.digest_next_utc,
                    "actor": actor,
                    "now": utc_now(),
                },
            )

    async def due_posts(self, now_utc: str, limit: int, shards: Shards | None = None) -> list[PostSettings]:
        """Servers whose next post is due: one query on a partial index, never a scan of all settings.
        `shards` keeps a process that runs some of the bot's shards to the servers on them."""
        rows = await self._all(
            f"SELECT {_SETTINGS_COLUMNS} FROM guild_settings WHERE posts_enabled = 1"
            f" AND next_due_utc <= ?{_shard_filter(shards)} ORDER BY next_due_utc LIMIT ?",
            (now_utc, limit),
        )
        return [_settings(row) for row in rows]

    async def next_due_at(self, shards: Shards | None = None) -> str | None:
        """The earliest next post of any server, daily or digest (each partial index answers its
        half): the one loop that sends both sleeps until then."""
        only = _shard_filter(shards)
        row = await self._one(
            "SELECT min(due) FROM ("
            f"SELECT min(next_due_utc) AS due FROM guild_settings WHERE posts_enabled = 1{only}"
            f" UNION ALL SELECT min(digest_next_utc) FROM guild_settings WHERE digest != 'off'{only}"
            ") AS earliest"
        )
        return None if row is None or row[0] is None else str(row[0])

    async def reschedule_post(
        self, guild_id: int, due_local_date: str, next_due_utc: str, version: int
    ) -> bool:
        """Move the next post, only if the settings are still at `version` (those the times were
        computed from). False when a moderator changed them meanwhile: their change stands."""
        async with self.transaction() as db:
            changed = await db.execute(
                "UPDATE guild_settings SET due_local_date = ?, next_due_utc = ?"
                " WHERE guild_id = ? AND posts_version = ?",
                (due_local_date, next_due_utc, guild_id, version),
            )
            return changed > 0
