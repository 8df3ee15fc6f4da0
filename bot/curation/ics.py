"""The chronology's anniversaries as an iCalendar file (RFC 5545) that any calendar app subscribes to
or imports: `/events export format:ics` and `almanac export --format ics`.

Every day-precise event becomes an all-day event recurring yearly from its own year, by the same
rule as the daily post: a range of up to LONGEST_ANNIVERSARY_SPAN days is one multi-day event;
a longer one is remembered on its first day and on its last, as two events. 29 February recurs
on the last day of February (the 28th in common years), as `/onthisday` remembers it. Month- and
year-only dates have no day to recur on and are left out; the file says how many.

Each event's UID is made from its id and scope, so importing the file again updates the events
instead of adding them twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot import __version__
from bot.dates.partial import LONGEST_ANNIVERSARY_SPAN
from bot.i18n.messages import Text, said_n
from bot.model.event import Event

if TYPE_CHECKING:
    import icalendar

UID_DOMAIN = "almanac.chronology"


@dataclass(frozen=True)
class CalendarFile:
    data: bytes
    included: int  # events in the calendar (a long range counts once, for its two days)
    left_out: int  # events dated to a month or a year only


def left_out_of_calendar(count: int) -> Text:
    """What an export says of the events a calendar cannot hold."""
    return said_n(
        "{count} event left out: its date is a month or a year, with no day to recur on.",
        "{count} events left out: their dates are months or years, with no day to recur on.",
        count,
    )


def write_ics(events: Sequence[Event], title: str, now: dt.datetime) -> CalendarFile:
    import icalendar  # here: `almanac ask` and the bot's start need none of it

    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//Almanac//Almanac {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", title)
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    # each event written on its own and the file put together from the pieces: the library's
    # one call for a whole calendar of 20,000 events would hold the interpreter for a second
    head, end = calendar.to_ical().split(b"END:VCALENDAR")
    pieces, included = [head], 0
    for event in events:
        if not event.date.is_day_precise():
            continue
        included += 1
        pieces += [entry.to_ical() for entry in _entries(event, stamp)]
    pieces.append(b"END:VCALENDAR" + end)
    return CalendarFile(b"".join(pieces), included, len(events) - included)


def _entries(event: Event, stamp: dt.datetime) -> Iterator[icalendar.Event]:
    date, uid = event.date, f"{event.fields.slug}.{event.scope}@{UID_DOMAIN}"
    year = date.first_day().year
    if date.span_days() <= LONGEST_ANNIVERSARY_SPAN:
        yield _entry(uid, f"{event.title} ({year})", date.first_day(), date.last_day(), event, stamp)
        return
    yield _entry(f"began-{uid}", f"{event.title}: began ({year})", date.first_day(), None, event, stamp)
    ended = date.last_day()
    yield _entry(f"ended-{uid}", f"{event.title}: ended ({ended.year})", ended, None, event, stamp)


def _entry(
    uid: str, summary: str, first: dt.date, last: dt.date | None, event: Event, stamp: dt.datetime
) -> icalendar.Event:
    import icalendar

    entry = icalendar.Event()
    entry.add("uid", uid)
    entry.add("dtstamp", stamp)
    entry.add("summary", _plain(summary))
    entry.add("dtstart", first)
    entry.add("dtend", (last or first) + dt.timedelta(days=1))  # all-day: DTEND is the day after
    rule: dict[str, object] = {"freq": "yearly"}
    if (first.month, first.day) == (2, 29):
        rule |= {"bymonth": 2, "bymonthday": -1}  # the last day of February: the 28th in common years
    entry.add("rrule", rule)
    entry.add("description", _plain(_description(event)))
    entry.add("transp", "TRANSPARENT")  # an anniversary does not make anyone busy
    if _web_address(event.fields.source):
        entry.add("url", event.fields.source)
    return entry


def _web_address(source: str) -> bool:
    """A source that is one http(s) address and nothing else: an RFC 5545 URI may hold no
    space, line break or control character, so a source with any is left to the description."""
    return source.startswith(("https://", "http://")) and all(" " < char < "\x7f" for char in source)


_CONTROLS = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
)  # every C0 and C1 control but tab and line breaks


def _plain(text: str) -> str:
    """Text as a calendar may hold it: line breaks as `\n` (which icalendar escapes), no other
    control characters, which RFC 5545 forbids in text and some apps choke on."""
    return "\n".join(text.splitlines()).translate(_CONTROLS)


def _description(event: Event) -> str:
    fields = event.fields
    lines = [event.date.display()]
    if old_style := event.old_style():
        lines[0] += f" ({old_style})"
    if fields.summary:
        lines += ["", fields.summary]
    if fields.source:
        lines += ["", f"Source: {fields.source}"]
    return "\n".join(lines)
