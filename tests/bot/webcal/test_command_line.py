"""`almanac calendar url` and `almanac calendar serve`, run as an operator runs them."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
from pathlib import Path

import aiohttp
import icalendar
import pytest

from tests.support import ALMANAC, FIXTURE_CHRONOLOGY, run_almanac

GUILD = "123456789012345678"
LINKS = re.compile(
    r"(https://cal\.example\.org/calendar/([\w-]+)\.ics)\nwebcal://cal\.example\.org/calendar/\2\.ics\n"
)


def test_url_prints_a_servers_links_and_the_same_ones_again(tmp_path: Path) -> None:
    first = run_almanac(tmp_path, "calendar", "url", "--guild", GUILD, "--base", "https://cal.example.org/")
    assert first.returncode == 0, first.stderr
    assert LINKS.fullmatch(first.stdout)
    again = run_almanac(
        tmp_path, "calendar", "url", "--guild", GUILD, CALENDAR_BASE_URL="https://cal.example.org"
    )
    assert again.stdout == first.stdout
    local = run_almanac(tmp_path, "calendar", "url", "--guild", GUILD, CALENDAR_PORT="8080")
    assert local.stdout.startswith("http://localhost:8080/calendar/")


@pytest.mark.parametrize(
    ("arguments", "environment", "said"),
    [
        (("calendar",), {}, "calendar_command"),
        (("calendar", "url"), {}, "--guild"),
        (("calendar", "url", "--guild", "0", "--base", "https://a.example"), {}, "--guild must be"),
        (("calendar", "url", "--guild", GUILD, "--base", "a.example"), {}, "--base"),
        (("calendar", "url", "--guild", GUILD), {}, "give --base"),
        (("calendar", "serve"), {}, "give --port"),
        (("calendar", "serve", "--port", "99999"), {}, "port number from 1 to 65535"),
        (("calendar", "serve", "--port", "8080", "--tls"), {}, "unrecognized arguments: --tls"),
        (("calendar", "serve"), {"CALENDAR_PORT": "eighty"}, "CALENDAR_PORT must be a whole number"),
        (("calendar", "lookup"), {}, "invalid choice: 'lookup'"),
    ],
)
def test_a_wrong_or_missing_argument_is_one_line_and_exit_2(
    tmp_path: Path, arguments: tuple[str, ...], environment: dict[str, str], said: str
) -> None:
    result = run_almanac(tmp_path, *arguments, **environment)
    assert result.returncode == 2, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_the_printed_link_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = str(_free_port())
    printed = run_almanac(tmp_path, "calendar", "url", "--guild", GUILD, CALENDAR_PORT=port)
    link = printed.stdout.splitlines()[0]
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_PATH": str(tmp_path / "var" / "almanac.sqlite3"),
        "DATA_FILE": str(FIXTURE_CHRONOLOGY),
    }
    server = subprocess.Popen(
        [str(ALMANAC), "--env-file", str(tmp_path / "no.env"), "calendar", "serve", "--port", port],
        cwd=tmp_path,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        assert f"port {port}" in server.stderr.readline()

        async def fetch() -> tuple[int, bytes]:
            async with aiohttp.ClientSession() as http, http.get(link) as response:
                return response.status, await response.read()

        status, body = asyncio.run(fetch())
        assert status == 200 and list(icalendar.Calendar.from_ical(body).walk("VEVENT"))
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert "Traceback" not in server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()
