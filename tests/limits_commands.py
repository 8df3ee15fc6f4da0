"""Discord's rules for application commands, checked on the bulk-overwrite body `tree.sync`
sends: translated, with every locale's names and descriptions, as Discord receives it.

Written from Discord's documentation (Application Commands: naming, localization, the
4,000-character size, contexts and installation), independently of the bot and of discord.py.
Discord refuses the whole sync for one broken command, in one language a developer may not read,
and only in production; so every name in every locale is checked here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from tests.limits_spec import discord_locales

NAME_MAX = 32
DESCRIPTION_MAX = 100
OPTIONS_MAX = 25  # a command's options, a group's subcommands
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100
COMMAND_SIZE_MAX = 4000
CHAT_COMMANDS_MAX = 100
GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2  # interaction contexts
GUILD_INSTALL, USER_INSTALL = 0, 1  # integration types
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
# Top-level commands only the bot's owners (and a server's managers) use: never offered in DMs.
OWNER_ONLY = ("almanac",)

_SYNC = re.compile(r"^/applications/\d+(/guilds/\d+)?/commands$")


def is_sync(method: str, path: str) -> bool:
    """A bulk overwrite of the global or a server's commands: what `tree.sync` sends."""
    return method == "PUT" and bool(_SYNC.match(path))


def _name_character(character: str) -> bool:
    """One character of `[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]`: Python's `re` has no `\\p`, so
    letters and numbers by their Unicode category, and the Devanagari and Thai blocks whole
    (their vowel signs and viramas are marks, not letters, and Hindi and Thai names need them)."""
    return (
        character in "-_"
        or unicodedata.category(character)[0] in "LN"
        or "\u0900" <= character <= "\u097f"
        or "\u0e00" <= character <= "\u0e7f"
    )


def valid_name(name: str) -> bool:
    """Discord's `^[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$` for command, option and group
    names, in the lowercase form of any letter that has one."""
    return (
        1 <= len(name) <= NAME_MAX and all(map(_name_character, name)) and all(c.lower() == c for c in name)
    )


def sync_findings(commands: Any, owner_only: tuple[str, ...] = OWNER_ONLY) -> list[str]:
    """What in a bulk-overwrite body Discord would refuse, or would offer where it must not."""
    if not isinstance(commands, list):
        return [f"the body is not a list of commands: {commands!r}"[:200]]
    found = list(_siblings(commands, "/"))
    chat = [command for command in commands if command.get("type", 1) == 1]
    if len(chat) > CHAT_COMMANDS_MAX:
        found.append(f"{len(chat)} slash commands (most {CHAT_COMMANDS_MAX})")
    names = {command.get("name") for command in commands}
    found += [f"/{name}: the owners' command is missing" for name in owner_only if name not in names]
    for command in commands:
        at = f"/{command.get('name')}"
        found += list(_item_findings(command, at))
        found += list(_context_findings(command, at, command.get("name") in owner_only))
        size = command_size(command)
        if size > COMMAND_SIZE_MAX:
            found.append(f"{at}: {size} characters of text together (most {COMMAND_SIZE_MAX})")
    return found


def _texts(item: dict[str, Any], key: str) -> list[tuple[str, Any]]:
    """(`key`, its value) and (`key[locale]`, its value) for each of the item's localizations."""
    localized = item.get(f"{key}_localizations") or {}
    return [(key, item.get(key)), *((f"{key}[{locale}]", text) for locale, text in localized.items())]


def _item_findings(item: dict[str, Any], at: str) -> Iterator[str]:
    """A command, group, subcommand or option: its names, descriptions, children and choices."""
    for key in ("name", "description"):
        localized = item.get(f"{key}_localizations") or {}
        if not isinstance(localized, dict):
            yield f"{at}: {key}_localizations is not an object"
            continue
        if strangers := sorted(set(localized) - discord_locales()):
            yield f"{at}: {key}_localizations has keys Discord has no locale for: {strangers}"
    for where, name in _texts(item, "name"):
        if not isinstance(name, str) or not valid_name(name):
            yield f"{at}: {where} {name!r} is not a valid name (lowercase {NAME_MAX} letters, digits, - _)"
    for where, text in _texts(item, "description"):
        if not isinstance(text, str) or not 1 <= len(text) <= DESCRIPTION_MAX:
            yield f"{at}: {where} is not 1..{DESCRIPTION_MAX} characters: {text!r}"[:300]
    options = item.get("options") or []
    if len(options) > OPTIONS_MAX:
        yield f"{at}: {len(options)} options (most {OPTIONS_MAX})"
    leaves = [option for option in options if option.get("type") not in (SUB_COMMAND, SUB_COMMAND_GROUP)]
    required = [bool(option.get("required")) for option in leaves]
    if required != sorted(required, reverse=True):
        yield f"{at}: a required option follows an optional one"
    yield from _siblings(options, f"{at} ")
    for option in options:
        yield from _item_findings(option, f"{at} {option.get('name')}")
    yield from _choice_findings(item.get("choices") or [], at)


def _choice_findings(choices: list[dict[str, Any]], at: str) -> Iterator[str]:
    if len(choices) > CHOICES_MAX:
        yield f"{at}: {len(choices)} choices (most {CHOICES_MAX})"
    for number, choice in enumerate(choices):
        if set(choice.get("name_localizations") or {}) - discord_locales():
            yield f"{at}: choices[{number}] has localizations Discord has no locale for"
        for where, name in _texts(choice, "name"):
            if not isinstance(name, str) or not 1 <= len(name) <= CHOICE_NAME_MAX:
                yield f"{at}: choices[{number}].{where} is not 1..{CHOICE_NAME_MAX} characters"
        value = choice.get("value")
        if isinstance(value, str) and len(value) > CHOICE_VALUE_MAX:  # "" is a value, and the bot's default
            yield f"{at}: choices[{number}].value has {len(value)} characters (most {CHOICE_VALUE_MAX})"
    values = [choice.get("value") for choice in choices]
    if len(values) != len(set(map(repr, values))):
        yield f"{at}: choice values repeat"


def _siblings(items: list[dict[str, Any]], at: str) -> Iterator[str]:
    """Siblings (top-level commands of one type, a group's subcommands, a command's options)
    must differ in name in every locale: where one has no localization, its name stands."""
    locales = {locale for item in items for locale in item.get("name_localizations") or {}}
    for locale in [None, *sorted(locales)]:
        seen: dict[tuple[Any, Any], int] = {}
        for item in items:
            name = (
                item.get("name")
                if locale is None
                else (item.get("name_localizations") or {}).get(locale, item.get("name"))
            )
            key = (item.get("type", 1) if at == "/" else 0, name)
            seen[key] = seen.get(key, 0) + 1
        for (_, name), count in seen.items():
            if count > 1:
                yield f"{at.strip() or '/'}: {count} siblings are named {name!r} in {locale or 'the default'}"


def _context_findings(command: dict[str, Any], at: str, owners: bool) -> Iterator[str]:
    """Where a command is offered: known contexts and installs, and nowhere private for one
    that only some members may use (Discord applies no member permissions in a DM)."""
    contexts, installs = command.get("contexts"), command.get("integration_types")
    for key, value, known in (
        ("contexts", contexts, {GUILD, BOT_DM, PRIVATE_CHANNEL}),
        ("integration_types", installs, {GUILD_INSTALL, USER_INSTALL}),
    ):
        if value is not None and (
            not isinstance(value, list) or not value or len(set(value)) != len(value) or set(value) - known
        ):
            yield f"{at}: {key} {value!r} is not a non-empty list of distinct values from {sorted(known)}"
    offered = set(contexts) if isinstance(contexts, list) else {GUILD, BOT_DM, PRIVATE_CHANNEL}
    if command.get("dm_permission") is not False:
        offered.add(BOT_DM)
    restricted = command.get("default_member_permissions") not in (None, "")
    if owners and not restricted:
        yield f"{at}: an owners' command has no default_member_permissions: every member sees it"
    if (owners or restricted) and offered != {GUILD}:
        yield (
            f"{at}: a command for moderators or owners is offered in DMs"
            f" (contexts {contexts!r}, dm_permission {command.get('dm_permission')!r})"
        )
    for option in command.get("options") or []:
        for key in ("contexts", "integration_types", "dm_permission", "default_member_permissions"):
            if key in option:
                yield f"{at} {option.get('name')}: {key} belongs on the top-level command only"


def _longest(item: dict[str, Any], key: str) -> int:
    return max((len(text) for _, text in _texts(item, key) if isinstance(text, str)), default=0)


def command_size(command: dict[str, Any]) -> int:
    """Discord's count toward the 4,000: every name, description and choice name and value, each
    at its longest localization (the default included), at every depth."""
    size = _longest(command, "name") + _longest(command, "description")
    for choice in command.get("choices") or []:
        size += _longest(choice, "name") + len(str(choice.get("value", "")))
    return size + sum(command_size(option) for option in command.get("options") or [])
