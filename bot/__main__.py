"""Command line: start | run | sync | health | shell | ask | import | export | calendar … | db … |
data validate."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import errno
import os
import signal
import sqlite3
import sys
from pathlib import Path

from bot import __version__, health, shell
from bot.chronology.reader import ChronologyError, ChronologyReader
from bot.config import ConfigError, Settings
from bot.curation.formats import FORMATS, MAX_BYTES
from bot.curation.ics import left_out_of_calendar
from bot.curation.service import Curation
from bot.dates.partial import FIRST_YEAR, LAST_YEAR
from bot.i18n.errors import UserError
from bot.i18n.languages import SHIPPED, SOURCE_LANGUAGE
from bot.i18n.text import terminal_safe
from bot.model.kinds import Theme
from bot.runtime import open_configured
from bot.store import BUSY, Store, StoreError, advice, is_busy
from bot.store.engines.common import is_server_url
from bot.webcal import command_line

# An operator's own file on the server's disk may hold more rows than a Discord upload (5,000);
# the 1 MiB limit still applies, and the import is still one transaction.
CLI_MAX_ROWS = 20_000


def _today(text: str) -> dt.date:
    try:
        today = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-16") from None
    if not FIRST_YEAR <= today.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"{text!r} is not between the years {FIRST_YEAR} and {LAST_YEAR}")
    return today


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="almanac", description="A chronology bot for Discord.")
    parser.add_argument("--version", action="version", version=f"almanac {__version__}")
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="settings file (default .env)")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("start", help="run in Discord when DISCORD_TOKEN is set, else open the shell")
    commands.add_parser("run", help="connect to Discord (needs DISCORD_TOKEN)")
    for name, text in (("shell", "the local console"), ("ask", "answer one command and exit")):
        sub = commands.add_parser(name, help=text)
        if name == "ask":
            sub.add_argument("line", help='a command, e.g. "/onthisday 16 March"')
            sub.add_argument("--json", action="store_true", help="print one JSON object")
            sub.add_argument(
                "--png", type=Path, metavar="FILE", help="/timeline and /event: also draw a picture, to FILE"
            )
            sub.add_argument(
                "--theme", choices=tuple(Theme), default=Theme.LIGHT, help="the picture's background"
            )
        sub.add_argument("--guild", type=int, default=0, help="act as this server (its id)")
        sub.add_argument("--today", type=_today, help="pretend today is YYYY-MM-DD")
        sub.add_argument(
            "--locale", choices=SHIPPED, default=SOURCE_LANGUAGE, help="show the events in this language"
        )
    db = commands.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("migrate", help="apply pending migrations")
    db.add_parser("check", help="integrity check and counts")
    copy = db.add_parser("copy", help="copy every table into a new, empty database (SQLite or PostgreSQL)")
    copy.add_argument("source", help="a SQLite file or a postgresql:// URL")
    copy.add_argument("target", help="the same kinds; it must be empty")
    backup = db.add_parser("backup", help="copy the database to a new file, safely while the bot runs")
    backup.add_argument("path", type=Path, help="the new file, e.g. backups/almanac-2026-03-16.sqlite3")
    data = commands.add_parser("data", help="the bundled chronology").add_subparsers(
        dest="data_command", required=True
    )
    validate = data.add_parser("validate", help="check a chronology file")
    validate.add_argument("file", nargs="?", type=Path)
    _add_transfer_commands(commands)
    command_line.add_calendar_commands(commands)
    _add_ops_commands(commands)
    return parser


def _add_transfer_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    importer = commands.add_parser("import", help="add a server's events from a JSON or CSV file")
    importer.add_argument("file", type=Path, help="a .json or .csv file (see data/examples/)")
    importer.add_argument("--guild", type=int, required=True, help="the server's id")
    exporter = commands.add_parser("export", help="write a server's events to a file")
    exporter.add_argument("--guild", type=int, required=True, help="the server's id")
    exporter.add_argument("--format", choices=FORMATS, default="json")
    exporter.add_argument("--output", type=Path, help="file to write (default: standard output)")
    exporter.add_argument("--with-bundled", action="store_true", help="include the bundled chronology")


def _add_ops_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = commands.add_parser("sync", help="push the slash commands to Discord (needs DISCORD_TOKEN)")
    sync.add_argument("--guild", type=int, help="sync to this server only (instant there); default: global")
    commands.add_parser("health", help="exit 0 if the running bot is connected and its database answers")


async def _shell(settings: Settings, args: argparse.Namespace) -> int:
    # a one-shot question about a day never touches the search index: build it only when asked
    async with open_configured(settings, index_now=args.command != "ask") as services:
        ctx = shell.ShellContext(
            services.almanac, services.anniversaries, args.guild, args.today, language=args.locale
        )
        if args.command == "ask":
            picture = shell.PictureRequest(args.png, Theme(args.theme)) if args.png else None
            output, status = await shell.ask(ctx, args.line, as_json=args.json, picture=picture)
            print(terminal_safe(output))
            return status
        counts = await services.store.counts()
        banner = (
            f"Almanac shell: {counts['bundled']} bundled events"
            + (f", server {args.guild}" if args.guild else "")
            + ". No Discord needed."
        )
        await shell.interactive(ctx, banner)
    return 0


async def _db(settings: Settings, args: argparse.Namespace) -> int:
    store = await Store.open(settings.database)
    try:
        if args.db_command == "migrate":
            print(f"{store.path}: schema version {await store.schema_version()}")
            return 0
        integrity = await store.integrity_check()
        counts = await store.counts()
        print(
            f"{store.path}: integrity {integrity}; "
            + ", ".join(f"{key} {value}" for key, value in counts.items())
        )
        return 0 if integrity == "ok" else 1
    finally:
        await store.close()


async def _copy(source_name: str, target_name: str) -> int:
    """`almanac db copy SOURCE TARGET`: every table, ids kept, counts and audit log checked."""
    from bot.store.copy import copy_database

    if not is_server_url(source_name) and not Path(source_name.removeprefix("sqlite:///")).is_file():
        raise StoreError(f"there is no database at {source_name} to copy.")
    source = await Store.open(source_name, read_only=True)  # read as it is, never changed
    try:
        version, known = await source.schema_version(), source.code_schema_version()
        if version != known:
            raise StoreError(
                f"{source.path} is at schema version {version}, newer than this Almanac's {known}:"
                " copy it with the version that wrote it."
                if version > known
                else f"{source.path} is at schema version {version}, older than {known}: run"
                " `almanac db migrate` on it first (a copy never changes its source)."
            )
        target = await Store.open(target_name)
        try:
            report = await copy_database(source, target)
        finally:
            await target.close()
    finally:
        await source.close()
    copied = ", ".join(f"{table} {count:,}" for table, count in report.rows.items())
    print(f"copied {source.path} to {target.path}: {copied}; counts and audit log verified")
    return 0


async def _transfer(settings: Settings, args: argparse.Namespace) -> int:
    """`almanac import` and `almanac export`: the same validation and all-or-nothing as /events."""
    if args.guild <= 0:
        print("almanac: --guild must be a server's id", file=sys.stderr)
        return 2
    async with open_configured(settings) as services:
        try:
            if args.command == "import":
                return await _import(services.curation, args.guild, args.file)
            exported = await services.curation.export(args.guild, args.format, with_bundled=args.with_bundled)
        except UserError as error:
            print(f"almanac: {error}", file=sys.stderr)
            return 1
    if exported.left_out:
        print(f"almanac: {left_out_of_calendar(exported.left_out)}", file=sys.stderr)
    if args.output is None:
        # to a terminal, what a curator stored is shown, never obeyed; to a pipe, the file as it is
        on_screen = sys.stdout.isatty()
        sys.stdout.buffer.write(
            terminal_safe(exported.data.decode()).encode() if on_screen else exported.data
        )
    else:
        args.output.write_bytes(exported.data)
        print(f"{args.output}: {exported.count} events as {args.format}", file=sys.stderr)
    return 0


async def _calendar(settings: Settings, args: argparse.Namespace) -> int:
    """`almanac calendar url` prints a server's links; `almanac calendar serve` serves them all."""
    command_line.check(settings, args)
    async with open_configured(settings, index_now=False) as services:
        return await command_line.run(services.calendars, settings, args)


async def _import(curation: Curation, guild_id: int, file: Path) -> int:
    try:
        if file.stat().st_size > MAX_BYTES:
            raise UserError(f"{file} is larger than {MAX_BYTES:,} bytes (1 MiB); split it up.")
        data = file.read_bytes()
    except OSError as error:
        raise UserError(f"cannot read {file}: {error.strerror or error}") from None
    report = await curation.import_file(guild_id, None, file.name, data, CLI_MAX_ROWS)
    print(terminal_safe(report.headline()))
    for line in report.lines():
        print(f"  {terminal_safe(line)}")
    if report.added:
        print(
            "A running bot answers with them now: /search and autocomplete find them within two seconds.",
            file=sys.stderr,
        )
    return 0 if report.applied else 1


async def _backup(settings: Settings, target: Path) -> int:
    """`almanac db backup PATH`: SQLite's online backup, so the bot can keep running meanwhile."""
    if settings.database_url is not None:
        print("almanac: on PostgreSQL, back up with pg_dump (see README)", file=sys.stderr)
        return 2
    if not settings.database_path.is_file():
        print(f"almanac: there is no database at {settings.database_path} to back up", file=sys.stderr)
        return 1
    store = await Store.open(settings.database_path)
    try:
        await store.backup(target)
    finally:
        await store.close()
    print(f"{target}: backup of {settings.database_path}, {target.stat().st_size:,} bytes, integrity ok")
    return 0


def _health(env_file: Path) -> int:
    """`almanac health`, Docker's HEALTHCHECK: 0 healthy, 1 not (Docker reserves every other code)."""
    try:
        settings = Settings.load(env_file)
    except ConfigError as error:
        print(f"almanac: {error}", file=sys.stderr)
        return 1
    healthy, reason = health.check(settings.health_file, dt.datetime.now(dt.UTC))
    print(reason, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def _validate(settings: Settings, file: Path | None) -> int:
    path = file or settings.data_file
    reader = ChronologyReader(path)  # a chunk at a time: a big file is never in memory whole
    try:
        for _ in reader.chunks():
            pass
    except ChronologyError as error:
        print(f"{path}: {len(error.problems)} problem(s)", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{path}: {reader.count} events, all valid")
    return 0


class Terminated(SystemExit):
    """SIGTERM arrived before the bot's own handling of it (or in the shell)."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated(128 + signum)


def main(argv: list[str] | None = None) -> int:
    # First of all, before migrations or a big index: as PID 1 in a container a process ignores
    # any signal it has no handler for, so `docker stop` would wait out its grace period.
    # Raised as SystemExit, it unwinds through every `with`, closing the database; the running
    # bot replaces it with its own handler, which lets a daily post in flight finish.
    signal.signal(signal.SIGTERM, _terminate)
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, so that a full disk is reported below and not at exit
        return status
    except BrokenPipeError:
        # `almanac import big.csv | head`: the reader has gone; stop quietly, as `cat` would.
        _drop_stdout()
        return 1
    except OSError as error:
        # `almanac export > /dev/full`, or a disk that fills while writing: one line, as `cat` gives
        if error.errno not in _OUTPUT_ERRORS:
            raise
        _drop_stdout()
        print(f"almanac: cannot write the output: {error.strerror}", file=sys.stderr)
        return 1


_OUTPUT_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EBADF})


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that Python's last flush at exit has nowhere to fail."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()  # `almanac` alone: what it can do, rather than a usage error
        return 0
    if args.command == "health":
        return _health(args.env_file)
    try:
        settings = Settings.load(args.env_file)
        if args.command == "data":
            return _validate(settings, args.file)
        settings.check_database_path()
        if args.command in ("run", "start") and (args.command == "run" or settings.discord_token):
            from bot.client import run_bot  # imported late: the shell never loads discord.py's gateway

            return run_bot(settings)
        if args.command == "sync":
            from bot.client import sync_bot

            return sync_bot(settings, args.guild)
        if args.command == "start":
            args.guild, args.today, args.locale = 0, None, SOURCE_LANGUAGE
            args.command = "shell"
        if args.command in ("shell", "ask"):
            return asyncio.run(_shell(settings, args))
        if args.command in ("import", "export"):
            return asyncio.run(_transfer(settings, args))
        if args.command == "calendar":
            return asyncio.run(_calendar(settings, args))
        if args.db_command == "copy":
            return asyncio.run(_copy(args.source, args.target))
        if args.db_command == "backup":
            return asyncio.run(_backup(settings, args.path))
        return asyncio.run(_db(settings, args))
    except (ConfigError, StoreError, ChronologyError) as error:
        print(f"almanac: {error}", file=sys.stderr)
        return 2
    except sqlite3.Error as error:  # met mid-command: a damaged, full or read-only database
        if is_busy(error):  # another process held the write lock for the whole busy timeout
            print(f"almanac: {BUSY}.", file=sys.stderr)
        else:
            print(f"almanac: database error ({error}): {advice(error)}.", file=sys.stderr)
        return 2
    except Exception as error:  # PostgreSQL's (asyncpg is imported only when DATABASE_URL names it)
        if not type(error).__module__.startswith("asyncpg"):
            raise
        if is_busy(error):
            print(f"almanac: {BUSY}.", file=sys.stderr)
        else:
            print(f"almanac: database error ({error}).", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
