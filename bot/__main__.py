"""Command line: start | run | shell | ask | db … | data validate."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path

from bot import shell
from bot.chronology import ChronologyError, load_chronology
from bot.config import ConfigError, Settings
from bot.runtime import open_almanac
from bot.store import Store, StoreError


def _today(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-16") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="almanac", description="A chronology bot for Discord.")
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="settings file (default .env)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("start", help="run in Discord when DISCORD_TOKEN is set, else open the shell")
    commands.add_parser("run", help="connect to Discord (needs DISCORD_TOKEN)")
    for name, text in (("shell", "the local console"), ("ask", "answer one command and exit")):
        sub = commands.add_parser(name, help=text)
        if name == "ask":
            sub.add_argument("line", help='a command, e.g. "/onthisday 16 March"')
            sub.add_argument("--json", action="store_true", help="print one JSON object")
        sub.add_argument("--guild", type=int, default=0, help="act as this server (its id)")
        sub.add_argument("--today", type=_today, help="pretend today is YYYY-MM-DD")
    db = commands.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("migrate", help="apply pending migrations")
    db.add_parser("check", help="integrity check and counts")
    data = commands.add_parser("data", help="the bundled chronology").add_subparsers(
        dest="data_command", required=True
    )
    validate = data.add_parser("validate", help="check a chronology file")
    validate.add_argument("file", nargs="?", type=Path)
    return parser


async def _shell(settings: Settings, args: argparse.Namespace) -> int:
    async with open_almanac(settings.database_path, settings.data_file) as almanac:
        ctx = shell.ShellContext(almanac, args.guild, args.today)
        if args.command == "ask":
            output, status = await shell.ask(ctx, args.line, as_json=args.json)
            print(output)
            return status
        counts = await almanac.store.counts()
        banner = (f"Almanac shell: {counts['bundled']} bundled events"
                  + (f", server {args.guild}" if args.guild else "") + ". No Discord needed.")  # fmt: skip
        await shell.interactive(ctx, banner)
    return 0


async def _db(settings: Settings, args: argparse.Namespace) -> int:
    store = await Store.open(settings.database_path)
    try:
        if args.db_command == "migrate":
            print(f"{settings.database_path}: schema version {await store.schema_version()}")
            return 0
        integrity = await store.integrity_check()
        counts = await store.counts()
        print(f"{settings.database_path}: integrity {integrity}; "
              + ", ".join(f"{key} {value}" for key, value in counts.items()))  # fmt: skip
        return 0 if integrity == "ok" else 1
    finally:
        await store.close()


def _validate(settings: Settings, file: Path | None) -> int:
    path = file or settings.data_file
    try:
        chronology = load_chronology(path)
    except ChronologyError as error:
        print(f"{path}: {len(error.problems)} problem(s)", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{path}: {len(chronology.events)} events, all valid")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.load(args.env_file)
        if args.command == "data":
            return _validate(settings, args.file)
        settings.check_database_path()
        if args.command in ("run", "start") and (args.command == "run" or settings.discord_token):
            from bot.client import run_bot  # imported late: the shell never loads discord.py's gateway

            return run_bot(settings)
        if args.command == "start":
            args.guild, args.today = 0, None
            args.command = "shell"
        if args.command in ("shell", "ask"):
            return asyncio.run(_shell(settings, args))
        return asyncio.run(_db(settings, args))
    except (ConfigError, StoreError, ChronologyError) as error:
        print(f"almanac: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
