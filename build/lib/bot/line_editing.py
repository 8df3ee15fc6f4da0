"""Line editing for `almanac shell`: arrow keys, history kept between sessions, Tab completion.

GNU readline (or macOS's libedit) through Python's `readline` module, switched on only when the
shell reads from a terminal: piped input stays plain `input()`. What Tab offers is worked out by
`completions`, a plain function of the line typed so far, so it is tested without a terminal.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

HISTORY_LENGTH = 1000
TITLES_OFFERED = 25  # as many as Discord's autocomplete shows
SUBCOMMANDS = {"anniversaries": ("preview", "show")}
TITLED = ("event",)  # commands whose argument is an event's name


def history_file() -> Path:
    """$XDG_STATE_HOME/almanac/history, as the XDG base directory rules place a history."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "almanac" / "history"


def completions(line: str, commands: Sequence[str], titles: Callable[[str], list[str]]) -> list[str]:
    """Whole lines Tab may turn `line` into: a command's name (`/onth` -> `/onthisday `), an
    anniversaries subcommand, or, after `/event `, the titles autocomplete would offer."""
    stripped = line.lstrip()
    name, space, rest = stripped.lstrip("/").partition(" ")
    if not space:
        return [f"/{command} " for command in commands if command.startswith(name.lower())]
    name = name.lower()
    if name in SUBCOMMANDS:
        return [f"/{name} {word}" for word in SUBCOMMANDS[name] if word.startswith(rest.lower())]
    if name in TITLED and rest.strip():
        found = titles(rest)[:TITLES_OFFERED]
        # readline keeps what the candidates share, so they must all start as typed; failing that,
        # the best fuzzy match alone corrects a typo (`kronstat` -> Kronstadt rebellion)
        starting = [title for title in found if title.casefold().startswith(rest.casefold())]
        return [f"/{name} {title}" for title in starting or found[:1]]
    return []


@contextlib.contextmanager
def line_editing(commands: Sequence[str], titles: Callable[[str], list[str]]) -> Iterator[None]:
    """Editing, history and completion while the shell runs; history saved when it ends."""
    try:
        import readline
    except ImportError:  # a Python built without it: plain input() still works
        yield
        return
    offered: list[str] = []

    def complete(text: str, state: int) -> str | None:
        if state == 0:
            offered[:] = completions(text, commands, titles)  # text: the line up to the cursor
        return offered[state] if state < len(offered) else None

    history = history_file()
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(HISTORY_LENGTH)
    readline.set_completer_delims("")  # complete the whole line: titles hold spaces
    readline.set_completer(complete)
    if "libedit" in (readline.__doc__ or ""):
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")
    try:
        yield
    finally:
        readline.set_completer(None)
        with contextlib.suppress(OSError):  # a read-only home keeps the shell working, unremembered
            history.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(history)
