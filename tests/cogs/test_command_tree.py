"""Discord's limits, checked before Discord can refuse us: the command tree as it is synced,
and every embed the question commands can draw, at their largest.

Discord rejects a whole sync for one bad option, and a whole reply for one embed over its limits;
both would surface only in production, so they are checked here on the real objects. The tree is
checked as `tree.sync()` sends it, translated into every locale, captured through simcord
(tests/limits_commands.py and tests/limits_spec.py hold the rules).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import discord
import pytest

from bot.almanac.answers import Anniversary, DayAnswer, EventAnswer, EventList, UpcomingAnswer
from bot.dates.partial import EventDate
from bot.dates.when import AskedDay
from bot.i18n.languages import SHIPPED
from bot.i18n.messages import said, said_n, translate
from bot.model.event import Event, EventFields
from bot.render import embeds
from bot.render.localize import label
from tests import limits
from tests.support import World

# -- the command tree ----------------------------------------------------------------------------


@pytest.fixture
def synced(world: World) -> limits.Request:
    """The bulk overwrite `tree.sync()` sent when the world was set up, as simcord received it."""
    requests = [
        limits.Request(entry.method, entry.path, entry.json, entry.params or {})
        for entry in world.env.http_requests
        if limits.is_sync(entry.method, entry.path)
    ]
    assert len(requests) == 1
    return requests[0]


@pytest.fixture
def tree_payload(synced: limits.Request) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = synced.body
    return body


async def test_the_question_commands_are_in_the_tree(tree_payload: list[dict[str, Any]]) -> None:
    names = {command["name"] for command in tree_payload}

    assert {"onthisday", "event", "search", "timeline", "upcoming"} <= names


async def test_the_synced_commands_are_within_discords_limits_in_every_locale(
    synced: limits.Request, tree_payload: list[dict[str, Any]]
) -> None:
    assert limits.request_findings(synced) == []
    # the body checked is the translated one: every command carries its names in other languages
    onthisday = next(command for command in tree_payload if command["name"] == "onthisday")
    assert onthisday["name_localizations"]["ru"] == translate("ru", "name", "onthisday") != "onthisday"
    assert all(command.get("description_localizations") for command in tree_payload)


async def test_the_event_option_autocompletes(tree_payload: list[dict[str, Any]]) -> None:
    event = next(command for command in tree_payload if command["name"] == "event")

    name, picture = event["options"]
    assert name["autocomplete"] is True and name["required"] is True
    assert picture["name"] == "picture" and not picture.get("required")
    assert [choice["value"] for choice in picture["choices"]] == ["light", "dark"]


# -- embeds at their largest ----------------------------------------------------------------------

# A title's full 100 characters of what could break out of its place: markdown, mentions, a link.
NASTY_TITLE = (
    "**bold** __under__ ~~gone~~ `code` @everyone @here <@123456789012345678> [x](https://e.com) |~~~~~~~"
)
NASTY_TEXT = ("@everyone look **here** <@&123456789012345678> _now_ > quote `tick` ||spoiler|| " * 10)[:600]
NASTY_LIST = tuple(f"@here {n} **{'x' * 80}**"[:100] for n in range(20))


YEARS_AGO = said_n("{count} year ago", "{count} years ago", 107)


def nasty_event(number: int, date: str = "1919-03-16", **extra: Any) -> Event:
    fields = EventFields(
        slug=f"nasty-{number}",
        date=EventDate.parse(date),
        title=NASTY_TITLE,
        summary=NASTY_TEXT,
        **extra,
    )
    return Event(id=number, scope=123, fields=fields)


def nasty_anniversary(number: int, **extra: Any) -> Anniversary:
    return Anniversary(
        nasty_event(number),
        years=said_n("{count} year ago", "{count} years ago", 107),
        round=number % 2 == 0,
        **extra,
    )


PINGS = re.compile(r"@everyone|@here|<@[!&]?\d+>")


def assert_fits(embed: discord.Embed) -> None:
    """Discord's embed limits, and no mention left able to ping."""
    assert len(embed) <= 6000
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    for field in embed.fields:
        assert 1 <= len(field.name or "") <= 256
        assert 1 <= len(field.value or "") <= 1024
    assert len(embed.footer.text or "") <= 2048
    texts = [embed.title, embed.description, embed.footer.text]
    texts += [text for field in embed.fields for text in (field.name, field.value)]
    for text in filter(None, texts):
        assert not PINGS.search(text), text


@pytest.mark.parametrize("language", SHIPPED)
def test_a_day_with_100_long_anniversaries_fits_one_embed(language: str) -> None:
    answer = DayAnswer(AskedDay(3, 16), 2026, [nasty_anniversary(n) for n in range(100)])

    embed = embeds.day_embed(answer, language)

    assert_fits(embed)
    # what did not fit is said, in every language, with what to try instead
    assert (embed.description or "").rsplit("\n\n", 1)[-1].startswith("…")


@pytest.mark.parametrize("language", SHIPPED)
def test_a_day_with_everything_beside_it_fits_one_embed(language: str) -> None:
    answer = DayAnswer(
        AskedDay(3, 16),
        2026,
        anniversaries=[nasty_anniversary(n) for n in range(100)],
        ongoing=[nasty_anniversary(n, nth=20, span=60) for n in range(100, 200)],
    )
    quiet = DayAnswer(
        AskedDay(11, 26),
        2026,
        anniversaries=[],
        ongoing=[nasty_anniversary(n, nth=20, span=60) for n in range(100)],
        next_day=AskedDay(12, 5),
        next_anniversaries=[nasty_anniversary(n) for n in range(100, 200)],
        month_events=[nasty_event(n, "1918-11") for n in range(200, 300)],
    )

    assert_fits(embeds.day_embed(answer, language))
    assert_fits(embeds.day_embed(quiet, language))


@pytest.mark.parametrize("language", SHIPPED)
def test_every_page_of_500_events_fits(language: str) -> None:
    answer = EventList(
        said("Search: {query}", query=NASTY_TITLE), [nasty_event(n) for n in range(500)], said("nothing")
    )

    assert embeds.page_count(answer) == 100
    for page in range(embeds.page_count(answer)):
        embed = embeds.list_page_embed(answer, page, language)
        assert_fits(embed)
        assert f"{page + 1}" in (embed.footer.text or "") and "500" in (embed.footer.text or "")
        if language == "en":
            assert embed.footer.text == f"Page {page + 1} of 100 · 500 events"


def test_an_empty_list_does_not_ping_with_the_query_it_repeats() -> None:
    answer = EventList(
        said("Search: {query}", query="@everyone"),
        [],
        said("Nothing in the chronology matches `{query}`; try fewer or other words.", query="@everyone"),
    )

    assert_fits(embeds.list_page_embed(answer, 0))


@pytest.mark.parametrize("language", SHIPPED)
def test_an_event_with_every_field_at_its_limit_fits(language: str) -> None:
    event = nasty_event(
        1,
        "1917-11-07",
        people=NASTY_LIST,
        places=NASTY_LIST,
        tags=NASTY_LIST,
        aliases=NASTY_LIST,
        source=NASTY_TEXT[:300],
        note=NASTY_TEXT,
        russian=True,
    )

    embed = embeds.event_embed(event, language)

    assert_fits(embed)
    labels = [field.name for field in embed.fields]
    assert labels[:2] == [label(text, language) for text in ("Date", "Old Style")]


@pytest.mark.parametrize("language", SHIPPED)
def test_a_month_of_crowded_upcoming_days_fits(language: str) -> None:
    start = dt.date(2026, 3, 1)
    by_day = [(start + dt.timedelta(days=n), [nasty_anniversary(k) for k in range(40)]) for n in range(31)]

    pages = embeds.upcoming_pages(UpcomingAnswer(31, by_day), language)

    assert len(pages) > 1
    for page in pages:
        assert_fits(page)
    days = [field.name for page in pages for field in page.fields]
    assert len(days) == 31  # every day, on one page or the next: none left out
    footers = [page.footer.text or "" for page in pages]
    assert all(f"{len(pages)}" in footer for footer in footers)
    assert language != "en" or footers[0] == f"Page 1 of {len(pages)}"


@pytest.mark.parametrize("language", SHIPPED)
def test_not_found_message_cannot_ping(language: str) -> None:
    answer = EventAnswer("@everyone <@123456789012345678>", None, [nasty_event(n) for n in range(3)])

    text = embeds.not_found_message(answer, language)

    assert len(text) <= 2000
    assert not PINGS.search(text)
