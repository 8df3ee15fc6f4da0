"""Partial dates: EDTF text in and out, display at the date's own precision, anniversaries, Old Style.

The supported notation is the subset of EDTF (levels 0 and 1) that a chronology needs: a year
(`1918`), a month (`1918-06`), a day (`1917-12-05`), each optionally qualified as uncertain (`?`),
approximate (`~`) or both (`%`), and closed intervals of those (`1919-03-12/1919-03-14`, `1928/1935`).
Seasons, unspecified digits and open intervals are rejected by name.

Parsing is our own because the `edtf` package costs ~8 ms a parse, which turns a 10,000-row import
into minutes; the test suite checks with hypothesis that everything accepted here is valid EDTF
according to that package, so the two cannot drift apart.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from bot.dates.months import MonthName
from bot.i18n.errors import UserError
from bot.i18n.messages import Text, said, said_n

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# The last day Russia counted in the Julian calendar was 31 January 1918 (O.S.); the next day was
# 14 February 1918 in the Gregorian calendar.
GREGORIAN_IN_RUSSIA = dt.date(1918, 2, 14)

# A range of up to this many days is an anniversary on each of its days (the Astrakhan killings
# of 12–14 March); a longer one only on its first and last ("began…", "ended…"), and "under way"
# on the days between, which only /onthisday mentions: a post must not repeat it for three weeks.
LONGEST_ANNIVERSARY_SPAN = 7
# The years Almanac reads, stores and answers about, decided once: Python's calendar ends with
# 9999, and an answer looks up to a year past its day (the next anniversary, /upcoming), so 9998
# is the last year every question about it can be answered in. Every entry refuses the rest.
FIRST_YEAR, LAST_YEAR = 1, 9998

# [0-9], not \d: \d also matches other scripts' digits (`１９１８`), which EDTF does not allow.
_PART = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?(?P<qual>[?~%])?")
_UNSPECIFIED = re.compile(r"[0-9Xx]{4}(?:-[0-9Xx]{2}){0,2}[?~%]?")  # EDTF's `19XX`, `1918-XX`


class DateError(UserError, ValueError):
    """A date the user or a data file gave that we cannot accept; the message is for people."""


class YearOutOfRange(DateError):
    """A well-formed date after LAST_YEAR: what is wrong is the year, not how it was written."""


def no_such_day(typed: str, month: MonthName, days: int) -> Text:
    """`30 февраля` refused, saying how long that February is, in the reader's language."""
    return said_n(
        "`{text}` does not exist: {month} has {count} day.",
        "`{text}` does not exist: {month} has {count} days.",
        days,
        text=typed,
        month=month,
    )


class Precision(IntEnum):
    YEAR = 1
    MONTH = 2
    DAY = 3


@dataclass(frozen=True, order=True)
class PartialDate:
    """One calendar point known to a year, a month or a day (Gregorian calendar)."""

    year: int
    month: int | None = None
    day: int | None = None
    uncertain: bool = False
    approximate: bool = False

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        return Precision.MONTH if self.month is not None else Precision.YEAR

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        if self.day is not None:
            return self.first_day()
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def edtf(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text + _qualifier(self.uncertain, self.approximate)

    def display(self, *, with_year: bool = True, with_month: bool = True) -> str:
        parts = []
        if self.day is not None:
            parts.append(str(self.day))
        if self.month is not None and with_month:
            parts.append(MONTHS[self.month - 1])
        if with_year:
            parts.append(str(self.year))
        text = " ".join(parts)
        if self.approximate:
            text = f"c. {text}"
        return f"{text}?" if self.uncertain else text

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        match = _PART.fullmatch(text)
        if match is None and _UNSPECIFIED.fullmatch(text):
            raise DateError(
                said(
                    "`{text}` has unspecified digits (X); give the year, or a range like 1910/1919.",
                    text=text,
                )
            )
        if match is None:
            raise DateError(
                said("`{text}` is not a date; write it as YYYY, YYYY-MM or YYYY-MM-DD.", text=text)
            )
        year = int(match["year"])
        month = int(match["month"]) if match["month"] else None
        day = int(match["day"]) if match["day"] else None
        if year == 0:
            raise DateError(said("`{text}` has year 0; years start at 0001.", text=text))
        if year > LAST_YEAR:
            raise YearOutOfRange(
                said("`{text}` is after {last}, the last year a date can have.", text=text, last=LAST_YEAR)
            )
        if month is not None and 21 <= month <= 41:
            raise DateError(
                said("`{text}` is an EDTF season; write it as a month range like 1918-06/1918-08.", text=text)
            )
        if month is not None and not 1 <= month <= 12:
            raise DateError(
                said("`{text}` has no month {month}; months run from 01 to 12.", text=text, month=month)
            )
        if month is not None and day is not None:
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                raise DateError(no_such_day(text, MonthName(month, year), last))
        qual = match["qual"] or ""
        return cls(
            year, month, day, uncertain=qual in "?%" and bool(qual), approximate=qual in "~%" and bool(qual)
        )


def _qualifier(uncertain: bool, approximate: bool) -> str:
    if uncertain and approximate:
        return "%"
    return "?" if uncertain else ("~" if approximate else "")


@dataclass(frozen=True)
class EventDate:
    """When an event happened: one partial date, or a closed interval of two."""

    start: PartialDate
    end: PartialDate | None = None

    @classmethod
    def parse(cls, text: str) -> EventDate:
        text = text.strip()
        if not text:
            raise DateError(said("The date is empty; write it as YYYY, YYYY-MM or YYYY-MM-DD."))
        if len(text) > 40:
            raise DateError(said("That date is too long; write it as YYYY-MM-DD or YYYY-MM-DD/YYYY-MM-DD."))
        if text.count("/") > 1:
            raise DateError(said("`{text}` has more than one `/`; an interval is START/END.", text=text))
        if "/" not in text:
            return cls(PartialDate.parse(text))
        if any(part.strip() in ("", "..") for part in text.split("/")):
            raise DateError(said("`{text}` is an open interval; give both ends, like 1918/1921.", text=text))
        first, last = (PartialDate.parse(part) for part in text.split("/"))
        if last.last_day() < first.first_day():
            raise DateError(said("`{text}` ends before it starts.", text=text))
        if first == last:
            return cls(first)
        return cls(first, last)

    @property
    def precision(self) -> Precision:
        """The coarser of the two ends: a range is only as precise as its vaguer end."""
        if self.end is None:
            return self.start.precision
        return min(self.start.precision, self.end.precision)

    @property
    def is_range(self) -> bool:
        return self.end is not None

    def first_day(self) -> dt.date:
        return self.start.first_day()

    def last_day(self) -> dt.date:
        return (self.end or self.start).last_day()

    def span_days(self) -> int:
        return (self.last_day() - self.first_day()).days + 1

    def edtf(self) -> str:
        return self.start.edtf() if self.end is None else f"{self.start.edtf()}/{self.end.edtf()}"

    def display(self) -> str:
        if self.end is None:
            return self.start.display()
        return _display_range(self.start, self.end)

    def is_day_precise(self) -> bool:
        return self.precision is Precision.DAY

    def anniversary_days(self) -> list[tuple[int, int, int]]:
        """(month, day, nth day of the event) for each month-day this event is remembered on.

        Only day-precise dates have anniversaries. A range of more than a year covers every
        month-day once; the nth tells "day 12 of 40" for ranges shown as ongoing.
        """
        if not self.is_day_precise():
            return []
        seen: dict[tuple[int, int], int] = {}
        day = self.first_day()
        # Not just the first 366 days: 29 February may come years in (at most 8, as 1896-1904).
        for nth in range(1, self.span_days() + 1):
            seen.setdefault((day.month, day.day), nth)
            if len(seen) == 366:
                break
            day += dt.timedelta(days=1)
        return [(month, mday, nth) for (month, mday), nth in seen.items()]

    def old_style(self, *, russian: bool) -> str | None:
        """The Julian-calendar rendering for Russian day-precise dates before 14 February 1918."""
        days = old_style_days(self, russian=russian)
        if days is None:
            return None
        start, end = days
        if end is None:
            return f"{_plain(start)} O.S."
        if isinstance(end, dt.date):
            return f"{_plain(start)} O.S. – {_plain(end)} N.S."
        return f"{_display_range(_as_partial(start), _as_partial(end))} O.S."


def old_style_days(
    date: EventDate, *, russian: bool
) -> tuple[JulianDate, JulianDate | dt.date | None] | None:
    """The first day in the Julian calendar, and the last: Julian too, or the Gregorian day when
    the range ends after Russia changed calendars; None when Old Style does not apply."""
    if not russian or not date.is_day_precise() or date.first_day() >= GREGORIAN_IN_RUSSIA:
        return None
    start = julian_from_gregorian(date.first_day())
    if date.end is None:
        return start, None
    end_day = date.last_day()
    return start, julian_from_gregorian(end_day) if end_day < GREGORIAN_IN_RUSSIA else end_day


def _as_partial(day: JulianDate | dt.date) -> PartialDate:
    return PartialDate(day.year, day.month, day.day)


def _plain(day: JulianDate | dt.date) -> str:
    return _as_partial(day).display()


def _display_range(first: PartialDate, last: PartialDate) -> str:
    """`12–14 March 1919`, `28 February – 3 March 1919`, `June–August 1918`, `1928–1935`."""
    plain = not (first.uncertain or first.approximate or last.uncertain or last.approximate)
    same_precision = first.precision == last.precision
    if plain and same_precision and first.year == last.year:
        if first.precision is Precision.DAY and first.month == last.month:
            return f"{first.day}–{last.display()}"
        if first.precision is Precision.DAY:
            return f"{first.display(with_year=False)} – {last.display()}"
        if first.precision is Precision.MONTH:
            return f"{first.display(with_year=False)}–{last.display()}"
    if plain and same_precision and first.precision is Precision.YEAR:
        return f"{first.year}–{last.year}"
    return f"{first.display()} – {last.display()}"


@dataclass(frozen=True)
class JulianDate:
    """A day in the Julian calendar. Not a datetime.date: those are always Gregorian."""

    year: int
    month: int
    day: int


def julian_from_gregorian(day: dt.date) -> JulianDate:
    """Exact conversion through the Julian Day Number (not a fixed 13-day shift)."""
    jdn = day.toordinal() + 1721425
    c = jdn + 32082
    d = (4 * c + 3) // 1461
    e = c - (1461 * d) // 4
    m = (5 * e + 2) // 153
    return JulianDate(year=d - 4800 + m // 10, month=m + 3 - 12 * (m // 10), day=e - (153 * m + 2) // 5 + 1)


def gregorian_from_julian(day: JulianDate) -> dt.date:
    a = (14 - day.month) // 12
    y = day.year + 4800 - a
    m = day.month + 12 * a - 3
    jdn = day.day + (153 * m + 2) // 5 + 365 * y + y // 4 - 32083
    return dt.date.fromordinal(jdn - 1721425)


def month_day_key(month: int, day: int) -> int:
    """The indexed form of a month-day: 16 March is 316."""
    return month * 100 + day


def anniversary_keys(day: dt.date) -> tuple[int, ...]:
    """The month-day keys remembered on `day`: 29 February is remembered on 28 February in
    common years, so leap-day events are never skipped for three years out of four."""
    key = month_day_key(day.month, day.day)
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        return (key, month_day_key(2, 29))
    return (key,)


def years_phrase(event_year: int, reference_year: int, boundary: Boundary | None = None) -> Text:
    """`107 years ago`; for a long event's first or last day, `began…` or `ended… years ago`."""
    years = reference_year - event_year
    if years > 0 and boundary is Boundary.BEGAN:
        return said_n("began {count} year ago", "began {count} years ago", years)
    if years > 0 and boundary is Boundary.ENDED:
        return said_n("ended {count} year ago", "ended {count} years ago", years)
    if years == 0:
        return said("this year")
    if years > 0:
        return said_n("{count} year ago", "{count} years ago", years)
    return said_n("{count} year later", "{count} years later", -years)


class Boundary(StrEnum):
    """Which end of a long event a day is: the two days it is remembered on."""

    BEGAN = "began"
    ENDED = "ended"


def boundary_of(nth: int, span: int) -> Boundary | None:
    """BEGAN or ENDED on the first or last day of a range longer than LONGEST_ANNIVERSARY_SPAN;
    None for a shorter event's days, and for the days between, which are not anniversaries."""
    if span <= LONGEST_ANNIVERSARY_SPAN:
        return None
    if nth == 1:
        return Boundary.BEGAN
    return Boundary.ENDED if nth == span else None


def is_round_anniversary(event_year: int, reference_year: int) -> bool:
    """Every 25th year counts as round: 25, 50, 75, 100 …"""
    years = reference_year - event_year
    return years > 0 and years % 25 == 0
