"""A server's post time and time zone: checking what a moderator types, and local time."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo

from bot.i18n.errors import UserError
from bot.i18n.messages import said

_TIME = re.compile(r"([01]?\d|2[0-3])[:.h]([0-5]\d)")


# -- validating what a moderator types --------------------------------------------------------


def parse_post_time(text: str) -> str:
    match = _TIME.fullmatch(text.strip().lower())
    if match is None:
        raise UserError(said("Give the time as HH:MM on a 24-hour clock, for example `09:00` or `18:30`."))
    return f"{int(match[1]):02d}:{int(match[2]):02d}"  # `\d` also matches ٣: store ASCII digits


@functools.cache
def all_timezones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def check_timezone(name: str) -> zoneinfo.ZoneInfo:
    cleaned = name.strip()
    lookup = {zone.lower(): zone for zone in all_timezones()}
    if cleaned.lower() not in lookup:
        shown = " ".join(cleaned.replace("`", "'").split())[:40]  # quoted on one line, in one code span
        raise UserError(
            said("`{zone}` is not a time zone I know; pick one like `Europe/Moscow` or `UTC`.", zone=shown)
        )
    return zoneinfo.ZoneInfo(lookup[cleaned.lower()])


# -- local time ------------------------------------------------------------------------------------


def post_instant(local_date: dt.date, post_time: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant of `post_time` on `local_date`. A time skipped by a spring-forward change
    (02:30 that never happens) resolves to the same distance after the gap, once; a time that
    happens twice in autumn takes the first (fold=0)."""
    hour, minute = (int(part) for part in post_time.split(":"))
    local = dt.datetime.combine(local_date, dt.time(hour, minute), tzinfo=zone)
    return local.astimezone(dt.UTC)


def first_due(now: dt.datetime, post_time: str, zone: zoneinfo.ZoneInfo) -> tuple[dt.date, dt.datetime]:
    """The first post after a setup: today if its time is still ahead, else tomorrow."""
    today = now.astimezone(zone).date()
    instant = post_instant(today, post_time, zone)
    if instant <= now:
        today += dt.timedelta(days=1)
        instant = post_instant(today, post_time, zone)
    return today, instant


def iso(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat(timespec="seconds")


@functools.cache
def zone_named(key: str) -> zoneinfo.ZoneInfo:
    """The zone of a stored key (checked when it was saved), made once per process."""
    return zoneinfo.ZoneInfo(key)
