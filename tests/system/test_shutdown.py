"""Stopping the bot (SIGTERM from `docker stop`, Ctrl+C) while a daily post is being sent.

The post must finish and be recorded `sent` before the bot closes, and the database must close
cleanly after that: a post cut off mid-send would be left `claimed`, and the next start would
have to read the channel back to learn whether it went out.

These tests run the production bot with its extensions and its daily loop, but no gateway:
simcord cannot hold a send half-way (it settles after every step), and the loop only needs
the READY flag that discord.py sets when the gateway says READY, which is set here by hand.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from bot.client import AlmanacBot, create_bot, serve_until_signalled
from bot.config import Settings
from bot.runtime import Services
from bot.store import Store
from tests.support import ALMANAC, FIXTURE_CHRONOLOGY, HeldSender, run_almanac

GUILD, CHANNEL = 1001, 2002
DAY = "2026-01-01"
NOW = dt.datetime(2026, 1, 1, 0, 31, tzinfo=dt.UTC)  # a minute after the 00:30 post is due


@pytest.fixture
def sender() -> HeldSender:
    return HeldSender()


@pytest.fixture
async def bot(
    services: Services, settings: Settings, sender: HeldSender, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AlmanacBot]:
    """The bot as `almanac run` builds it, cogs added, with a fixed clock, no gateway, and a
    sender that holds each post until the test lets it go."""
    monkeypatch.setattr(discord.utils, "utcnow", lambda: NOW)
    bot = create_bot(services, dataclasses.replace(settings, shard_count=1), sender)
    async with bot:  # prepares the client as login would, and closes it at the end
        await bot.setup_hook()
        yield bot


def daily_task(bot: AlmanacBot) -> asyncio.Task[None]:
    task: asyncio.Task[None] | None = bot.daily_pass.get_task()
    assert task is not None
    return task


async def post_in_flight(bot: AlmanacBot, services: Services, sender: HeldSender) -> HeldSender:
    """A server whose 00:30 UTC post is being sent right now."""
    await services.anniversaries.setup(
        GUILD,
        channel_id=CHANNEL,
        post_time="00:30",
        timezone="UTC",
        mention_role_id=None,
        empty_day="next",
        actor=1,
        now=NOW - dt.timedelta(hours=1),
    )
    bot._ready.set()  # what the gateway's READY does; the loop waits for it
    services.scheduler.wake()
    await asyncio.wait_for(sender.started.wait(), timeout=5)
    return sender


async def gateway_until_closed(bot: AlmanacBot) -> None:
    """Stands in for `bot.start()`, which returns once the bot is closed."""
    while not bot.is_closed():
        await asyncio.sleep(0)


async def turns(count: int = 50) -> None:
    """Let every other task run for a while."""
    for _ in range(count):
        await asyncio.sleep(0)


async def test_sigterm_lets_the_post_in_flight_finish_then_the_database_closes(
    bot: AlmanacBot, services: Services, sender: HeldSender, database_path: Path
) -> None:
    await post_in_flight(bot, services, sender)
    serving = asyncio.create_task(serve_until_signalled(bot, gateway_until_closed(bot)))
    await turns()
    os.kill(os.getpid(), signal.SIGTERM)
    await turns()
    assert not serving.done() and not bot.is_closed(), "closed while the post was being sent"

    sender.release.set()  # Discord answers
    await asyncio.wait_for(serving, timeout=10)

    assert bot.is_closed()
    assert sender.sent == [f"Almanac daily · {DAY}"]
    record = await services.store.post_record(GUILD, DAY)
    assert record is not None and record.state == "sent" and record.message_id == 1
    await services.store.close()
    assert not Path(f"{database_path}-wal").exists(), "a clean close checkpoints and removes the WAL"
    reopened = await Store.open(database_path)
    try:
        assert await reopened.integrity_check() == "ok"
        again = await reopened.post_record(GUILD, DAY)
        assert again is not None and again.state == "sent"
    finally:
        await reopened.close()


async def test_the_loop_ends_after_its_pass_and_starts_no_other(
    bot: AlmanacBot, services: Services, sender: HeldSender
) -> None:
    await post_in_flight(bot, services, sender)
    task = daily_task(bot)  # closing unloads the cog, so keep hold of its loop's task now
    closing = asyncio.create_task(bot.close())
    await turns()
    sender.release.set()
    await asyncio.wait_for(closing, timeout=10)

    assert task.done() and not task.cancelled(), "the loop was cut off instead of finishing"
    last_pass = services.scheduler.last_pass
    assert last_pass is not None and last_pass[1].sent == 1
    assert len(sender.sent) == 1


async def test_a_post_that_never_finishes_is_given_up_after_the_grace_period(
    bot: AlmanacBot, services: Services, sender: HeldSender
) -> None:
    await post_in_flight(bot, services, sender)
    await asyncio.wait_for(bot.finish_daily_posts(timeout=0.2), timeout=5)

    assert daily_task(bot).done() and sender.sent == []
    record = await services.store.post_record(GUILD, DAY)
    # left claimed: the next start reads the channel back before it sends again
    assert record is not None and record.state == "claimed"


async def test_an_idle_bot_stops_at_once(bot: AlmanacBot) -> None:
    """With nothing due the loop sleeps for up to an hour; shutdown must not wait for that."""
    bot._ready.set()
    await turns()
    await asyncio.wait_for(bot.finish_daily_posts(timeout=30), timeout=5)
    assert daily_task(bot).done()


async def test_a_bot_that_never_connected_closes_at_once(bot: AlmanacBot) -> None:
    """`almanac sync` logs in without the gateway: the loop still waits for READY."""
    task = daily_task(bot)
    await asyncio.wait_for(bot.close(), timeout=5)
    assert task.done()


# -- SIGTERM to the command, at any moment -------------------------------------------------------


def started(tmp_path: Path, *args: str, prefix: tuple[str, ...] = (), **env: str) -> subprocess.Popen[str]:
    """`almanac ARGS` as its own process, with only the settings given (no .env)."""
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_PATH": str(tmp_path / "almanac.sqlite3"),
        "DATA_FILE": str(FIXTURE_CHRONOLOGY),
        **env,
    }
    command = [*prefix, str(ALMANAC), "--env-file", str(tmp_path / "no.env"), *args]
    return subprocess.Popen(
        command, cwd=tmp_path, env=environ, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE." + "x" * 38  # the shape of a token; Discord is not reached
UNSHARE = shutil.which("unshare")


def pid_one_possible() -> bool:
    """Whether this machine lets a test run a process as PID 1 of a PID namespace of its own."""
    if UNSHARE is None:
        return False
    probe = subprocess.run([UNSHARE, "--pid", "--fork", "true"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not pid_one_possible(), reason="needs unshare --pid (root) to run a PID 1")
@pytest.mark.parametrize("after", [1.0, 2.5])  # the start waits up to 5 s (BUSY_TIMEOUT)
def test_sigterm_while_the_bot_starts_stops_it_as_pid_one(tmp_path: Path, after: float) -> None:
    """As PID 1, as in a container, a process ignores a signal it has no handler for: the
    handler comes first, so a SIGTERM during start-up ends the process at once and cleanly,
    however far the start had got."""
    assert UNSHARE is not None
    database = tmp_path / "almanac.sqlite3"
    assert run_almanac(tmp_path, "db", "migrate", DATABASE_PATH=str(database)).returncode == 0
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing: the start waits at loading the data
    try:
        outer = started(
            tmp_path,
            "run",
            DISCORD_TOKEN=TOKEN,
            BUSY_TIMEOUT="60",
            prefix=(UNSHARE, "--pid", "--fork", "--kill-child"),
        )
        time.sleep(after)
        children = Path(f"/proc/{outer.pid}/task/{outer.pid}/children").read_text().split()
        assert children, "the bot ended before it was signalled"
        os.kill(int(children[0]), signal.SIGTERM)  # to the bot itself: PID 1 inside
        _, errors = outer.communicate(timeout=20)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert outer.returncode in (0, 128 + signal.SIGTERM), errors
    assert "Traceback" not in errors


def test_sigterm_stops_the_shell_waiting_at_its_prompt(tmp_path: Path) -> None:
    shell = started(tmp_path, "shell")
    assert shell.stdout is not None
    seen = ""
    while "almanac>" not in seen:  # the banner and the help, then the prompt
        seen += shell.stdout.read(1) or pytest.fail(f"the shell ended: {seen!r}")
    shell.send_signal(signal.SIGTERM)
    _, errors = shell.communicate(timeout=10)
    assert shell.returncode == 128 + signal.SIGTERM and "Traceback" not in errors
