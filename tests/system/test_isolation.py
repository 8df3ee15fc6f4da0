"""Who may do what, and what each server can see of another, over every command.

Two servers, each set up by its own moderators through the commands: its own events (one removed),
a hidden bundled event, a curator role, daily-post settings and so an audit log. Then, for each
kind of person (a plain member, a member of the curator role, Manage Server, the server's owner,
and a moderator of the other server), every command is run against their own server's data and
against the other server's, and the test checks:

* the permission: reads for everyone; /events and /anniversaries for curators and Manage Server;
  /events curator-role for Manage Server only; /almanac status for Manage Server (or bot owners);
  /almanac sync for the bot's owners only. `default_permissions` hides the guarded commands from
  members, so an admin override lets everyone try, and the bot's own check must refuse;
* a refusal is an ephemeral sentence and writes nothing;
* no reply, autocomplete list or exported file shows the other server's events, settings or log.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord
from discord import app_commands

from cogs.checks import NOT_CURATOR
from cogs.errors import NOT_ALLOWED

EVERYONE = frozenset({"member", "curator", "manager", "owner", "far_mod"})
CURATORS = frozenset({"curator", "manager", "owner", "far_mod"})
MANAGERS = frozenset({"manager", "owner", "far_mod"})  # Manage Server in the server they act in
BOT_OWNERS: frozenset[str] = frozenset()  # none of these people runs the bot
PUTILOV = "Cheka storms the Putilov works"  # a bundled event each role hides and shows again


@dataclass
class Server:
    """One server's people and what its moderators set up."""

    guild: Any
    channel: Any
    news: Any  # where its daily posts go
    curators: Any  # its curator role
    moderator: Any  # who set it up
    title: str  # its own event, on 5 May 1920
    removed: str  # its own event, removed
    hidden: str  # the bundled event it hides
    time: str
    zone: str
    event_id: int = 0


@dataclass
class Scene:
    env: simcord.Env
    database: Path
    here: Server  # where the person acts
    there: Server  # the other server
    actor: Any


def digest(database: Path) -> str:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()


async def set_up(server: Server, env: simcord.Env) -> None:
    """What a server's moderator does through the commands before anyone else comes by."""
    mod, channel = server.moderator, server.channel
    for title in (server.title, server.removed):
        shown = await mod.slash(channel, "events add")
        boxes = {
            "event:title": title,
            "event:date": "1920-05-05",
            "event:summary": f"{title.split()[0].lower()}-summary",
        }
        added = await mod.submit_modal(shown, boxes)
        assert added.response.content.startswith("Added"), added.response.content
    await mod.slash(channel, "events remove", event=server.removed)
    await mod.slash(channel, "events hide", event=server.hidden)
    await mod.slash(channel, "events curator-role", role=server.curators)
    await mod.slash(
        channel, "anniversaries setup", channel=server.news, time=server.time, timezone=server.zone
    )
    value = (await mod.autocomplete(channel, "event", "name", server.title))[0]["value"]
    server.event_id = int(value.lstrip("#"))
    assert env.errors == []


ROLES = ("member", "curator", "manager", "owner", "far_mod")


@pytest.fixture(params=ROLES)
async def scene(request: pytest.FixtureRequest, simcord_env: simcord.Env, database_path: Path) -> Scene:
    env = simcord_env
    owner_user = env.create_user("owner")
    club = env.create_guild("Chronology Club", owner=owner_user)
    far = env.create_guild("Elsewhere")
    here_mod = club.add_member(
        env.create_user("mod"),
        roles=[club.create_role("Managers", permissions=discord.Permissions(manage_guild=True))],
    )
    far_mod = far.add_member(
        env.create_user("far-mod"),
        roles=[far.create_role("Managers", permissions=discord.Permissions(manage_guild=True))],
    )
    a = Server(
        club,
        club.create_text_channel("general"),
        club.create_text_channel("news"),
        club.create_role("Curators"),
        here_mod,
        "Alpha secret meeting",
        "Alpha removed gathering",
        "Cheka founded",
        "07:15",
        "Europe/Paris",
    )
    b = Server(
        far,
        far.create_text_channel("general"),
        far.create_text_channel("news"),
        far.create_role("Curators"),
        far_mod,
        "Bravo secret meeting",
        "Bravo removed gathering",
        "Kronstadt rebellion",
        "21:45",
        "Asia/Tokyo",
    )
    people = {
        "member": club.add_member(env.create_user("alice")),
        "curator": club.add_member(env.create_user("curator"), roles=[a.curators]),
        "manager": here_mod,
        "owner": simcord.MemberActor(env, club, owner_user),
        "far_mod": far_mod,
    }
    synced = await env.bot.tree.sync()
    await set_up(a, env)
    await set_up(b, env)
    for command in synced:
        if command.name in ("events", "anniversaries", "almanac"):  # an admin lets everyone try
            club.set_command_permissions(command, {people["member"]: True, a.curators: True})
    role = request.param
    here, there = (b, a) if role == "far_mod" else (a, b)
    return Scene(env, database_path, here, there, people[role])


def role_of(scene: Scene, request: pytest.FixtureRequest) -> str:
    return str(request.node.callspec.params["scene"])


# -- what each reply shows ----------------------------------------------------------------------


def shown(env: simcord.Env, result: Any) -> str:
    """Everything a reply shows: content, embeds, attachments' text, and the modal's boxes."""
    parts: list[str] = []
    if result.modal is not None:
        parts.append(str(result.modal))
    for message in [result.response, *result.followups]:
        if message is None:
            continue
        parts.append(message.content or "")
        for embed in message.embeds:
            parts.append(str(embed.to_dict()))
        for attachment in message.attachments:
            parts.append((env.backend.cdn.get(attachment.url) or b"").decode("utf-8", "replace"))
    return "\n".join(parts)


def secrets_of(server: Server) -> list[str]:
    """What nobody outside `server` may see: its events, settings, people and roles."""
    return [
        server.title,
        server.removed,
        server.title.split()[0].lower() + "-summary",
        server.time,
        server.zone,
        str(server.news.id),
        str(server.moderator.id),
        str(server.curators.id),
    ]


# -- the table ----------------------------------------------------------------------------------

Options = Callable[[Scene], dict[str, Any]]


@dataclass(frozen=True)
class Row:
    command: str
    who: frozenset[str]  # who gets past the permission check
    options: Options = lambda scene: {}
    foreign: bool = False  # aims at the other server's data: an allowed person gets a UserError
    submit: dict[str, str] | None = None  # modal boxes to send, when the command opens a modal


def own(command: str, who: frozenset[str], options: Options = lambda scene: {}, **extra: Any) -> Row:
    return Row(command, who, options, **extra)


def theirs(command: str, who: frozenset[str], options: Options) -> Row:
    return Row(command, who, options, foreign=True)


TABLE = [
    own("onthisday", EVERYONE, lambda s: {"date": "5 May"}),
    own("event", EVERYONE, lambda s: {"name": s.here.title}),
    own("search", EVERYONE, lambda s: {"query": "secret meeting"}),
    own("timeline", EVERYONE, lambda s: {"start": "1920"}),
    own("upcoming", EVERYONE, lambda s: {"days": 31}),
    theirs("event", EVERYONE, lambda s: {"name": f"#{s.there.event_id}"}),
    theirs("event", EVERYONE, lambda s: {"name": s.there.title}),
    own("search", EVERYONE, lambda s: {"query": s.there.title.split()[0]}),  # finds nothing of theirs
    own("events add", CURATORS, submit={"event:title": "Newly added", "event:date": "1922"}),
    own("events edit", CURATORS, lambda s: {"event": f"#{s.here.event_id}"}),
    own("events remove", CURATORS, lambda s: {"event": "Newly added"}),
    own("events restore", CURATORS, lambda s: {"event": "Newly added"}),
    own("events hide", CURATORS, lambda s: {"event": PUTILOV}),
    own("events unhide", CURATORS, lambda s: {"event": PUTILOV}),
    own("events history", CURATORS, lambda s: {"event": f"#{s.here.event_id}"}),
    own("events history", CURATORS),
    own("events import", CURATORS, lambda s: {"file": ("e.csv", b"date,title\n1923,Imported here\n")}),
    own("events export", CURATORS, lambda s: {"format": "json", "with_bundled": True}),
    own("events export", CURATORS, lambda s: {"format": "csv"}),
    theirs("events edit", CURATORS, lambda s: {"event": f"#{s.there.event_id}"}),
    theirs("events remove", CURATORS, lambda s: {"event": f"#{s.there.event_id}"}),
    theirs("events remove", CURATORS, lambda s: {"event": s.there.title}),
    theirs("events restore", CURATORS, lambda s: {"event": s.there.removed}),
    theirs("events hide", CURATORS, lambda s: {"event": f"#{s.there.event_id}"}),
    theirs("events unhide", CURATORS, lambda s: {"event": f"#{s.there.event_id}"}),
    theirs("events history", CURATORS, lambda s: {"event": f"#{s.there.event_id}"}),
    own("events curator-role", MANAGERS, lambda s: {"role": s.here.curators}),
    own("anniversaries show", CURATORS),
    own("anniversaries preview", CURATORS, lambda s: {"date": "5 May"}),
    own(
        "anniversaries setup", CURATORS, lambda s: {"channel": s.here.news, "time": "8:00", "timezone": "UTC"}
    ),
    own("anniversaries disable", CURATORS),
    own("almanac status", MANAGERS),
    own("almanac sync", BOT_OWNERS),
]
AUTOCOMPLETE = [
    ("event", "name"),
    ("events edit", "event"),
    ("events remove", "event"),
    ("events restore", "event"),
    ("events hide", "event"),
    ("events unhide", "event"),
    ("events history", "event"),
]


def refusal(env: simcord.Env, seen: int) -> list[BaseException]:
    """The errors the bot answered since `seen` (reading them acknowledges them for simcord)."""
    return [getattr(error, "original", error) for error in env.errors[seen:]]


WRITES = (
    "events add",
    "events remove",
    "events restore",
    "events hide",
    "events unhide",
    "events curator-role",
    "events import",
    "events export",
)


async def run(scene: Scene, row: Row) -> tuple[Any, list[BaseException]]:
    env, actor, channel = scene.env, scene.actor, scene.here.channel
    if row.command in WRITES:
        await env.advance_time(60)  # past the per-member write limits: this test is not about those
    seen = len(env.errors)
    result = await actor.slash(channel, row.command, **row.options(scene))
    if row.submit is not None and result.modal is not None:
        result = await actor.submit_modal(result, row.submit)
    return result, refusal(env, seen)


async def test_each_command_lets_in_exactly_who_it_should_and_shows_nothing_of_the_other_server(
    scene: Scene, request: pytest.FixtureRequest
) -> None:
    role = role_of(scene, request)
    if "almanac" not in {command.name for command in scene.env.bot.tree.get_commands()}:
        pytest.skip("no /almanac commands in this build")
    for row in TABLE:
        before = digest(scene.database)
        result, errors = await run(scene, row)
        where = f"{role}: /{row.command}{' (theirs)' if row.foreign else ''}"
        check_permission(scene, row, role, result, errors, before, where)
        text = shown(scene.env, result)
        for typed in row.options(scene).values():
            if isinstance(typed, str):  # what the person typed may be quoted back to them
                text = text.replace(typed, "")
        leaked = [secret for secret in secrets_of(scene.there) if secret in text]
        assert not leaked, f"{where} shows {leaked}"


def check_permission(
    scene: Scene, row: Row, role: str, result: Any, errors: list[BaseException], before: str, where: str
) -> None:
    checks = [error for error in errors if isinstance(error, app_commands.CheckFailure)]
    if role not in row.who:
        assert checks, f"{where} was let in"
        assert result.modal is None and result.ephemeral, where
        text = result.response.content
        assert len(text) < 200 and "\n" not in text and text != str(NOT_ALLOWED), where
        assert digest(scene.database) == before, f"{where} wrote despite the refusal"
        return
    assert not checks, f"{where} was refused: {checks}"
    if row.foreign:
        # not found: /event says so privately, the /events commands with a UserError
        assert all(type(error).__name__ == "UserError" for error in errors), where
        assert errors or (
            result.ephemeral
            and any(
                refusal in result.response.content for refusal in ("No event is called", "No event like that")
            )
        ), where
        assert digest(scene.database) == before, f"{where} changed something"
    elif row.command.split()[0] in ("events", "anniversaries", "almanac"):
        assert result.ephemeral or result.modal is not None, f"{where} answered in public"


async def test_no_autocomplete_offers_another_servers_events(
    scene: Scene, request: pytest.FixtureRequest
) -> None:
    role = role_of(scene, request)
    for command, option in AUTOCOMPLETE:
        for typed in ("", "secret meeting", "gathering", scene.there.hidden):
            offered = await scene.actor.autocomplete(scene.here.channel, command, option, typed)
            names = [choice["name"] for choice in offered]
            assert scene.there.title not in names and scene.there.removed not in names, (role, command, typed)
    unhide = await scene.actor.autocomplete(scene.here.channel, "events unhide", "event", "")
    assert scene.there.hidden not in [choice["name"] for choice in unhide]


async def test_each_server_sees_its_own_things(scene: Scene, request: pytest.FixtureRequest) -> None:
    """The other side of isolation: the same commands do show this server's own data."""
    role = role_of(scene, request)
    day = await scene.actor.slash(scene.here.channel, "onthisday", date="5 May")
    hidden_there = await scene.actor.slash(scene.here.channel, "event", name=scene.there.hidden)
    hidden_here = await scene.actor.slash(scene.here.channel, "event", name=scene.here.hidden)

    assert scene.here.title in shown(scene.env, day)
    assert scene.here.removed not in shown(scene.env, day)
    assert hidden_there.response.embeds and hidden_there.response.embeds[0].title == scene.there.hidden
    assert hidden_here.response.embeds == [], "a server's hidden event still shows there"
    if role in CURATORS:
        settings = shown(scene.env, await scene.actor.slash(scene.here.channel, "anniversaries show"))
        history = shown(scene.env, await scene.actor.slash(scene.here.channel, "events history"))
        assert scene.here.time in settings and scene.here.zone in settings
        assert str(scene.here.news.id) in settings
        assert scene.here.title in history and f"<@{scene.here.moderator.id}>" in history
    else:
        refused = await scene.actor.slash(scene.here.channel, "anniversaries show")
        assert refused.response.content == str(NOT_CURATOR)
    scene.env.errors  # noqa: B018 - reading acknowledges the refusals this test expects
