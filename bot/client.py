"""The Discord process: the Bot subclass, its one error handler, and `almanac run`."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.almanac import Almanac
from bot.config import Settings
from bot.daily import Scheduler
from bot.errors import UserError
from bot.runtime import open_almanac

log = logging.getLogger(__name__)

# Loaded in this order; a failure to load any of them stops start-up loudly.
EXTENSIONS = ("cogs.ask", "cogs.anniversaries",)

INTERNAL_ERROR = "Something went wrong on our side; it has been logged. Please try again in a moment."


class AlmanacBot(commands.AutoShardedBot):
    def __init__(self, almanac: Almanac, settings: Settings) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # no message commands: slash commands only
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **_sharding(settings),
        )
        self.almanac = almanac
        self.settings = settings
        self.scheduler: Scheduler | None = None  # set by cogs.anniversaries when it loads
        self.tree.error(self.on_tree_error)

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.settings.dev_guild_id:
            # A development server gets every command at once; production syncs deliberately.
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)

    async def on_tree_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        """The one place errors become replies: a short ephemeral sentence, never a traceback."""
        message = error_message(error)
        if message is None:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command /%s failed", command, exc_info=error)
            message = INTERNAL_ERROR
        await send_ephemeral(interaction, message)


def _sharding(settings: Settings) -> dict[str, Any]:
    """Shard settings for operators who split shards across processes; otherwise Discord decides."""
    options: dict[str, Any] = {}
    if settings.shard_count is not None:
        options["shard_count"] = settings.shard_count
    if settings.shard_ids is not None:
        options["shard_ids"] = list(settings.shard_ids)
    return options


def error_message(error: BaseException) -> str | None:
    """What to tell the user, or None for a bug (which is logged and apologised for)."""
    cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(cause, UserError):
        return str(cause)
    if isinstance(cause, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {cause.retry_after:.0f} seconds."
    if isinstance(cause, app_commands.MissingPermissions | app_commands.CheckFailure):
        return str(cause) if str(cause) else "You are not allowed to use this command here."
    if isinstance(cause, app_commands.TransformerError):
        return f"`{str(cause.value)[:50]}` is not a valid value for this option."
    return None


async def send_ephemeral(interaction: discord.Interaction[Any], message: str) -> None:
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error message to the user", exc_info=True)


def create_bot(almanac: Almanac, settings: Settings) -> AlmanacBot:
    """The one factory the tests, `almanac run` and `almanac sync` share."""
    return AlmanacBot(almanac, settings)


async def _run(settings: Settings) -> None:
    async with open_almanac(settings.database_path, settings.data_file) as almanac:
        bot = create_bot(almanac, settings)
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        runner = asyncio.create_task(bot.start(settings.discord_token or ""))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        log.info("shutting down")
        await bot.close()
        stopper.cancel()
        if runner in done:
            runner.result()  # re-raise a login failure, after cleaning up


def run_bot(settings: Settings) -> int:
    discord.utils.setup_logging(level=settings.log_level_number)
    if not settings.discord_token:
        log.error("DISCORD_TOKEN is not set; `almanac shell` works without it.")
        return 2
    try:
        asyncio.run(_run(settings))
    except discord.LoginFailure:
        log.error("Discord refused DISCORD_TOKEN; copy it again from the developer portal.")
        return 2
    return 0
