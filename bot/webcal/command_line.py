"""`almanac calendar serve [--port P]` and `almanac calendar url --guild N [--base URL]`.

The feeds served without Discord (beside a bot that runs without CALENDAR_PORT, or on another
machine reading the same PostgreSQL database), and a server's link printed for its operator.
aiohttp's server is imported only when `serve` runs: every other command starts without it.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from bot.config import ConfigError, Settings, calendar_base_url
from bot.webcal.feeds import CalendarFeeds


def _port(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 1 to 65535")
    return int(text)


def _base(text: str) -> str:
    try:
        return calendar_base_url(text, "--base")
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--base ").rstrip(".")) from None


def add_calendar_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    calendar = commands.add_parser("calendar", help="the calendar link: each server's feed over HTTP")
    calendars = calendar.add_subparsers(dest="calendar_command", required=True)
    serve = calendars.add_parser("serve", help="serve every server's calendar feed (no Discord needed)")
    serve.add_argument("--port", type=_port, help="the port (default: CALENDAR_PORT)")
    url = calendars.add_parser("url", help="print a server's calendar links, making them on first use")
    url.add_argument("--guild", type=int, required=True, help="the server's id")
    url.add_argument("--base", type=_base, help="the address links start with (default: CALENDAR_BASE_URL)")


def check(settings: Settings, args: argparse.Namespace) -> None:
    """What the command lacks, said before the database is opened."""
    if args.calendar_command == "serve":
        if (args.port or settings.calendar_port) is None:
            raise ConfigError("give --port, or set CALENDAR_PORT: the port the calendar is served on.")
        return
    if args.guild <= 0:
        raise ConfigError("--guild must be a server's id.")
    if _base_of(settings, args) is None:
        raise ConfigError(
            "give --base, or set CALENDAR_BASE_URL (or CALENDAR_PORT): the address the links start with."
        )


def _base_of(settings: Settings, args: argparse.Namespace) -> str | None:
    return args.base or settings.calendar_base_url or settings.calendar_base


async def run(feeds: CalendarFeeds, settings: Settings, args: argparse.Namespace) -> int:
    if args.calendar_command == "url":
        link = await feeds.link(args.guild, _base_of(settings, args) or "")
        print(f"{link.https}\n{link.webcal}")
        return 0
    from bot.webcal.server import calendar_served

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with calendar_served(feeds, settings, args.port) as server:
            assert server is not None  # a port was checked for
            print(
                f"Serving calendar feeds on {server.host} port {server.port}"
                " (/calendar/<token>.ics); Ctrl+C stops.",
                file=sys.stderr,
                flush=True,
            )
            await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    return 0
