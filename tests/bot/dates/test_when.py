"""What people type for a day or a span (bot/dates/when.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dates.partial import DateError
from bot.dates.when import AskedDay, parse_day, parse_span
from bot.i18n.errors import UserError

TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    "text",
    [
        "03-16",
        "3-16",
        "16 March",
        "March 16",
        "16/3",
        "3/16",
        "16th of March",
        "16 mar",
        "Mar. 16",
        "  MARCH   16 ",
        "march 16th",
    ],
)
def test_the_ways_people_write_16_march(text: str) -> None:
    assert parse_day(text, TODAY) == AskedDay(3, 16)


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("1919-03-16", AskedDay(3, 16, 1919)),
        ("16 March 1919", AskedDay(3, 16, 1919)),
        ("March 16, 1919", AskedDay(3, 16, 1919)),
        ("16/3/1919", AskedDay(3, 16, 1919)),
        ("sept 3", AskedDay(9, 3)),
        ("4/5", AskedDay(5, 4)),  # ambiguous: read day/month, as most of the world writes it
    ],
)
def test_other_days(text: str, asked: AskedDay) -> None:
    assert parse_day(text, TODAY) == asked


@pytest.mark.parametrize(
    ("today", "text", "asked"),
    [
        (TODAY, "today", AskedDay(11, 26)),
        (TODAY, "Tomorrow", AskedDay(11, 27)),
        (TODAY, "yesterday", AskedDay(11, 25)),
        (TODAY, "", AskedDay(11, 26)),
        (dt.date(2026, 12, 31), "tomorrow", AskedDay(1, 1)),
        (dt.date(2027, 1, 1), "yesterday", AskedDay(12, 31)),
        (dt.date(2028, 2, 28), "tomorrow", AskedDay(2, 29)),
        (dt.date(2027, 2, 28), "tomorrow", AskedDay(3, 1)),
    ],
)
def test_relative_days_count_from_the_given_today(today: dt.date, text: str, asked: AskedDay) -> None:
    assert parse_day(text, today) == asked


def test_29_february_is_a_day_without_a_year() -> None:
    asked = parse_day("29 February", TODAY)
    assert asked == AskedDay(2, 29)
    assert asked.on_year(2027) == dt.date(2027, 2, 28)
    assert asked.on_year(2028) == dt.date(2028, 2, 29)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("30 February", "February has 29 days"),
        ("29 February 1919", "February 1919 has 28 days"),
        ("31/4", "April has 30 days"),
        ("13/13", "no month 13"),
        ("16 Marchember", "month `marchember`"),
        ("the ides of march", "not a day"),
        ("1 January 0000", "year"),
    ],
)
def test_impossible_days_are_refused_with_a_reason(text: str, words: str) -> None:
    with pytest.raises(DateError, match=words) as caught:
        parse_day(text, TODAY)
    assert isinstance(caught.value, UserError)


@given(st.text(max_size=80))
@settings(max_examples=300)
def test_any_text_is_a_day_or_a_short_date_error(text: str) -> None:
    try:
        asked = parse_day(text, TODAY)
    except DateError as error:
        assert 0 < len(str(error)) < 200
    else:
        assert asked.on_year(2028).month == asked.month


# Pieces of real dates in random order reach far deeper into the parser than random characters.
DATE_PIECES = st.lists(
    st.sampled_from(
        [
            "0",
            "16",
            "3",
            "29",
            "31",
            "99",
            "0000",
            "1919",
            "9999",
            "march",
            "feb",
            "sept",
            "of",
            "th",
            "st",
            "/",
            "-",
            " ",
            ",",
            ".",
            "to",
            "–",
            "..",
            "today",
            "~",
            "?",
        ]
    ),
    max_size=8,
).map("".join)


@given(DATE_PIECES)
def test_date_shaped_text_is_a_day_or_a_short_date_error(text: str) -> None:
    try:
        parse_day(text, TODAY)
    except DateError as error:
        assert 0 < len(str(error)) < 200


def assert_span_or_short_error(text: str) -> None:
    try:
        first, last, _ = parse_span(text)
    except DateError as error:
        assert 0 < len(str(error)) < 200
    else:
        assert first <= last


@given(DATE_PIECES)
def test_date_shaped_text_is_a_span_or_a_short_date_error(text: str) -> None:
    assert_span_or_short_error(text)


# -- spans ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("1918", dt.date(1918, 1, 1), dt.date(1918, 12, 31)),
        ("1918-06", dt.date(1918, 6, 1), dt.date(1918, 6, 30)),
        ("March 1921", dt.date(1921, 3, 1), dt.date(1921, 3, 31)),
        ("1918 to 1921", dt.date(1918, 1, 1), dt.date(1921, 12, 31)),
        ("1918-1921", dt.date(1918, 1, 1), dt.date(1921, 12, 31)),
        ("1918–1921", dt.date(1918, 1, 1), dt.date(1921, 12, 31)),
        ("1918/1921", dt.date(1918, 1, 1), dt.date(1921, 12, 31)),
        ("March 1921 to June 1921", dt.date(1921, 3, 1), dt.date(1921, 6, 30)),
        ("1919-03-12/1919-03-14", dt.date(1919, 3, 12), dt.date(1919, 3, 14)),
    ],
)
def test_spans(text: str, first: dt.date, last: dt.date) -> None:
    assert parse_span(text)[:2] == (first, last)


def test_a_span_has_a_label_to_show() -> None:
    assert str(parse_span("1918 to 1921")[2]) == "1918 to 1921"
    assert str(parse_span("March 1921")[2]) == "March 1921"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1921 to 1918", "ends before it starts"),
        ("1921-1918", "ends before it starts"),
        ("", "Give a span"),
        ("1918 to", "not a span"),
        ("Smarch 1921", "month `smarch`. Try `1918`"),
        ("x" * 500, "too long"),
    ],
)
def test_bad_spans_are_refused_with_a_reason(text: str, words: str) -> None:
    with pytest.raises(DateError, match=words):
        parse_span(text)


@given(st.text(max_size=80))
@settings(max_examples=300)
def test_any_text_is_a_span_or_a_short_date_error(text: str) -> None:
    assert_span_or_short_error(text)


# -- month names in every shipped language (CLDR, through Babel) ------------------------------------


@pytest.mark.parametrize(
    ("typed", "asked"),
    [
        ("12 марта", AskedDay(3, 12)),  # Russian, the genitive of a date
        ("16 марта 1919 г.", AskedDay(3, 16, 1919)),
        ("12 березня", AskedDay(3, 12)),  # Ukrainian
        ("8 листопада 1917 р.", AskedDay(11, 8, 1917)),
        ("28 de febrer", AskedDay(2, 28)),  # Catalan
        ("1 d'abril", AskedDay(4, 1)),
        ("1 d’abril de 1919", AskedDay(4, 1, 1919)),  # a typographic apostrophe, as phones type it
        ("19 de agosto", AskedDay(8, 19)),  # Spanish
        ("19 de agosto de 1920", AskedDay(8, 19, 1920)),
        ("16 mars", AskedDay(3, 16)),  # French
        ("1er mars 1921", AskedDay(3, 1, 1921)),
        ("5 février", AskedDay(2, 5)),
        ("5 fevrier", AskedDay(2, 5)),  # typed without its accent
        ("5. Dezember", AskedDay(12, 5)),  # German
        ("5. Dezember 1917", AskedDay(12, 5, 1917)),
        ("16 März", AskedDay(3, 16)),
        ("16 Marz", AskedDay(3, 16)),
        ("März 16", AskedDay(3, 16)),
    ],
)
def test_a_day_is_read_in_every_shipped_language(typed: str, asked: AskedDay) -> None:
    assert parse_day(typed, TODAY) == asked


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("30 февраля", "February has 29 days"),
        ("29 лютого 1919", "February 1919 has 28 days"),
        ("31 d'abril", "April has 30 days"),
        ("31 de junio", "June has 30 days"),
        ("31 septembre", "September has 30 days"),
        ("31. November", "November has 30 days"),
        ("16 martz", "I do not know the month `martz`"),
    ],
)
def test_every_language_is_held_to_the_same_calendar(typed: str, why: str) -> None:
    with pytest.raises(DateError, match=why):
        parse_day(typed, TODAY)


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("март 1921", "March 1921"),
        ("de març de 1921", "March 1921"),
        ("marzo de 1921", "March 1921"),
        ("März 1921", "March 1921"),
        ("février 1921 to mars 1921", "February 1921 to March 1921"),
    ],
)
def test_a_month_of_a_year_is_read_in_every_shipped_language(typed: str, label: str) -> None:
    assert str(parse_span(typed)[2]) == label


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("tomorrow", 1),
        ("mañana", 1),
        ("manana", 1),
        ("завтра", 1),
        ("demà", 1),
        ("demà passat", 2),
        ("avui", 0),
        ("aujourd’hui", 0),
        ("heute", 0),
        ("вчера", -1),
        ("учора", -1),
        ("позавчера", -2),
    ],
)
def test_today_tomorrow_and_yesterday_are_read_in_every_shipped_language(typed: str, days: int) -> None:
    day = TODAY + dt.timedelta(days=days)
    assert parse_day(typed, TODAY) == AskedDay(day.month, day.day)


def test_every_month_word_means_what_the_whole_table_says_though_english_is_looked_up_alone() -> None:
    from bot.dates.months import month_number, month_numbers

    table = month_numbers()
    assert all(month_number(word) == number for word, number in table.items())
    assert (month_number("March"), month_number("марта"), month_number("febrer")) == (3, 3, 2)
    assert month_number("Brumaire") is None


async def test_a_long_running_process_reads_every_languages_date_words_before_the_first_question(
    tmp_path: Path,
) -> None:
    """Else the first question in Catalan, or the first `tomorrow`, waits for CLDR's data."""
    from bot.dates import months
    from bot.runtime import open_services
    from tests.support import FIXTURE_CHRONOLOGY

    months.relative_days.cache_clear()
    months.month_numbers.cache_clear()
    async with open_services(tmp_path / "db.sqlite3", FIXTURE_CHRONOLOGY):
        assert months.relative_days.cache_info().currsize == 1
        assert months.month_numbers.cache_info().currsize == 1


@pytest.mark.parametrize(
    "typed",
    [
        "с 1918 по 1921",
        "з 1918 по 1921",
        "de 1918 a 1921",
        "del 1918 al 1921",
        "1918 bis 1921",
        "von 1918 bis 1921",
        "de 1918 à 1921",
        "od 1918 do 1921",
        "from 1918 to 1921",
        "1918–1921 гг.",
    ],
)
def test_a_span_is_read_with_each_languages_from_and_to(typed: str) -> None:
    first, last, _ = parse_span(typed)
    assert (first, last) == (dt.date(1918, 1, 1), dt.date(1921, 12, 31))


@pytest.mark.parametrize("typed", ["1920 г.", "1920 р.", "1920 r.", "1920"])
def test_a_year_may_carry_its_abbreviation(typed: str) -> None:
    assert parse_span(typed)[:2] == (dt.date(1920, 1, 1), dt.date(1920, 12, 31))


@pytest.mark.parametrize(
    ("typed", "month", "day"),
    [
        ("1-го мая", 5, 1),
        ("1-е мая", 5, 1),
        ("el 7 de noviembre", 11, 7),
        ("el 7 de novembre", 11, 7),
        ("le 5 décembre", 12, 5),
        ("am 5. Dezember", 12, 5),
        ("7 listopada", 11, 7),
        ("16 marca", 3, 16),
    ],
)
def test_a_day_is_read_with_its_article_and_ordinal(typed: str, month: int, day: int) -> None:
    assert parse_day(typed, dt.date(2026, 12, 6)) == AskedDay(month, day)
