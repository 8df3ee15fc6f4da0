"""Killing the process mid-write with SIGKILL, as a power cut or the OOM killer would.

An import is one transaction, so a kill leaves all 10,000 events or none, with an audit log that
agrees. A daily-post pass is many small transactions around sends to Discord; the claim/send/mark
records must let a restarted process post every (server, day) exactly once.

The kill moments are random but seeded; `pytest tests/system/test_crash.py -s` prints where they landed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time
import uuid
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

from bot.daily.scheduler import CLAIM_LEASE
from bot.runtime import open_services
from bot.store import Store
from tests.support import ALMANAC, FIXTURE_CHRONOLOGY, read_messages, run_module

ROWS = 10_000
GUILD = 4711
KILLS = 5
SEED = 20260316


def environ(tmp_path: Path, database: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_PATH": str(database),
        "DATA_FILE": str(FIXTURE_CHRONOLOGY),
    }


def write_import_file(path: Path) -> None:
    """10,000 valid rows, three days apart, so no two share a date (duplicate checks stay cheap)."""
    first = dt.date(1800, 1, 1)
    lines = ["date,title,summary"]
    for n in range(ROWS):
        day = first + dt.timedelta(days=3 * n)
        lines.append(f"{day.isoformat()},Crash test event {n:05d},Row {n} of the crash-safety import.")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def prepare(tmp_path: Path, database: Path) -> Path:
    """A migrated database with the fixture chronology loaded, so that only the import writes."""
    command = [str(ALMANAC), "--env-file", str(tmp_path / "no.env"), "ask", "/onthisday 1 May"]
    ready = subprocess.run(
        command, env=environ(tmp_path, database), capture_output=True, timeout=60, check=False
    )
    assert ready.returncode == 0, ready.stderr
    return database


def start_import(tmp_path: Path, database: Path, source: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(ALMANAC), "--env-file", str(tmp_path / "no.env"), "import", str(source), "--guild", str(GUILD)],
        env=environ(tmp_path, database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def kill(child: subprocess.Popen[bytes]) -> int:
    """SIGKILL, as the OOM killer or a power cut would; the exit status (0 if it had finished)."""
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    return child.returncode


def finish(child: subprocess.Popen[bytes]) -> tuple[int, str]:
    _, stderr = child.communicate(timeout=120)
    return child.returncode, stderr.decode() if stderr else ""


def state_of(database: Path) -> tuple[str, int, int]:
    """(integrity_check, the guild's live events, its import audit rows), after SQLite's recovery."""
    with closing(sqlite3.connect(database)) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        events = db.execute("SELECT count(*) FROM events WHERE scope = ? AND deleted_at IS NULL", (GUILD,))
        audit = db.execute(
            "SELECT count(*) FROM audit_log WHERE guild_id = ? AND action = 'import'", (GUILD,)
        )
        return integrity, events.fetchone()[0], audit.fetchone()[0]


def wal_size(database: Path) -> int:
    wal = database.with_name(database.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_an_import_killed_at_any_moment_is_wholly_present_or_wholly_absent(tmp_path: Path) -> None:
    source = tmp_path / "events.csv"
    write_import_file(source)
    base = prepare(tmp_path, tmp_path / "base.sqlite3")

    # An undisturbed import, to learn how long one takes here.
    whole = tmp_path / "whole.sqlite3"
    shutil.copy(base, whole)
    started = time.monotonic()
    status, stderr = finish(start_import(tmp_path, whole, source))
    assert status == 0, stderr
    duration = time.monotonic() - started
    assert state_of(whole) == ("ok", ROWS, ROWS)

    # One kill in each fifth of that duration, at a random point within it.
    rng = random.Random(SEED)
    landed = []
    for run in range(KILLS):
        database = tmp_path / f"killed-{run}.sqlite3"
        shutil.copy(base, database)
        delay = duration * (run + rng.random()) / KILLS
        child = start_import(tmp_path, database, source)
        time.sleep(delay)
        wal = wal_size(database)
        finished = kill(child) == 0  # the import may have ended before the kill
        integrity, events, audit = state_of(database)
        landed.append((round(delay, 2), wal, events, finished))
        assert integrity == "ok", (delay, integrity)
        assert events in (0, ROWS), f"killed at {delay:.2f}s: {events} of {ROWS} events are stored"
        assert audit == events, f"killed at {delay:.2f}s: {audit} audit rows for {events} events"
    print(
        f"\nimport of {ROWS} rows: {duration:.2f}s undisturbed; kills (s, WAL bytes, events, finished):",
        landed,
    )


def test_an_import_killed_inside_its_transaction_leaves_nothing_and_can_be_run_again(tmp_path: Path) -> None:
    source = tmp_path / "events.csv"
    write_import_file(source)
    database = prepare(tmp_path, tmp_path / "db.sqlite3")
    assert wal_size(database) == 0
    # The transaction spills its pages into the WAL as it goes (the whole import is about 6 MB of
    # it); a kill once a random 1-3 MB is written lands mid-transaction, well before the commit.
    threshold = random.Random(SEED).randint(1_000_000, 3_000_000)
    child = start_import(tmp_path, database, source)
    deadline = time.monotonic() + 60
    while wal_size(database) < threshold and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert kill(child) != 0, "the import finished before the kill; the test proved nothing"
    assert state_of(database) == ("ok", 0, 0)

    status, stderr = finish(start_import(tmp_path, database, source))
    assert status == 0, stderr
    assert state_of(database) == ("ok", ROWS, ROWS)


def test_an_import_killed_after_its_commit_is_wholly_present(tmp_path: Path) -> None:
    """Killed while it indexes, reports and checkpoints the WAL into the database file."""
    source = tmp_path / "events.csv"
    write_import_file(source)
    database = prepare(tmp_path, tmp_path / "db.sqlite3")
    child = start_import(tmp_path, database, source)
    deadline = time.monotonic() + 60
    while state_of(database)[1] == 0 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert kill(child) != 0, "the import finished before the kill; the test proved nothing"
    assert state_of(database) == ("ok", ROWS, ROWS)


# -- the daily post ------------------------------------------------------------------------------------

SERVERS = 300
DAY = "2026-03-16"
# Every server's post is due at 09:00 UTC on 16 March 2026, local time in its own zone.
ZONES = (
    ("UTC", "09:00"),
    ("Europe/Moscow", "12:00"),
    ("Asia/Kolkata", "14:30"),
    ("America/New_York", "05:00"),
    ("Pacific/Kiritimati", "23:00"),
)
DUE = dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC)


async def set_up_servers(database: Path | str) -> None:
    async with open_services(database, FIXTURE_CHRONOLOGY) as services:
        service = services.anniversaries
        for guild in range(1, SERVERS + 1):
            zone, at = ZONES[guild % len(ZONES)]
            await service.setup(
                guild,
                channel_id=guild * 10,
                post_time=at,
                timezone=zone,
                mention_role_id=None,
                empty_day="next",
                actor=1,
                now=DUE - dt.timedelta(hours=9),
            )


def start_pass(database: Path, channels: Path, now: dt.datetime, *options: str) -> subprocess.Popen[bytes]:
    return run_module("tests.system.crash_daily", str(database), str(channels), now.isoformat(), *options)


def wait_for_messages(channels: Path, count: int, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while len(read_messages(channels)) < count and child.poll() is None:
        assert time.monotonic() < deadline, f"the pass never reached {count} messages"
        time.sleep(0.002)


def day_records(database: Path) -> dict[int, tuple[str, int | None]]:
    with closing(sqlite3.connect(database)) as db:
        rows = db.execute("SELECT guild_id, state, message_id FROM daily_posts WHERE local_date = ?", (DAY,))
        return {guild: (state, message) for guild, state, message in rows}


def test_a_daily_pass_killed_mid_send_posts_every_day_exactly_once_after_restart(tmp_path: Path) -> None:
    database, channels = tmp_path / "daily.sqlite3", tmp_path / "channels.jsonl"
    asyncio.run(set_up_servers(database))
    clock = iter(DUE + dt.timedelta(seconds=30 * n) for n in range(1, 100))

    # 1. Sends after the 40th reach Discord and never return: the kill lands between send and mark.
    child = start_pass(database, channels, next(clock), "--block-after", "40")
    wait_for_messages(channels, 41, child)
    time.sleep(0.3)  # meanwhile the free slots take more servers, and block in their sends
    kill(child)
    claimed = {guild for guild, (state, _) in day_records(database).items() if state == "claimed"}
    unmarked = claimed & {int(message["channel"]) // 10 for message in read_messages(channels)}
    assert unmarked, "the kill should leave days sent but not marked"

    # 2. Kills at random moments, each once the channels hold a further slice of the servers.
    rng = random.Random(SEED)
    kills = []
    for target in (90, 150, 210, 270):
        child = start_pass(database, channels, next(clock), "--pause", "0.004", "--seed", str(target))
        wait_for_messages(channels, target, child)
        time.sleep(rng.uniform(0, 0.02))
        kill(child)
        states = Counter(state for state, _ in day_records(database).values())
        kills.append((len(read_messages(channels)), dict(states)))

    # 3. A fresh process with nothing in memory runs until nothing is due, once the last killed
    # process's claims are stale (a younger claim may be a live scheduler's:
    # bot/daily/scheduler.py CLAIM_LEASE).
    restarted = run_module(
        "tests.system.crash_daily", str(database), str(channels), (next(clock) + CLAIM_LEASE).isoformat()
    )
    _, stderr = restarted.communicate(timeout=60)
    assert restarted.returncode == 0, stderr.decode()
    messages = read_messages(channels)
    per_server = Counter(int(message["channel"]) // 10 for message in messages)
    assert [guild for guild, count in per_server.items() if count > 1] == [], "a day was posted twice"
    assert set(per_server) == set(range(1, SERVERS + 1)), "a server's day was lost"
    assert {message["marker"] for message in messages} == {f"Almanac daily · {DAY}"}
    # and each server's record is marked sent, naming the one message its channel holds
    ids = {int(message["channel"]) // 10: message["id"] for message in messages}
    assert day_records(database) == {guild: ("sent", ids[guild]) for guild in range(1, SERVERS + 1)}
    print(
        f"\ndaily pass over {SERVERS} servers: first kill left {len(unmarked)} days sent but unmarked;"
        f" random kills (messages so far, record states): {kills}"
    )


async def post_records(database: str) -> dict[int, tuple[str, int | None]]:
    store = await Store.open(database)
    try:
        rows = await store.engine.fetch(
            "SELECT guild_id, state, message_id FROM daily_posts WHERE local_date = ?", (DAY,)
        )
    finally:
        await store.close()
    return {guild: (state, message) for guild, state, message in rows}


def test_two_schedulers_on_one_postgresql_server_post_every_day_once_through_a_kill(
    tmp_path: Path, postgres_server: Any
) -> None:
    """Two scheduler processes on one PostgreSQL database whose shard sets overlap entirely (a
    mistake an operator can make), one killed mid-send, then a fresh one: every server's day is
    posted once, and its record names that one message."""
    schema = f"crash_{uuid.uuid4().hex[:12]}"
    postgres_server.psql(f"CREATE SCHEMA {schema};")
    database = f"{postgres_server.get_uri()}&search_path={schema}"
    channels = tmp_path / "channels.jsonl"
    asyncio.run(set_up_servers(database))
    now = DUE + dt.timedelta(seconds=30)

    first = run_module(
        "tests.system.crash_daily", database, str(channels), now.isoformat(), "--pause", "0.004"
    )
    second = run_module(
        "tests.system.crash_daily",
        database,
        str(channels),
        now.isoformat(),
        "--pause",
        "0.004",
        "--seed",
        "2",
    )
    wait_for_messages(channels, 100, first)
    assert kill(first) != 0, "the first scheduler finished before the kill; the test proved nothing"
    assert finish(second)[0] == 0
    # the killed one's claims are stale once their lease has run out: then a scheduler reads the
    # channel back for them (a live scheduler's claim is never taken over before that)
    restarted = run_module(
        "tests.system.crash_daily", database, str(channels), (now + CLAIM_LEASE).isoformat()
    )
    assert finish(restarted)[0] == 0

    messages = read_messages(channels)
    per_server = Counter(int(message["channel"]) // 10 for message in messages)
    assert [guild for guild, count in per_server.items() if count > 1] == [], "a day was posted twice"
    assert set(per_server) == set(range(1, SERVERS + 1)), "a server's day was lost"
    ids = {int(message["channel"]) // 10: message["id"] for message in messages}
    records = asyncio.run(post_records(database))
    assert records == {guild: ("sent", ids[guild]) for guild in range(1, SERVERS + 1)}
