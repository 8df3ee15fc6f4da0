"""What the tests share: the fixture chronology, fakes that stand in for Discord's channels, the
simcord world, and helpers for running `almanac` as a user does. No test module imports another;
they all import from here (fixtures live in conftest.py and use these).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import simcord

from bot.chronology.reader import load_chronology
from bot.client import AlmanacBot
from bot.daily.post import DailyPost, PostFailed, Sender
from bot.daily.scheduler import PassReport, Scheduler
from bot.model.event import Event
from bot.model.kinds import PostState
from bot.runtime import Services, wire
from bot.store import PostRecord

ROOT = Path(__file__).resolve().parent.parent
# The application and cog tests run on this small chronology, so editing data/chronology.toml
# breaks only the tests about the bundled data (tests/bot/chronology/test_reader.py and README's examples).
FIXTURE_CHRONOLOGY = Path(__file__).resolve().parent / "fixtures" / "chronology.toml"
FIXTURE_EVENTS = len(load_chronology(FIXTURE_CHRONOLOGY).events)

# simcord's virtual clock starts here; tests that need "today" outside Discord use the same day.
SIMCORD_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CURATOR_ID = 4242  # who `add_event` records as having added an event

AddEvent = Callable[..., Awaitable[Event]]


# -- the simcord world ------------------------------------------------------------------------------


@dataclass
class World:
    """One server as a test arranges it: a channel, two ordinary members."""

    env: simcord.Env
    guild: Any  # simcord GuildHandle
    channel: Any  # simcord ChannelHandle
    alice: Any  # simcord MemberActor
    bob: Any

    @property
    def bot(self) -> AlmanacBot:
        assert isinstance(self.env.bot, AlmanacBot)
        return self.env.bot


# -- the daily posts ---------------------------------------------------------------------------------------


@dataclass
class Posting:
    """The daily loop as a test drives it: a scheduler, and the channels its passes send into."""

    scheduler: Scheduler
    channels: Sender

    async def run_pass(self, now: dt.datetime) -> PassReport:
        return await self.scheduler.run_pass(now, self.channels)


def restart(services: Services) -> Services:
    """The same database and index in a new process: every service built anew, nothing remembered."""
    return wire(services.store, services.index, seen=services.feed.seen)


# -- channels the scheduler sends into ---------------------------------------------------------------


class Crash(BaseException):
    """The process dying at a chosen point: not an Exception, so nothing inside catches it."""


@dataclass
class Message:
    id: int
    channel_id: int
    marker: str
    late: bool
    role: int | None
    sent_at: dt.datetime


@dataclass
class FakeChannels:
    """Channels as the scheduler sees them through its Sender: messages can be read back."""

    messages: list[Message] = field(default_factory=list)
    broken: dict[int, str] = field(default_factory=dict)  # channel -> reason sends fail
    crash_before_send: bool = False
    crash_after_send: bool = False
    now: dt.datetime = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # the test's clock, stamped on messages

    async def send(self, channel_id: int, post: DailyPost, nonce: str) -> int:
        if self.crash_before_send:
            raise Crash
        if channel_id in self.broken:
            raise PostFailed(self.broken[channel_id])
        message = Message(
            len(self.messages) + 1, channel_id, post.marker, post.late, post.mention_role_id, self.now
        )
        self.messages.append(message)
        if self.crash_after_send:
            raise Crash
        return message.id

    async def find_sent(self, channel_id: int, marker: str) -> int | None:
        found = [m.id for m in self.messages if m.channel_id == channel_id and m.marker == marker]
        return found[-1] if found else None

    def days_posted(self, channel_id: int) -> Counter[str]:
        return Counter(m.marker.rsplit(" ", 1)[-1] for m in self.messages if m.channel_id == channel_id)


class HeldSender:
    """Stands in for Discord: each send waits until the test releases it."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.sent: list[str] = []

    async def send(self, channel_id: int, post: DailyPost, nonce: str) -> int:
        self.started.set()
        await self.release.wait()
        self.sent.append(post.marker)
        return len(self.sent)

    async def find_sent(self, channel_id: int, marker: str) -> int | None:
        return None


class FileChannels:
    """The Sender protocol over an append-only file of sent messages, for a process to be killed in.

    Each message is appended (one JSON line, fsynced) before `send` returns, so the file is what
    the channels would show whatever happens to the process; `find_sent` reads it back. `pause`
    waits up to that long after each send (the window in which a kill leaves a day sent but not
    yet marked); with `block_after` every later send is written and then never answered.
    """

    def __init__(
        self, path: Path, *, pause: float = 0.0, block_after: int | None = None, seed: int = 0
    ) -> None:
        self.path = path
        self.pause = pause
        self.block_after = block_after
        self.sends = 0
        self.random = random.Random(seed)

    async def send(self, channel_id: int, post: DailyPost, nonce: str) -> int:
        self.sends += 1
        message_id = os.getpid() * 100_000 + self.sends  # unique across the processes of one test
        line = json.dumps({"id": message_id, "channel": channel_id, "marker": post.marker, "nonce": nonce})
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, (line + "\n").encode())  # one write: a kill cannot leave half a line
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if self.block_after is not None and self.sends > self.block_after:
            await asyncio.Event().wait()  # Discord has the message; its answer never comes back
        await asyncio.sleep(self.random.uniform(0, self.pause))
        return message_id

    async def find_sent(self, channel_id: int, marker: str) -> int | None:
        for message in read_messages(self.path):
            if message["channel"] == channel_id and message["marker"] == marker:
                return int(message["id"])
        return None


def read_messages(path: Path) -> list[dict[str, Any]]:
    """The messages sent so far. A reader polling while the pass writes can catch a line half
    written (one write is whole after a kill, not to a reader mid-write): only lines their
    newline has ended are messages yet."""
    if not path.exists():
        return []
    *whole, _unfinished = path.read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in whole]


# -- reading what the store recorded ---------------------------------------------------------------------


def post_history(database: Path, guild_id: int) -> list[PostRecord]:
    """Every day's daily-post record of a server, oldest first, read straight from the file."""
    with sqlite3.connect(database) as raw:
        rows = raw.execute(
            "SELECT guild_id, local_date, state, channel_id, nonce, message_id, attempts, late,"
            " last_error, claimed_at, finished_at FROM daily_posts WHERE guild_id = ? ORDER BY local_date",
            (guild_id,),
        ).fetchall()
    return [
        PostRecord(row[0], row[1], PostState(row[2]), row[3], row[4], row[5], row[6], bool(row[7]), *row[8:])
        for row in rows
    ]


def highest_migration() -> int:
    names = [entry.name for entry in resources.files("bot.store.migrations").iterdir()]
    return max(int(name.split("_", 1)[0]) for name in names if name.endswith(".sql"))


# -- the command line -------------------------------------------------------------------------------------

ALMANAC = Path(sys.executable).parent / "almanac"


def run_almanac(
    tmp_path: Path, *args: str, data_file: Path = FIXTURE_CHRONOLOGY, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `almanac` in tmp_path with only the settings given here (no .env, no inherited token)."""
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_PATH": str(tmp_path / "var" / "almanac.sqlite3"),
        "DATA_FILE": str(data_file),
        **env,
    }
    return subprocess.run(
        [str(ALMANAC), "--env-file", str(tmp_path / "no.env"), *args],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def run_module(module: str, *args: str) -> subprocess.Popen[bytes]:
    """A test program of this folder (`tests.system.crash_daily`, say) in a process of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


# -- chronology files -------------------------------------------------------------------------------------

GOOD_CHRONOLOGY = """
[[event]]
id = "good"
date = "1919-03-16"
title = "A good event"
"""

# Five problems, each a different kind; a loader must name every one of them.
BAD_CHRONOLOGY = (
    GOOD_CHRONOLOGY
    + '''
[[event]]
id = "bad-date"
date = "1918-02-30"
title = "Bad date"

[[event]]
id = "good"
date = "1919"
title = "Same id again"

[[event]]
id = "long-title"
date = "1919"
title = "'''
    + "x" * 101
    + """"

[[event]]
id = "no-title"
date = "1919"

[[event]]
id = "unquoted-date"
date = 1919-03-16
title = "Unquoted date"
"""
)


# -- what Discord's markdown would make of a text ---------------------------------------------------

_ESCAPED = re.compile(r"\\[^0-9A-Za-z\s]")  # Discord escapes punctuation, not letters or digits
_CODE_SPAN = re.compile(r"(`+)([\s\S]*?[^`])\1(?!`)")
_AUTOLINK = re.compile(r"<[^: >]+:/[^ >]+>")
_MASKED_LINK = re.compile(r"\[[^\[\]]*\]\(")
_MENTION = re.compile(r"@(?:everyone|here)|<(?:@[!&]?|#)\d+>|<t:-?\d+(?::[a-zA-Z])?>")
_BARE_URL = re.compile(r"https?://[^\s<]+")


def _unparsed(text: str) -> str:
    """`text` with what Discord shows as typed (an escaped character, a code span, a `<url>`)
    blanked out, so that a pattern found in what is left is markup Discord would act on."""
    shown, index = [], 0
    while index < len(text):
        for pattern in (_ESCAPED, _CODE_SPAN, _AUTOLINK):
            if (match := pattern.match(text, index)) is not None:
                shown.append("\x00" * len(match.group()))
                index = match.end()
                break
        else:
            shown.append(text[index])
            index += 1
    return "".join(shown)


def live_links(text: str | None) -> list[str]:
    """Every `[label](` Discord would start a masked link at: a label that can point anywhere."""
    view = _unparsed(text or "")
    return [(text or "")[m.start() : m.end() + 40] for m in _MASKED_LINK.finditer(view)]


def live_mentions(text: str | None) -> list[str]:
    """Every mention Discord would draw (or, in a message's content, could ping)."""
    view = _unparsed(text or "")
    return [(text or "")[m.start() : m.end()] for m in _MENTION.finditer(view)]


def bare_urls(text: str | None) -> list[str]:
    """Every URL Discord would autolink bare, which in a message's content gets a preview embed."""
    view = _unparsed(text or "")
    return [(text or "")[m.start() : m.end()] for m in _BARE_URL.finditer(view)]


# -- members' languages in simcord ------------------------------------------------------------------------


def speak(monkeypatch: Any, locales: dict[int, str]) -> None:
    """Give the members named by id their Discord language. simcord 3.2 sends every interaction
    with the locale en-US; this changes only that field of the payload it builds."""
    import simcord.interactions

    original = simcord.interactions.base_payload

    def with_locale(backend: Any, **options: Any) -> Any:
        record, payload = original(backend, **options)
        payload["locale"] = locales.get(options["user_id"], payload["locale"])
        return record, payload

    monkeypatch.setattr(simcord.interactions, "base_payload", with_locale)
