"""The local console: the bot's slash commands, typed as text, answered with no Discord at all."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import re
import shlex
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.almanac.answers import EventAnswer, EventList
from bot.almanac.questions import Almanac
from bot.daily.settings import Anniversaries
from bot.i18n.errors import UserError
from bot.i18n.languages import SHIPPED, SOURCE_LANGUAGE
from bot.i18n.messages import said, translate
from bot.i18n.text import terminal_safe
from bot.line_editing import line_editing
from bot.model.kinds import Theme
from bot.render.help import SHELL_COMMANDS, example
from bot.render.localize import localized
from bot.render.text import Answer, error_json, to_json, to_text


def name_in(language: str, command: str) -> str:
    """`anniversaries preview` as typed in `language`'s Discord client: `годовщины предпросмотр`."""
    return " ".join(translate(language, "name", part) for part in command.split())


def shell_help(language: str = SOURCE_LANGUAGE) -> str:
    """The shell's commands with their examples, named and filled in as a reader of `language`
    types them in Discord (the shell takes those names too, and the English ones)."""
    lines = [said("Commands (the same as in Discord):").in_language(language)]
    for command in SHELL_COMMANDS:
        typed = example(command, language).replace(f"/{command}", f"/{name_in(language, command)}", 1)
        lines.append(f"  {typed}")
    return "\n".join([*lines, "  help, quit"])


@dataclass
class ShellContext:
    almanac: Almanac
    anniversaries: Anniversaries
    guild_id: int
    fixed_today: dt.date | None  # like calendar(1)'s -t: pretend another day is today
    user_id: int = 0
    language: str = SOURCE_LANGUAGE  # the events' titles and summaries in this language

    async def today(self) -> dt.date:
        return self.fixed_today or await self.almanac.today(self.guild_id)


Reply = Answer | str  # a plain sentence when there is no list to show
Handler = Callable[[ShellContext, str], Awaitable[Reply]]


async def _onthisday(ctx: ShellContext, args: str) -> Answer:
    return await ctx.almanac.on_this_day(ctx.guild_id, args, await ctx.today())


async def _event(ctx: ShellContext, args: str) -> Answer:
    return await ctx.almanac.lookup(ctx.guild_id, args)


async def _search(ctx: ShellContext, args: str) -> Answer:
    return await ctx.almanac.search(ctx.guild_id, args)


async def _timeline(ctx: ShellContext, args: str) -> Answer:
    return await ctx.almanac.timeline(ctx.guild_id, args or None, None)


async def _upcoming(ctx: ShellContext, args: str) -> Answer:
    if args and not re.fullmatch(r"-?[0-9]{1,9}", args.strip()):
        raise UserError("Give a number of days, for example `/upcoming 14`.")
    days = int(args) if args else None
    return await ctx.almanac.upcoming(ctx.guild_id, days, await ctx.today())


async def _random(ctx: ShellContext, args: str) -> Answer:
    """`/random`, `/random 1921`, `/random 1921 kronstadt`, `/random anarchists`."""
    first, _, rest = args.strip().partition(" ")
    if re.fullmatch(r"-?[0-9]{1,9}", first):
        return await ctx.almanac.random(ctx.guild_id, int(first), rest or None)
    return await ctx.almanac.random(ctx.guild_id, None, args.strip() or None)


async def _help(ctx: ShellContext, args: str) -> str:
    return shell_help(ctx.language)


async def _anniversaries(ctx: ShellContext, args: str) -> Reply:
    action, _, day = args.partition(" ")
    if _SPELLINGS.get(action.lower()) != "preview":
        raise UserError(
            "In the shell, `/anniversaries preview [day]` shows a daily post; set posts up in Discord."
        )
    today = await ctx.today()
    noon = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    post = await ctx.anniversaries.preview(ctx.guild_id, day, noon)
    if post is None:
        return "Nothing would be posted that day: it has no anniversary and the server chose `nothing`."
    return post.answer


COMMANDS: dict[str, Handler] = {
    "onthisday": _onthisday,
    "event": _event,
    "search": _search,
    "timeline": _timeline,
    "upcoming": _upcoming,
    "random": _random,
    "help": _help,
    "anniversaries": _anniversaries,
}


# Each command under its English name and its name in every translated language: a hint in the
# shell's language names the command as a Discord reader of that language types it.
_SPELLINGS: dict[str, str] = {
    translate(language, "name", name).lower(): name for name in [*COMMANDS, "preview"] for language in SHIPPED
}


def split_command(line: str) -> tuple[str, str]:
    """`/onthisday 16 March` -> ("onthisday", "16 March"); quotes around the argument are optional."""
    text = line.strip()
    name, _, args = text.lstrip("/").partition(" ")
    args = args.strip()
    if len(args) >= 2 and args[0] == args[-1] and args[0] in "\"'":
        with contextlib.suppress(ValueError):  # unbalanced quotes: take the text as typed
            args = " ".join(shlex.split(args))
    return name.lower(), args


async def execute(ctx: ShellContext, line: str) -> tuple[str, Reply]:
    typed, args = split_command(line)
    name = _SPELLINGS.get(typed, typed)
    handler = COMMANDS.get(name)
    if handler is None:
        known = ", ".join(f"/{name_in(ctx.language, command)}" for command in COMMANDS)
        raise UserError(
            said("There is no command `/{name}`; try one of {known}.", name=typed[:30], known=known)
        )
    return name, await handler(ctx, args)


@dataclass(frozen=True)
class PictureRequest:
    """`almanac ask … --png FILE [--theme dark]`: where to write the picture, and on what background."""

    path: Path
    theme: Theme = Theme.LIGHT


PICTURED = ("timeline", "event")


async def ask(
    ctx: ShellContext, line: str, *, as_json: bool, picture: PictureRequest | None = None
) -> tuple[str, int]:
    """One command, answered as text or JSON, with the exit status a script should see."""
    typed = split_command(line)[0]
    name = _SPELLINGS.get(typed, typed)
    try:
        if picture is not None and name not in PICTURED:
            raise UserError("Only `/timeline` and `/event` draw a picture; leave out `--png` here.")
        command, answer = await execute(ctx, line)
    except UserError as error:
        if as_json:
            return json.dumps(error_json(name, str(error)), ensure_ascii=False, indent=2), 2
        return f"error: {error.in_language(ctx.language)}", 2
    if not isinstance(answer, str):
        answer = localized(answer, ctx.language)
    drawn: tuple[str, int] | None = None
    if picture is not None and not isinstance(answer, str):
        drawn = await _draw(ctx, answer, picture)
    output, status = _answered(ctx, command, answer, as_json=as_json)
    if drawn is None:
        return output, status
    note, drawn_status = drawn
    if as_json:  # the same object, with what became of the picture beside the answer
        output = json.dumps(json.loads(output) | {"picture": note}, ensure_ascii=False, indent=2)
        return output, max(status, drawn_status)
    return f"{output}\n{note}", max(status, drawn_status)


async def _draw(ctx: ShellContext, answer: Answer, picture: PictureRequest) -> tuple[str, int]:
    """The picture of a /timeline or /event answer written to its file: a line saying so, and 0;
    or why not (nothing to draw, a file that cannot be written), and 1."""
    if isinstance(answer, EventAnswer):
        if answer.event is None:
            return "no picture: no one event was found to draw", 1
        answer = localized(await ctx.almanac.surroundings(ctx.guild_id, answer.event), ctx.language)
    if not isinstance(answer, EventList) or not answer.events:
        return "no picture: there are no events to draw", 1
    from bot.render.picture import timeline_png  # Pillow only when a picture is asked for

    png = timeline_png(answer, ctx.language, picture.theme)
    try:
        picture.path.write_bytes(png)
    except OSError as error:
        return f"no picture: cannot write {picture.path}: {error.strerror or error}", 1
    return f"picture: {picture.path} ({len(answer.events)} events, {len(png) // 1024 + 1} KB)", 0


def _answered(ctx: ShellContext, command: str, answer: Reply, *, as_json: bool) -> tuple[str, int]:
    if isinstance(answer, str):
        payload: dict[str, Any] = {
            "command": command,
            "events": [],
            "related": [],
            "message": answer,
            "error": None,
        }
        return (json.dumps(payload, ensure_ascii=False, indent=2), 0) if as_json else (answer, 0)
    if as_json:
        return json.dumps(to_json(command, answer), ensure_ascii=False, indent=2), 0
    return to_text(answer, ctx.language), 0


async def interactive(ctx: ShellContext, banner: str) -> None:
    print(banner)
    print(shell_help(ctx.language))
    if sys.stdin.isatty():
        names = list(dict.fromkeys([*(name_in(ctx.language, command) for command in COMMANDS), *COMMANDS]))
        with line_editing(names, _titles_from(ctx, asyncio.get_running_loop())):
            await _read_and_answer(ctx)
    else:
        await _read_and_answer(ctx)


def _titles_from(ctx: ShellContext, loop: asyncio.AbstractEventLoop) -> Callable[[str], list[str]]:
    """What autocomplete would offer for a typed name, for Tab, which readline asks for from the
    thread that reads the line while the event loop waits for it."""

    async def titles(typed: str) -> list[str]:
        hits = await ctx.almanac.complete(ctx.guild_id, typed)
        # a title goes onto the line being edited, and from there into the history file
        return [terminal_safe(hit.title) for hit in await ctx.almanac.titles_in(hits, ctx.language)]

    def offered(typed: str) -> list[str]:
        try:
            return asyncio.run_coroutine_threadsafe(titles(typed), loop).result(timeout=2)
        except Exception:  # a Tab that cannot be answered offers nothing
            return []

    return offered


async def _read_line(prompt: str) -> str:
    """`input(prompt)` on a daemon thread of its own, not the loop's executor: asyncio.run waits
    for the executor's threads as it ends, and one blocked in `input` would keep a shell told to
    stop (SIGTERM) from ever exiting."""
    loop = asyncio.get_running_loop()
    line: asyncio.Future[str] = loop.create_future()

    def settle(result: str | None, error: BaseException | None) -> None:
        if line.done():
            return
        if error is not None:
            line.set_exception(error)
        else:
            line.set_result(result or "")

    def read() -> None:
        try:
            typed, error = input(prompt), None
        except BaseException as raised:  # EOFError, KeyboardInterrupt: handed to the loop
            typed, error = "", raised
        with contextlib.suppress(RuntimeError):  # the shell ended meanwhile: no one is waiting
            loop.call_soon_threadsafe(settle, typed, error)

    threading.Thread(target=read, name="shell input", daemon=True).start()
    return await line


async def _read_and_answer(ctx: ShellContext) -> None:
    while True:
        try:
            line = await _read_line("almanac> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if line.strip().lower() in ("quit", "exit", "q"):
            return
        if line.strip().lower() in ("help", "?", "/help"):
            print(shell_help(ctx.language))
            continue
        if line.strip():
            output, _ = await ask(ctx, line, as_json=False)
            print(terminal_safe(output))
