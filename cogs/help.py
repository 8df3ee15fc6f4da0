"""/help: every command with an example, in the member's language, read from the command tree
itself so it always lists what the bot really has."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n.messages import said, translate
from bot.i18n.text import clip
from bot.render.embeds import COLOUR, DESCRIPTION_MAX
from bot.render.help import example
from cogs.ask import anywhere
from cogs.errors import reader_language

Interaction = discord.Interaction[Any]
Node = app_commands.Command[Any, ..., Any] | app_commands.Group
Commands = Callable[[], Sequence[Node]]


def leaves(nodes: Sequence[Node]) -> list[app_commands.Command[Any, ..., Any]]:
    """Every command that can be typed, groups opened, in the tree's order."""
    found: list[app_commands.Command[Any, ..., Any]] = []
    for node in nodes:
        if isinstance(node, app_commands.Group):
            found += leaves(node.commands)
        else:
            found.append(node)
    return found


# The languages Discord's own client comes in: only there does a member see (and type) the
# commands under translated names. Catalan has none, so a Catalan reader types the English ones.
CLIENT_LANGUAGES = frozenset(locale.value.split("-")[0] for locale in discord.Locale)


def help_lines(nodes: Sequence[Node], language: str) -> list[str]:
    """`/поиск` — description, then its example, as a member of that language types it."""
    names_in = language if language in CLIENT_LANGUAGES else "en"
    lines = []
    for command in leaves(nodes):
        path = command.qualified_name
        shown = " ".join(translate(names_in, "name", part) for part in path.split())
        typed = example(path, language).replace(f"/{path}", f"/{shown}", 1)
        lines.append(f"`/{shown}` — {translate(language, 'description', command.description)}\n  `{typed}`")
    return lines


class Help(commands.Cog):
    def __init__(self, commands_of: Commands) -> None:
        self.commands_of = commands_of

    @anywhere
    @app_commands.command(name="help", description="Every command, with an example")
    async def help(self, interaction: Interaction) -> None:
        language = reader_language(interaction)
        embed = discord.Embed(title=said("Almanac's commands").in_language(language), colour=COLOUR)
        embed.description = clip("\n".join(help_lines(self.commands_of(), language)), DESCRIPTION_MAX)
        embed.set_footer(
            text=said("Commands for moderators and owners work only for them.").in_language(language)
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)
