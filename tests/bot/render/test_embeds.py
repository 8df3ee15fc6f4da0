"""What a stored or typed text looks like once rendered for Discord (bot.render.markup, bot.render.embeds,
bot.daily.embeds and the error sentences of cogs/): never a link, a mention or a layout it is not.

`live_links`, `live_mentions` and `bare_urls` (tests/support.py) read a text as Discord's markdown
would, so each assertion is about what a member would see, not about which characters were escaped.
"""

from __future__ import annotations

import datetime as dt

import discord
import pytest

from bot.almanac.answers import EventAnswer
from bot.daily.embeds import post_embed
from bot.daily.post import DailyPost
from bot.i18n.errors import UserError
from bot.model.event import Event, EventFields, FieldErrors
from bot.render import embeds
from bot.render.markup import user_message, user_text
from bot.render.text import to_text
from bot.runtime import Services
from cogs.errors import error_message
from cogs.event_modal import problems_message
from tests.support import AddEvent, bare_urls, live_links, live_mentions

GUILD = 7001
TODAY = dt.date(2026, 3, 1)
# discord.py's escape_markdown escapes the first `[` only: the second link stayed live
TWO_LINKS = "[a](https://ok)[Official source](https://evil)"
PINGS = "@everyone <@123> <@!123> <@&1> <#1>"
RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"


def texts_of(embed: discord.Embed) -> list[str]:
    """Every text of an embed a member reads."""
    shown = [embed.title or "", embed.description or "", embed.footer.text or ""]
    return shown + [text for field in embed.fields for text in (field.name or "", field.value or "")]


def balanced(text: str) -> bool:
    """Every bidi embedding, override or isolate opened in a line is closed in that line."""
    for line in text.split("\n"):
        depth = 0
        for char in line:
            depth += char in "\u202a\u202b\u202d\u202e\u2066\u2067\u2068"
            depth -= char in (PDF, PDI) and depth > 0
        if depth:
            return False
    return True


def hostile_event(**fields: object) -> Event:
    raw = {
        "id": "planted",
        "date": "1921-03-01",
        "title": f"{TWO_LINKS} {PINGS}",
        "summary": f"{TWO_LINKS}\n# Not a heading\n> not a quote\n-# not small {PINGS}",
        "people": [TWO_LINKS, PINGS],
        "places": [f"{RLO}Kronstadt"],
        "tags": ["[x](https://evil)"],
        "aliases": [TWO_LINKS],
        "source": "https://example.org/kronstadt_1921",
        "note": f"{TWO_LINKS}\n{PINGS}",
    }
    return Event(id=1, scope=GUILD, fields=EventFields.from_mapping(raw | fields))


# -- the one function ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        TWO_LINKS,
        "[a](<https://evil>)",
        '[a](https://evil "title")',
        "\\[a](https://ok)[b](https://evil)",  # a backslash of one's own cannot escape the escape
        "[a]\n(https://evil)",
        "https://ok)[Official source](https://evil)",
        "`[a](https://evil)`[b](https://evil)",
    ],
)
def test_no_masked_link_survives(text: str) -> None:
    for shown in (user_text(text), user_text(text, lines=True), user_text(text, source=True)):
        assert live_links(shown) == [], shown
        assert "Official source" not in text or "Official source" in shown  # the words still show


def test_no_mention_looks_like_one() -> None:
    shown = user_text(PINGS)

    assert live_mentions(shown) == []
    assert shown.replace("\u200b", "").replace("\\", "") == PINGS  # the same characters, shown


def test_a_url_is_a_link_without_a_preview_but_the_source_keeps_its_own() -> None:
    assert user_text("see https://evil.example/a_b.") == "see <https://evil.example/a_b>."
    assert bare_urls(user_text("https://evil.example/x https://a)https://b")) == []
    assert user_text("https://example.org/a_b", source=True) == "https://example.org/a_b"


def test_line_breaks_cannot_start_a_block() -> None:
    summary = "one\n# Heading\n> quote\n- item\n1. item\r\n-# small\u2028two"

    inline = user_text(summary)
    assert "\n" not in inline and "\u2028" not in inline
    for line in user_text(summary, lines=True).split("\n"):
        assert line[:1] not in ("#", ">", "-") and not line[:2].rstrip(".").isdigit(), line


def test_open_bidi_controls_are_closed() -> None:
    assert user_text(f"{RLO}evil") == f"{RLO}evil{PDF}"
    assert user_text(f"{RLI}a{RLO}b") == f"{RLI}a{RLO}b{PDF}{PDI}"
    assert user_text(f"{RLO}a{PDF}") == f"{RLO}a{PDF}"  # already closed: nothing added
    assert balanced(user_text(f"{RLO}a\n{RLI}b", lines=True))


def test_escaping_is_clipped_to_the_room_given_without_splitting_an_escape() -> None:
    for text in ("*" * 300, "<@123>" * 60, "https://evil.example/" + "a" * 300, TWO_LINKS * 20):
        shown = user_text(text, 100)
        assert len(shown) <= 100 and shown.endswith(("…", "…>"))
        assert live_links(shown) == [] and live_mentions(shown) == [] and bare_urls(shown) == []


def test_a_sentence_keeps_its_code_spans_and_defuses_what_it_quotes() -> None:
    shown = user_message(f"“{TWO_LINKS}” was removed; `/events restore` brings it back first.")

    assert "`/events restore`" in shown
    assert live_links(shown) == [] and "Official source" in shown


def test_a_backtick_in_a_quoted_title_opens_no_hole() -> None:
    shown = user_message(f"“a`b {TWO_LINKS}` {TWO_LINKS}” is not hidden in this server.")

    assert live_links(shown) == []


def test_the_shell_shows_titles_as_typed() -> None:
    # plain text: no escapes, no zero-width spaces
    answer = EventAnswer(query="", event=hostile_event())

    assert to_text(answer).split("\n", 1)[0] == f"{TWO_LINKS} {PINGS}"


# -- titles no one can see ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "\u200b",
        "\u200b\u200c\u200d\u2060",
        "\ufeff",
        "\u3164",
        "\u3164 \u3164",
        "\u2800\u2800",
        f"{RLO}{PDF}",
        "\u2066\u2069 \u200f",
        "\u00a0\u200b\u3000",
    ],
)
def test_a_title_of_invisible_characters_is_refused(title: str) -> None:
    with pytest.raises(FieldErrors) as refused:
        EventFields.from_mapping({"id": "blank", "date": "1921", "title": title})

    assert refused.value.problems == [("title", "has no visible characters; give it words people can read")]


@pytest.mark.parametrize("title", ["\u200bKronstadt", "קרונשטדט", f"{RLO}Kronstadt{PDF}", "🎉", "ß"])
def test_a_title_with_something_to_see_is_kept(title: str) -> None:
    assert EventFields.from_mapping({"id": "seen", "date": "1921", "title": title}).title == title


# -- the embeds ------------------------------------------------------------------------------------


def test_an_event_card_has_no_live_link_mention_or_open_bidi() -> None:
    embed = embeds.event_embed(hostile_event())

    for text in texts_of(embed):
        assert live_links(text) == [] and live_mentions(text) == [] and balanced(text), text
    fields = {field.name: field.value for field in embed.fields}
    assert fields["Source"] == "https://example.org/kronstadt_1921"  # the one field that links
    assert "Official source" in (embed.title or "") and "Not a heading" in (embed.description or "")


def test_every_line_of_a_card_stays_within_discords_limits_after_escaping() -> None:
    loud = {
        "title": "*" * 100,
        "summary": "<@1>" * 150,
        "people": ["_" * 100] * 20,
        "places": ["|" * 98 + str(n) for n in range(20)],
        "tags": ["[" * 98 + str(n) for n in range(20)],
        "aliases": ["`" * 93 + str(n) for n in range(20)],  # with the tags, what the edit form holds
        "note": "\\" * 600,
    }
    embed = embeds.event_embed(hostile_event(**loud))

    assert len(embed) <= 6000 and len(embed.title or "") <= 256
    assert all(len(field.value or "") <= 1024 for field in embed.fields)


async def test_a_day_shows_planted_text_as_text(services: Services, add_event: AddEvent) -> None:
    await add_event(GUILD, "1921-03-01", f"{RLO}{TWO_LINKS} {PINGS}", summary=f"{TWO_LINKS}\n# Heading")
    answer = await services.almanac.on_this_day(GUILD, "1 March", TODAY)

    embed = embeds.day_embed(answer)
    description = embed.description or ""
    assert "Official source" in description
    assert live_links(description) == [] and live_mentions(description) == [] and balanced(description)
    # the summary's quote holds all of it: no line of the card starts a heading
    assert not any(line.startswith("#") for line in description.split("\n"))


async def test_a_search_page_shows_planted_text_as_text(services: Services, add_event: AddEvent) -> None:
    await add_event(GUILD, "1921-03-01", f"Planted {TWO_LINKS}", summary=f"{TWO_LINKS} {PINGS}")
    answer = await services.almanac.search(GUILD, "planted official source")

    for text in texts_of(embeds.list_page_embed(answer, 0)):
        assert live_links(text) == [] and live_mentions(text) == [], text


async def test_a_daily_post_shows_planted_text_as_text(services: Services, add_event: AddEvent) -> None:
    await add_event(GUILD, "1921-03-01", f"{RLO}{TWO_LINKS} {PINGS}", summary=f"{TWO_LINKS}\n> out")
    await add_event(GUILD, "1921-03", f"Month {TWO_LINKS}")
    answer = await services.almanac.on_this_day(GUILD, "1 March", TODAY)
    post = DailyPost(GUILD, TODAY, answer, late=False, mention_role_id=None)

    embed = post_embed(post)
    assert embed.footer.text == "Almanac daily · 2026-03-01"
    for text in texts_of(embed):
        assert live_links(text) == [] and live_mentions(text) == [] and balanced(text), text


async def test_a_not_found_reply_gets_no_preview_and_no_link(services: Services, add_event: AddEvent) -> None:
    await add_event(GUILD, "1921-03-01", "Kronstadt https://evil.example/x [a](https://ok)[b](https://evil)")
    answer = await services.almanac.lookup(
        GUILD, "kronstadt https://evil.example [a](https://x)[b](https://y)"
    )
    assert answer.event is None and answer.suggestions

    message = embeds.not_found_message(answer)  # a message's content: a bare URL would get a preview
    assert bare_urls(message) == [] and live_links(message) == [] and live_mentions(message) == []


# -- error sentences that quote a title --------------------------------------------------------------


def test_an_error_quoting_a_title_shows_it_as_text() -> None:
    shown = error_message(UserError(f"“{TWO_LINKS} {PINGS}” is not removed; there is nothing to restore."))

    assert shown is not None and "Official source" in shown
    assert live_links(shown) == [] and live_mentions(shown) == [] and bare_urls(shown) == []


def test_the_forms_problems_quote_a_title_as_text() -> None:
    error = FieldErrors([("title", f"“{TWO_LINKS}” is already on 1 March 1921; edit that one")])

    shown = problems_message(error)
    assert shown.startswith("Not saved yet:\n**Title**: “") and "Official source" in shown
    assert live_links(shown) == [] and bare_urls(shown) == []


def test_the_forms_problems_fit_in_a_message_however_much_they_quote() -> None:
    error = FieldErrors([(f"field{n}", f"`{'<@1>' * 100}` {'*' * 300}") for n in range(12)])

    shown = problems_message(error)
    assert len(shown) <= 2000 and live_mentions(shown) == []
    assert shown.endswith("Press **Fix and resubmit**; what you typed is kept.")
