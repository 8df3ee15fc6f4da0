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

from bot.errors import UserError
from bot.markup import user_message
from bot.store import BUSY, is_busy
from bot.text import plural, quoted

log = logging.getLogger(__name__)

INTERNAL_ERROR = "Something went wrong on our side; it has been logged. Please try again in a moment."
NOT_ALLOWED = "You are not allowed to use this command here."
STALE_COMMAND = "That command has just changed; try again in a minute, once Discord has caught up."


def error_message(error: BaseException) -> str | None:
    """What to tell the user, or None for a bug (which is logged and apologised for)."""
    cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(cause, UserError):
        # it may quote what a member typed or stored, a title in “…” or a value in a code span:
        # a quoted `@everyone` must not even look like a mention, a quoted link not be one
        return user_message(str(cause))
    if isinstance(cause, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {plural(math.ceil(cause.retry_after), 'second')}."
    if isinstance(cause, app_commands.CheckFailure):
        # discord.py's words for a check that merely returned False name the code, not a remedy
        text = str(cause)
        return text if text and not text.startswith("The check functions") else NOT_ALLOWED
    if isinstance(cause, app_commands.TransformerError):
        return user_message(f"`{quoted(str(cause.value), 50)}` is not a valid value for this option.")
    if is_busy(cause):  # another process (an `almanac import`, say) held the write lock too long
        return f"{BUSY.capitalize()}."
    if isinstance(cause, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        log.warning("Discord's commands differ from this bot's (%s); sync the command tree", cause)
        return STALE_COMMAND
    return None


async def send_ephemeral(interaction: discord.Interaction[Any], message: str) -> None:
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error message to the user", exc_info=True)


async def answer_error(interaction: discord.Interaction[Any], error: BaseException, where: str) -> None:
    """Answer `error` to the person whose interaction raised it; a bug is logged with `where`."""
    message = error_message(error)
    if message is None:
        log.error("%s failed", where, exc_info=error)
        message = INTERNAL_ERROR
    await send_ephemeral(interaction, discord.utils.escape_mentions(message))


async def on_tree_error(interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
    command = interaction.command.qualified_name if interaction.command else "?"
    await answer_error(interaction, error, f"command /{command}")
