"""The limits checker (tests/limits.py and the modules it reads) proves it fires.

A checker that finds nothing on every flow is only worth something if it finds what is wrong.
Each kind of error it checks for is planted here into a copy of a real request, captured through
simcord from the bot's own flows (the translated command sync, a reply with an embed, a form, an
autocomplete, an upload, a daily post to a channel and to a forum), and the checker must name
it; the requests as they were must pass. Each entry of the spec allow-list must also excuse
something the bot really sends, so the list cannot grow stale.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import discord
import pytest

from tests import limits, limits_spec
from tests.support import World

HOUR = 3600
Body = Any


@pytest.fixture
async def captured(world: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, limits.Request]:
    """One real request of each kind the bot sends, by name."""
    requests = limits.record_requests(monkeypatch, world.env)
    guild = world.guild
    managers = guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    mod = guild.add_member(world.env.create_user("mod"), roles=[managers])
    readers = guild.create_role("Readers", mentionable=True)
    await world.alice.slash(world.channel, "onthisday", date="16 March")
    await world.alice.autocomplete(world.channel, "event", "name", "kron")
    await mod.slash(world.channel, "events add")
    await mod.slash(world.channel, "events export", format="json", with_bundled=True)
    await mod.slash(
        world.channel,
        "anniversaries setup",
        channel=world.channel,
        time="00:30",
        timezone="UTC",
        role=readers,
    )
    await world.env.advance_time(24 * HOUR)
    forum = guild.create_forum_channel("daily")
    await mod.slash(world.channel, "anniversaries setup", channel=forum, time="00:30", timezone="UTC")
    await world.env.advance_time(24 * HOUR)
    _ = world.env.errors

    def first(method: str, test: Callable[[limits.Request], bool]) -> limits.Request:
        found = [r for r in requests() if r.method == method and test(r)]
        assert found
        return found[0]

    def callback(kind: int) -> Callable[[limits.Request], bool]:
        return lambda r: r.path.endswith("/callback") and r.body.get("type") == kind

    found = {
        "sync": first("PUT", lambda r: limits.is_sync(r.method, r.path)),
        "reply": first("POST", lambda r: callback(4)(r) and bool(r.body["data"].get("embeds"))),
        "form": first("POST", callback(9)),
        "choices": first("POST", callback(8)),
        "upload": first("PATCH", lambda r: bool(r.files)),
        "channel post": first(
            "POST", lambda r: r.path.startswith("/channels/") and r.path.endswith("/messages")
        ),
        "forum post": first("POST", lambda r: r.path.endswith("/threads")),
        "read": first("GET", lambda r: True),
    }
    return {name: replace(request, body=copy.deepcopy(request.body)) for name, request in found.items()}


def at(path: str) -> Callable[[Body], dict[str, Any]]:
    """`at("event picture")`: where in a sync body a command, subcommand or option is, by names."""

    def find(body: Body) -> dict[str, Any]:
        node: dict[str, Any] = {"options": body}
        for name in path.split():
            node = next(item for item in node["options"] if item["name"] == name)
        return node

    return find


def setting(where: Callable[[Body], Any], key: str, value: Any) -> Callable[[Body], None]:
    return lambda body: where(body).__setitem__(key, value)


def localized(where: Callable[[Body], Any], key: str, locale: str, value: str) -> Callable[[Body], None]:
    return lambda body: where(body).setdefault(f"{key}_localizations", {}).__setitem__(locale, value)


def same_name(
    first: Callable[[Body], Any], second: Callable[[Body], Any], locale: str
) -> Callable[[Body], None]:
    """The second sibling takes the first's name in `locale`."""

    def plant(body: Body) -> None:
        name = (first(body).get("name_localizations") or {}).get(locale, first(body)["name"])
        second(body).setdefault("name_localizations", {})[locale] = name

    return plant


def choices(count: int, name: int = 5, value: int = 5) -> list[dict[str, Any]]:
    return [{"name": f"{n:0{name}}", "value": f"{n:0{value}}"} for n in range(count)]


def options(count: int) -> list[dict[str, Any]]:
    return [{"type": 3, "name": f"o{n}", "description": "An option"} for n in range(count)]


def many_commands(body: Body) -> None:
    body += [{"name": f"c{n}", "description": "A command", "type": 1} for n in range(101)]


def itself(body: Body) -> Any:
    return body


def data(body: Body) -> Any:
    return body["data"]


def first_embed(body: Body) -> Any:
    return body["data"]["embeds"][0]


def no_attachments(body: Body) -> None:
    del body["attachments"]


ONTHISDAY, EVENT, ALMANAC, PICTURE = at("onthisday"), at("event"), at("almanac"), at("event picture")
Plant = Callable[[Body], Any]

# into the command sync, translated as tree.sync sends it: what, how, what the checker says
SYNC_PLANTS: dict[str, tuple[Plant, str]] = {
    "a name with a space": (setting(ONTHISDAY, "name", "on this day"), "'on this day' is not a valid"),
    "a capital in a name": (
        localized(ONTHISDAY, "name", "ru", "В-этот-день"),
        "name[ru] 'В-этот-день' is not",
    ),
    "a name of 33": (localized(ONTHISDAY, "name", "de", "d" * 33), "name[de] 'ddddd"),
    "an empty description": (setting(ONTHISDAY, "description", ""), "description is not 1..100"),
    "a description of 101": (
        localized(EVENT, "description", "fr", "d" * 101),
        "description[fr] is not 1..100",
    ),
    "a locale Discord lacks": (localized(ONTHISDAY, "name", "ca", "efemèrides"), "no locale for: ['ca']"),
    "commands named alike": (same_name(ONTHISDAY, at("search"), "uk"), "/: 2 siblings are named 'цього-дня'"),
    "subcommands named alike": (same_name(at("events add"), at("events edit"), "de"), "/events: 2 siblings"),
    "options named alike": (same_name(at("event name"), PICTURE, "pl"), "/event: 2 siblings"),
    "26 options": (setting(at("search"), "options", options(26)), "26 options (most 25)"),
    "26 choices": (setting(PICTURE, "choices", choices(26)), "26 choices (most 25)"),
    "a choice value of 101": (setting(PICTURE, "choices", choices(1, value=101)), "value has 101 characters"),
    "a choice name of 101": (
        localized(lambda b: PICTURE(b)["choices"][0], "name", "ru", "n" * 101),
        "name[ru]",
    ),
    "over 4,000 characters": (setting(PICTURE, "choices", choices(25, 100, 100)), "together (most 4000)"),
    "an unknown install": (
        setting(ONTHISDAY, "integration_types", [0, 2]),
        "integration_types [0, 2] is not",
    ),
    "no context": (setting(ONTHISDAY, "contexts", []), "contexts [] is not"),
    "owners' command in DMs": (setting(ALMANAC, "contexts", [0, 1]), "/almanac: a command for moderators"),
    "moderators' command in DMs": (setting(at("events"), "dm_permission", True), "/events: a command for"),
    "owners' command for all": (setting(ALMANAC, "default_member_permissions", None), "every member sees it"),
    "required after optional": (lambda b: EVENT(b)["options"].reverse(), "a required option follows"),
    "contexts on a subcommand": (setting(at("events add"), "contexts", [0]), "on the top-level command only"),
    "101 slash commands": (many_commands, "slash commands (most 100)"),
    "an unknown property": (setting(ONTHISDAY, "nsfw_", False), "$[0].nsfw_: unknown property"),
    "an unknown option type": (setting(at("event name"), "type", 99), "options[0].type: 99 is not one of"),
    "an unnamed channel type": (
        setting(at("anniversaries setup channel"), "channel_types", [17]),
        "types[0]",
    ),
}
# into the requests around it, against the spec and the limits: which request, how, what is said
BODY_PLANTS: dict[str, tuple[str, Plant, str]] = {
    "a file part with no entry": ("upload", no_attachments, "file part files[0] has no attachments entry"),
    "a nonce over 25": ("channel post", setting(itself, "nonce", "n" * 26), "$.nonce: 'nnnnnnnnnnnnnn"),
    "a timestamp no date": ("reply", setting(first_embed, "timestamp", "16 March"), "is not a 'date-time'"),
    "a forum post no message": ("forum post", lambda b: b.pop("message"), "a forum post without a message"),
    "an unknown property": ("reply", setting(data, "ephemeral", True), "$.data.ephemeral: unknown property"),
    "an unknown form property": ("form", setting(data, "description", "x"), "$.data.description: unknown"),
    "a wrong callback type": ("reply", setting(itself, "type", 99), "$.type: 99 is not one of"),
    "a choice of a wrong type": ("choices", lambda b: data(b)["choices"][0].update(value=[1]), "choices[0]"),
    "a role id no snowflake": (
        "channel post",
        lambda b: b["allowed_mentions"].update(roles=["x"]),
        "roles[0]",
    ),
    "an attachment id no id": ("upload", lambda b: b["attachments"][0].update(id="x"), "attachments[0].id"),
    "embed flags not allowed": ("reply", setting(first_embed, "flags", 4), "flags: unknown property"),
    "text to speech on an edit": ("upload", setting(itself, "tts", True), "$.tts: unknown property"),
    "a private forum thread": ("forum post", setting(itself, "type", 12), "$.type: unknown property"),
}
# into what a request carries beside its body: its route, query and file parts
Change = Callable[[limits.Request], limits.Request]
REQUEST_PLANTS: dict[str, tuple[str, Change, str]] = {
    "a body on a read": ("read", lambda r: replace(r, body={"limit": 1}), "the operation takes none"),
    "no body": ("channel post", lambda r: replace(r, body=None), "carries no body"),
    "an unknown query": ("read", lambda r: replace(r, params={"every": 1}), "?every=1 is not a parameter"),
    "a query boolean": ("reply", lambda r: replace(r, params={"with_response": "maybe"}), "?with_response"),
    "an unknown route": ("reply", lambda r: replace(r, path=r.path + "s"), "no such operation"),
    "an odd file part": ("upload", lambda r: replace(r, files=("file",)), "'file' is not named files[n]"),
}


def test_the_requests_as_captured_pass(captured: dict[str, limits.Request]) -> None:
    found = {name: limits.request_findings(request) for name, request in captured.items()}
    assert found == {name: [] for name in captured}


def test_every_planted_error_is_found(captured: dict[str, limits.Request]) -> None:
    planted = {f"sync: {what}": ("sync", plant, said) for what, (plant, said) in SYNC_PLANTS.items()}
    planted |= {f"body: {what}": entry for what, entry in BODY_PLANTS.items()}
    missed = {}
    for what, (which, plant, said) in planted.items():
        request = captured[which]
        body = copy.deepcopy(request.body)
        plant(body)
        found = limits.request_findings(replace(request, body=body))
        if not any(said in finding for finding in found):
            missed[what] = found
    for what, (which, change, said) in REQUEST_PLANTS.items():
        found = limits.request_findings(change(captured[which]))
        if not any(said in finding for finding in found):
            missed[what] = found
    assert missed == {}
    assert len(planted) + len(REQUEST_PLANTS) == 44


def test_every_allowance_excuses_something_the_bot_sends(
    captured: dict[str, limits.Request], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without any one entry of the allow-list, some real request fails: none is stale."""
    every = limits_spec.ALLOWED
    for allowance in every:
        monkeypatch.setattr(limits_spec, "ALLOWED", tuple(a for a in every if a is not allowance))
        found = [finding for request in captured.values() for finding in limits.request_findings(request)]
        assert found, allowance


@pytest.mark.parametrize(
    "name", ["नमस्ते", "สวัสดี", "дата", "efemérides", "an-diesem-tag", "tag_1", "ß", "x" * 32]
)
def test_discords_name_rule_takes_every_script_it_names(name: str) -> None:
    assert limits.valid_name(name)


@pytest.mark.parametrize("name", ["a b", "A", "x" * 33, "", "Дата", "İ", "a.b", "😀"])
def test_discords_name_rule_refuses_spaces_capitals_and_length(name: str) -> None:
    assert not limits.valid_name(name)
