"""A hostile machine: a read-only or damaged database, a full disk, a missing data file.

Each command stops with one line saying what is wrong (no traceback), exits non-zero, and writes
nothing. How each condition is made:

- read-only: the file (or its folder) is chmod'ed, and when the tests run as root the command runs
  without CAP_DAC_OVERRIDE (dropped from its capability bounding set), so the kernel refuses its
  writes exactly as it would for an ordinary user;
- disk full: the command runs under RLIMIT_FSIZE, so SQLite's writes fail part-way as on a full
  disk; in-process, `PRAGMA max_page_count` caps the database so an insert gets SQLITE_FULL;
- damaged: random bytes over the whole file, or over every page after the schema.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import os
import random
import re
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from bot.curation.forms import EventForm
from bot.runtime import Services
from bot.store.engines.sqlite import SQLiteEngine
from tests.support import FIXTURE_CHRONOLOGY

ALMANAC = Path(sys.executable).parent / "almanac"
GUILD = 5150
FAKE_TOKEN = "A" * 24 + "." + "B" * 6 + "." + "C" * 27  # the right shape; never sent anywhere
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def almanac(
    tmp_path: Path, database: Path, *args: str, preexec: Callable[[], None] | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_PATH": str(database),
        "DATA_FILE": str(FIXTURE_CHRONOLOGY),
        **env,
    }
    return subprocess.run(
        [str(ALMANAC), "--env-file", str(tmp_path / "no.env"), *args],
        env=environ,
        preexec_fn=preexec,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed, saying so in exactly one line and nothing else (`almanac run` may also
    log its progress at INFO before that)."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stderr)  # discord.py colours its log lines
    lines = [line for line in plain.strip().splitlines() if " INFO " not in line]
    assert len(lines) == 1, result.stderr
    assert result.stdout.strip() == "", result.stdout
    return lines[0]


def csv_file(path: Path, rows: int) -> Path:
    first = dt.date(1800, 1, 1)
    lines = [f"{first + dt.timedelta(days=3 * n)},Hostile import {n:05d},Row {n}." for n in range(rows)]
    path.write_text("date,title,summary\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file in the folder and its contents' hash: proof that nothing was written."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def guild_rows(database: Path) -> tuple[str, int, int]:
    with closing(sqlite3.connect(database)) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        events = db.execute("SELECT count(*) FROM events WHERE scope = ?", (GUILD,)).fetchone()[0]
        audit = db.execute("SELECT count(*) FROM audit_log WHERE guild_id = ?", (GUILD,)).fetchone()[0]
    return integrity, events, audit


@pytest.fixture
def ready_database(tmp_path: Path) -> Path:
    """A database in a folder of its own, migrated and with the bundled chronology loaded."""
    database = tmp_path / "var" / "almanac.sqlite3"
    assert almanac(tmp_path, database, "ask", "/onthisday 1 May").returncode == 0
    return database


# -- read-only -------------------------------------------------------------------------------------


def _drop_root_override() -> None:
    """In the child, before exec: root without the powers that let it write a file it may not."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def as_ordinary_user(read_only: Path) -> Callable[[], None] | None:
    """The preexec function under which `read_only` really cannot be written; skip if none works."""
    preexec = _drop_root_override if os.geteuid() == 0 else None
    probe = subprocess.run(
        [sys.executable, "-c", f"open({str(read_only)!r}, 'ab')"],
        preexec_fn=preexec,
        capture_output=True,
        check=False,
    )
    if probe.returncode == 0:
        pytest.skip("cannot make a file read-only for this user here")
    return preexec


@pytest.mark.parametrize(
    "command",
    [
        ("db", "check"),
        ("ask", "/onthisday 1 May"),
        ("shell",),
        ("import", "events.csv", "--guild", str(GUILD)),
        ("run",),
    ],
)
def test_a_read_only_database_stops_every_command_with_one_line(
    tmp_path: Path, ready_database: Path, command: tuple[str, ...]
) -> None:
    csv_file(tmp_path / "events.csv", 10)
    before = fingerprint(ready_database.parent)
    ready_database.chmod(0o444)
    try:
        preexec = as_ordinary_user(ready_database)
        result = almanac(tmp_path, ready_database, *command, preexec=preexec, DISCORD_TOKEN=FAKE_TOKEN)
    finally:
        ready_database.chmod(0o644)
    assert "is not writable by this user" in one_line(result)
    assert fingerprint(ready_database.parent) == before


def test_a_read_only_folder_is_named_before_sqlite_fails_to_make_its_wal_file(
    tmp_path: Path, ready_database: Path
) -> None:
    before = fingerprint(ready_database.parent)
    ready_database.parent.chmod(0o555)
    try:
        preexec = as_ordinary_user(ready_database.parent / "probe")
        result = almanac(tmp_path, ready_database, "db", "check", preexec=preexec)
    finally:
        ready_database.parent.chmod(0o755)
    assert "its folder is not writable" in one_line(result)
    assert fingerprint(ready_database.parent) == before


async def test_a_database_turned_read_only_while_running_keeps_nothing_partial(services: Services) -> None:
    """The disk is remounted read-only under a running bot: query_only on the store's writing
    connection makes SQLite refuse every write from it, as it would then."""
    assert isinstance(services.store.engine, SQLiteEngine)  # SQLite's own pragma
    writer = services.store.engine.writer
    await writer.execute("PRAGMA query_only = 1")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await services.curation.add(GUILD, 1, EventForm("Written to a read-only disk", "1921-03-02"))
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await services.curation.import_file(GUILD, 1, "e.csv", b"date,title\n1921,One\n1922,Two\n")
    assert await services.store.scope_events(GUILD) == []
    assert not any(
        e.scope == GUILD for e in (await services.almanac.search(GUILD, "Written to a read-only")).events
    )
    # once the disk is writable again the same connection works: no transaction was left open
    await writer.execute("PRAGMA query_only = 0")
    added = await services.curation.add(GUILD, 1, EventForm("Written to a read-only disk", "1921-03-02"))
    assert [e.id for e in await services.store.scope_events(GUILD)] == [added.id]


# -- disk full ---------------------------------------------------------------------------------------


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full disk returns an error, it sends no signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


# 8,000 rows outgrow SQLite's page cache, so the write-ahead log fills mid-transaction; 300 rows
# stay in the cache until the commit, which is where their write fails.
@pytest.mark.parametrize(("rows", "room"), [(8000, 1_000_000), (300, 40_000)])
def test_an_import_onto_a_full_disk_says_so_in_one_line_and_writes_nothing(
    tmp_path: Path, ready_database: Path, rows: int, room: int
) -> None:
    source = csv_file(tmp_path / "events.csv", rows)
    command = ("import", str(source), "--guild", str(GUILD))
    result = almanac(tmp_path, ready_database, *command, preexec=_file_size_limit(room))
    line = one_line(result)
    assert line.startswith("almanac: database error") and "disk is full" in line, line
    assert guild_rows(ready_database) == ("ok", 0, 0)
    # with space again, the same import goes through whole
    assert almanac(tmp_path, ready_database, *command).returncode == 0
    assert guild_rows(ready_database) == ("ok", rows, rows)


async def test_a_full_database_refuses_an_import_whole_and_takes_it_once_there_is_room(
    services: Services,
) -> None:
    data = csv_file(Path(services.store.path).with_name("events.csv"), 2000).read_bytes()
    async with services.store.transaction() as db:
        pages = await db.value("PRAGMA page_count")
        await db.execute(f"PRAGMA max_page_count = {pages + 20}")
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        await services.curation.import_file(GUILD, 1, "events.csv", data)
    assert await services.store.scope_events(GUILD) == []
    assert await services.store.audit_entries(GUILD, None, 10) == []
    assert not any(
        e.scope == GUILD for e in (await services.almanac.search(GUILD, "Hostile import 00001")).events
    )
    assert await services.store.integrity_check() == "ok"
    async with services.store.transaction() as db:
        await db.execute("PRAGMA max_page_count = 1073741823")
    report = await services.curation.import_file(GUILD, 1, "events.csv", data)
    assert len(report.added) == 2000 and len(await services.store.scope_events(GUILD)) == 2000


# -- a damaged database ------------------------------------------------------------------------------

COMMANDS = [
    ("db", "check"),
    ("ask", "/search hostile import", "--guild", str(GUILD)),  # reads the imported events
    ("shell",),
    ("run",),
    ("import", "events.csv", "--guild", str(GUILD)),
    ("export", "--guild", str(GUILD)),
]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_that_is_not_a_database_stops_every_command_with_one_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    csv_file(tmp_path / "events.csv", 10)
    database = tmp_path / "almanac.sqlite3"
    database.write_bytes(random.Random(1).randbytes(64 * 1024))
    before = fingerprint(tmp_path)
    # a leaked connection once kept the process alive after the message: the timeout catches that
    line = one_line(almanac(tmp_path, database, *command, DISCORD_TOKEN=FAKE_TOKEN))
    assert "file is not a database" in line and str(database) in line, line
    assert fingerprint(tmp_path) == before


@pytest.fixture(scope="module")
def sound_database(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a database holding the bundled chronology and then 2,000 imported events."""
    folder = tmp_path_factory.mktemp("sound")
    database = folder / "almanac.sqlite3"
    many = csv_file(folder / "many.csv", 2000)
    assert almanac(folder, database, "import", str(many), "--guild", str(GUILD)).returncode == 0
    return database.read_bytes()


# Damage after the schema's pages stops the database from opening; damage to the newer half
# (the imported events) is found only when a command reads them.
@pytest.mark.parametrize("damage", ["after-schema", "newer-half"])
@pytest.mark.parametrize("command", COMMANDS)
def test_damaged_pages_stop_every_command_with_one_line_that_says_restore_a_backup(
    tmp_path: Path, sound_database: bytes, command: tuple[str, ...], damage: str
) -> None:
    csv_file(tmp_path / "events.csv", 10)
    data = bytearray(sound_database)
    page = int.from_bytes(data[16:18], "big")
    start = 2 * page if damage == "after-schema" else len(data) // page // 2 * page
    data[start:] = random.Random(2).randbytes(len(data) - start)
    database = tmp_path / "almanac.sqlite3"
    database.write_bytes(bytes(data))
    line = one_line(almanac(tmp_path, database, *command, DISCORD_TOKEN=FAKE_TOKEN))
    assert "malformed" in line and "restore it from a backup" in line, line


# -- the data file ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [("shell",), ("run",), ("db", "check"), ("data", "validate")])
def test_a_missing_data_file_stops_every_command_with_one_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    database = tmp_path / "var" / "almanac.sqlite3"
    missing = tmp_path / "data" / "chronology.toml"
    result = almanac(tmp_path, database, *command, DATA_FILE=str(missing), DISCORD_TOKEN=FAKE_TOKEN)
    assert f"DATA_FILE {missing} does not exist" in one_line(result)
    assert not database.parent.exists()


@pytest.mark.parametrize("content", [b"", b"[[event]\nid = ", b"\xff\xfe not text"])
def test_an_unreadable_data_file_stops_the_shell_with_one_line(tmp_path: Path, content: bytes) -> None:
    broken = tmp_path / "chronology.toml"
    broken.write_bytes(content)
    database = tmp_path / "almanac.sqlite3"
    line = one_line(almanac(tmp_path, database, "shell", DATA_FILE=str(broken)))
    assert line.startswith(f"almanac: {broken}: "), line
