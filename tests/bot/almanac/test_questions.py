"""The application layer: each question as a user would ask it, against a temp-file database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable

import pytest

from bot.almanac.answers import Anniversary, DayAnswer
from bot.almanac.questions import Almanac
from bot.dates.partial import Precision
from bot.dates.when import AskedDay
from bot.i18n.errors import UserError
from bot.model.event import Event, EventFields
from bot.render import embeds
from bot.render.text import date_line, day_message, to_text
from bot.runtime import Services
from tests.support import AddEvent

TODAY = dt.date(2026, 3, 10)
SERVER, OTHER_SERVER = 111, 222


def titles(items: Iterable[Event | Anniversary]) -> list[str]:
    return [item.title if isinstance(item, Event) else item.event.title for item in items]


# -- /onthisday --------------------------------------------------------------------------------


async def test_16_march_names_the_assault_on_the_putilov_works(services: Services) -> None:
    answer = await services.almanac.on_this_day(0, "16 March", TODAY)

    putilov = next(item for item in answer.anniversaries if "Putilov" in item.event.title)
    assert putilov.event.date.display() == "16 March 1919"
    assert str(putilov.years) == "107 years ago"
    assert day_message(answer) == "1 event happened on 16 March."
    (kronstadt,) = answer.ongoing  # day 17 of its 20: under way beside the answer, not an anniversary
    assert (kronstadt.event.fields.slug, kronstadt.nth, kronstadt.span) == ("kronstadt-rebellion", 17, 20)


async def test_13_march_finds_the_astrakhan_killings_inside_their_range(services: Services) -> None:
    answer = await services.almanac.on_this_day(0, "March 13", TODAY)

    astrakhan = next(item for item in answer.anniversaries if "Astrakhan" in item.event.title)
    assert astrakhan.event.date.display() == "12–14 March 1919"
    assert (astrakhan.nth, astrakhan.span) == (2, 3)
    assert not astrakhan.ongoing


async def test_a_day_without_events_offers_the_next_anniversary_and_the_month(services: Services) -> None:
    answer = await services.almanac.on_this_day(0, "26 November", TODAY)

    assert answer.anniversaries == []
    assert answer.next_day == AskedDay(12, 5)
    assert titles(answer.next_anniversaries) == ["Cheka founded"]
    assert "Second All-Russian Congress of Soviets" in titles(answer.month_events)
    assert all(event.date.start.month == 11 for event in answer.month_events)
    assert day_message(answer) == (
        "No event in the chronology falls on 26 November. The next anniversary is 5 December."
    )


async def test_the_next_anniversary_wraps_round_the_new_year(services: Services) -> None:
    answer = await services.almanac.on_this_day(0, "31 December", TODAY)

    assert answer.anniversaries == []
    assert answer.next_day == AskedDay(2, 28)
    assert "Kronstadt rebellion" in titles(answer.next_anniversaries)
    assert str(answer.next_anniversaries[0].years) == "106 years ago"  # counted to 28 February 2027


async def test_only_day_precise_events_are_ever_anniversaries(services: Services) -> None:
    day = dt.date(2028, 1, 1)  # a leap year: every month-day once
    seen: set[str] = set()
    while day.year == 2028:
        answer = await services.almanac.on_this_day(0, f"{day.month}-{day.day}", day)
        for item in [*answer.anniversaries, *answer.next_anniversaries]:
            assert item.event.date.precision is Precision.DAY, (day, item.event.title)
            seen.add(item.event.title)
        day += dt.timedelta(days=1)
    assert {"Cheka storms the Putilov works", "Cheka founded"} <= seen
    assert "Treaty of Brest-Litovsk signed with Germany" not in seen  # known only to March 1918
    assert "Revolution of 1905" not in seen


@pytest.mark.parametrize(
    ("today", "asked", "shown"),
    [
        (dt.date(2027, 3, 1), "28 February", True),  # common year: the 29th is remembered on the 28th
        (dt.date(2027, 3, 1), "29 February", True),
        (dt.date(2028, 3, 1), "28 February", False),  # leap year: each on its own day
        (dt.date(2028, 3, 1), "29 February", True),
    ],
)
async def test_leap_day_events_are_remembered_on_28_february_in_common_years(
    services: Services, add_event: AddEvent, today: dt.date, asked: str, shown: bool
) -> None:
    await add_event(SERVER, "1920-02-29", "Leap-day meeting in Kharkiv")

    answer = await services.almanac.on_this_day(SERVER, asked, today)

    assert ("Leap-day meeting in Kharkiv" in titles(answer.anniversaries)) is shown


async def test_upcoming_keeps_a_leap_day_event_in_a_common_year(
    services: Services, add_event: AddEvent
) -> None:
    await add_event(SERVER, "1920-02-29", "Leap-day meeting in Kharkiv")

    answer = await services.almanac.upcoming(SERVER, 3, dt.date(2027, 2, 27))

    days = {day: titles(items) for day, items in answer.by_day}
    assert "Leap-day meeting in Kharkiv" in days[dt.date(2027, 2, 28)]


@pytest.mark.parametrize(
    ("today", "years", "round_"),
    [
        (dt.date(2044, 3, 16), "125 years ago", True),
        (dt.date(2045, 3, 16), "126 years ago", False),
        (dt.date(1969, 3, 16), "50 years ago", True),
        (dt.date(1920, 3, 16), "1 year ago", False),
    ],
)
async def test_years_ago_and_round_anniversaries(
    services: Services, today: dt.date, years: str, round_: bool
) -> None:
    answer = await services.almanac.on_this_day(0, "", today)

    putilov = next(item for item in answer.anniversaries if "Putilov" in item.event.title)
    assert (str(putilov.years), putilov.round) == (years, round_)


async def test_old_style_is_shown_for_russian_dates_before_1918(services: Services) -> None:
    answer = await services.almanac.on_this_day(0, "7 November", TODAY)

    (seizure,) = answer.anniversaries
    assert seizure.event.old_style() == "25 October 1917 O.S."
    assert date_line(seizure.event) == "7 November 1917 (25 October 1917 O.S.)"
    putilov = (await services.almanac.on_this_day(0, "16 March", TODAY)).anniversaries[0]
    assert putilov.event.old_style() is None  # 1919: Russia had changed calendar


# -- /search and /event ------------------------------------------------------------------------


def about(event: Event, word: str) -> bool:
    fields = event.fields
    text = " ".join((fields.title, *fields.aliases, *fields.tags, *fields.people, *fields.places))
    return word in text.lower()


@pytest.mark.parametrize(
    ("typed", "subject", "expected_first"),
    [
        ("kronstat", "kronstadt", "Kronstadt rebellion"),
        ("makno", "makhno", None),
        ("tambof", "tambov", None),
        ("chekha", "cheka", "Cheka founded"),
    ],
)
async def test_search_forgives_typos(
    services: Services, typed: str, subject: str, expected_first: str | None
) -> None:
    answer = await services.almanac.search(0, typed)

    top = answer.events[:3]
    assert len(top) == 3 and all(about(event, subject) for event in top), titles(answer.events)
    if expected_first:
        assert answer.events[0].title == expected_first


async def test_search_puts_every_kronstadt_title_before_anything_else(services: Services) -> None:
    answer = await services.almanac.search(0, "kronstat")

    named = [event for event in answer.events if "Kronstadt" in event.title]
    assert len(named) == 4
    assert answer.events[:4] == named


async def test_a_search_read_a_page_at_a_time_lists_what_one_read_whole_lists(services: Services) -> None:
    """/search in Discord reads its first page now and the others as they are turned to (pages
    of two here, the fixture being small); the pages are the same events, in the same order, and
    partial the same way."""
    whole = await services.almanac.search(0, "strike xyzzy")
    first = await services.almanac.search(0, "strike xyzzy", read_first=2)
    assert len(whole.events) > 3
    assert first.events == whole.events[:2]
    assert first.unread == tuple(event.id for event in whole.events[2:])
    assert first.listed == whole.listed and first.only_partial == whole.only_partial
    turned = await services.almanac.read_listed(0, first, 4)
    assert turned.events == whole.events[:4]


async def test_search_with_no_match_says_so(services: Services) -> None:
    answer = await services.almanac.search(0, "zzzqqqxx")

    assert answer.events == []
    assert "zzzqqqxx" in str(answer.empty_message)


async def test_a_word_the_chronology_lacks_leaves_the_others_answer_marked_partial(
    services: Services,
) -> None:
    answer = await services.almanac.search(0, "kronstadt xyzzy")

    assert answer.events[0].title == "Kronstadt rebellion"
    assert answer.only_partial and answer.partial == {event.id for event in answer.events}


async def test_a_search_marks_only_the_events_that_miss_a_word(services: Services) -> None:
    answer = await services.almanac.search(0, "kronstadt sailors strike")

    whole = [event.title for event in answer.events if event.id not in answer.partial]
    assert whole == ["Kronstadt sailors declare solidarity with Petrograd strikers"]
    assert "Kronstadt rebellion" in titles([e for e in answer.events if e.id in answer.partial])
    assert not answer.only_partial
    assert not (await services.almanac.search(0, "kronstat")).partial


async def test_event_by_name_finds_brest_litovsk(services: Services) -> None:
    answer = await services.almanac.lookup(0, "Brest-Litovsk")

    assert answer.event is not None
    assert answer.event.title == "Treaty of Brest-Litovsk signed with Germany"
    assert answer.event.date.display() == "March 1918"


async def test_event_by_name_finds_the_cheka_founding(services: Services) -> None:
    answer = await services.almanac.lookup(0, "Cheka")

    assert answer.event is not None and answer.event.title == "Cheka founded"
    assert answer.event.old_style() == "22 November 1917 O.S."


async def test_event_with_an_unknown_name_offers_three_suggestions(services: Services) -> None:
    answer = await services.almanac.lookup(0, "Petrograd soviet elections")

    assert answer.event is None
    assert len(answer.suggestions) == 3


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("kronstadt rebelion", "Kronstadt rebellion"),
        ("treaty of brest", "Treaty of Brest-Litovsk signed with Germany"),
        ("Putilov", "Cheka storms the Putilov works"),
    ],
)
async def test_event_takes_a_clear_best_match(services: Services, typed: str, title: str) -> None:
    answer = await services.almanac.lookup(0, typed)

    assert answer.event is not None and answer.event.title == title


async def test_event_with_nothing_near_offers_no_made_up_suggestions(services: Services) -> None:
    answer = await services.almanac.lookup(0, "zzqqxxv")

    assert (answer.event, answer.suggestions) == (None, [])


async def test_event_does_not_guess_between_equally_good_matches(services: Services) -> None:
    answer = await services.almanac.lookup(0, "Brest")

    assert answer.event is None
    assert {
        "Treaty of Brest-Litovsk signed with Germany",
        "Peace talks open with Germany and the Central Powers",
    } <= set(answer.suggestions)


async def test_an_autocomplete_choice_is_taken_exactly(services: Services) -> None:
    (first, *_) = await services.almanac.complete(0, "kronstadt reb")

    answer = await services.almanac.event(0, first.event_id)

    assert answer.event is not None and answer.event.title == first.title == "Kronstadt rebellion"


async def test_autocomplete_offers_at_most_25_titles_on_every_keystroke(services: Services) -> None:
    typed = "kronstadt rebellion"
    for end in range(len(typed) + 1):
        hits = await services.almanac.complete(0, typed[:end])
        assert len(hits) <= 25
        if end >= 4:
            assert hits and hits[0].title.startswith("Kronstadt"), typed[:end]
    assert len(await services.almanac.complete(0, "")) == 25


# -- /timeline ---------------------------------------------------------------------------------


def assert_chronological(events: list[Event]) -> None:
    starts = [event.date.first_day() for event in events]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    ("start", "end", "span", "heading", "must_include"),
    [
        ("1918", None, ("1918-01-01", "1918-12-31"), "1918", "Red Terror entrusted to the Cheka"),
        ("1918-06", None, ("1918-06-01", "1918-06-30"), "June 1918", "War communism introduced"),
        ("March 1921", None, ("1921-03-01", "1921-03-31"), "March 1921", "Kronstadt rebellion"),
        (
            "1918 to 1921",
            None,
            ("1918-01-01", "1921-12-31"),
            "1918 to 1921",
            "Cheka storms the Putilov works",
        ),
        ("1918", "1921", ("1918-01-01", "1921-12-31"), "1918 to 1921", "Kronstadt rebellion"),
    ],
)
async def test_timeline_lists_a_span_in_order(
    services: Services, start: str, end: str | None, span: tuple[str, str], heading: str, must_include: str
) -> None:
    first, last = (dt.date.fromisoformat(text) for text in span)

    answer = await services.almanac.timeline(0, start, end)

    assert str(answer.heading) == f"Timeline: {heading}"
    assert must_include in titles(answer.events)
    assert_chronological(answer.events)
    for event in answer.events:
        assert event.date.first_day() <= last and event.date.last_day() >= first, event.title


async def test_timeline_of_1918_to_1921_holds_every_year_between(services: Services) -> None:
    answer = await services.almanac.timeline(0, "1918 to 1921", None)

    assert {event.date.start.year for event in answer.events} >= {1918, 1919, 1920, 1921}
    assert "Revolution of 1905" not in titles(answer.events)


async def test_timeline_backwards_is_refused(services: Services) -> None:
    with pytest.raises(UserError, match="earlier date first"):
        await services.almanac.timeline(0, "1921", "1918")


# -- /upcoming ---------------------------------------------------------------------------------


async def test_upcoming_defaults_to_a_week(services: Services) -> None:
    answer = await services.almanac.upcoming(0, None, TODAY)

    assert answer.days == 7
    days = {day: titles(items) for day, items in answer.by_day}
    assert min(days) >= TODAY and max(days) <= TODAY + dt.timedelta(days=6)
    assert "Astrakhan massacre of strikers" in days[dt.date(2026, 3, 13)]
    assert "Cheka storms the Putilov works" in days[dt.date(2026, 3, 16)]


@pytest.mark.parametrize("days", [0, 32, -1])
async def test_upcoming_refuses_out_of_range_days(services: Services, days: int) -> None:
    with pytest.raises(UserError, match="between 1 and 31"):
        await services.almanac.upcoming(0, days, TODAY)


# -- bad input ---------------------------------------------------------------------------------


def short(error: pytest.ExceptionInfo[UserError]) -> str:
    text = str(error.value)
    assert "\n" not in text and 10 < len(text) <= 200, text
    return text


Call = Callable[[Almanac], Awaitable[object]]  # a question asked of the application


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        pytest.param(lambda a: a.on_this_day(0, "30 February", TODAY), "February has 29 days", id="30-feb"),
        pytest.param(lambda a: a.on_this_day(0, "31/4", TODAY), "April has 30 days", id="31-apr"),
        pytest.param(lambda a: a.on_this_day(0, "13-45", TODAY), "has no month 13", id="month-13"),
        pytest.param(
            lambda a: a.on_this_day(0, "@everyone", TODAY), "not a day I can read", id="day-everyone"
        ),
        pytest.param(lambda a: a.on_this_day(0, "x" * 5000, TODAY), "too long", id="day-5000"),
        pytest.param(lambda a: a.timeline(0, "@everyone", None), "not a span I can read", id="span-everyone"),
        pytest.param(lambda a: a.timeline(0, "x" * 5000, None), "too long", id="span-5000"),
        pytest.param(lambda a: a.search(0, "   "), "empty", id="search-empty"),
        pytest.param(lambda a: a.search(0, "kronstadt " * 500), "keep it under 200", id="search-5000"),
        pytest.param(lambda a: a.lookup(0, ""), "empty", id="event-empty"),
        pytest.param(lambda a: a.lookup(0, "x" * 5000), "keep it under 200", id="event-5000"),
    ],
)
async def test_bad_input_gets_one_short_sentence(services: Services, call: Call, expected: str) -> None:
    with pytest.raises(UserError) as error:
        await call(services.almanac)
    assert expected in short(error)


async def test_everyone_in_a_search_is_only_text(services: Services) -> None:
    answer = await services.almanac.search(0, "@everyone zzzqqqxx")

    assert str(answer.heading) == "Search: @everyone zzzqqqxx"  # rendering makes it inert, see test_cog_ask


# -- one server's events -----------------------------------------------------------------------


async def test_a_servers_own_event_is_seen_there_and_nowhere_else(
    services: Services, add_event: AddEvent
) -> None:
    event = await add_event(
        SERVER, "1919-03-16", "Strike at the Obukhov works", summary="Workers walked out."
    )

    async def seen_by(guild_id: int) -> dict[str, bool]:
        day = await services.almanac.on_this_day(guild_id, "16 March", TODAY)
        upcoming = await services.almanac.upcoming(guild_id, 7, TODAY)
        return {
            "onthisday": event.title in titles(day.anniversaries),
            "upcoming": any(event.title in titles(items) for _, items in upcoming.by_day),
            "search": event.title in titles((await services.almanac.search(guild_id, "obukhov")).events),
            "event": (await services.almanac.lookup(guild_id, "Strike at the Obukhov works")).event == event,
            "picked": (await services.almanac.event(guild_id, event.id)).event == event,
            "timeline": event.title
            in titles((await services.almanac.timeline(guild_id, "1919-03", None)).events),
            "complete": event.title
            in [hit.title for hit in await services.almanac.complete(guild_id, "obukh")],
        }

    assert set((await seen_by(SERVER)).values()) == {True}
    assert set((await seen_by(OTHER_SERVER)).values()) == {False}
    assert set((await seen_by(0)).values()) == {False}


async def test_a_long_range_is_ongoing_not_an_anniversary_on_its_inner_days(
    services: Services, add_event: AddEvent
) -> None:
    await add_event(SERVER, "1919-04-01/1919-05-20", "Spring strike wave in the Urals")

    inner: DayAnswer = await services.almanac.on_this_day(SERVER, "20 April", TODAY)
    first: DayAnswer = await services.almanac.on_this_day(SERVER, "1 April", TODAY)

    assert "Spring strike wave in the Urals" not in titles(inner.anniversaries)
    (ongoing,) = inner.ongoing
    assert (ongoing.nth, ongoing.span) == (20, 50)
    assert "Spring strike wave in the Urals" in titles(first.anniversaries)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12 марта", "Astrakhan massacre of strikers"),
        ("28 de febrer", "Kronstadt sailors declare solidarity with Petrograd strikers"),
        ("19 de agosto", "Tambov peasant rebellion begins"),
        ("16. März", "Cheka storms the Putilov works"),
    ],
)
async def test_on_this_day_answers_a_day_typed_in_another_language(
    services: Services, typed: str, expected: str
) -> None:
    answer = await services.almanac.on_this_day(0, typed, TODAY)
    assert expected in titles(answer.anniversaries)


async def test_the_timeline_reads_a_month_typed_in_another_language(services: Services) -> None:
    answer = await services.almanac.timeline(0, "de març de 1921", None)
    assert str(answer.heading).startswith("Timeline: March 1921")
    assert "New Economic Policy adopted" in titles(answer.events)


async def test_a_long_event_is_remembered_on_its_first_and_last_day_only(services: Services) -> None:
    coming = await services.almanac.upcoming(0, 31, dt.date(2026, 2, 26))

    kronstadt = [
        (day, str(item.years))
        for day, items in coming.by_day
        for item in items
        if item.event.fields.slug == "kronstadt-rebellion"
    ]
    assert kronstadt == [
        (dt.date(2026, 2, 28), "began 105 years ago"),
        (dt.date(2026, 3, 19), "ended 105 years ago"),
    ]


async def test_a_short_range_stays_an_anniversary_on_each_of_its_days(services: Services) -> None:
    coming = await services.almanac.upcoming(0, 7, dt.date(2026, 3, 11))
    astrakhan = [day.day for day, items in coming.by_day for item in items if "Astrakhan" in item.event.title]
    assert astrakhan == [12, 13, 14]  # three days: every one of them, each "107 years ago"


async def test_the_daily_post_names_a_long_event_on_two_days_of_its_twenty(services: Services) -> None:
    posted_on = []
    day = dt.date(2026, 2, 28)
    while day <= dt.date(2026, 3, 19):
        now = dt.datetime.combine(day, dt.time(12), dt.UTC)
        post = await services.anniversaries.preview(0, day.isoformat(), now)
        assert post is not None and post.answer.ongoing == []  # never "under way" in a post
        if any(item.event.fields.slug == "kronstadt-rebellion" for item in post.answer.anniversaries):
            posted_on.append(day.day)
        day += dt.timedelta(days=1)
    assert posted_on == [28, 19]


async def test_a_crowded_day_lists_its_first_25_of_each_kind_and_counts_the_rest(
    services: Services,
) -> None:
    crowd = [
        EventFields.from_mapping({"id": f"strike-{n}", "date": f"{1850 + n}-03-16", "title": f"Strike {n}"})
        for n in range(60)
    ]
    crowd += [  # long events on one of their inner days: under way, not anniversaries
        EventFields.from_mapping(
            {"id": f"siege-{n}", "date": f"{1850 + n}-03-01/{1850 + n}-04-30", "title": f"Siege {n}"}
        )
        for n in range(55)
    ]
    await services.store.import_events(SERVER, crowd, actor=None)

    answer = await services.almanac.on_this_day(SERVER, "16 March", TODAY)
    before = await services.almanac.on_this_day(SERVER, "15 March", TODAY)

    # the bundled Putilov assault (1919) and all sixty strikes, the earliest 25 listed in order
    assert answer.anniversary_count == 61
    assert titles(answer.anniversaries) == [f"Strike {n}" for n in range(25)]
    assert (len(answer.ongoing), answer.more_ongoing) == (25, 31)  # 55 sieges and Kronstadt
    assert titles(answer.ongoing)[:3] == ["Siege 0", "Siege 1", "Siege 2"]
    assert day_message(answer) == "61 events happened on 16 March."
    text = to_text(answer).splitlines()
    assert text.count("  …and 36 more") == 1 and text.count("  …and 31 more") == 1
    description = embeds.day_embed(answer).description or ""
    assert description.endswith("…and 36 more; try `/timeline` or `/search`.")
    # the day before, which has none, offers it as the next anniversary, counted the same way
    assert (before.next_day, len(before.next_anniversaries), before.more_next) == (AskedDay(3, 16), 25, 36)


async def test_an_empty_day_before_a_crowded_one_counts_what_comes_next(services: Services) -> None:
    crowd = [
        EventFields.from_mapping({"id": f"strike-{n}", "date": f"{1850 + n}-06-02", "title": f"Strike {n}"})
        for n in range(70)
    ]
    await services.store.import_events(SERVER, crowd, actor=None)

    answer = await services.almanac.on_this_day(SERVER, "1 June", TODAY)

    assert answer.anniversaries == [] and answer.next_day == AskedDay(6, 2)
    assert (len(answer.next_anniversaries), answer.more_next) == (25, 45)
    assert "  …and 45 more" in to_text(answer).splitlines()


# -- /event's picture: an event among its neighbours -------------------------------------------


async def test_an_event_is_pictured_among_the_year_before_and_the_year_after(services: Services) -> None:
    kronstadt = (await services.almanac.lookup(0, "Kronstadt rebellion")).event
    assert kronstadt is not None

    around = await services.almanac.surroundings(0, kronstadt)

    assert around.span == (dt.date(1920, 1, 1), dt.date(1922, 12, 31)) and around.focus == kronstadt.id
    assert str(around.heading) == "Kronstadt rebellion: 1920 to 1922"
    assert kronstadt.id in [event.id for event in around.events]
    assert_chronological(around.events)
    expected = await services.almanac.timeline(0, "1920", "1922")
    assert [event.id for event in around.events] == [event.id for event in expected.events]


async def test_a_crowded_neighbourhood_narrows_to_the_events_own_year_and_keeps_it(
    services: Services, add_event: AddEvent
) -> None:
    from bot.model.event import EventFields

    crowd = [
        EventFields.from_mapping(
            {"id": f"crowd-{n}", "date": f"1920-0{n % 9 + 1}-1{n % 9}", "title": f"Crowd {n}"}
        )
        for n in range(300)
    ]
    await services.store.import_events(SERVER, crowd, actor=1)
    late = await add_event(SERVER, "1921-12-31", "The last day of 1921")
    around = await services.almanac.surroundings(SERVER, late)

    assert around.span == (dt.date(1921, 1, 1), dt.date(1921, 12, 31))
    assert late.id in [event.id for event in around.events] and len(around.events) <= 250
    assert not any(event.title.startswith("Crowd") for event in around.events)
    in_the_crowd = await add_event(SERVER, "1920-09-30", "Lost in the crowd")
    crowded = await services.almanac.surroundings(SERVER, in_the_crowd)
    assert len(crowded.events) == 250 and in_the_crowd.id in [event.id for event in crowded.events]
    assert_chronological(crowded.events)


async def test_a_day_question_never_builds_the_search_index_and_the_first_search_does(database: str) -> None:
    """A one-shot `almanac ask` about a day pays nothing for search; one that searches finds
    every event, one written after the process started among them."""
    from bot.model.event import EventFields
    from bot.runtime import open_services
    from tests.support import FIXTURE_CHRONOLOGY

    async with open_services(database, FIXTURE_CHRONOLOGY, index_now=False) as services:
        day = await services.almanac.on_this_day(SERVER, "16 March", TODAY)
        assert day.anniversaries and len(services.index) == 0
        late = {"id": "late-comer", "date": "1921-03-02", "title": "Petrichenko's late note"}
        await services.store.add_event(SERVER, EventFields.from_mapping(late), 7)
        assert (await services.almanac.search(SERVER, "Kronstadt")).events and len(services.index) > 0
        found = await services.almanac.search(SERVER, "petrichenko late note")
        assert [event.title for event in found.events][:1] == ["Petrichenko's late note"]
