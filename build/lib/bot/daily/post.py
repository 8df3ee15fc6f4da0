"""A server's daily post: what it holds, how it is told apart once sent, and who sends it."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from dataclasses import dataclass, replace
from typing import Protocol

from bot.almanac.answers import DayAnswer, DayParts
from bot.almanac.questions import Almanac
from bot.dates.post_times import post_instant
from bot.model.kinds import EmptyDay
from bot.render.localize import localized
from bot.store import PostSettings

LATE_AFTER = dt.timedelta(minutes=5)  # a post sent later than this says so


class PostFailed(Exception):
    """A send that did not happen; the message is the reason shown in `/anniversaries show`."""


@dataclass(frozen=True)
class DailyPost:
    guild_id: int
    local_date: dt.date
    answer: DayAnswer
    late: bool
    mention_role_id: int | None
    language: str | None = None  # the server's chosen language; None: its own (Community) language
    intro: str | None = None  # the moderator's line above the post, placeholders not yet filled

    @property
    def marker(self) -> str:
        return marker_for(self.local_date)


def post_in(post: DailyPost, language: str) -> DailyPost:
    """The post with its events' titles and summaries in `language`, where they have them."""
    return replace(post, answer=localized(post.answer, language))


def marker_for(local_date: dt.date) -> str:
    """Written into the post's footer, so a restart can tell the day was already posted."""
    return f"Almanac daily · {local_date.isoformat()}"


class Sender(Protocol):
    async def send(self, channel_id: int, post: DailyPost, nonce: str) -> int: ...

    async def find_sent(self, channel_id: int, marker: str) -> int | None: ...


def nonce_for(guild_id: int, local_date: dt.date) -> str:
    """The same (server, day) always gets the same nonce (Discord allows 25 characters)."""
    return hashlib.blake2b(f"{guild_id}:{local_date}".encode(), digest_size=12).hexdigest()[:25]


async def build_post(
    almanac: Almanac, settings: PostSettings, day: dt.date, now: dt.datetime | None, zone: zoneinfo.ZoneInfo
) -> DailyPost | None:
    """What the server gets for `day`, or None when the day has nothing and it asked for nothing.
    `now` is None for a preview, which is never late."""
    # a long event's inner days are for /onthisday only: a post would repeat it for weeks; of an
    # empty day's fallbacks, only the one the server chose is looked up
    empty_day = settings.empty_day
    parts = DayParts(ongoing=False, next_day=empty_day is EmptyDay.NEXT, month=empty_day is EmptyDay.MONTH)
    answer = await almanac.on_this_day(settings.guild_id, day.isoformat(), day, parts)
    if not answer.anniversaries and settings.empty_day is EmptyDay.NOTHING:
        return None
    answer = replace(answer, day=replace(answer.day, year=None), reference_year=day.year)
    scheduled = post_instant(day, settings.post_time or "09:00", zone)
    late = now is not None and now - scheduled > LATE_AFTER
    return DailyPost(
        settings.guild_id, day, answer, late, settings.mention_role_id, settings.language, settings.intro
    )
