"""The one place errors become replies: a short ephemeral sentence, never a traceback.

The command tree's handler (installed by `bot.client`), modals and buttons all answer through
`answer_error`, so every entry point says the same thing for the same mistake.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import discord
from discord import app_commands

from bot.i18n.errors import UserError
from bot.i18n.languages import SOURCE_LANGUAGE, language_of
from bot.i18n.messages import Text, said, said_n
from bot.i18n.text import quoted
from bot.render.markup import user_message
from bot.store import is_busy

log = logging.getLogger(__name__)

INTERNAL_ERROR = said("Something went wrong on our side; it has been logged. Please try again in a moment.")
NOT_ALLOWED = said("You are not allowed to use this command here.")
STALE_COMMAND = said("That command has just changed; try again in a minute, once Discord has caught up.")
NEEDS_MANAGE_SERVER = said("Only members with the Manage Server permission can do that.")
BUSY_NOW = said("The database is busy (another process is writing); try again.")


class Refused(app_commands.CheckFailure):
    """A check that failed with a sentence for the member, said in their language."""

    def __init__(self, message: Text) -> None:
        super().__init__(str(message))
        self.message = message


def error_message(error: BaseException, language: str = SOURCE_LANGUAGE) -> str | None:
    """What to tell the user in `language`, or None for a bug (which is logged and apologised for)."""
    cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(cause, UserError):
        # it may quote what a member typed or stored, a title in “…” or a value in a code span:
        # a quoted `@everyone` must not even look like a mention, a quoted link not be one
        return user_message(cause.in_language(language))
    if isinstance(cause, app_commands.CommandOnCooldown):
        seconds = math.ceil(cause.retry_after)
        return said_n(
            "Slow down a little: try again in {count} second.",
            "Slow down a little: try again in {count} seconds.",
            seconds,
        ).in_language(language)
    if isinstance(cause, Refused):
        return cause.message.in_language(language)
    if isinstance(cause, app_commands.MissingPermissions):
        # discord.py names the flag (`manage_guild`); members know it as Discord shows it
        if "manage_guild" in cause.missing_permissions:
            return NEEDS_MANAGE_SERVER.in_language(language)
        return NOT_ALLOWED.in_language(language)
    if isinstance(cause, app_commands.CheckFailure):
        # discord.py's words for a check that merely returned False name the code, not a remedy
        return NOT_ALLOWED.in_language(language)
    if isinstance(cause, app_commands.TransformerError):
        value = quoted(str(cause.value), 50)
        return user_message(
            said("`{value}` is not a valid value for this option.", value=value).in_language(language)
        )
    if is_busy(cause):  # another process (an `almanac import`, say) held the write lock too long
        return BUSY_NOW.in_language(language)
    if isinstance(cause, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        log.warning("Discord's commands differ from this bot's (%s); sync the command tree", cause)
        return STALE_COMMAND.in_language(language)
    return None


def reader_language(interaction: discord.Interaction[Any]) -> str:
    """The language of whoever is being answered: their Discord language where Almanac ships it."""
    return language_of(str(interaction.locale))


async def send_ephemeral(interaction: discord.Interaction[Any], message: str | Text) -> None:
    if isinstance(message, Text):
        message = message.in_language(reader_language(interaction))
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error message to the user", exc_info=True)


async def answer_error(interaction: discord.Interaction[Any], error: BaseException, where: str) -> None:
    """Answer `error` to the person whose interaction raised it; a bug is logged with `where`."""
    language = reader_language(interaction)
    message = error_message(error, language)
    if message is None:
        log.error("%s failed", where, exc_info=error)
        message = INTERNAL_ERROR.in_language(language)
    await send_ephemeral(interaction, discord.utils.escape_mentions(message))


async def on_tree_error(interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
    command = interaction.command.qualified_name if interaction.command else "?"
    await answer_error(interaction, error, f"command /{command}")
