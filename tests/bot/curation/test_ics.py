"""The anniversaries as an iCalendar file (bot/curation/ics.py), read back with the icalendar
library and expanded by dateutil's RFC 5545 recurrence rules, as a calendar app would."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import icalendar
from dateutil.rrule import rrulestr

from bot.chronology.reader import DEFAULT_DATA_FILE, load_chronology
from bot.curation.ics import write_ics
from bot.model.event import BUNDLED_SCOPE, Event, EventFields

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def event(number: int, date: str, title: str, scope: int = 5, **extra: Any) -> Event:
    fields = EventFields.from_mapping({"id": f"event-{number}", "date": date, "title": title} | extra)
    return Event(id=number, scope=scope, fields=fields)


def entries(events: list[Event]) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(write_ics(events, "Test", NOW).data)
    return list(calendar.walk("VEVENT"))


def occurrences(entry: icalendar.Event, first: int, last: int) -> list[dt.date]:
    """The days a calendar shows it on from `first` to `last`, by its RRULE."""
    start = entry.decoded("dtstart")
    rule = rrulestr(entry["rrule"].to_ical().decode(), dtstart=dt.datetime.combine(start, dt.time()))
    window = (dt.datetime(first, 1, 1), dt.datetime(last, 12, 31))
    return [moment.date() for moment in rule.between(*window, inc=True)]


def test_every_day_precise_bundled_event_recurs_once_a_year_on_its_day() -> None:
    bundled = [
        Event(id=n, scope=BUNDLED_SCOPE, fields=fields)
        for n, fields in enumerate(load_chronology(DEFAULT_DATA_FILE).events, start=1)
    ]
    feed = write_ics(bundled, "Almanac", NOW)
    day_precise = [item for item in bundled if item.date.is_day_precise()]

    assert feed.included == len(day_precise) and feed.left_out == len(bundled) - len(day_precise)
    found = list(icalendar.Calendar.from_ical(feed.data).walk("VEVENT"))
    uids = Counter(str(entry["uid"]) for entry in found)
    assert all(count == 1 for count in uids.values())
    for item in day_precise:
        mine = [
            entry for entry in found if str(entry["uid"]).endswith(f"{item.fields.slug}.0@almanac.chronology")
        ]
        assert len(mine) == (1 if item.date.span_days() <= 7 else 2), item.title
        for entry in mine:
            days = occurrences(entry, 2027, 2030)
            assert len(days) == 4 and len({day.year for day in days}) == 4  # once a year
            assert entry.decoded("dtstart") in (item.date.first_day(), item.date.last_day())


def test_a_short_range_spans_its_days_and_a_long_one_is_remembered_at_each_end() -> None:
    (astrakhan,) = entries([event(1, "1919-03-12/1919-03-14", "Astrakhan killings")])
    assert astrakhan.decoded("dtend") - astrakhan.decoded("dtstart") == dt.timedelta(days=3)
    assert str(astrakhan["summary"]) == "Astrakhan killings (1919)"

    began, ended = entries([event(2, "1921-02-28/1921-03-19", "Kronstadt rebellion")])
    assert (str(began["summary"]), began.decoded("dtstart")) == (
        "Kronstadt rebellion: began (1921)",
        dt.date(1921, 2, 28),
    )
    assert (str(ended["summary"]), ended.decoded("dtstart")) == (
        "Kronstadt rebellion: ended (1921)",
        dt.date(1921, 3, 19),
    )
    assert began["uid"] != ended["uid"]
    assert all(
        entry.decoded("dtend") - entry.decoded("dtstart") == dt.timedelta(days=1) for entry in (began, ended)
    )


def test_29_february_is_remembered_on_28_february_in_common_years() -> None:
    (leap,) = entries([event(1, "1920-02-29", "A leap-day strike")])

    assert occurrences(leap, 2027, 2028) == [dt.date(2027, 2, 28), dt.date(2028, 2, 29)]


def test_month_and_year_only_events_are_left_out_and_counted() -> None:
    feed = write_ics(
        [event(1, "1918-03", "March only"), event(2, "1919", "A year"), event(3, "1919-03-16", "A day")],
        "T",
        NOW,
    )

    assert (feed.included, feed.left_out) == (1, 2)
    assert [str(entry["summary"]) for entry in icalendar.Calendar.from_ical(feed.data).walk("VEVENT")] == [
        "A day (1919)"
    ]


def test_the_same_events_keep_their_uids_so_a_reimport_updates_them() -> None:
    first = [
        str(entry["uid"])
        for entry in entries([event(1, "1919-03-16", "Strike"), event(2, "1920-05-01", "May")])
    ]
    edited = [
        str(entry["uid"])
        for entry in entries([event(1, "1919-03-17", "Strike, redated"), event(2, "1920-05-01", "May")])
    ]

    assert first == edited and len(set(first)) == 2
    other_server = entries([event(1, "1919-03-16", "Strike", scope=6)])
    assert str(other_server[0]["uid"]) not in first  # another server's event of the same id is another event


def test_the_description_carries_the_date_summary_and_source_and_a_link_its_url() -> None:
    (entry,) = entries(
        [
            event(
                1,
                "1917-11-07",
                "Rising",
                summary="Petrograd rose; commas, too.",
                source="https://example.org/a",
            )
        ]
    )
    description = str(entry["description"])

    assert description.startswith("7 November 1917") and "Petrograd rose; commas, too." in description
    assert str(entry["url"]) == "https://example.org/a" and entry["transp"] == "TRANSPARENT"


def test_any_stored_text_exports_to_a_calendar_that_parses() -> None:
    """A source with a line break, controls in a title or summary: the file is still one calendar
    of one event, the bad address is left out, and no control character is written."""
    hostile = [
        event(1, "1921-03-01", "T\x07itle\r\nBEGIN:VEVENT", summary="s\r\nEND:VCALENDAR\x00", source=source)
        for source in ("https://e.com/\r\nX-EVIL:1", "https://e.com/a b", "https://e.com/\x1b]52;c;x\x07")
    ]
    for one in hostile:
        data = write_ics([one], "Almanac", NOW).data
        calendar = icalendar.Calendar.from_ical(data)
        [entry] = calendar.walk("VEVENT")
        assert entry.get("url") is None and "X-EVIL" not in entry
        assert not any(byte < 0x20 and byte not in b"\r\n" for byte in data), data
    good = event(2, "1921-03-01", "Fine", source="https://example.org/page")
    assert str(entries([good])[0]["url"]) == "https://example.org/page"
