"""Every SQL statement of the project lives in this package, behind plain async methods."""

from bot.store.base import BUSY, ConflictError, StoreError, advice, utc_now
from bot.store.bundled import BundledSync
from bot.store.calendars import CalendarToken, CalendarTokens
from bot.store.changes import Change, ChangeFeed
from bot.store.engines.common import is_busy
from bot.store.events_tab.scheduled_events import EventsTabData, TabKey, TabRow, TabSettings
from bot.store.guilds import AuditEntry, GuildData
from bot.store.posts.digests import DigestData, DigestRecord
from bot.store.posts.records import PostRecord, PostRecords
from bot.store.posts.settings import PostData, PostSettings, Shards
from bot.store.reads import EventReads
from bot.store.rows import DayMatch, DayMatches, SpanEvents


class Store(
    BundledSync,
    EventReads,
    GuildData,
    PostData,
    PostRecords,
    DigestData,
    ChangeFeed,
    CalendarTokens,
    EventsTabData,
):
    """The database: open with `await Store.open(path)`, close with `await store.close()`."""


__all__ = [
    "BUSY",
    "AuditEntry",
    "CalendarToken",
    "Change",
    "ConflictError",
    "DayMatch",
    "DayMatches",
    "DigestRecord",
    "PostRecord",
    "PostSettings",
    "Shards",
    "SpanEvents",
    "Store",
    "StoreError",
    "TabKey",
    "TabRow",
    "TabSettings",
    "advice",
    "is_busy",
    "utc_now",
]
