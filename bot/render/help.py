"""What `/help` lists: every command with an example, for Discord and for the shell alike.

The descriptions are the commands' own (the tree's, translated by the catalogs under `description`);
this module adds only the example each one is shown with. `tests/cogs/test_help.py` fails when a
command of the tree has no example here, so the list cannot fall behind the commands.
"""

from __future__ import annotations

from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.messages import translate

# Qualified command name -> what follows it in its example (empty: the command alone).
EXAMPLES: dict[str, str] = {
    "onthisday": "16 March",
    "event": "Kronstadt rebellion",
    "search": "makno",
    "timeline": "1918 to 1921",
    "upcoming": "14",
    "random": "1921",
    "help": "",
    "anniversaries setup": "channel:#history time:09:00 timezone:Europe/Moscow",
    "anniversaries show": "",
    "anniversaries preview": "7 November",
    "anniversaries disable": "",
    "anniversaries events enable": "days:14",
    "anniversaries events disable": "",
    "events add": "",
    "events edit": "Founding of our club",
    "events translate": "event:Founding of our club language:Català",
    "events remove": "Founding of our club",
    "events restore": "Founding of our club",
    "events hide": "Kronstadt rebellion",
    "events unhide": "Kronstadt rebellion",
    "events history": "",
    "events import": "file:events.csv",
    "events export": "format:ics with_bundled:true",
    "events calendar": "",
    "events curator-role": "role:@Archivists",
    "almanac status": "",
    "almanac sync": "guild:here",
}

# What the shell answers (no Discord: the asking commands and the daily post's preview).
SHELL_COMMANDS = (
    "onthisday",
    "event",
    "search",
    "timeline",
    "upcoming",
    "random",
    "help",
    "anniversaries preview",
)


def example(command: str, language: str = SOURCE_LANGUAGE) -> str:
    """`/onthisday 16 March`: the command as typed, with its example in `language` (the catalogs'
    `example` context: `/onthisday 16 марта`, `/search makhno`); the command's name is the
    caller's to translate, since it depends on the reader's Discord client."""
    args = EXAMPLES.get(command, "")
    if args:
        args = translate(language, "example", args)
    return f"/{command} {args}".rstrip()
