"""Members read the events in their own Discord language, through simcord (cogs/ask.py)."""

from __future__ import annotations

import discord
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


# -- the words around the events ------------------------------------------------------------------


async def test_a_day_is_headed_dated_and_counted_in_the_askers_language(strike: World) -> None:
    russian = await strike.alice.slash(strike.channel, "onthisday", date="12 марта")
    english = await strike.bob.slash(strike.channel, "onthisday", date="12 March")

    (day,) = russian.response.embeds
    assert day.title == "В этот день: 12 марта"
    assert "12 марта 1921 г." in (day.description or "")
    assert "лет назад" in (day.description or "")  # 105 years: the plural form of 5 and up
    assert english.response.embeds[0].title == "On this day: 12 March"


@pytest.mark.parametrize(
    ("locale", "typed", "said"),
    [
        ("ru", "30 февраля", "`30 февраля` не существует: февраль длится 29 дней."),
        ("es-ES", "30 de febrero", "`30 de febrero` no existe: febrero tiene 29 días."),
        ("ca", "30 de febrer", "`30 de febrer` no existeix: febrer té 29 dies."),
        ("ja", "30 February", "`30 February` does not exist: February has 29 days."),
    ],
)
async def test_an_impossible_day_is_refused_in_the_askers_language(
    strike: World, monkeypatch: pytest.MonkeyPatch, locale: str, typed: str, said: str
) -> None:
    speak(monkeypatch, {strike.bob.id: locale})
    refused = await strike.bob.slash(strike.channel, "onthisday", date=typed)
    assert refused.ephemeral and refused.response.content == said
    assert [type(error.original).__name__ for error in strike.env.errors] == ["DateError"]  # acknowledged


async def test_upcoming_and_the_timeline_speak_spanish(
    strike: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    speak(monkeypatch, {strike.bob.id: "es-ES"})
    coming = await strike.bob.slash(strike.channel, "upcoming", days=3)
    timeline = await strike.bob.slash(strike.channel, "timeline", start="marzo de 1921")

    assert coming.response.embeds[0].title == "Aniversarios de los próximos 3 días"
    heading = timeline.response.embeds[0].title or ""
    assert heading.startswith("Cronología: marzo de 1921")
    assert "Huelga en la fábrica Obújov" in (timeline.response.embeds[0].description or "")


async def test_the_daily_post_follows_the_language_the_server_chose(
    strike: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    managers = strike.guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    moderator = strike.guild.add_member(strike.env.create_user("mod"), roles=[managers])
    speak(monkeypatch, {moderator.id: "es-ES"})
    saved = await moderator.slash(
        strike.channel,
        "anniversaries setup",
        channel=strike.channel,
        time="09:00",
        timezone="UTC",
        language="ru",
    )
    preview = await moderator.slash(strike.channel, "anniversaries preview", date="12 March")

    assert saved.response.content == "Guardado."  # the moderator reads Spanish
    rows = {field.name: field.value for field in saved.response.embeds[0].fields}
    assert rows["Idioma"] == "Русский"
    (post,) = preview.response.embeds  # the post itself is in the server's chosen Russian
    assert post.title == "В этот день: 12 марта"
    assert "Забастовка на Обуховском заводе" in (post.description or "")
