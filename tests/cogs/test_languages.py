"""Members read the events in their own Discord language, through simcord (cogs/ask.py)."""

from __future__ import annotations

import pytest

from tests.support import AddEvent, World, speak

TRANSLATED = {
    "ru": {"title": "Забастовка на Обуховском заводе", "summary": "Рабочие остановили станки."},
    "es": {"title": "Huelga en la fábrica Obújov", "summary": "Los obreros pararon."},
}


@pytest.fixture
async def strike(world: World, add_event: AddEvent, monkeypatch: pytest.MonkeyPatch) -> World:
    await add_event(
        world.guild.id,
        "1921-03-12",
        "Obukhov works strike",
        summary="Workers stopped.",
        translations=TRANSLATED,
    )
    speak(monkeypatch, {world.alice.id: "ru"})  # bob keeps en-US
    return world


async def test_each_member_reads_the_event_in_their_language(strike: World) -> None:
    russian = await strike.alice.slash(strike.channel, "event", name="Obukhov works strike")
    english = await strike.bob.slash(strike.channel, "event", name="Obukhov works strike")

    (card,) = russian.response.embeds
    assert card.title == "Забастовка на Обуховском заводе"
    assert card.description == "Рабочие остановили станки."
    fields = {field.name: field.value for field in card.fields}
    assert fields["Дата"] == "12 марта 1921 г."
    assert fields["Откуда"] == "хронология этого сервера"
    assert english.response.embeds[0].title == "Obukhov works strike"


async def test_a_day_and_a_search_follow_the_askers_language_too(strike: World) -> None:
    day = await strike.alice.slash(strike.channel, "onthisday", date="12 марта")
    found = await strike.alice.slash(strike.channel, "search", query="обуховском заводе")

    assert "Забастовка на Обуховском заводе" in (day.response.embeds[0].description or "") + "".join(
        field.value for field in day.response.embeds[0].fields
    )
    assert "Забастовка на Обуховском заводе" in (found.response.embeds[0].description or "")


async def test_a_language_almanac_does_not_ship_reads_english(
    strike: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    speak(monkeypatch, {strike.bob.id: "ja"})
    shown = await strike.bob.slash(strike.channel, "event", name="Obukhov works strike")
    assert shown.response.embeds[0].title == "Obukhov works strike"


async def test_autocomplete_names_the_events_in_the_members_language(strike: World) -> None:
    russian = await strike.alice.autocomplete(strike.channel, "event", "name", "obukhov")
    english = await strike.bob.autocomplete(strike.channel, "event", "name", "obukhov")

    assert [choice["name"] for choice in russian][:1] == ["Забастовка на Обуховском заводе"]
    assert [choice["name"] for choice in english][:1] == ["Obukhov works strike"]
    assert [choice["value"] for choice in russian] == [choice["value"] for choice in english]
