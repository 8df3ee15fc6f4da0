"""bot/localize.py: answers show each event in the reader's language, English where it has none."""

from __future__ import annotations

import datetime as dt

from bot.localize import localized
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
