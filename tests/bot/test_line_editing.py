"""`almanac shell` at a terminal: Tab completes, arrows recall history, and history outlives the
session. The terminal is a real pseudo-terminal, so GNU readline does the editing, as for a user."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

from bot.line_editing import completions
from tests.support import ALMANAC, FIXTURE_CHRONOLOGY

COMMANDS = ["onthisday", "event", "search", "timeline", "upcoming", "random", "help", "anniversaries"]
UP, RIGHT = "\x1b[A", "\x1b[C"


def titles(typed: str) -> list[str]:
    known = ["Kronstadt rebellion", "Kronstadt crushed; mass executions follow", "Cheka founded"]
    return [title for title in known if title.lower().startswith(typed.lower())]


def fuzzy(typed: str) -> list[str]:
    return ["Kronstadt rebellion", "Kronstadt crushed; mass executions follow"]


def test_tab_completes_a_command_then_a_title() -> None:
    assert completions("/onth", COMMANDS, titles) == ["/onthisday "]
    assert completions("ev", COMMANDS, titles) == ["/event "]
    assert completions("/", COMMANDS, titles) == [f"/{name} " for name in COMMANDS]
    assert completions("/event kronst", COMMANDS, titles) == [
        "/event Kronstadt rebellion",
        "/event Kronstadt crushed; mass executions follow",
    ]
    assert completions("/event kronstat", COMMANDS, fuzzy) == ["/event Kronstadt rebellion"]
    assert completions("/anniversaries p", COMMANDS, titles) == ["/anniversaries preview"]
    assert completions("/onthisday 16 Ma", COMMANDS, titles) == []  # a date: nothing to guess
    assert completions("/zz", COMMANDS, titles) == []


class Terminal:
    """`almanac shell` on a pseudo-terminal: keys typed in, the screen read back."""

    def __init__(self, tmp_path: Path) -> None:
        self.primary, secondary = pty.openpty()
        environ = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "TERM": "xterm",
            "DATABASE_PATH": str(tmp_path / "almanac.sqlite3"),
            "DATA_FILE": str(FIXTURE_CHRONOLOGY),
        }
        self.process = subprocess.Popen(
            [str(ALMANAC), "--env-file", str(tmp_path / "no.env"), "shell"],
            stdin=secondary,
            stdout=secondary,
            stderr=secondary,
            env=environ,
            cwd=tmp_path,
        )
        os.close(secondary)
        self.screen = ""

    def read_until(self, text: str, since: int = 0, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.screen[since:]:
            ready, _, _ = select.select([self.primary], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"{text!r} never appeared; the screen shows:\n{self.screen[-2000:]}"
            self.screen += os.read(self.primary, 65536).decode(errors="replace")
        return self.screen

    def type(self, keys: str) -> None:
        os.write(self.primary, keys.encode())

    def answer(self, keys: str, expected: str) -> str:
        """Type `keys`, wait for `expected`, and return what appeared since."""
        before = len(self.screen)
        self.type(keys)
        self.read_until(expected, since=before + len(keys))
        return self.screen[before:]

    def quit(self) -> int:
        self.type("quit\r")
        code = self.process.wait(timeout=30)
        os.close(self.primary)
        return code


def test_the_shell_edits_completes_and_remembers(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path)
    terminal.read_until("almanac> ")

    shown = terminal.answer("/onth\t16 March\r", "almanac> ")  # Tab finishes the command's name
    assert "On this day: 16 March" in shown
    shown = terminal.answer("/event kronstadt reb\t\r", "almanac> ")  # … and an event's title
    assert "Kronstadt rebellion" in shown and "28 February" in shown
    # Home, eleven times right, then a digit in the middle; a typo backspaced away at the end
    shown = terminal.answer(
        "/onthisday 7 Marhc" + "\x7f" * 2 + "ch" + "\x01" + RIGHT * 11 + "1\r", "almanac> "
    )
    assert "On this day: 17 March" in shown
    assert terminal.quit() == 0

    history = (tmp_path / ".local" / "state" / "almanac" / "history").read_text()
    assert "/onthisday 16 March" in history and "/event Kronstadt rebellion" in history

    again = Terminal(tmp_path)  # a new session: the arrow keys reach the old one's lines
    again.read_until("almanac> ")
    shown = again.answer(UP * 4 + "\r", "almanac> ")  # past quit, 17 March and the event
    assert "On this day: 16 March" in shown
    assert again.quit() == 0
