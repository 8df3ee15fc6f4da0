"""Each server's calendar feed: its secret link, and the ICS file behind it.

The file is the one `/events export format:ics` writes (`write_ics` over `Curation.chronology`),
with the events in the server's post language (English when it chose none), as its daily post
shows them. Writing 10,000 events takes a good part of a second, and calendar apps ask again and
again for the same file, so each file is kept, with its digest (the ETag), until the database's
change feed moves on or the server's link, title or language changes: a repeated request costs
three small reads.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import hashlib
import re
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.curation.ics import write_ics
from bot.curation.service import Curation
from bot.i18n.languages import SOURCE_LANGUAGE
from bot.model.event import Event
from bot.render.localize import event_in
from bot.store import CalendarToken, Store

TOKEN_BYTES = 24  # 192 random bits: 32 URL-safe characters, beyond any guessing
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")  # anything else is not worth a database read
KEPT_FEEDS = 32  # files kept in memory at once (a 10,000-event file is a few MB)


@dataclass(frozen=True)
class CalendarLink:
    """A server's two links to the same feed: `webcal://` opens the calendar app and subscribes;
    the other is for pasting into a calendar's "subscribe by URL" box."""

    https: str
    webcal: str
    with_bundled: bool


@dataclass(frozen=True)
class Feed:
    body: bytes
    gzipped: bytes  # the same bytes compressed once, for every client that accepts gzip
    etag: str  # the digest of `body`: the same file, the same tag, whichever process wrote it


Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def links(base: str, token: str, with_bundled: bool = True) -> CalendarLink:
    """The links under `base` (CALENDAR_BASE_URL, or http://localhost:PORT)."""
    address = f"{base.rstrip('/')}/calendar/{token}.ics"
    return CalendarLink(address, re.sub(r"^https?://", "webcal://", address), with_bundled)


class CalendarFeeds:
    """Tokens and feeds over the store; `now` is the clock a file's DTSTAMP is taken from."""

    def __init__(self, store: Store, curation: Curation, *, now: Clock = _utc_now) -> None:
        self._store = store
        self._curation = curation
        self._now = now
        self._kept: OrderedDict[int, tuple[tuple[object, ...], Feed]] = OrderedDict()
        self._writing: dict[tuple[object, ...], asyncio.Future[Feed]] = {}

    async def link(
        self,
        guild_id: int,
        base: str,
        *,
        title: str | None = None,
        actor: int | None = None,
        reset: bool = False,
        with_bundled: bool | None = None,
    ) -> CalendarLink:
        """The server's links, its token made on first use; `reset` replaces the token, and the
        old link stops working at once."""
        kept = await self._store.keep_calendar_token(
            guild_id, new_token(), title=title, actor=actor, replace=reset, with_bundled=with_bundled
        )
        return links(base, kept.token, kept.with_bundled)

    async def feed(self, token: str) -> Feed | None:
        """The calendar file behind `token`, or None for a token no server holds."""
        if not TOKEN_SHAPE.fullmatch(token):
            return None
        found = await self._store.calendar_by_token(token)
        if found is None:
            return None
        settings = await self._store.post_settings(found.guild_id)
        language = (settings.language if settings else None) or SOURCE_LANGUAGE
        key = (found.with_bundled, found.title, language, await self._store.latest_change())
        kept = self._kept.get(found.guild_id)
        if kept is not None and kept[0] == key:
            self._kept.move_to_end(found.guild_id)
            return kept[1]
        return await self._written(found, language, key)

    async def _written(self, found: CalendarToken, language: str, key: tuple[object, ...]) -> Feed:
        """One file written per server and state, however many ask for it at the same moment."""
        writing_key = (found.guild_id, *key)
        pending = self._writing.get(writing_key)
        if pending is not None:
            return await asyncio.shield(pending)
        pending = asyncio.get_running_loop().create_future()
        self._writing[writing_key] = pending
        try:
            events = await self._curation.chronology(found.guild_id, with_bundled=found.with_bundled)
            now = self._now()
            # the writing is CPU work: on a thread, so the bot's other work is not held up meanwhile
            feed = await asyncio.to_thread(_write, events, language, found.title, now)
        except asyncio.CancelledError:
            pending.cancel()
            raise
        except Exception as error:
            pending.set_exception(error)
            pending.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        finally:
            del self._writing[writing_key]
        pending.set_result(feed)
        self._kept[found.guild_id] = (key, feed)
        self._kept.move_to_end(found.guild_id)
        while len(self._kept) > KEPT_FEEDS:
            self._kept.popitem(last=False)
        return feed


def _write(events: list[Event], language: str, title: str, now: dt.datetime) -> Feed:
    body = write_ics([event_in(event, language) for event in events], title, now).data
    digest = hashlib.sha256(body).hexdigest()[:32]
    return Feed(body, gzip.compress(body, compresslevel=6, mtime=0), digest)
