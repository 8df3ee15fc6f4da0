"""The question commands in (simulated) Discord: what a member types, clicks and sees.

simcord's virtual clock starts on Thursday 1 January 2026, so "today" in these tests is 1 January.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord
from discord import app_commands
from PIL import Image
from simcord import SetupError

from bot.i18n.errors import UserError
from bot.i18n.messages import said
from bot.render import embeds
from bot.runtime import Services, build_index, wire
from bot.store import Store
from cogs.errors import INTERNAL_ERROR, NOT_ALLOWED, STALE_COMMAND, Refused, error_message
from cogs.views import PAGER_TIMEOUT
from tests.support import SIMCORD_EPOCH, AddEvent, World, speak

ONE_SENTENCE_MAX = 200
DISCORD_FILE_MAX = 10 * 1024 * 1024  # what any server (and a DM) accepts from a bot


# -- helpers ----------------------------------------------------------------------------------


def embed_of(result: Any) -> discord.Embed:
    (embed,) = result.response.embeds
    assert isinstance(embed, discord.Embed)
    return embed


def fields_of(embed: discord.Embed) -> dict[str, str]:
    return {field.name or "": field.value or "" for field in embed.fields}


def buttons(message: Any) -> dict[str, bool]:
    """Label -> enabled, for a ResponseMessage's raw components."""
    return {
        button["label"]: not button.get("disabled", False)
        for row in message.components
        for button in row["components"]
        if button["type"] == 2  # buttons; the event menu is type 3
    }


def menu(message: Any) -> list[str]:
    """The labels the page's "open one event" menu offers."""
    return [
        option["label"]
        for row in message.components
        for item in row["components"]
        if item["type"] == 3
        for option in item["options"]
    ]


def handled_errors(env: simcord.Env) -> list[BaseException]:
    """The errors the tree's handler turned into replies (simcord records them; reading acknowledges)."""
    return [getattr(error, "original", error) for error in env.errors]


def assert_short_refusal(result: Any, *, contains: str, limit: int = ONE_SENTENCE_MAX) -> None:
    """An ephemeral, one-sentence-ish answer with nothing else attached and no traceback."""
    assert result.ephemeral and result.response.ephemeral
    text = result.response.content
    assert contains in text
    assert len(text) <= limit and "\n" not in text and "Traceback" not in text
    assert result.response.embeds == [] and result.followups == []


def assert_nobody_pinged(env: simcord.Env, *results: Any) -> None:
    """Every message the bot created was sent with mentions switched off, and pinged nobody."""
    created = 0
    for request in env.http_requests:
        body = request.json if isinstance(request.json, dict) else {}
        data = body.get("data", body) if request.path.endswith("/callback") else body
        if not isinstance(data, dict) or not ({"content", "embeds"} & set(data)):
            continue
        creates = request.method == "POST" and body.get("type", 4) == 4
        if creates:
            created += 1
        if creates or "allowed_mentions" in data:  # an edit never pings; if it says, it says none
            assert data["allowed_mentions"]["parse"] == [], request
    assert created >= len(results)
    for result in results:
        for message in [result.response, *result.followups]:
            stored = env.backend.get_message(message.channel_id, message.id)
            assert stored.mention_everyone is False
            assert stored.ping_user_ids == [] and stored.ping_role_ids == []


# -- /onthisday -------------------------------------------------------------------------------


async def test_onthisday_with_a_date_names_the_putilov_assault(world: World) -> None:
    result = await world.alice.slash(world.channel, "onthisday", date="16 March")

    assert not result.ephemeral
    embed = embed_of(result)
    assert embed.title == "On this day: 16 March"
    assert "**16 March 1919** — Cheka storms the Putilov works · *107 years ago*" in (embed.description or "")
    (under_way,) = [field for field in embed.fields if field.name == "Still under way"]
    assert "Kronstadt rebellion · *under way: day 17 of 20*" in under_way.value
    assert "Kronstadt" not in (embed.description or "")  # a long event's inner day is no anniversary


async def test_onthisday_without_a_date_answers_for_today(world: World) -> None:
    result = await world.alice.slash(world.channel, "onthisday")

    embed = embed_of(result)
    assert embed.title == "On this day: 1 January"
    assert (
        embed.description
        == "No event in the chronology falls on 1 January. The next anniversary is 28 February."
    )
    fields = fields_of(embed)
    assert "Kronstadt rebellion" in fields["Next anniversary: 28 February"]
    assert "Dissolution of the Constituent Assembly" in fields["Known only to the month: January"]


async def test_a_servers_own_event_shows_there_with_its_round_anniversary(
    world: World, add_event: AddEvent
) -> None:
    await add_event(world.guild.id, "1926-01-01", "Founding of the Kharkiv reading circle")
    other = world.env.create_guild("Elsewhere")
    elsewhere = other.create_text_channel("general")
    carol = other.add_member(world.env.create_user("carol"))

    here = await world.alice.slash(world.channel, "onthisday")
    there = await carol.slash(elsewhere, "onthisday")

    assert (
        "🎉 **1 January 1926** — Founding of the Kharkiv reading circle · *100 years ago · round anniversary*"
        in (embed_of(here).description or "")
    )
    assert "Kharkiv reading circle" not in str(embed_of(there).to_dict())


# -- /event and its autocomplete --------------------------------------------------------------


async def test_autocomplete_answers_every_keystroke_with_choices_event_accepts(world: World) -> None:
    typed = "cheka founded"
    for end in range(len(typed) + 1):
        choices = await world.alice.autocomplete(world.channel, "event", "name", typed[:end])
        assert len(choices) <= 25, typed[:end]
        for choice in choices:
            assert 1 <= len(choice["name"]) <= 100 and 1 <= len(choice["value"]) <= 100
    assert choices[0]["name"] == "Cheka founded"

    picked = await world.alice.slash(world.channel, "event", name=choices[0]["value"])

    embed = embed_of(picked)
    assert embed.title == "Cheka founded"
    assert (embed.description or "").startswith("The Bolshevik government set up the Cheka")
    fields = fields_of(embed)
    assert fields["Date"] == "5 December 1917"
    assert fields["Old Style"] == "22 November 1917"  # the label says it: no "O.S." again
    assert fields["People"] == "Felix Dzerzhinsky"
    assert fields["Places"] == "Petrograd"
    assert fields["Tags"] == "cheka, secret police, repression"
    assert fields["Source"] == "A Revolution Derailed"
    assert fields["From"] == "the bundled chronology"


async def test_every_choice_offered_opens_that_event(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "event", "name", "kronst")

    assert len(choices) >= 4
    for choice in choices:
        result = await world.alice.slash(world.channel, "event", name=choice["value"])
        assert embed_of(result).title == discord.utils.escape_markdown(choice["name"])


async def test_event_typed_by_name_without_picking(world: World) -> None:
    result = await world.alice.slash(world.channel, "event", name="Brest-Litovsk")

    embed = embed_of(result)
    assert embed.title == "Treaty of Brest-Litovsk signed with Germany"
    assert fields_of(embed)["Date"] == "March 1918"
    assert "Old Style" not in fields_of(embed)  # known only to the month: no day to convert


async def test_event_unknown_gets_private_suggestions(world: World) -> None:
    close = await world.alice.slash(world.channel, "event", name="Petrograd soviet elections")
    nothing = await world.alice.slash(world.channel, "event", name="zzqqxxv")

    assert_short_refusal(
        close, contains="No event is called exactly “Petrograd soviet elections”. Closest: **", limit=500
    )
    assert close.response.content.count("**") == 6  # three suggestions, each in bold
    assert_short_refusal(nothing, contains="Try `/search`")
    assert world.channel.history() == []  # nothing public was posted


# -- /search and the pager --------------------------------------------------------------------


async def test_search_pages_belong_to_the_asker_and_expire(world: World) -> None:
    env, alice, bob = world.env, world.alice, world.bob
    result = await alice.slash(world.channel, "search", query="cheka")
    message = result.response

    assert embed_of(result).footer.text == "Page 1 of 3 · 11 events"
    assert (embed_of(result).description or "").startswith(
        "**5 December 1917 (22 November 1917 O.S.)** — Cheka founded"
    )
    assert buttons(message) == {"First": False, "Previous": False, "Next": True, "Last": True}

    turned = await alice.click(message, label="Next")
    assert turned.response.id == message.id
    assert message.embeds[0].footer.text == "Page 2 of 3 · 11 events"
    assert buttons(message) == {"First": True, "Previous": True, "Next": True, "Last": True}

    refused = await bob.click(message, label="Next")
    assert_short_refusal(refused, contains="Only the person who asked can turn these pages")
    assert message.embeds[0].footer.text == "Page 2 of 3 · 11 events"

    await alice.click(message, label="Next")
    assert message.embeds[0].footer.text == "Page 3 of 3 · 11 events"
    assert buttons(message) == {"First": True, "Previous": True, "Next": False, "Last": False}

    await env.advance_time(PAGER_TIMEOUT - 1)
    assert buttons(message)["Previous"]
    await env.advance_time(2)
    assert set(buttons(message).values()) == {False}
    assert message.embeds[0].footer.text == "Page 3 of 3 · 11 events"  # the page stays readable
    with pytest.raises(SetupError, match="disabled"):
        await alice.click(message, label="Previous")


async def test_a_pager_browsed_past_15_minutes_still_greys_out(world: World) -> None:
    """Each turn restarts the timeout, so it can fire after the command's 15-minute token is gone."""
    env, alice = world.env, world.alice
    message = (await alice.slash(world.channel, "search", query="cheka")).response
    for turn in range(6):
        await env.advance_time(PAGER_TIMEOUT - 10)
        await alice.click(message, label="Next" if turn % 2 == 0 else "Previous")
    assert env.now() - SIMCORD_EPOCH > dt.timedelta(minutes=15)

    await env.advance_time(PAGER_TIMEOUT + 1)

    assert set(buttons(message).values()) == {False}


async def test_search_with_one_page_has_no_buttons_but_opens_any_event(world: World) -> None:
    result = await world.alice.slash(world.channel, "search", query="tambof")

    assert embed_of(result).footer.text == "Page 1 of 1 · 4 events"
    assert buttons(result.response) == {}
    offered = menu(result.response)
    assert len(offered) == 4 and all("Tambov" in label or "tambov" in label.lower() for label in offered[:1])

    opened = await world.bob.select(result.response, custom_id="pager:open", values=["0"])  # anyone may
    assert opened.ephemeral and embed_of(opened).title == offered[0]


async def test_the_menu_follows_the_page_and_jumping_to_the_last_page_works(world: World) -> None:
    result = await world.alice.slash(world.channel, "search", query="cheka")
    first_page = menu(result.response)

    await world.alice.click(result.response, label="Last")

    assert result.response.embeds[0].footer.text == "Page 3 of 3 · 11 events"
    last_page = menu(result.response)
    assert len(first_page) == 5 and len(last_page) == 1 and not set(first_page) & set(last_page)


async def test_search_with_no_match_says_so(world: World) -> None:
    result = await world.alice.slash(world.channel, "search", query="zzqqxxv")

    assert (
        embed_of(result).description
        == "Nothing in the chronology matches `zzqqxxv`; try fewer or other words."
    )


async def test_a_partial_match_is_called_one_in_the_askers_language(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    speak(monkeypatch, {world.bob.id: "de"})
    mixed = await world.alice.slash(world.channel, "search", query="kronstadt sailors strike")
    only_partial = await world.bob.slash(world.channel, "search", query="kronstadt xyzzy")

    lines = (embed_of(mixed).description or "").split("\n")
    assert lines[0] == "**28 February 1921** — Kronstadt sailors declare solidarity with Petrograd strikers"
    assert any(line.endswith("— Kronstadt rebellion · *partial match*") for line in lines)
    german = embed_of(only_partial).description or ""
    assert german.startswith("*Nichts passt zu allen Wörtern; diese Treffer passen zu einigen davon.*\n")
    assert "Teiltreffer" not in german and "19. März 1921** — Kronstadt rebellion" in german


# -- /timeline --------------------------------------------------------------------------------


async def test_timeline_pages_run_in_order(world: World, services: Services) -> None:
    expected = [event.title for event in (await services.almanac.timeline(0, "1918 to 1921", None)).events]
    result = await world.alice.slash(world.channel, "timeline", start="1918 to 1921")
    message = result.response
    pages = -(-len(expected) // 5)

    shown: list[str] = []
    for page in range(pages):
        embed = message.embeds[0]
        assert embed.title == "Timeline: 1918 to 1921"
        assert embed.footer.text == f"Page {page + 1} of {pages} · {len(expected)} events"
        shown += [
            line.split("** — ", 1)[1] for line in (embed.description or "").split("\n") if "** — " in line
        ]
        if page < pages - 1:
            await world.alice.click(message, label="Next")

    assert shown == [discord.utils.escape_markdown(title) for title in expected]
    assert shown[0] == "Dissolution of the Constituent Assembly"


async def test_timeline_with_start_and_end(world: World) -> None:
    result = await world.alice.slash(world.channel, "timeline", start="June 1918", end="1919")

    embed = embed_of(result)
    assert embed.title == "Timeline: June 1918 to 1919"
    assert embed.footer.text is not None and embed.footer.text.startswith("Page 1 of ")
    assert "January 1918" not in (embed.description or "")


async def test_a_timeline_page_is_read_when_turned_to_leaving_out_what_was_removed_since(
    world: World, services: Services
) -> None:
    listed = (await services.almanac.timeline(0, "1918 to 1921", None)).events
    pages = -(-len(listed) // 5)
    assert pages >= 4
    result = await world.alice.slash(world.channel, "timeline", start="1918 to 1921")
    removed = [listed[5], *listed[(pages - 1) * 5 :]]  # page two's first, and the whole last page
    for event in removed:
        await services.store.set_deleted(event, True, actor=1)
    kept = [event for event in listed if event not in removed]

    await world.alice.click(result.response, label="Next")
    assert menu(result.response) == [event.title for event in kept[5:10]]  # the next one moved up
    await world.alice.click(result.response, label="Next")
    assert menu(result.response) == [event.title for event in kept[10:15]]
    opened = await world.bob.select(result.response, custom_id="pager:open", values=["4"])
    assert embed_of(opened).title == kept[14].title

    await world.alice.click(result.response, label="Last")  # nothing left on it
    embed = result.response.embeds[0]
    assert embed.footer.text == f"Page {pages} of {pages} · {len(listed)} events"
    assert all(event.title not in (embed.description or "") for event in removed)
    components = [item for row in result.response.components for item in row["components"]]
    (opener,) = [item for item in components if item["type"] == 3]
    assert opener.get("disabled") and [option["label"] for option in opener["options"]] == ["—"]
    await world.alice.click(result.response, label="First")
    assert menu(result.response) == [event.title for event in listed[:5]]


# -- /upcoming --------------------------------------------------------------------------------


async def test_upcoming_shows_the_coming_week(world: World, add_event: AddEvent) -> None:
    await add_event(world.guild.id, "1919-01-03", "Strike at the Obukhov works")

    week = await world.alice.slash(world.channel, "upcoming")
    one_day = await world.alice.slash(world.channel, "upcoming", days=1)

    assert embed_of(week).title == "Anniversaries in the next 7 days"
    assert fields_of(embed_of(week)) == {
        "Saturday 3 January": "**3 January 1919** — Strike at the Obukhov works · *107 years ago*"
    }
    assert embed_of(one_day).title == "Anniversaries today"
    assert embed_of(one_day).description == "No anniversaries today."


async def test_upcoming_outside_1_to_31_cannot_be_sent(world: World) -> None:
    for days in (0, 32):
        with pytest.raises(simcord.OptionError):
            await world.alice.slash(world.channel, "upcoming", days=days)


# -- bad input and failures -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "options", "expected"),
    [
        ("onthisday", {"date": "30 February"}, "`30 February` does not exist: February has 29 days."),
        ("onthisday", {"date": "the ides"}, "`the ides` is not a day I can read."),
        ("timeline", {"start": "soon"}, "`soon` is not a span I can read."),
        ("timeline", {"start": "1921", "end": "1918"}, "The span ends before it starts"),
        ("search", {"query": "   "}, "That was empty."),
        ("event", {"name": " "}, "That was empty."),
    ],
)
async def test_bad_input_gets_a_private_sentence(
    world: World, command: str, options: dict[str, str], expected: str
) -> None:
    result = await world.alice.slash(world.channel, command, **options)

    assert_short_refusal(result, contains=expected)
    assert [type(error).__name__ for error in handled_errors(world.env)] in (["UserError"], ["DateError"])


async def test_everyone_in_a_question_pings_nobody(world: World) -> None:
    search = await world.alice.slash(world.channel, "search", query="@everyone")
    event = await world.alice.slash(world.channel, "event", name="@everyone @here")
    day = await world.alice.slash(world.channel, "onthisday", date="@everyone")
    handled_errors(world.env)

    assert embed_of(search).title == "Search: @\u200beveryone"
    assert "@everyone" not in event.response.content and "@\u200beveryone" in event.response.content
    assert day.ephemeral
    assert_nobody_pinged(world.env, search, event, day)


async def test_ordinary_answers_ping_nobody(world: World) -> None:
    results = [
        await world.alice.slash(world.channel, "onthisday", date="16 March"),
        await world.alice.slash(world.channel, "event", name="Cheka"),
        await world.alice.slash(world.channel, "upcoming"),
    ]

    assert_nobody_pinged(world.env, *results)


async def test_an_unexpected_failure_gets_only_a_short_apology(
    world: World, services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services.almanac, "search", broken)

    with caplog.at_level(logging.ERROR, logger="cogs.errors"):
        result = await world.alice.slash(world.channel, "search", query="kronstadt")

    assert_short_refusal(result, contains=str(INTERNAL_ERROR))
    assert result.response.content == str(INTERNAL_ERROR)
    assert "database on fire" not in result.response.content
    assert world.channel.history() == []
    (error,) = handled_errors(world.env)
    assert isinstance(error, RuntimeError)
    assert "command /search failed" in caplog.text and "database on fire" in caplog.text


async def test_a_page_that_fails_to_draw_gets_the_same_apology(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    result = await world.alice.slash(world.channel, "search", query="cheka")
    message = result.response

    def broken(*_: object) -> discord.Embed:
        raise RuntimeError("ink ran out")

    monkeypatch.setattr(embeds, "list_page_embed", broken)
    with caplog.at_level(logging.ERROR, logger="cogs.views"):
        click = await world.alice.click(message, label="Next")

    assert_short_refusal(click, contains=str(INTERNAL_ERROR))
    assert message.embeds[0].footer.text == "Page 1 of 3 · 11 events"
    assert [type(error) for error in handled_errors(world.env)] == [RuntimeError]
    assert "ink ran out" in caplog.text


# -- the error handler's words -----------------------------------------------------------------


class _Command:
    name = "search"


class _Transformer:
    _error_display_name = "a date"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (UserError("Give a day, for example `16 March`."), "Give a day, for example `16 March`."),
        (app_commands.CommandInvokeError(_Command(), UserError("Pick 1 to 31.")), "Pick 1 to 31."),  # type: ignore[arg-type]
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 10), 0.2), "try again in 1 second."),
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 10), 9.1), "try again in 10 seconds."),
        (
            Refused(said("Only members with Manage Server or this server's curator role can do that.")),
            "Only members with Manage",
        ),
        (app_commands.CheckFailure("The check functions for command 'x' failed."), str(NOT_ALLOWED)),
        (app_commands.CheckFailure(), str(NOT_ALLOWED)),
        (app_commands.CommandNotFound("almanac", []), str(STALE_COMMAND)),
    ],
)
def test_what_each_failure_tells_the_user(error: Exception, expected: str) -> None:
    message = error_message(error)

    assert message is not None and expected in message
    assert len(message) <= ONE_SENTENCE_MAX and "Traceback" not in message


def test_a_bad_value_is_quoted_safely() -> None:
    error = app_commands.TransformerError(
        "`x` @everyone " * 20,
        discord.AppCommandOptionType.string,
        _Transformer(),  # type: ignore[arg-type]
    )

    message = error_message(error)

    assert message is not None and message.startswith("`'x' @\u200beveryone")  # shown, not a mention
    assert message.count("`") == 2


def test_a_bug_is_not_explained_to_the_user() -> None:
    assert error_message(app_commands.CommandInvokeError(_Command(), KeyError("x"))) is None  # type: ignore[arg-type]
    assert error_message(RuntimeError("boom")) is None


# -- writes made by other processes ---------------------------------------------------------------


async def test_an_event_imported_beside_the_running_bot_is_searchable_within_two_seconds(
    world: World, database_path: Path
) -> None:
    """`almanac import` is another process with its own connection: the running bot learns of
    its rows from the change feed, with no restart."""
    before = await world.alice.slash(world.channel, "search", query="tula printers")
    assert "Printers' strike" not in (before.response.content or "")
    other = await Store.open(database_path)
    try:
        elsewhere = wire(other, await build_index(other))
        rows = b"id,date,title\ntula-strike,1919-04-03,Printers' strike at Tula\n"
        report = await elsewhere.curation.import_file(world.guild.id, 1, "one.csv", rows)
        assert report.applied
    finally:
        await other.close()

    await world.env.advance_time(2)

    found = await world.alice.slash(world.channel, "search", query="tula printers")
    assert "Printers' strike at Tula" in (found.response.embeds[0].description or "")
    offered = await world.alice.autocomplete(world.channel, "event", "name", "tula pri")
    assert [choice["name"] for choice in offered][:1] == ["Printers' strike at Tula"]


# -- pictures ---------------------------------------------------------------------------------


def picture_of(env: simcord.Env, message: Any) -> tuple[discord.Attachment, Image.Image]:
    (attachment,) = message.attachments
    data = env.backend.cdn.get(attachment.url)
    assert data is not None and len(data) <= DISCORD_FILE_MAX
    return attachment, Image.open(io.BytesIO(data))


async def test_timeline_with_a_picture_attaches_it_and_keeps_it_while_paging(
    world: World, services: Services
) -> None:
    expected = await services.almanac.timeline(0, "1918 to 1921", None)
    result = await world.alice.slash(world.channel, "timeline", start="1918 to 1921", picture="dark")
    message = result.response

    attachment, image = picture_of(world.env, message)
    assert attachment.filename == "timeline.png" and image.format == "PNG"
    assert attachment.description == f"Timeline: 1918 to 1921: {len(expected.events)} events on a time axis"
    assert image.convert("RGB").getpixel((2, 2)) == (0x1A, 0x1B, 0x1E)  # the dark background
    assert embed_of(result).title == "Timeline: 1918 to 1921"  # the pages are there as before

    await world.alice.click(message, label="Next")
    assert message.embeds[0].footer.text.startswith("Page 2 of ")
    assert picture_of(world.env, message)[0].filename == "timeline.png"  # still attached


async def test_without_the_option_or_with_nothing_to_draw_there_is_no_picture(world: World) -> None:
    plain = await world.alice.slash(world.channel, "timeline", start="1918 to 1921")
    empty = await world.alice.slash(world.channel, "timeline", start="1950", picture="light")
    assert plain.response.attachments == [] and empty.response.attachments == []
    assert embed_of(empty).description == "No events fall within 1950."


async def test_event_with_a_picture_shows_it_among_its_neighbours_in_the_askers_language(
    world: World, monkeypatch: pytest.MonkeyPatch, add_event: AddEvent
) -> None:
    speak(monkeypatch, {world.bob.id: "ru"})
    await add_event(world.guild.id, "1921-03-10", "Strike at the Obukhov works")
    light = await world.alice.slash(world.channel, "event", name="Kronstadt rebellion", picture="light")
    russian = await world.bob.slash(world.channel, "event", name="Kronstadt rebellion", picture="light")

    assert embed_of(light).title == "Kronstadt rebellion"
    attachment, image = picture_of(world.env, light.response)
    assert attachment.description is not None
    assert attachment.description.startswith("Kronstadt rebellion: 1920 to 1922: ")
    assert image.convert("RGB").getpixel((2, 2)) == (0xFB, 0xFA, 0xF7)
    russian_attachment, _ = picture_of(world.env, russian.response)
    assert russian_attachment.description is not None and "1920" in russian_attachment.description
    assert russian_attachment.description != attachment.description


def interaction_in(world: World, guild_id: int) -> discord.Interaction[Any]:
    """An interaction as discord.py reads it from Discord's payload, in the server `guild_id`."""
    user = {"id": str(world.alice.id), "username": "alice", "discriminator": "0", "avatar": None}
    payload: dict[str, Any] = {
        "id": "1",
        "application_id": str(world.bot.application_id or 1),
        "type": 2,
        "token": "x",
        "version": 1,
        "data": {"id": "1", "name": "search", "type": 1},
        "guild_id": str(guild_id),
        "channel_id": "99",
        "member": {
            "user": user,
            "roles": [],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
        },
        "locale": "en-US",
        "authorizing_integration_owners": {"1": str(world.alice.id)},
        "context": 0,
        "app_permissions": "0",
        "attachment_size_limit": 26214400,
    }
    return discord.Interaction(data=payload, state=world.bot._connection)  # type: ignore[arg-type]


async def test_a_members_own_install_in_a_server_the_bot_is_not_in_reads_the_bundled_chronology(
    world: World,
) -> None:
    from cogs.ask import guild_of

    assert guild_of(interaction_in(world, world.guild.id)) == world.guild.id  # the bot's own server
    assert guild_of(interaction_in(world, 424242424242424242)) == 0  # not the bot's: bundled only
