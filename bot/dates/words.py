"""Dates put into words in the reader's language, from CLDR's patterns (through Babel):
`16 March 1919`, `16 de març de 1919`, `16 марта 1919 г.`, at the date's own precision.

English keeps the chronology's own way of writing dates (`16 March 1919`, `12–14 March 1919`);
every other language is written as CLDR says that language writes them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, get_month_names

from bot.dates.partial import MONTHS, EventDate, JulianDate, PartialDate, Precision, old_style_days
from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.messages import said


def date_in(date: EventDate, language: str) -> str:
    """An event's date as `language` writes it, at its own precision."""
    if language == SOURCE_LANGUAGE:
        return date.display()
    start, end = date.start, date.end
    if end is None:
        return _part_in(start, language)
    plain = not (start.uncertain or start.approximate or end.uncertain or end.approximate)
    if plain and start.precision == end.precision and start.precision is not Precision.YEAR:
        skeleton = "yMMMMd" if start.precision is Precision.DAY else "yMMMM"
        shown = str(format_interval(_day(start), _day(end), skeleton, locale=language))
        return _months_whole(shown, {start.month or 1, end.month or 1}, language)
    if plain and start.precision == end.precision:
        return f"{start.year}–{end.year}"
    return f"{_part_in(start, language)} – {_part_in(end, language)}"


def old_style_in(date: EventDate, *, russian: bool, language: str, labelled: bool = True) -> str | None:
    """The Julian-calendar date of a Russian day before 14 February 1918, labelled as such
    (`labelled=False`: where a label beside it says so already, as on the event card; a range
    that ends after the change of calendars keeps its marks, which tell its two ends apart)."""
    if language == SOURCE_LANGUAGE:
        shown = date.old_style(russian=russian)
        if not labelled and shown is not None and " N.S." not in shown:
            return shown.removesuffix(" O.S.")
        return shown
    days = old_style_days(date, russian=russian)
    if days is None:
        return None
    start, end = days
    if end is None:
        if not labelled:
            return _julian_in(start, language)
        return said("{date} O.S.", date=_julian_in(start, language)).in_language(language)
    if isinstance(end, dt.date):  # the range ends after Russia changed calendars
        return said(
            "{start} O.S. – {end} N.S.",
            start=_julian_in(start, language),
            end=_part_in(_as_part(end), language),
        ).in_language(language)
    shown = f"{_julian_in(start, language)} – {_julian_in(end, language)}"
    return shown if not labelled else said("{date} O.S.", date=shown).in_language(language)


def day_in(month: int, day: int, year: int | None, language: str) -> str:
    """A day someone asked about: `16 March`, `16 de marzo`, `16 марта 1919 г.`."""
    if language == SOURCE_LANGUAGE:
        return f"{day} {MONTHS[month - 1]}" + (f" {year}" if year else "")
    if year is not None:
        return str(format_date(dt.date(year, month, day), "long", locale=language))
    return str(format_skeleton("MMMMd", dt.date(2000, month, day), locale=language))  # 2000: a leap year


def weekday_in(day: dt.date, language: str) -> str:
    """A day of the coming days, with its weekday: `Monday 16 March`, `lunes, 16 de marzo`."""
    if language == SOURCE_LANGUAGE:
        return f"{day.strftime('%A')} {day.day} {MONTHS[day.month - 1]}"
    # CLDR's skeletons here carry only the short weekday (`lun`); the long one reads better
    weekday = format_date(day, "EEEE", locale=language)
    return f"{weekday}, {format_skeleton('MMMMd', day, locale=language)}"


def month_in(month: int, language: str) -> str:
    """A month's name standing alone (`March`, `март`, `març`)."""
    if language == SOURCE_LANGUAGE:
        return MONTHS[month - 1]
    return str(get_month_names("wide", "stand-alone", language)[month])


@dataclass(frozen=True, slots=True)
class DateWords:
    """An event date as a value in a message, put into words in the reader's language."""

    date: EventDate

    def in_language(self, language: str) -> str:
        return date_in(self.date, language)


def _day(part: PartialDate) -> dt.date:
    return dt.date(part.year, part.month or 1, part.day or 1)


def _as_part(day: dt.date) -> PartialDate:
    return PartialDate(day.year, day.month, day.day)


def _months_whole(shown: str, months: set[int], language: str) -> str:
    """`shown` with `months` written whole where CLDR's interval patterns shorten them
    (`28 февр. — 19 мар. 1921 г.` -> `28 февраля — 19 марта 1921 г.`), as a single date writes them."""
    short = get_month_names("abbreviated", "format", language)
    whole = get_month_names("wide", "format", language)
    for month in months:
        if short[month] != whole[month]:
            shown = re.sub(rf"(?<!\w){re.escape(short[month])}(?!\w)", whole[month], shown)
    return shown


def _julian_in(day: JulianDate, language: str) -> str:
    try:
        return str(format_date(dt.date(day.year, day.month, day.day), "long", locale=language))
    except ValueError:  # 29 February of a Julian leap year that the Gregorian calendar lacks
        return f"{format_skeleton('MMMMd', dt.date(2000, day.month, day.day), locale=language)} {day.year}"


def _part_in(part: PartialDate, language: str) -> str:
    if part.day is not None:
        text = str(format_date(_day(part), "long", locale=language))
    elif part.month is not None and part.approximate:
        # `c.` governs its date: `ок. сентября 1921 г.`, `ok. września 1921`, the month in the
        # form a date takes (CLDR's `MMMM`) rather than the one it takes alone (`LLLL`)
        pattern = Locale.parse(language).datetime_skeletons["yMMMM"].pattern.replace("LLLL", "MMMM")
        text = str(format_date(_day(part), pattern, locale=language))
    elif part.month is not None:
        text = str(format_skeleton("yMMMM", _day(part), locale=language))
    else:
        text = str(part.year)
    if part.approximate:
        text = said("c. {date}", date=text).in_language(language)
    return f"{text}?" if part.uncertain else text
