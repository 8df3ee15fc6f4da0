"""EDTF partial dates: parsing, rendering, anniversaries and Old Style (bot/dates/partial.py)."""

from __future__ import annotations

import calendar
import datetime as dt

import edtf
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.dates.partial import (
    FIRST_YEAR,
    LAST_YEAR,
    DateError,
    EventDate,
    JulianDate,
    PartialDate,
    Precision,
    anniversary_keys,
    gregorian_from_julian,
    julian_from_gregorian,
)
from bot.i18n.errors import UserError

# -- strategies ---------------------------------------------------------------------------------


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    year = draw(st.integers(FIRST_YEAR, LAST_YEAR))
    precision = draw(st.sampled_from(Precision))
    month = draw(st.integers(1, 12)) if precision >= Precision.MONTH else None
    day = None
    if month is not None and precision is Precision.DAY:
        day = draw(st.integers(1, calendar.monthrange(year, month)[1]))
    uncertain, approximate = draw(st.booleans()), draw(st.booleans())
    return PartialDate(year, month, day, uncertain=uncertain, approximate=approximate)


@st.composite
def event_dates(draw: st.DrawFn) -> EventDate:
    start = draw(partial_dates())
    if not draw(st.booleans()):
        return EventDate(start)
    end = draw(partial_dates())
    # An interval must not end before it starts, and START/START is the single date START.
    assume(end.last_day() >= start.first_day() and end != start)
    return EventDate(start, end)


# Strings shaped like our subset, with out-of-range numbers left in: the parser must sort them out.
EDTF_SHAPED = st.from_regex(
    r"\A[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[?~%]?(/[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[?~%]?)?\Z"
)
ORACLE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- parsing -------------------------------------------------------------------------------------


@given(event_dates())
def test_edtf_text_round_trips(date: EventDate) -> None:
    assert EventDate.parse(date.edtf()) == date


@given(event_dates())
@ORACLE
def test_the_edtf_package_accepts_every_date_we_write(date: EventDate) -> None:
    edtf.parse_edtf(date.edtf())


@given(st.one_of(EDTF_SHAPED, st.text(alphabet="0123456789-/?~%.xX ", max_size=25), st.text(max_size=25)))
@ORACLE
def test_the_edtf_package_accepts_every_string_we_accept(text: str) -> None:
    try:
        EventDate.parse(text)
    except DateError:
        return
    edtf.parse_edtf(text.strip())


@pytest.mark.parametrize(
    ("text", "precision", "first", "last"),
    [
        ("1918", Precision.YEAR, dt.date(1918, 1, 1), dt.date(1918, 12, 31)),
        ("1918-02", Precision.MONTH, dt.date(1918, 2, 1), dt.date(1918, 2, 28)),
        ("1920-02", Precision.MONTH, dt.date(1920, 2, 1), dt.date(1920, 2, 29)),
        ("1917-12-05", Precision.DAY, dt.date(1917, 12, 5), dt.date(1917, 12, 5)),
        ("1919-03-12/1919-03-14", Precision.DAY, dt.date(1919, 3, 12), dt.date(1919, 3, 14)),
        ("1919/1926~", Precision.YEAR, dt.date(1919, 1, 1), dt.date(1926, 12, 31)),
        ("1918-06-10/1918-08", Precision.MONTH, dt.date(1918, 6, 10), dt.date(1918, 8, 31)),
    ],
)
def test_parsed_dates_cover_the_days_they_say(
    text: str, precision: Precision, first: dt.date, last: dt.date
) -> None:
    date = EventDate.parse(text)
    assert (date.precision, date.first_day(), date.last_day()) == (precision, first, last)


def test_qualifiers_and_surrounding_spaces() -> None:
    assert EventDate.parse("1918?").start.uncertain
    assert EventDate.parse("1918~").start.approximate
    both = EventDate.parse("1918-06%").start
    assert both.uncertain and both.approximate
    assert EventDate.parse("  1919-03-16 ").edtf() == "1919-03-16"


def test_an_interval_from_a_date_to_itself_is_that_date() -> None:
    assert EventDate.parse("1918-06-01/1918-06-01") == EventDate.parse("1918-06-01")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("1918-02-30", "1918-02-30"),
        ("1918-13", "1918-13"),
        ("1918-00", "1918-00"),
        ("0000", "0000"),
        ("19xx", "19xx"),
        ("1918-21", "1918-21"),
        ("../1918", "../1918"),
        ("1918/..", "1918/.."),
        ("1918/", "1918/"),
        ("1919-03-14/1919-03-12", "1919-03-14/1919-03-12"),
        ("1918/1919/1920", "1918/1919/1920"),
        ("garbage", "garbage"),
        ("16 March 1919", "16 March 1919"),
        ("１９１８", "１９１８"),  # full-width digits are not EDTF
    ],
)
def test_bad_dates_are_rejected_naming_the_value(text: str, named: str) -> None:
    with pytest.raises(DateError) as caught:
        EventDate.parse(text)
    assert f"`{named}`" in str(caught.value)
    assert isinstance(caught.value, UserError)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1918-21", "season"),
        ("19xx", "unspecified"),
        ("1918-XX", "unspecified"),
        ("Xmas 1918", "not a date"),
        ("../1918", "open interval"),
        ("1918-02-30", "28 days"),
    ],
)
def test_unsupported_edtf_features_are_rejected_by_name(text: str, words: str) -> None:
    with pytest.raises(DateError, match=words):
        EventDate.parse(text)


@pytest.mark.parametrize("text", ["", "   ", "x" * 5000, "1918-03-16/" * 500])
def test_empty_and_huge_input_get_a_short_message(text: str) -> None:
    with pytest.raises(DateError) as caught:
        EventDate.parse(text)
    assert 0 < len(str(caught.value)) < 200


# -- rendering -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1917-12-05", "5 December 1917"),
        ("1918-06", "June 1918"),
        ("1918", "1918"),
        ("1919-03-12/1919-03-14", "12–14 March 1919"),
        ("1919-02-28/1919-03-03", "28 February – 3 March 1919"),
        ("1918-12-30/1919-01-02", "30 December 1918 – 2 January 1919"),
        ("1918-06/1918-08", "June–August 1918"),
        ("1918-11/1919-02", "November 1918 – February 1919"),
        ("1928/1935", "1928–1935"),
        ("1918~", "c. 1918"),
        ("1918?", "1918?"),
        ("1918%", "c. 1918?"),
        ("1919/1926~", "1919 – c. 1926"),
    ],
)
def test_dates_are_shown_at_their_own_precision(text: str, shown: str) -> None:
    assert EventDate.parse(text).display() == shown


# -- anniversaries -------------------------------------------------------------------------------


def test_a_day_is_remembered_on_its_month_day() -> None:
    assert EventDate.parse("1919-03-16").anniversary_days() == [(3, 16, 1)]


def test_a_range_is_remembered_on_each_of_its_days() -> None:
    assert EventDate.parse("1919-03-12/1919-03-14").anniversary_days() == [
        (3, 12, 1),
        (3, 13, 2),
        (3, 14, 3),
    ]


def test_a_range_across_a_month_end_and_a_leap_day() -> None:
    assert EventDate.parse("1919-02-27/1919-03-02").anniversary_days() == [
        (2, 27, 1),
        (2, 28, 2),
        (3, 1, 3),
        (3, 2, 4),
    ]
    assert (2, 29, 2) in EventDate.parse("1920-02-28/1920-03-01").anniversary_days()


def test_a_range_across_new_year() -> None:
    assert EventDate.parse("1918-12-30/1919-01-02").anniversary_days() == [
        (12, 30, 1),
        (12, 31, 2),
        (1, 1, 3),
        (1, 2, 4),
    ]


def test_a_long_range_knows_which_day_of_how_many() -> None:
    date = EventDate.parse("1921-02-28/1921-03-19")  # Kronstadt: 20 days
    assert date.span_days() == 20
    forty = EventDate.parse("1920-06-01/1920-07-10")
    days = {(month, day): nth for month, day, nth in forty.anniversary_days()}
    assert forty.span_days() == 40
    assert (days[(6, 1)], days[(6, 12)], days[(7, 10)]) == (1, 12, 40)


def test_a_range_over_a_year_covers_each_month_day_once() -> None:
    days = EventDate.parse("1918-06-01/1920-06-01").anniversary_days()
    assert len(days) == 366  # every month-day, 29 February included (1920 is a leap year)
    assert len({(month, day) for month, day, _ in days}) == 366


@pytest.mark.parametrize("text", ["1918", "1918-06", "1918-06/1918-08", "1918-06-10/1918-08", "1918~"])
def test_month_and_year_precision_have_no_anniversary_days(text: str) -> None:
    assert EventDate.parse(text).anniversary_days() == []


def test_leap_day_events_are_remembered_on_28_february_in_common_years() -> None:
    assert EventDate.parse("1920-02-29").anniversary_days() == [(2, 29, 1)]
    assert anniversary_keys(dt.date(2026, 2, 28)) == (228, 229)
    assert anniversary_keys(dt.date(2028, 2, 28)) == (228,)
    assert anniversary_keys(dt.date(2028, 2, 29)) == (229,)
    assert anniversary_keys(dt.date(2026, 3, 1)) == (301,)


# -- Old Style -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "old_style"),
    [
        ("1917-11-07", "25 October 1917 O.S."),
        ("1918-02-13", "31 January 1918 O.S."),
        ("1918-02-14", None),
        ("1919-03-16", None),
        ("1917-11-07/1917-11-09", "25–27 October 1917 O.S."),
        ("1918-02-10/1918-02-20", "28 January 1918 O.S. – 20 February 1918 N.S."),
        ("1917-11", None),
        ("1917", None),
    ],
)
def test_old_style_for_russian_dates_before_the_calendar_change(text: str, old_style: str | None) -> None:
    assert EventDate.parse(text).old_style(russian=True) == old_style


def test_no_old_style_outside_russia() -> None:
    assert EventDate.parse("1917-11-07").old_style(russian=False) is None


@pytest.mark.parametrize(
    ("gregorian", "julian"),
    [
        (dt.date(1582, 10, 15), JulianDate(1582, 10, 5)),  # the first Gregorian day
        (dt.date(1600, 6, 1), JulianDate(1600, 5, 22)),  # 10 days
        (dt.date(1700, 3, 1), JulianDate(1700, 2, 19)),  # 1700 is leap in the Julian calendar only
        (dt.date(1850, 6, 1), JulianDate(1850, 5, 20)),  # 12 days
        (dt.date(1900, 3, 13), JulianDate(1900, 2, 29)),  # a day Gregorian 1900 does not have
        (dt.date(1900, 3, 14), JulianDate(1900, 3, 1)),  # 13 days from here to 2099
        (dt.date(2099, 6, 1), JulianDate(2099, 5, 19)),
    ],
)
def test_julian_conversion_is_exact(gregorian: dt.date, julian: JulianDate) -> None:
    assert julian_from_gregorian(gregorian) == julian
    assert gregorian_from_julian(julian) == gregorian


@given(st.dates())
def test_julian_conversion_round_trips_from_gregorian(day: dt.date) -> None:
    assert gregorian_from_julian(julian_from_gregorian(day)) == day


@given(st.integers(2, 9998), st.integers(1, 12), st.integers(1, 31))
def test_julian_conversion_round_trips_from_julian(year: int, month: int, day: int) -> None:
    length = 29 if month == 2 and year % 4 == 0 else calendar.monthrange(1901, month)[1]
    assume(day <= length)
    julian = JulianDate(year, month, day)
    assert julian_from_gregorian(gregorian_from_julian(julian)) == julian


@pytest.mark.parametrize("text", ["9999", "9999-12-31", "1918/9999-01", "9999-06~"])
def test_a_date_after_the_last_supported_year_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(DateError) as caught:
        EventDate.parse(text)
    assert (
        str(caught.value.message) == f"`{text.split('/')[-1]}` is after 9998, the last year a date can have."
    )
