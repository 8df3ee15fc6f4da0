"""Every request the bot sends, within Discord's documented limits and of a shape Discord's
OpenAPI spec takes (tests/limits.py, tests/limits_spec.py, tests/limits_commands.py).

A server stores the worst a moderator can store (titles, summaries, sources and translations at
their longest, full of markdown and mentions; 20 tags and 20 other names as long as the edit
form's box holds), then members in each language use every command, every autocomplete, every
button and select menu the replies carry, and every form, and a daily post goes out to a
channel and to a forum. Every request simcord saw is then checked, the command sync that set the
server up included, and the test also checks that it drove every command in the tree, so a
command added later without a place here fails it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.daily.intro import INTRO_MAX
from bot.i18n.languages import SHIPPED
from bot.model.event import LABELS_TEXT_MAX, LIST_ITEM_MAX, SOURCE_MAX, SUMMARY_MAX, TITLE_MAX, labels_text
from tests import limits
from tests.support import AddEvent, World, speak

# (the members' Discord locale, the daily post's language) for each shipped language. Discord has
# no Catalan locale: Catalan reaches a server through the daily post's language, so its members
# here use Spanish, as a Catalan server's members might.
DISCORD_LOCALE = {"en": "en-US", "es": "es-ES", "ca": "es-ES"}  # the others are named as shipped
LANGUAGES = [(DISCORD_LOCALE.get(language, language), language) for language in SHIPPED]
HOUR = 3600
MENTIONS = "@everyone @here <@&123456789012345678> <@1> **bold** _it_ `tick` ||spoiler|| > quote "


def filled(length: int, flavour: str = "") -> str:
    return ((flavour + MENTIONS) * (length // len(MENTIONS) + 2))[:length]


def longest_labels() -> tuple[list[str], list[str]]:
    """20 tags and as many long other names as the edit form's one box can hold."""
    tags = [f"tag {n} " + "t" * 90 for n in range(20)]
    aliases: list[str] = []
    for n in range(20):
        alias = (f"@everyone alias {n} " + "a" * LIST_ITEM_MAX)[:LIST_ITEM_MAX]
        if len(labels_text(tags, [*aliases, alias])) > LABELS_TEXT_MAX:
            break
        aliases.append(alias)
    return tags, aliases


def worst_event(number: int) -> dict[str, Any]:
    tags, aliases = longest_labels()
    return {
        "title": filled(TITLE_MAX, f"Worst {number} "),
        "summary": filled(SUMMARY_MAX),
        "source": filled(SOURCE_MAX),
        "people": [filled(LIST_ITEM_MAX, f"person {n} ") for n in range(20)],
        "places": [filled(LIST_ITEM_MAX, f"place {n} ") for n in range(20)],
        "tags": tags,
        "aliases": aliases,
        "translations": {
            language: {
                "title": filled(TITLE_MAX, f"{language} {number} "),
                "summary": filled(SUMMARY_MAX, "Ж"),
            }
            for language in ("ca", "es", "ru")
        },
    }


@dataclass
class Tour:
    """The members of a test server, what they have used, and helpers that press everything."""

    world: World
    mod: Any
    member: Any
    used: set[str] = field(default_factory=set)
    checked: Counter[str] = field(default_factory=Counter)

    async def slash(self, who: Any, name: str, /, press: bool = True, **options: Any) -> Any:
        """Use a command, then (unless told not to) every button and menu its answer carries."""
        self.used.add(name)
        await self.pause(name)
        result = await who.slash(self.world.channel, name, **options)
        if press:
            await self.press_everything(who, result)
        return result

    async def pause(self, name: str) -> None:
        """A minute between curators' writes, so the per-member write limit refuses none."""
        if name.startswith("events "):
            await self.world.env.advance_time(60)

    async def complete(self, who: Any, name: str, option: str, typed: str, /, **filled: Any) -> str:
        """Type into an option; the value of the first choice offered ("" for none)."""
        choices = await who.autocomplete(self.world.channel, name, option, typed, **filled)
        return str(choices[0]["value"]) if choices else ""

    async def press_everything(self, who: Any, result: Any, depth: int = 0) -> None:
        """Every button and select menu a reply carries, each pressed once by the asker, and any
        form one of them opens submitted as it came, pre-filled."""
        message = result.response
        if message is None or depth > 2:
            return
        for custom_id in [item.get("custom_id") for item in items_of(message)]:
            # read afresh each time: a button pressed before may have turned the page
            item = next((item for item in items_of(message) if item.get("custom_id") == custom_id), None)
            if item is None or custom_id is None or item.get("disabled"):
                continue
            if item.get("type") == limits.STRING_SELECT:
                await who.select(message, [item["options"][-1]["value"]], custom_id=custom_id)
            elif item.get("type") == limits.BUTTON:
                pressed = await who.click(message, custom_id=custom_id)
                if pressed.modal is not None:
                    await who.submit_modal(pressed, prefilled(pressed.modal))
                else:
                    await self.press_everything(who, pressed, depth + 1)

    async def form(self, who: Any, name: str, boxes: dict[str, str] | None = None, /, **options: Any) -> Any:
        """Open a command's form, submit it (with `boxes` over what it came with), and press what
        the answer carries (a "Fix and resubmit" reopens the form, as typed)."""
        self.used.add(name)
        await self.pause(name)
        shown = await who.slash(self.world.channel, name, **options)
        assert shown.modal is not None, name
        submitted = await who.submit_modal(shown, prefilled(shown.modal) | (boxes or {}))
        await self.press_everything(who, submitted)
        return submitted


def items_of(message: Any) -> list[dict[str, Any]]:
    return [item for row in message.components for item in row.get("components", [])]


def prefilled(modal: dict[str, Any]) -> dict[str, str]:
    boxes = {}
    for row in modal["components"]:
        for box in row.get("components") or [row.get("component") or {}]:
            boxes[box["custom_id"]] = box.get("value") or ""
    return boxes


def leaf_commands(tree: app_commands.CommandTree[Any]) -> set[str]:
    return {
        command.qualified_name
        for command in tree.walk_commands()
        if isinstance(command, app_commands.Command)
    }


@pytest.fixture
async def tour(world: World, add_event: AddEvent) -> Tour:
    guild = world.guild
    managers = guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    mod = guild.add_member(world.env.create_user("mod"), roles=[managers])
    admin = world.bot.get_cog("Admin")
    admin.owner_ids = frozenset({mod.id})  # type: ignore[union-attr]  # as OWNER_IDS would name them
    for number in range(30):  # a crowded 1 January (simcord's today), and a long range over it
        await add_event(guild.id, "1919-01-01", **worst_event(number))
    await add_event(guild.id, "1920-12-20/1921-01-20", **worst_event(99))
    return Tour(world, mod, world.alice)


async def drive_every_command(tour: Tour, post_language: str) -> None:
    world, mod, member = tour.world, tour.mod, tour.member
    readers = world.guild.create_role(filled(100, "Readers "), mentionable=True)  # the daily post pings it

    # asking, with typos, bad input and answers at their longest
    await tour.slash(member, "help")
    for date in ("", "1 January", "5 January", "31 February", filled(100)):
        await tour.slash(member, "onthisday", date=date)
    for typed in ("wors", "@everyone", "kronstat", filled(100)):
        await tour.complete(member, "event", "name", typed)
    for name in ("Worst 3", "Worst", "zzqqxxv", "Kronstadt"):
        await tour.slash(member, "event", name=name)
    await tour.slash(member, "event", name="Worst 3", picture="dark")
    for query in ("worst", "everyone here bold", "kronstadt", filled(200)):
        await tour.slash(member, "search", query=query)
    for start, end in (("1900 to 2000", ""), ("1919", ""), ("2000", "1900"), ("nonsense", "")):
        await tour.slash(member, "timeline", start=start, end=end)
    await tour.slash(member, "timeline", start="1900 to 2000", picture="light")
    await tour.slash(member, "random")
    await tour.slash(member, "random", year=1919, tag="tag 1 " + "t" * 90)
    for days in (1, 7, 30):
        await tour.slash(member, "upcoming", days=days)

    # the daily post: a channel with a role to ping, then a forum; both in the chosen language
    for typed in ("", "Europe/", "@everyone", filled(100)):
        await tour.complete(mod, "anniversaries setup", "timezone", typed)
    await tour.slash(
        mod, "anniversaries setup", channel=world.channel, time="00:30", timezone="UTC", role=readers
    )
    await tour.slash(mod, "anniversaries setup", channel=world.channel, time="25:99", timezone="Mars/Olympus")
    await tour.slash(mod, "anniversaries show")
    await tour.slash(mod, "anniversaries preview")
    await tour.slash(mod, "anniversaries preview", date="1 January")
    await world.env.advance_time(24 * HOUR)  # the channel's post, with its role to ping
    forum = world.guild.create_forum_channel("daily-forum")
    intro = ("{count} on {date} " + filled(INTRO_MAX))[:INTRO_MAX]
    await tour.slash(
        mod,
        "anniversaries setup",
        channel=forum,
        time="00:30",
        timezone="UTC",
        language=post_language,
        intro=intro,
    )
    await world.env.advance_time(24 * HOUR)
    await tour.slash(mod, "anniversaries disable")
    await tour.slash(mod, "anniversaries events enable", days=14)
    await world.env.advance_time(HOUR)  # the Events tab pass looks at the coming days
    await tour.slash(mod, "anniversaries events disable")
    await world.env.advance_time(HOUR)

    # curating: forms pre-filled to the brim, refusals, every undo
    await tour.form(
        mod,
        "events add",
        {
            "event:title": filled(TITLE_MAX),
            "event:date": "1 January 1919",
            "event:summary": filled(SUMMARY_MAX),
            "event:source": filled(SOURCE_MAX),
            "event:labels": "tags: " + "; ".join(longest_labels()[0]),
        },
    )
    await tour.form(mod, "events add", {"event:title": "Broken", "event:date": "31 February 1919"})
    await tour.form(
        mod,
        "events add",
        {
            "event:title": "Too many",
            "event:date": "1919",
            "event:labels": "tags: " + "; ".join("t" * 99 for _ in range(38)),
        },
    )
    for command in ("events edit", "events translate", "events remove", "events history"):
        await tour.complete(mod, command, "event", "wors")
    worst = await tour.complete(mod, "events edit", "event", "Worst 3")
    other = await tour.complete(mod, "events edit", "event", "Worst 4")
    await tour.form(mod, "events edit", event=worst)
    await tour.form(mod, "events edit", {"event:date": "soon"}, event=worst)
    for target in ("ru", "ca", "es"):
        await tour.form(mod, "events translate", event=worst, language=target)
    await tour.slash(mod, "events remove", event=worst)  # its Undo is pressed, and brings it back
    await tour.slash(mod, "events remove", press=False, event=other)
    await tour.slash(mod, "events restore", event=await tour.complete(mod, "events restore", "event", "wors"))
    bundled = await tour.complete(mod, "events hide", "event", "kronstadt rebellion")
    await tour.slash(mod, "events hide", event=bundled)  # its Undo is pressed too
    await tour.slash(mod, "events hide", press=False, event=bundled)
    await tour.slash(mod, "events unhide", event=await tour.complete(mod, "events unhide", "event", "kron"))
    await tour.slash(mod, "events history")
    await tour.slash(mod, "events history", event=worst)
    for kind in ("json", "csv", "timelinejs", "ics"):
        await tour.slash(mod, "events export", format=kind, with_bundled=True)
    bad_rows = b"date,title\n" + b"".join(b"31 February,Row %d\n" % n for n in range(300))
    await tour.slash(mod, "events import", file=("bad.csv", bad_rows))
    await tour.slash(mod, "events import", file=("good.csv", b"date,title\n1930,Imported @everyone\n"))
    await tour.slash(mod, "events calendar")  # refused here: no CALENDAR_BASE_URL is set
    await tour.slash(mod, "events curator-role", role=readers)
    await tour.slash(mod, "events curator-role")

    # the operators' commands
    await tour.slash(mod, "almanac status")
    await tour.slash(mod, "almanac sync", guild="here")
    await tour.slash(mod, "almanac sync", guild="not a server")


@pytest.mark.simcord(settle_timeout=60.0)
@pytest.mark.parametrize(("locale", "post_language"), LANGUAGES)
async def test_every_request_the_bot_sends_is_one_discord_takes(
    tour: Tour, monkeypatch: pytest.MonkeyPatch, locale: str, post_language: str
) -> None:
    world = tour.world
    requests = limits.record_requests(monkeypatch, world.env)
    speak(monkeypatch, {tour.mod.id: locale, tour.member.id: locale})

    await drive_every_command(tour, post_language)
    _ = world.env.errors  # the refusals above were expected; reading them acknowledges them

    found, kinds = [], Counter[str]()
    for request in requests():
        kinds[limits.kind_of(request.method, request.path, request.body) or request.method] += 1
        kinds["command sync"] += limits.is_sync(request.method, request.path)
        kinds["files"] += bool(request.files)
        kinds["channel post"] += request.method == "POST" and request.path.endswith("/messages")
        found += limits.request_findings(request)
    assert found == []
    assert tour.used == leaf_commands(world.bot.tree), "every command is driven here"
    # the check looked at every kind of request, many times over: the global sync the world
    # fixture made and the server's from /almanac sync, uploads, both daily posts, reads
    assert kinds["command sync"] == 2 and kinds["files"] >= 6 and kinds["GET"] >= 1
    assert kinds["forum post"] == 1 and kinds["channel post"] == 1
    assert kinds["message"] > 100 and kinds["modal"] >= 8 and kinds["choices"] >= 12


async def test_a_form_box_narrower_than_its_stored_labels_is_found(
    tour: Tour, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check catches the bug it was written for: the edit form's labels box back at 1,000
    characters, pre-filled with an event's 20 long tags and other names."""
    monkeypatch.setattr("cogs.event_modal.LABELS_MAX", 1000)
    world = tour.world
    event = await tour.complete(tour.mod, "events edit", "event", "Worst 3")
    await tour.mod.slash(world.channel, "events edit", event=event)

    found = [
        finding
        for entry in world.env.http_requests
        for finding in limits.findings(entry.method, entry.path, entry.json)
    ]
    assert len(found) == 1 and "event:labels.value has" in found[0] and "(allowed 0..1000)" in found[0]


CALLBACK = "/interactions/1/token/callback"


def reply(**data: Any) -> dict[str, Any]:
    return {"type": limits.MESSAGE_REPLY, "data": {"allowed_mentions": {"parse": []}} | data}


def button(custom_id: str = "b", **extra: Any) -> dict[str, Any]:
    return {"type": limits.BUTTON, "style": 1, "custom_id": custom_id, "label": "Next"} | extra


def select(options: int, **extra: Any) -> dict[str, Any]:
    choices = [{"label": f"Option {n}", "value": str(n)} for n in range(options)]
    return {"type": limits.STRING_SELECT, "custom_id": "s", "options": choices} | extra


def row(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": limits.ACTION_ROW, "components": list(items)}


def modal(value: str, max_length: int = 4000, **box: Any) -> dict[str, Any]:
    text_input = {"type": limits.TEXT_INPUT, "custom_id": "t", "label": "Labels", "style": 2}
    text_input |= {"value": value, "max_length": max_length} | box
    return {
        "type": limits.MODAL,
        "data": {"custom_id": "m", "title": "Edit", "components": [row(text_input)]},
    }


@pytest.mark.parametrize(
    ("body", "finding"),
    [
        (reply(content="x" * 2001), "content has 2001 characters"),
        (reply(embeds=[{"title": "t" * 257}]), "embeds[0].title has 257"),
        (reply(embeds=[{"description": "d" * 4097}]), "embeds[0].description has 4097"),
        (reply(embeds=[{"fields": [{"name": "n", "value": "v"}] * 26}]), "26 fields"),
        (reply(embeds=[{"fields": [{"name": "n", "value": "v" * 1025}]}]), "fields[0].value has 1025"),
        (reply(embeds=[{"fields": [{"name": "", "value": "v"}]}]), "fields[0].name has 0"),
        (
            reply(embeds=[{"description": "d" * 4000}, {"description": "d" * 2001}]),
            "6001 characters together",
        ),
        (reply(embeds=[{"footer": {"text": "f" * 2049}}]), "footer.text has 2049"),
        (reply(embeds=[{}] * 11), "11 embeds"),
        (reply(components=[row(button(str(n))) for n in range(6)]), "6 action rows"),
        (reply(components=[row(*(button(str(n)) for n in range(6)))]), "holds 6 components"),
        (reply(components=[row(button(label="l" * 81))]), "label has 81"),
        (reply(components=[row(button("c" * 101))]), "custom_id has 101"),
        (reply(components=[row(button(), button())]), "custom ids repeat"),
        (reply(components=[row(select(26))]), "26 options"),
        (reply(components=[row(select(2), button())]), "a select menu shares its row"),
        (reply(components=[row(select(1, placeholder="p" * 151))]), "placeholder has 151"),
        (reply(components=[row(select(1, max_values=2))]), "asks for 1..2 of 1 options"),
        (
            reply(components=[row(select(1) | {"options": [{"label": "l" * 101, "value": "0"}]})]),
            "options[0].label has 101",
        ),
        (reply(content="hi", allowed_mentions={"parse": ["everyone"]}), "parses ['everyone']"),
        (
            reply(attachments=[{"id": 0, "filename": "t.png", "description": "d" * 1025}]),
            "attachments[0].description has 1025",
        ),
        ({"type": limits.MESSAGE_REPLY, "data": {"content": "@everyone"}}, "no allowed_mentions"),
        (modal("v" * 1001, max_length=1000), "t.value has 1001 characters (allowed 0..1000)"),
        (modal("v", max_length=4001), "max_length 4001"),
        (modal("v", label="l" * 46), "t.label has 46"),
        (modal("v", placeholder="p" * 101), "placeholder has 101"),
        (modal("v") | {"data": modal("v")["data"] | {"title": "t" * 46}}, "title has 46"),
        (
            {"type": limits.AUTOCOMPLETE_RESULT, "data": {"choices": [{"name": "n", "value": "v"}] * 26}},
            "26 choices",
        ),
        (
            {"type": limits.AUTOCOMPLETE_RESULT, "data": {"choices": [{"name": "n" * 101, "value": "v"}]}},
            "choices[0].name has 101",
        ),
        (
            {"type": limits.AUTOCOMPLETE_RESULT, "data": {"choices": [{"name": "n", "value": "v" * 101}]}},
            "choices[0].value has 101",
        ),
    ],
)
def test_the_check_finds_every_limit_passed(body: dict[str, Any], finding: str) -> None:
    found = limits.findings("POST", CALLBACK, body)
    assert len(found) == 1 and finding in found[0], found


def test_the_check_reads_every_route_that_carries_a_payload() -> None:
    message = {"content": "x" * 2001, "allowed_mentions": {"parse": []}}
    for method, path in (
        ("POST", "/webhooks/1/token"),
        ("PATCH", "/webhooks/1/token/messages/@original"),
        ("POST", "/channels/1/messages"),
        ("PATCH", "/channels/1/messages/2"),
    ):
        assert len(limits.findings(method, path, message)) == 1, path
    assert limits.findings("POST", "/channels/1/threads", {"name": "n" * 101, "message": message}) != []
    within = reply(content="x" * 2000, embeds=[{"title": "t" * 256}], components=[row(select(25))])
    assert limits.findings("POST", CALLBACK, within) == []
    assert limits.findings("GET", "/channels/1/messages", None) == []
