"""Planted text in (simulated) Discord: a title, summary or list written to deceive shows as what it
is, in every answer and in the private replies that quote it.

The planted title carries two masked links (discord.py's own escaping misses the second), mentions
with short ids (its `escape_mentions` misses those), a right-to-left override left open and a bare
URL. simcord's clock starts on Thursday 1 January 2026, so the planted event falls on today.
"""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.i18n.errors import UserError
from tests.support import AddEvent, World, bare_urls, live_links, live_mentions

TWO_LINKS = "[a](https://ok)[Official source](https://evil)"
PLANTED = f"Planted \u202e{TWO_LINKS} <@123> <@&1> https://evil.example/x"
SUMMARY = f"{TWO_LINKS} @everyone\n# Not a heading\n> https://evil.example/y"


def texts(result: Any) -> list[str]:
    """Everything a reply shows: content, embeds and the embeds' fields."""
    message = result.response
    shown = [message.content or ""]
    for embed in message.embeds:
        shown += [embed.title or "", embed.description or "", embed.footer.text or ""]
        shown += [text for field in embed.fields for text in (field.name or "", field.value or "")]
    return shown


def assert_shown_as_text(result: Any) -> None:
    """The planted words are there to read, and none of them is a link, a mention or a preview."""
    shown = texts(result)
    assert any("Official source" in text for text in shown), shown
    for text in shown:
        assert live_links(text) == [], text
        assert live_mentions(text) == [], text
        assert text.count("\u202e") == text.count("\u202c"), text  # the override ends with the text
    assert bare_urls(result.response.content) == []  # in a message's content it would get a preview


@pytest.fixture
async def planted(world: World, add_event: AddEvent) -> Any:
    return await add_event(
        world.guild.id,
        "1921-01-01",
        PLANTED,
        summary=SUMMARY,
        people=[TWO_LINKS],
        source="https://ok.example",
    )


@pytest.fixture
def moderator(world: World) -> Any:
    managers = world.guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    return world.guild.add_member(world.env.create_user("mod"), roles=[managers])


async def test_onthisday_shows_a_planted_title_as_text(world: World, planted: Any) -> None:
    result = await world.alice.slash(world.channel, "onthisday")

    assert_shown_as_text(result)
    description = result.response.embeds[0].description or ""
    assert not any(line.startswith("#") for line in description.split("\n"))  # still one quote block


async def test_event_shows_a_planted_event_as_text(world: World, planted: Any) -> None:
    result = await world.alice.slash(world.channel, "event", name=f"#{planted.id}")

    assert_shown_as_text(result)
    fields = {field.name: field.value for field in result.response.embeds[0].fields}
    assert fields["Source"] == "https://ok.example"  # the source alone is a plain link


async def test_search_shows_a_planted_title_as_text(world: World, planted: Any) -> None:
    result = await world.alice.slash(world.channel, "search", query="planted official source")

    assert_shown_as_text(result)


async def test_event_suggestions_quote_a_planted_title_without_a_preview(
    world: World, planted: Any, add_event: AddEvent
) -> None:
    await add_event(world.guild.id, "1921-01-02", PLANTED.replace("Planted", "Planted again"))
    result = await world.alice.slash(world.channel, "event", name="planted official")

    assert result.ephemeral and "Closest:" in result.response.content
    assert_shown_as_text(result)


async def test_a_private_error_quotes_a_planted_title_as_text(
    world: World, planted: Any, moderator: Any
) -> None:
    result = await moderator.slash(world.channel, "events restore", event=f"#{planted.id}")

    assert result.ephemeral and "is not removed; there is nothing to restore." in result.response.content
    assert_shown_as_text(result)
    assert [type(getattr(error, "original", error)) for error in world.env.errors] == [UserError]


async def test_the_form_quotes_a_planted_twin_as_text(world: World, planted: Any, moderator: Any) -> None:
    shown = await moderator.slash(world.channel, "events add")
    result = await moderator.submit_modal(shown, {"event:title": PLANTED, "event:date": "1921-01-01"})

    assert result.response.content.startswith("Not saved yet:\n**Title**: “")
    assert "is already on 1 January 1921" in result.response.content
    assert_shown_as_text(result)


async def test_the_form_refuses_a_title_no_one_can_see(world: World, moderator: Any) -> None:
    shown = await moderator.slash(world.channel, "events add")
    boxes = {"event:title": "\u3164\u200b\u2800", "event:date": "1921-01-01"}
    result = await moderator.submit_modal(shown, boxes)

    assert "**Title**: has no visible characters; give it words people can read" in result.response.content
    assert result.response.components  # Fix and resubmit
    search = await world.alice.slash(world.channel, "onthisday")
    assert "Known only" not in (search.response.embeds[0].description or "")
    assert "1921" not in (search.response.embeds[0].description or "")  # nothing was saved


async def test_everyone_cannot_be_the_daily_posts_role(world: World, moderator: Any) -> None:
    result = await moderator.slash(
        world.channel,
        "anniversaries setup",
        channel=world.channel,
        time="09:00",
        timezone="UTC",
        role=world.guild.default_role,
    )

    assert result.ephemeral and result.response.embeds == []
    assert result.response.content == (
        "@\u200beveryone cannot be the role to mention; pick a role, or leave it out."
    )
    assert [type(getattr(error, "original", error)) for error in world.env.errors] == [UserError]
    shown = await moderator.slash(world.channel, "anniversaries show")
    assert "not set up" in shown.response.content  # nothing was saved
    assert all(isinstance(error.original, UserError) for error in world.env.errors)  # both read
