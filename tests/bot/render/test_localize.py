"""bot/render/localize.py: answers show each event in the reader's language, English where it has none."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.dates.partial import EventDate
from bot.dates.words import date_in
from bot.render.localize import localized
from bot.runtime import Services
from tests.support import AddEvent

HERE = 5150
TODAY = dt.date(2026, 3, 10)
TRANSLATED = {
    "ru": {"title": "Забастовка на Обуховском заводе", "summary": "Рабочие остановили станки."},
    "ca": {"title": "Vaga a la fàbrica Obukhov"},
}


async def test_each_answer_shows_the_readers_language_and_falls_back_to_english(
    services: Services, add_event: AddEvent
) -> None:
    await add_event(
        HERE, "1921-03-12", "Obukhov works strike", summary="Workers stopped.", translations=TRANSLATED
    )
    await add_event(HERE, "1921-03-12", "Obukhov works lockout", summary="The gates were shut.")
    almanac = services.almanac

    day = localized(await almanac.on_this_day(HERE, "12 March", TODAY), "ru")
    shown = {item.event.title: item.event.fields.summary for item in day.anniversaries}
    assert shown["Забастовка на Обуховском заводе"] == "Рабочие остановили станки."
    assert shown["Obukhov works lockout"] == "The gates were shut."  # no translation: English

    catalan = localized(await almanac.lookup(HERE, "Obukhov works strike"), "ca")
    assert catalan.event is not None and catalan.event.title == "Vaga a la fàbrica Obukhov"
    assert catalan.event.fields.summary == "Workers stopped."  # a title alone is translated

    found = localized(await almanac.search(HERE, "обуховском"), "ru")
    assert [event.title for event in found.events][:1] == ["Забастовка на Обуховском заводе"]
    upcoming = localized(await almanac.upcoming(HERE, 3, TODAY), "ru")
    assert "Забастовка на Обуховском заводе" in [i.event.title for _, items in upcoming.by_day for i in items]

    english = await almanac.on_this_day(HERE, "12 March", TODAY)
    assert localized(english, "en") is english


@pytest.mark.parametrize(
    ("edtf", "language", "shown"),
    [
        ("1919-03-16", "es", "16 de marzo de 1919"),
        ("1919-03-16", "ru", "16 марта 1919\u202fг."),  # CLDR's narrow no-break space
        ("1919-03", "es", "marzo de 1919"),
        ("1919-03-12/1919-03-14", "es", "12–14 de marzo de 1919"),
        ("1918-06/1918-08", "ca", "juny–agost del 1918"),
        ("1928/1935", "ru", "1928–1935"),
        ("1921-09~", "es", "c. septiembre de 1921"),
        ("1921-02?", "ca", "febrer del 1921?"),
        ("1919-03-16", "en", "16 March 1919"),
    ],
)
def test_a_date_reads_as_its_language_writes_it(edtf: str, language: str, shown: str) -> None:
    assert date_in(EventDate.parse(edtf), language) == shown


async def test_the_closest_titles_and_the_card_are_in_the_readers_language(
    services: Services, add_event: AddEvent
) -> None:
    russian = {
        "ru": {
            "title": "Забастовка на Обуховском заводе",
            "aliases": ["Обуховская стачка"],
            "places": ["Петроград"],
            "tags": ["забастовки"],
            "note": "Дата по источнику.",
        }
    }
    await add_event(
        HERE,
        "1921-03-12",
        "Obukhov works strike",
        places=["Petrograd"],
        tags=["strikes"],
        aliases=["Obukhov strike"],
        note="The source's date.",
        translations=russian,
    )
    await add_event(HERE, "1921-03-13", "Obukhov works lockout")

    missed = localized(await services.almanac.lookup(HERE, "Obukhov"), "ru")
    assert missed.event is None and "Забастовка на Обуховском заводе" in missed.suggestions

    card = localized(await services.almanac.lookup(HERE, "Обуховская стачка"), "ru")
    assert card.event is not None
    fields = card.event.fields
    assert (fields.aliases, fields.places, fields.tags) == (
        ("Обуховская стачка",),
        ("Петроград",),
        ("забастовки",),
    )
    assert fields.note == "Дата по источнику."
