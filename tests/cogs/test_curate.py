"""/events in (simulated) Discord: who may curate, what they see, and what everyone else then sees.

Two servers: the Chronology Club (where `mod` has Manage Server, `curator` holds a plain role that
can be named the curator role, and alice is an ordinary member) and Elsewhere, with its own
moderator and member. simcord's clock starts on 1 January 2026.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import discord
import icalendar
import pytest
import simcord
from simcord import SetupError

from bot.dates.partial import EventDate
from bot.dates.words import DateWords
from bot.i18n.messages import said, said_n
from bot.model.event import EventFields, FieldErrors
from bot.runtime import Services
from cogs.checks import NOT_CURATOR
from tests.support import ROOT, AddEvent, World, speak

EXAMPLES = ROOT / "data" / "examples"
PUTILOV = {
    "event:title": "Strike at the Putilov works",
    "event:date": "2 March 1921",
    "event:summary": "Workers stopped.",
    "event:labels": "tags: strike\nalso: Putilov walkout",
}


@dataclass
class Club:
    env: simcord.Env
    guild: Any
    channel: Any
    curators: Any  # a role without Manage Server
    mod: Any  # Manage Server
    curator: Any  # holds `curators`
    alice: Any  # an ordinary member
    events: discord.app_commands.AppCommand  # the synced /events group
    elsewhere: Any
    far_channel: Any
    far_mod: Any  # Manage Server in Elsewhere
    far_member: Any


@pytest.fixture
async def club(world: World) -> Club:
    env, guild = world.env, world.guild
    managers = guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    curators = guild.create_role("Curators")
    mod = guild.add_member(env.create_user("mod"), roles=[managers])
    curator = guild.add_member(env.create_user("curator"), roles=[curators])
    elsewhere = env.create_guild("Elsewhere")
    far_channel = elsewhere.create_text_channel("general")
    far_managers = elsewhere.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    far_mod = elsewhere.add_member(env.create_user("far-mod"), roles=[far_managers])
    far_member = elsewhere.add_member(env.create_user("far-member"))
    synced = await env.bot.tree.sync()
    events = next(command for command in synced if command.name == "events")
    return Club(
        env,
        guild,
        world.channel,
        curators,
        mod,
        curator,
        world.alice,
        events,
        elsewhere,
        far_channel,
        far_mod,
        far_member,
    )


# -- helpers ------------------------------------------------------------------------------------


def refusals(env: simcord.Env) -> list[str]:
    """Every error the bot has answered with a sentence so far in the test, oldest first
    (reading them acknowledges them for simcord)."""
    return [type(getattr(error, "original", error)).__name__ for error in env.errors]


def text_of(result: Any) -> str:
    """Everything a reply shows: content, embeds and the embeds' fields."""
    message = result.response
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [embed.title or "", embed.description or "", embed.footer.text or ""]
        parts += [f"{field.name}\n{field.value}" for field in embed.fields]
    return "\n".join(parts)


def prefilled(shown: Any) -> dict[str, str]:
    return {
        box["custom_id"]: box.get("value", "")
        for row in shown.modal["components"]
        for box in row["components"]
    }


async def add(member: Any, channel: Any, boxes: dict[str, str]) -> Any:
    shown = await member.slash(channel, "events add")
    assert shown.modal is not None and shown.modal["title"] == "Add an event"
    return await member.submit_modal(shown, boxes)


async def choice(member: Any, channel: Any, command: str, typed: str, title: str) -> str:
    """The autocomplete value offered for `title` when `typed` is typed into `command`'s event option."""
    option = "name" if command == "event" else "event"
    offered = await member.autocomplete(channel, command, option, typed)
    return next(item["value"] for item in offered if item["name"] == title)


async def offered(member: Any, channel: Any, command: str, typed: str) -> list[str]:
    option = "name" if command == "event" else "event"
    return [item["name"] for item in await member.autocomplete(channel, command, option, typed)]


async def day(member: Any, channel: Any, date: str) -> str:
    return text_of(await member.slash(channel, "onthisday", date=date))


async def search(member: Any, channel: Any, query: str) -> str:
    return text_of(await member.slash(channel, "search", query=query))


def attachment_bytes(env: simcord.Env, result: Any) -> tuple[str, bytes]:
    (attachment,) = result.response.attachments
    data = env.backend.cdn.get(attachment.url)
    assert data is not None
    return attachment.filename, data


def numbered_csv(count: int, *, bad_line: int | None = None) -> bytes:
    rows = [f"n{n},1920-03-{n % 28 + 1:02d},Numbered event {n},Summary {n}" for n in range(count)]
    if bad_line is not None:
        rows[bad_line - 2] = "bad,1920-02-30,A day that never was,"
    return ("id,date,title,summary\n" + "\n".join(rows) + "\n").encode()


# -- who may curate -------------------------------------------------------------------------------


async def test_a_plain_member_neither_sees_events_nor_gets_past_the_bots_own_check(club: Club) -> None:
    assert "events add" not in club.alice.available_commands(club.channel)
    with pytest.raises(SetupError, match="default-member-permissions"):
        await club.alice.slash(club.channel, "events add")

    club.guild.set_command_permissions(club.events, {club.alice: True})  # an admin lets her try
    opened = await club.alice.slash(club.channel, "events add")
    removed = await club.alice.slash(club.channel, "events remove", event="anything")
    role = await club.alice.slash(club.channel, "events curator-role", role=club.curators)

    assert opened.modal is None and opened.ephemeral and opened.response.content == str(NOT_CURATOR)
    assert removed.response.content == str(NOT_CURATOR)
    assert "Manage Server" in role.response.content and role.ephemeral
    assert refusals(club.env) == ["Refused", "Refused", "MissingPermissions"]


async def test_manage_server_and_then_the_named_curator_role_may_curate(club: Club) -> None:
    club.guild.set_command_permissions(club.events, {club.curators: True})
    assert "events add" in club.mod.available_commands(club.channel)
    refused = await club.curator.slash(club.channel, "events add")
    not_theirs = await club.curator.slash(club.channel, "events curator-role", role=club.curators)
    assert refused.response.content == str(NOT_CURATOR) and "Manage Server" in not_theirs.response.content
    assert refusals(club.env) == ["Refused", "MissingPermissions"]

    named = await club.mod.slash(club.channel, "events curator-role", role=club.curators)
    added = await add(club.curator, club.channel, PUTILOV)

    assert named.ephemeral and named.response.content == (
        f"Members with <@&{club.curators.id}> can now curate this server's chronology."
    )
    assert club.env.backend.get_message(named.response.channel_id, named.response.id).ping_role_ids == []
    assert added.response.content.startswith("Added **Strike at the Putilov works** (2 March 1921)")

    cleared = await club.mod.slash(club.channel, "events curator-role")
    again = await club.curator.slash(club.channel, "events add")
    assert cleared.response.content.startswith("Cleared the curator role")
    assert again.modal is None and again.response.content == str(NOT_CURATOR)
    assert refusals(club.env) == ["Refused", "MissingPermissions", "Refused"]


async def test_another_servers_moderator_can_neither_see_nor_touch_the_events(club: Club) -> None:
    await add(club.mod, club.channel, PUTILOV)
    value = await choice(club.mod, club.channel, "events edit", "putilov", "Strike at the Putilov works")

    assert await offered(club.far_mod, club.far_channel, "events edit", "putilov") == []
    assert await offered(club.far_mod, club.far_channel, "events restore", "") == []
    assert "Strike at the Putilov works" not in await offered(
        club.far_mod, club.far_channel, "events history", ""
    )
    edit = await club.far_mod.slash(club.far_channel, "events edit", event=value)
    remove = await club.far_mod.slash(club.far_channel, "events remove", event=value)
    by_title = await club.far_mod.slash(
        club.far_channel, "events remove", event="Strike at the Putilov works"
    )
    history = await club.far_mod.slash(club.far_channel, "events history", event=value)

    assert edit.modal is None
    for result in (edit, remove, by_title, history):
        assert result.ephemeral and "This server has no event called" in result.response.content
    assert refusals(club.env) == ["UserError"] * 4
    assert "Strike at the Putilov works" in await search(club.alice, club.channel, "putilov walkout")


# -- adding and editing through the modal ---------------------------------------------------------


async def test_an_added_event_is_answered_at_once_in_its_server_and_nowhere_else(club: Club) -> None:
    added = await add(club.mod, club.channel, PUTILOV)

    assert added.ephemeral
    assert "Strike at the Putilov works" in await day(club.alice, club.channel, "2 March")
    assert "Strike at the Putilov works" in await offered(club.alice, club.channel, "event", "putilov w")
    assert "Strike at the Putilov works" in await search(club.alice, club.channel, "putilov walkout")
    assert "Strike at the Putilov works" not in await day(club.far_member, club.far_channel, "2 March")
    assert "Strike at the Putilov works" not in await offered(
        club.far_member, club.far_channel, "event", "putilov w"
    )
    assert "Strike at the Putilov works" not in await search(
        club.far_member, club.far_channel, "putilov walkout"
    )


async def test_a_modal_error_names_the_box_and_resubmitting_keeps_what_was_typed(club: Club) -> None:
    shown = await club.mod.slash(club.channel, "events add")
    limits = {
        box["custom_id"]: box["max_length"] for row in shown.modal["components"] for box in row["components"]
    }
    assert limits == {
        "event:title": 100,
        "event:date": 40,
        "event:summary": 600,
        "event:source": 300,
        "event:labels": 4000,
    }

    failed = await club.mod.submit_modal(shown, PUTILOV | {"event:date": "2 March"})

    assert failed.ephemeral
    assert "**Date**: `2 March` needs a year." in failed.response.content
    assert await offered(club.mod, club.channel, "events edit", "") == []
    reopened = await club.mod.click(failed.response, label="Fix and resubmit")
    assert prefilled(reopened) == PUTILOV | {"event:date": "2 March", "event:source": ""}
    fixed = await club.mod.submit_modal(reopened, PUTILOV)
    assert fixed.response.content.startswith("Added **Strike at the Putilov works**")


async def test_edit_opens_the_modal_prefilled_and_saves_over_the_event(club: Club) -> None:
    await add(club.mod, club.channel, PUTILOV)
    value = await choice(club.mod, club.channel, "events edit", "putilov", "Strike at the Putilov works")

    shown = await club.mod.slash(club.channel, "events edit", event=value)
    assert shown.modal["title"] == "Edit an event"
    boxes = prefilled(shown)
    assert boxes == {
        "event:title": "Strike at the Putilov works",
        "event:date": "1921-03-02",
        "event:summary": "Workers stopped.",
        "event:source": "",
        "event:labels": "tags: strike\nalso: Putilov walkout",
    }
    saved = await club.mod.submit_modal(shown, boxes | {"event:title": "Putilov lockout"})

    assert saved.response.content == "Saved **Putilov lockout** (2 March 1921)."
    shown_event = await club.alice.slash(club.channel, "event", name=value)
    assert shown_event.response.embeds[0].title == "Putilov lockout"
    history = text_of(await club.mod.slash(club.channel, "events history", event=value))
    assert "> title: “Strike at the Putilov works” → “Putilov lockout”" in history


async def test_bundled_events_cannot_be_edited_only_hidden(club: Club) -> None:
    value = await choice(club.alice, club.channel, "event", "kronstadt rebellion", "Kronstadt rebellion")

    result = await club.mod.slash(club.channel, "events edit", event=value)

    assert result.modal is None
    assert result.response.content.startswith("“Kronstadt rebellion” is a bundled event")
    assert "`/events hide`" in result.response.content
    assert refusals(club.env) == ["UserError"]


# -- remove, undo, restore, hide --------------------------------------------------------------------


async def test_remove_can_be_undone_at_once_or_restored_later(club: Club) -> None:
    await add(club.mod, club.channel, PUTILOV)
    value = await choice(club.mod, club.channel, "events remove", "putilov", "Strike at the Putilov works")

    removed = await club.mod.slash(club.channel, "events remove", event=value)
    assert removed.response.content.startswith("Removed **Strike at the Putilov works**")
    assert "Strike at the Putilov works" not in await search(club.alice, club.channel, "putilov walkout")
    undone = await club.mod.click(removed.response, label="Undo")
    assert undone.response.content == "Restored **Strike at the Putilov works**."
    assert undone.response.components == []
    assert "Strike at the Putilov works" in await search(club.alice, club.channel, "putilov walkout")

    await club.mod.slash(club.channel, "events remove", event=value)
    assert "Strike at the Putilov works" not in await day(club.alice, club.channel, "2 March")
    restorable = await choice(club.mod, club.channel, "events restore", "", "Strike at the Putilov works")
    restored = await club.mod.slash(club.channel, "events restore", event=restorable)
    assert restored.response.content == "Restored **Strike at the Putilov works**."
    assert "Strike at the Putilov works" in await day(club.alice, club.channel, "2 March")


async def test_a_hidden_bundled_event_disappears_from_one_server_only(club: Club) -> None:
    value = await choice(
        club.mod, club.channel, "events hide", "cheka storms", "Cheka storms the Putilov works"
    )

    hidden = await club.mod.slash(club.channel, "events hide", event=value)

    assert "Hid **Cheka storms the Putilov works** in this server only" in hidden.response.content
    assert "Cheka storms the Putilov works" not in await search(club.alice, club.channel, "putilov")
    assert "Cheka storms the Putilov works" not in await day(club.alice, club.channel, "16 March")
    assert "Cheka storms the Putilov works" not in await offered(
        club.alice, club.channel, "event", "cheka storms"
    )
    assert "Cheka storms the Putilov works" in await search(club.far_member, club.far_channel, "putilov")
    assert await offered(club.mod, club.channel, "events unhide", "") == ["Cheka storms the Putilov works"]

    await club.mod.slash(club.channel, "events unhide", event=value)

    assert "Cheka storms the Putilov works" in await search(club.alice, club.channel, "putilov")
    assert await offered(club.mod, club.channel, "events unhide", "") == []


# -- history ----------------------------------------------------------------------------------------


async def test_every_change_is_in_the_history_with_who_and_the_previous_values(club: Club) -> None:
    await add(club.mod, club.channel, PUTILOV)
    value = await choice(club.mod, club.channel, "events edit", "putilov", "Strike at the Putilov works")
    shown = await club.mod.slash(club.channel, "events edit", event=value)
    await club.mod.submit_modal(shown, prefilled(shown) | {"event:summary": "Workers went out."})
    await club.mod.slash(club.channel, "events remove", event=value)
    await club.mod.slash(club.channel, "events restore", event=value)
    cheka = await choice(
        club.mod, club.channel, "events hide", "cheka storms", "Cheka storms the Putilov works"
    )
    await club.mod.slash(club.channel, "events hide", event=cheka)
    await club.mod.slash(club.channel, "events unhide", event=cheka)
    await club.mod.slash(club.channel, "events import", file=("one.csv", b"date,title\n1930,Imported one\n"))
    await club.mod.slash(club.channel, "events curator-role", role=club.curators)

    first = await club.mod.slash(club.channel, "events history")
    pages = text_of(first)  # read now: the reply is live and shows page 2 once Next is pressed
    second = await club.mod.click(first.response, label="Next")
    pages += text_of(second)

    assert first.ephemeral
    for done in (
        "curator role changed",
        "imported",
        "shown again",
        "hidden in this server",
        "restored",
        "removed",
        "edited",
        "added",
    ):
        assert f"**{done}**" in pages, done
    assert pages.index("curator role changed") < pages.index("**added**")  # newest first
    assert pages.count(f"by <@{club.mod.id}>") == 8
    assert "> summary: “Workers stopped.” → “Workers went out.”" in pages
    assert f"> none → <@&{club.curators.id}>" in pages


# -- import and export ------------------------------------------------------------------------------


async def test_one_bad_row_among_a_thousand_changes_nothing_and_is_named(club: Club) -> None:
    result = await club.mod.slash(
        club.channel, "events import", file=("events.csv", numbered_csv(1000, bad_line=614))
    )

    assert result.ephemeral
    report = text_of(result)
    assert "Nothing was imported: 1 of 1,000 rows has a problem." in report
    # the reason quotes the file's date in a code span, as the modal's reply does: shown as code,
    # where markdown and links are inert (bot.render.markup.user_message)
    rejected = "Rejected rows (1)\nline 614: date: `1920-02-30` does not exist: February 1920 has 29 days."
    assert rejected in report
    assert "Numbered event" not in await day(club.alice, club.channel, "5 March")
    assert await offered(club.mod, club.channel, "events edit", "numbered") == []


async def test_a_good_file_is_answered_at_once_and_a_second_copy_doubles_nothing(club: Club) -> None:
    first = await club.mod.slash(club.channel, "events import", file=("events.csv", numbered_csv(1000)))

    assert "Imported 1,000 events from 1,000 rows." in text_of(first)
    assert "Numbered event 4" in await day(club.alice, club.channel, "5 March")
    assert "Numbered event 999" in await offered(club.alice, club.channel, "event", "numbered event 999")
    assert "Numbered event 999" in await search(club.alice, club.channel, "numbered event 999")

    second = await club.mod.slash(club.channel, "events import", file=("events.csv", numbered_csv(1000)))

    assert "Imported 0 events from 1,000 rows. 1,000 duplicates skipped, not doubled." in text_of(second)
    name, report = attachment_bytes(club.env, second)
    assert name == "import-report.txt"
    assert report.decode().splitlines()[2] == "line 2: duplicate: same id as “Numbered event 0”"
    assert "Duplicates, skipped (1000)\nline 2: same id as “Numbered event 0”" in text_of(second)
    assert "The attached report lists every row." in text_of(second)


async def test_files_the_importer_cannot_read_are_refused_with_the_reason(club: Club) -> None:
    too_big = await club.mod.slash(club.channel, "events import", file=("big.csv", b"x" * (1024 * 1024 + 1)))
    latin1 = await club.mod.slash(
        club.channel, "events import", file=("e.csv", "date,title\n1921,Ré\n".encode("latin-1"))
    )

    assert too_big.ephemeral and "the limit is 1,048,576 (1 MiB)" in too_big.response.content
    assert "not UTF-8 text" in text_of(latin1) + "".join(f.content or "" for f in latin1.followups)
    assert refusals(club.env) == ["UserError", "TransferError"]


async def test_an_export_imports_into_an_empty_server_as_the_same_events(
    club: Club, services: Services
) -> None:
    await add(club.mod, club.channel, PUTILOV | {"event:title": '=HYPERLINK("x") Putilov'})
    await club.mod.slash(
        club.channel, "events import", file=("events.json", (EXAMPLES / "events.json").read_bytes())
    )

    exported = await club.mod.slash(club.channel, "events export", format="json")
    name, data = attachment_bytes(club.env, exported)
    imported = await club.far_mod.slash(club.far_channel, "events import", file=(name, data))

    assert exported.ephemeral and exported.response.content == "5 events, as json."
    assert "Imported 5 events from 5 rows." in text_of(imported)
    store = services.store
    here = [event.fields for event in await store.scope_events(club.guild.id)]
    there = [event.fields for event in await store.scope_events(club.elsewhere.id)]
    assert there == here
    _, csv_data = attachment_bytes(
        club.env, await club.mod.slash(club.channel, "events export", format="csv")
    )
    assert """\r\nhyperlink-x-putilov,1921-03-02,"'=HYPERLINK(""x"") Putilov",""" in csv_data.decode()
    await club.env.advance_time(60)  # three file commands a minute: an import and two exports so far
    timeline = await club.mod.slash(club.channel, "events export", format="timelinejs", with_bundled=True)
    name, data = attachment_bytes(club.env, timeline)
    assert name.endswith("-timeline.json")
    assert json.loads(data)["title"]["text"]["headline"] == "Chronology Club: chronology"
    bundled = len(await store.scope_events(0, deleted=False))
    assert timeline.response.content == f"{5 + bundled} events, as timelinejs."
    await club.env.advance_time(60)
    calendar = await club.mod.slash(club.channel, "events export", format="ics", with_bundled=True)
    name, data = attachment_bytes(club.env, calendar)
    entries = list(icalendar.Calendar.from_ical(data).walk("VEVENT"))
    day_precise = [
        event for event in await store.visible_events(club.guild.id) if event.date.is_day_precise()
    ]
    assert name.endswith("-calendar.ics") and len({str(entry["uid"]) for entry in entries}) == len(entries)
    assert calendar.response.content.startswith(f"{len(day_precise)} events, as ics. ")
    assert "events left out: their dates are months or years" in calendar.response.content


# -- safety -----------------------------------------------------------------------------------------


async def test_nothing_a_moderator_types_pings_anyone_or_formats_the_reply(club: Club) -> None:
    loud = f"@everyone <@{club.alice.id}> <@&{club.curators.id}> **big**"

    added = await add(
        club.mod, club.channel, {"event:title": loud, "event:date": "1921", "event:summary": "@here ~~gone~~"}
    )
    value = await choice(club.alice, club.channel, "event", "big", loud)
    shown = await club.alice.slash(club.channel, "event", name=value)

    assert "\\*\\*big\\*\\*" in added.response.content and "@\u200beveryone" in added.response.content
    embed = shown.response.embeds[0]
    assert "\\*\\*big\\*\\*" in (embed.title or "") and embed.description == "@\u200bhere \\~\\~gone\\~\\~"
    for result in (added, shown):
        stored = club.env.backend.get_message(result.response.channel_id, result.response.id)
        assert stored.mention_everyone is False and stored.ping_user_ids == [] and stored.ping_role_ids == []


async def test_writes_are_limited_per_member_and_the_limit_passes(club: Club) -> None:
    club.guild.set_command_permissions(club.events, {club.curators: True})
    await club.mod.slash(club.channel, "events curator-role", role=club.curators)
    await add(club.mod, club.channel, PUTILOV)
    value = await choice(club.mod, club.channel, "events remove", "putilov", "Strike at the Putilov works")
    for _ in range(4):
        await club.mod.slash(club.channel, "events remove", event=value)
        await club.mod.slash(club.channel, "events restore", event=value)  # the tenth write this minute

    refused = await club.mod.slash(club.channel, "events remove", event=value)
    assert refused.ephemeral and refused.response.content.startswith("Slow down a little: try again in")
    assert refusals(club.env) == ["CommandOnCooldown"]
    assert "Strike at the Putilov works" in await search(club.alice, club.channel, "putilov walkout")
    someone_else = await club.curator.slash(club.channel, "events remove", event=value)
    assert someone_else.response.content.startswith("Removed **Strike at the Putilov works**")

    await club.env.advance_time(60)
    restored = await club.mod.slash(club.channel, "events restore", event=value)
    assert restored.response.content == "Restored **Strike at the Putilov works**."


# -- permission at the moment of writing ----------------------------------------------------------


async def test_a_curator_whose_role_is_cleared_cannot_finish_an_open_form_or_undo(
    club: Club, services: Services
) -> None:
    club.guild.set_command_permissions(club.events, {club.curators: True})
    await club.mod.slash(club.channel, "events curator-role", role=club.curators)
    added = await add(club.curator, club.channel, PUTILOV)
    assert "Added" in added.response.content
    (event,) = await services.store.scope_events(club.guild.id)
    removed = await club.curator.slash(club.channel, "events remove", event=f"#{event.id}")
    form = await club.curator.slash(club.channel, "events add")  # opened while still a curator

    await club.mod.slash(club.channel, "events curator-role")  # the role is cleared meanwhile
    submitted = await club.curator.submit_modal(form, PUTILOV | {"event:title": "A second strike"})
    undone = await club.curator.click(removed.response, label="Undo")

    assert submitted.ephemeral and submitted.response.content == str(NOT_CURATOR)
    assert undone.ephemeral and undone.response.content == str(NOT_CURATOR)
    (still,) = await services.store.scope_events(club.guild.id)
    assert still.deleted, "Undo restored the event for an ex-curator"
    assert refusals(club.env) == ["Refused", "Refused"]


# -- in the moderator's language --------------------------------------------------------------------


async def test_a_moderator_curates_in_their_own_discord_language(
    club: Club, monkeypatch: pytest.MonkeyPatch
) -> None:
    speak(monkeypatch, {club.mod.id: "ru"})
    title = "Strike at the Putilov works"

    shown = await club.mod.slash(club.channel, "events add")
    added = await club.mod.submit_modal(shown, PUTILOV)
    value = await choice(club.mod, club.channel, "events remove", "putilov", title)
    removed = await club.mod.slash(club.channel, "events remove", event=value)
    undone = await club.mod.click(removed.response, label=said("Undo").in_language("ru"))
    imported = await club.mod.slash(club.channel, "events import", file=("events.csv", numbered_csv(1000)))

    assert shown.modal["title"] == said("Add an event").in_language("ru") != "Add an event"
    saying = "Added **{title}** ({date}); it is in `/onthisday`, `/event` and `/search` now."
    date = DateWords(EventDate.parse("1921-03-02"))
    assert added.response.content == said(saying, title=title, date=date).in_language("ru")
    assert "2 марта 1921" in added.response.content  # the date as Russian writes it
    assert undone.response.content == said("Restored **{title}**.", title=title).in_language("ru")
    thousand = "1\xa0000"  # grouped as Russian groups it
    rows = said_n("{number} row", "{number} rows", 1000, number=thousand)
    headline = said_n(
        "Imported {number} event from {rows}.",
        "Imported {number} events from {rows}.",
        1000,
        number=thousand,
        rows=rows,
    )
    assert headline.in_language("ru") in text_of(imported)


async def test_a_curators_autocomplete_names_the_events_in_their_language(
    club: Club, add_event: AddEvent, monkeypatch: pytest.MonkeyPatch
) -> None:
    translations = {"ru": {"title": "Забастовка на Обуховском заводе"}}
    await add_event(club.guild.id, "1921-03-12", "Obukhov works strike", translations=translations)
    english = await offered(club.mod, club.channel, "events edit", "obukhov")
    speak(monkeypatch, {club.mod.id: "ru"})
    russian = await offered(club.mod, club.channel, "events edit", "obukhov")

    assert russian[:1] == ["Забастовка на Обуховском заводе"]
    assert english[:1] == ["Obukhov works strike"]


async def test_an_event_with_every_label_it_may_have_opens_in_the_edit_form(
    club: Club, add_event: AddEvent
) -> None:
    many = [f"{n:02d} " + "x" * 92 for n in range(20)]  # 20 of 95 characters each, as a file may hold
    await add_event(club.guild.id, "1921-03-12", "Crowded event", tags=many, aliases=many)
    value = await choice(club.mod, club.channel, "events edit", "crowded", "Crowded event")

    shown = await club.mod.slash(club.channel, "events edit", event=value)

    (labels,) = [
        box
        for row in shown.modal["components"]
        for box in row["components"]
        if box["custom_id"] == "event:labels"
    ]
    assert 1000 < len(labels["value"]) <= labels["max_length"] <= 4000  # Discord's own limits
    saved = await club.mod.submit_modal(shown, prefilled(shown))
    assert saved.response.content.startswith("Saved")


def test_labels_no_form_could_hold_are_refused_on_every_path() -> None:
    full = [f"{n:02d} " + "x" * 97 for n in range(20)]  # 20 of 100: 4,089 characters in the box
    with pytest.raises(FieldErrors) as refused:
        EventFields.from_mapping(
            {"id": "full", "date": "1921", "title": "Full", "tags": full, "aliases": full}
        )
    assert "more than the 4000 the edit form holds" in str(refused.value)


async def test_a_curator_translates_a_server_event_through_its_own_form(
    club: Club, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add(club.mod, club.channel, PUTILOV)
    value = await choice(club.mod, club.channel, "events translate", "putilov", "Strike at the Putilov works")

    shown = await club.mod.slash(club.channel, "events translate", event=value, language="ca")
    assert shown.modal is not None and shown.modal["title"].startswith("In Catalan: Strike at the Putilov")
    saved = await club.mod.submit_modal(
        shown, {"translation:title": "Vaga a la Putílov", "translation:summary": "Els obrers van parar."}
    )
    assert saved.ephemeral and saved.response.content == "Saved **Strike at the Putilov works** in Catalan."

    speak(monkeypatch, {club.alice.id: "ca"})
    card = await club.alice.slash(club.channel, "event", name="Strike at the Putilov works")
    assert card.response.embeds[0].title == "Vaga a la Putílov"
    found = await search(club.alice, club.channel, "vaga putilov")  # searchable in Catalan at once
    assert "Vaga a la Putílov" in found

    reopened = await club.mod.slash(club.channel, "events translate", event=value, language="ca")
    assert prefilled(reopened) == {
        "translation:title": "Vaga a la Putílov",
        "translation:summary": "Els obrers van parar.",
    }
    too_long = await club.mod.submit_modal(reopened, {"translation:title": "", "translation:summary": "x"})
    assert too_long.ephemeral and "Not saved" in too_long.response.content  # a summary needs its title
    assert (
        await club.alice.slash(club.channel, "event", name="Strike at the Putilov works")
    ).response.embeds[0].title == "Vaga a la Putílov"
