"""What people type for a day or a span: `16 March`, `March 16`, `16/3`, `03-16`, `tomorrow`,
`1918 to 1921`, and month names in every shipped language (`12 марта`, `1-го мая`, `28 de febrer`,
`1 d'abril 1919`, `el 19 de agosto de 1920`, `le 16 mars`, `5. Dezember`, `März 1921`, `7 listopada`),
with each language's "from … to …" (`с 1918 по 1921`, `de 1918 a 1921`, `od 1918 do 1921`).

Each form is tried in turn; nothing here guesses at text it does not recognise, it names it instead.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from bot.dates.months import MonthName, month_number, relative_days
from bot.dates.partial import FIRST_YEAR, LAST_YEAR, DateError, EventDate, YearOutOfRange, no_such_day
from bot.dates.words import DateWords, day_in
from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.messages import Text, said
from bot.i18n.text import quoted

SHOWN_MAX = 40  # how much of what was typed an error quotes back

DAY_HINT = said("Try a day like `16 March`, `March 16`, `03-16`, `16/3`, `1919-03-16` or `today`.")
SPAN_HINT = said("Try `1918`, `1918-06`, `March 1921` or `1918 to 1921`.")

_HAS_DIGIT = re.compile(r"\d")  # in any script, as the patterns below read them
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?")
# A month word in any script, with what languages put around it: `of`, `de`, `d'` before it
# (`28 de febrer`, `1 d'abril`), an ordinal after the day (`1st`, `1er`, `5.`), `de`/`del` before
# the year (`19 de agosto de 1920`) and the year's abbreviation after it (`1919 г.`, `1919 р.`).
_WORD = r"([^\W\d_]+)\.?"
_LINK = r"(?:of\s+|de\s+|del\s+|d')?"
_YEAR = r"(?:\s+(?:de\s+|del\s+)?(\d{4})(?:\s*(?:г|р|гг|рр)\.?)?)?"
_ORDINAL = r"(?:st|nd|rd|th|er|e|º|ª|\.|-?го|-?е|-?ого)?"  # `1-го мая` too
_DAY_MONTH_WORDS = re.compile(rf"(\d{{1,2}}){_ORDINAL}\s*{_LINK}{_WORD}{_YEAR}")
_MONTH_DAY_WORDS = re.compile(rf"{_WORD}\s+(\d{{1,2}}){_ORDINAL}{_YEAR}")
_MONTH_YEAR_WORDS = re.compile(rf"{_LINK}{_WORD}\s+(?:de\s+|del\s+)?(\d{{4}})(?:\s*(?:г|р)\.?)?")
_YEAR_TO_YEAR = re.compile(r"(\d{4})-(\d{4})")  # `1918-1921`: never a month, months have two digits
# The small words around a date or a span, which CLDR has no table of: an article before a day
# (`el 7 de noviembre`, `le 5 décembre`, `am 5. Dezember`), each language's "from … to …"
# (`с 1918 по 1921`, `de 1918 a 1921`, `von 1918 bis 1921`, `de 1918 à 1921`, `od 1918 do 1921`),
# and the abbreviations of "year" after one (`1920 г.`, `1918–1921 гг.`, `1920 р.`, `1920 r.`).
_DAY_OPENERS = ("on the ", "the ", "on ", "el ", "le ", "am ", "den ", "o ")
_SPAN_OPENERS = (
    "from ",
    "between ",
    "с ",
    "з ",
    "від ",
    "des de ",
    "desde ",
    "de ",
    "del ",
    "von ",
    "du ",
    "od ",
)
_SPAN_SEPARATORS = (
    " to ", " until ", " through ", " and ",  # en
    " по ", " до ",  # ru, uk
    " fins al ", " fins a ", " hasta ", " al ", " a ",  # ca, es
    " bis ",  # de
    " au ", " à ",  # fr
    " do ",  # pl
    "–", "—", " - ", "..",
)  # fmt: skip
_YEAR_ABBREVIATION = re.compile(r"(\d{4})\s*(?:гг|рр|г|р|r)\.?(?=$|[\s–—-])")


@dataclass(frozen=True)
class AskedDay:
    """A day someone asked about; `year` is None when they gave only a month and day."""

    month: int
    day: int
    year: int | None = None

    def on_year(self, year: int) -> dt.date:
        """This month-day in `year`; 29 February falls back to the 28th in common years."""
        day = min(self.day, calendar.monthrange(year, self.month)[1])
        return dt.date(year, self.month, day)

    def in_language(self, language: str) -> str:
        """`16 March`, `16 de març`, `16 марта 1919 г.`: a value in messages, like a date."""
        return day_in(self.month, self.day, self.year, language)


@dataclass(frozen=True)
class Span:
    """A span someone asked about, from one date to another, as a value in messages."""

    first: EventDate
    last: EventDate | None = None

    def in_language(self, language: str) -> str:
        if self.last is None:
            return DateWords(self.first).in_language(language)
        return said("{start} to {end}", start=DateWords(self.first), end=DateWords(self.last)).in_language(
            language
        )

    def __str__(self) -> str:
        return self.in_language(SOURCE_LANGUAGE)


def parse_day(text: str, today: dt.date) -> AskedDay:
    """Read one day as people type it, relative to `today` for today/tomorrow/yesterday."""
    cleaned = _without_opener(_cleaned(text), _DAY_OPENERS)
    if not cleaned:
        return _asked(today, with_year=False)
    if len(cleaned) > 40:
        raise DateError(said("That is too long for a date. {hint}", hint=DAY_HINT))
    # today, mañana, вчера, demà passat…: words only, so a date with digits never loads the
    # languages' relative day names (most of a one-shot command's start)
    if not _HAS_DIGIT.search(cleaned) and (offset := relative_days().get(cleaned)) is not None:
        return _asked(today + dt.timedelta(days=offset), with_year=False)
    if match := _ISO_DAY.fullmatch(cleaned):
        year, month, day = (int(part) for part in match.groups())
        return _checked(month, day, year, text)
    if match := _MONTH_DAY.fullmatch(cleaned):
        return _checked(int(match[1]), int(match[2]), None, text)
    if match := _SLASHED.fullmatch(cleaned):
        # day/month, as most of the world writes it, unless only month/day can be meant (3/16)
        first, second = int(match[1]), int(match[2])
        day, month = (second, first) if second > 12 >= first else (first, second)
        return _checked(month, day, int(match[3]) if match[3] else None, text)
    if match := _DAY_MONTH_WORDS.fullmatch(cleaned):
        return _checked(_month(match[2], text), int(match[1]), _year(match[3]), text)
    if match := _MONTH_DAY_WORDS.fullmatch(cleaned):
        return _checked(_month(match[1], text), int(match[2]), _year(match[3]), text)
    raise DateError(
        said("`{text}` is not a day I can read. {hint}", text=quoted(text, SHOWN_MAX), hint=DAY_HINT)
    )


def parse_span(text: str) -> tuple[dt.date, dt.date, Span]:
    """Read a span of time: a year, a month, a day, an EDTF interval, or `A to B`."""
    cleaned = _cleaned(text, commas=False)
    if not cleaned:
        raise DateError(said("Give a span of time. {hint}", hint=SPAN_HINT))
    if len(cleaned) > 60:
        raise DateError(said("That is too long for a span of time. {hint}", hint=SPAN_HINT))
    cleaned = _YEAR_ABBREVIATION.sub(r"\1", _without_opener(cleaned, _SPAN_OPENERS))
    if match := _YEAR_TO_YEAR.fullmatch(cleaned):
        cleaned = f"{match[1]} to {match[2]}"
    for separator in _SPAN_SEPARATORS:
        if separator in cleaned:
            first_text, last_text = (part.strip() for part in cleaned.split(separator, 1))
            first, _, first_label = _one_span(first_text, text)
            _, last, last_label = _one_span(last_text, text)
            if last < first:
                raise DateError(
                    said(
                        "`{text}` ends before it starts. {hint}", text=quoted(text, SHOWN_MAX), hint=SPAN_HINT
                    )
                )
            return first, last, Span(first_label.first, last_label.first)
    return _one_span(cleaned, text)


def _one_span(cleaned: str, original: str) -> tuple[dt.date, dt.date, Span]:
    if match := _MONTH_YEAR_WORDS.fullmatch(cleaned):
        month, year = _month(match[1], original, SPAN_HINT), int(match[2])
        cleaned = f"{year:04d}-{month:02d}"
    try:
        date = EventDate.parse(cleaned)
    except YearOutOfRange:
        raise  # a date, but out of range: say so rather than how to write one
    except DateError:
        raise DateError(
            said(
                "`{text}` is not a span I can read. {hint}", text=quoted(original, SHOWN_MAX), hint=SPAN_HINT
            )
        ) from None
    return date.first_day(), date.last_day(), Span(date)


def month_and_year(text: str) -> tuple[int, int] | None:
    """(month, year) from `March 1921`, `март 1921`, `de març de 1921`, `marzo de 1921`; else None."""
    if (match := _MONTH_YEAR_WORDS.fullmatch(_cleaned(text))) and (month := month_number(match[1])):
        return month, int(match[2])
    return None


def _cleaned(text: str, *, commas: bool = True) -> str:
    """Lowercase, one space between words, straight apostrophes (`d’abril` as `d'abril`)."""
    lowered = text.strip().casefold().replace("’", "'")
    return " ".join((lowered.replace(",", " ") if commas else lowered).split())


def _without_opener(cleaned: str, openers: tuple[str, ...]) -> str:
    """`cleaned` without the word that may open it (`el`, `le`, `from`, `с`), if anything follows."""
    for opener in openers:
        if cleaned.startswith(opener) and len(cleaned) > len(opener):
            return cleaned[len(opener) :]
    return cleaned


def _asked(day: dt.date, *, with_year: bool) -> AskedDay:
    return AskedDay(day.month, day.day, day.year if with_year else None)


def _checked(month: int, day: int, year: int | None, original: str) -> AskedDay:
    if not 1 <= month <= 12:
        raise DateError(
            said(
                "`{text}` has no month {month}. {hint}",
                text=quoted(original, SHOWN_MAX),
                month=month,
                hint=DAY_HINT,
            )
        )
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateError(
            said("`{text}` has a year out of range. {hint}", text=quoted(original, SHOWN_MAX), hint=DAY_HINT)
        )
    longest = calendar.monthrange(year if year else 2000, month)[1]  # 2000: a leap year
    if not 1 <= day <= longest:
        raise DateError(no_such_day(quoted(original, SHOWN_MAX), MonthName(month, year), longest))
    return AskedDay(month, day, year)


def _month(word: str, original: str, hint: Text = DAY_HINT) -> int:
    month = month_number(word)
    if month is None:
        raise DateError(
            said(
                "`{text}`: I do not know the month `{word}`. {hint}",
                text=quoted(original, SHOWN_MAX),
                word=quoted(word, SHOWN_MAX),
                hint=hint,
            )
        )
    return month


def _year(text: str | None) -> int | None:
    return int(text) if text else None
