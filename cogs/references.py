"""Event options: an autocomplete choice carries the event's id, a typed name carries only text.

The `#<id>` form is how this Discord edge encodes a choice; nothing below the cogs sees it. The
transformer turns the option into an `EventRef`, and `event_id` asks the right service to resolve
a typed name, so the application layer is only ever given ids.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.messages import said
from bot.i18n.text import clip
from bot.relevance.scoring import Hit

NAME_MAX = 200  # what a member may type into an event option
CHOICES_MAX = 25  # Discord's cap on autocomplete choices
CHOICE_NAME_MAX = 100
_PICKED = re.compile(r"#([0-9]{1,18})")  # 18 digits always fit a 64-bit integer column


@dataclass(frozen=True)
class EventRef:
    """An event option as it arrived: picked from the list (an id), or typed (a name)."""

    picked: int | None
    typed: str

    async def event_id(self, resolve: Callable[[str], Awaitable[int]]) -> int:
        """The id: the picked one, or `resolve(typed)` (which raises a UserError when no event fits)."""
        return self.picked if self.picked is not None else await resolve(self.typed)


class EventReference(app_commands.Transformer):
    """A string option up to NAME_MAX characters, read as an `EventRef`."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int:
        return 1

    @property
    def max_value(self) -> int:
        return NAME_MAX

    async def transform(self, interaction: discord.Interaction[Any], value: str, /) -> EventRef:
        cleaned = " ".join(value.split())
        match = _PICKED.fullmatch(cleaned)
        return EventRef(int(match[1]) if match else None, cleaned)


def choice_value(event_id: int) -> str:
    return f"#{event_id}"


def choice_name(title: str, language: str = SOURCE_LANGUAGE) -> str:
    """Autocomplete choice names are plain text, 1–100 characters."""
    return clip(" ".join(title.split()), CHOICE_NAME_MAX) or said("untitled").in_language(language)


def event_choices(hits: list[Hit], language: str = SOURCE_LANGUAGE) -> list[app_commands.Choice[str]]:
    """At most 25 choices, each naming an event by title and carrying its id (`language`: the
    asker's, for the word standing in for a title that shows nothing)."""
    return [
        app_commands.Choice(name=choice_name(hit.title, language), value=choice_value(hit.event_id))
        for hit in hits[:CHOICES_MAX]
    ]


EventOption = app_commands.Transform[EventRef, EventReference]
