"""The Discord process: the Bot subclass, its one error handler, and `almanac run`."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import signal
from collections.abc import Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.almanac import Almanac
from bot.config import Settings
from bot.daily import Scheduler
from bot.errors import UserError
from bot.runtime import open_almanac

log = logging.getLogger(__name__)

# Loaded in this order; a failure to load any of them stops start-up loudly.
EXTENSIONS = ("cogs.ask", "cogs.anniversaries", "cogs.curate", "cogs.admin")

SHUTDOWN_GRACE = 20.0  # seconds a daily post in flight may take to finish; compose allows 30
INTERNAL_ERROR = "Something went wrong on our side; it has been logged. Please try again in a moment."
NOT_ALLOWED = "You are not allowed to use this command here."
STALE_COMMAND = "That command has just changed; try again in a minute, once Discord has caught up."


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

    async def close(self) -> None:
        """Every way out (a signal, `almanac sync`, a fatal error) lets a daily post in flight finish."""
        await self.finish_daily_posts(SHUTDOWN_GRACE)
        await super().close()

    async def finish_daily_posts(self, timeout: float) -> None:
        """Let a daily pass that is sending finish and record its posts, and start no new one.

        Cancelling mid-send would leave the day `claimed`, and the next start would have to read
        the channel back to learn whether the post went out.
        """
        cog = self.get_cog("AnniversaryCommands")
        loop: tasks.Loop[Any] | None = getattr(cog, "daily_pass", None)
        task = loop.get_task() if loop is not None else None
        if loop is None or task is None or task.done():
            return
        if self.scheduler is None or not self.is_ready():
            loop.cancel()  # still waiting for READY: nothing can be in flight
        else:
            loop.stop()  # no further iteration once the current one ends
            self.scheduler.wake()  # a loop asleep until the next due post ends now, not in an hour
        _, pending = await asyncio.wait({task}, timeout=timeout)
        if pending:
            log.warning("a daily post was still sending after %.0f s; stopping anyway", timeout)
            loop.cancel()
            await asyncio.wait({task}, timeout=1.0)

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
        # it may quote what the user typed: a quoted `@everyone` must not even look like a mention
        return discord.utils.escape_mentions(str(cause))
    if isinstance(cause, app_commands.CommandOnCooldown):
        seconds = math.ceil(cause.retry_after)
        return f"Slow down a little: try again in {seconds} second{'s' if seconds != 1 else ''}."
    if isinstance(cause, app_commands.CheckFailure):
        # discord.py's words for a check that merely returned False name the code, not a remedy
        text = str(cause)
        return text if text and not text.startswith("The check functions") else NOT_ALLOWED
    if isinstance(cause, app_commands.TransformerError):
        shown = str(cause.value)[:50].replace("`", "'")  # a backtick would break out of the code span
        return f"`{shown}` is not a valid value for this option."
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


def create_bot(almanac: Almanac, settings: Settings) -> AlmanacBot:
    """The one factory the tests, `almanac run` and `almanac sync` share."""
    return AlmanacBot(almanac, settings)


async def _run(settings: Settings) -> None:
    async with open_almanac(settings.database_path, settings.data_file) as almanac:
        bot = create_bot(almanac, settings)
        await serve_until_signalled(bot, bot.start(settings.discord_token or ""))
    log.info("database closed")


async def serve_until_signalled(bot: AlmanacBot, runner: Coroutine[Any, Any, None]) -> None:
    """Run `runner` (the gateway) until it ends or SIGINT/SIGTERM arrives, then close the bot,
    which lets a daily post in flight finish. The caller closes the database after this returns."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    running = asyncio.create_task(runner)
    stopper = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait({running, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # A second Ctrl+C while we wait for a post gets Python's default: stop at once.
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        stopper.cancel()
    log.info("shutting down")
    await bot.close()
    _, pending = await asyncio.wait({running}, timeout=10.0)
    for task in pending:
        task.cancel()
    if running in done:
        running.result()  # re-raise a login failure, after cleaning up


async def sync_tree(bot: AlmanacBot, guild_id: int | None) -> int:
    """Push the command tree to Discord: globally, or copied to one server, where it is instant."""
    if guild_id is None:
        return len(await bot.tree.sync())
    guild = discord.Object(guild_id)
    bot.tree.copy_global_to(guild=guild)
    return len(await bot.tree.sync(guild=guild))


async def _sync(settings: Settings, guild_id: int | None) -> int:
    """Log in over HTTP only (no gateway connection), sync, and close."""
    async with open_almanac(settings.database_path, settings.data_file) as almanac:
        # Run beside the bot (`docker compose exec`), it must leave the bot's health file alone.
        bot = create_bot(almanac, dataclasses.replace(settings, health_file=None))
        async with bot:
            await bot.login(settings.discord_token or "")
            return await sync_tree(bot, guild_id)


def sync_bot(settings: Settings, guild_id: int | None) -> int:
    """`almanac sync [--guild ID]`: the deliberate sync that `almanac run` never does by itself."""
    discord.utils.setup_logging(level=settings.log_level_number)
    if not settings.discord_token:
        log.error("DISCORD_TOKEN is not set; syncing commands needs the bot's token.")
        return 2
    try:
        count = asyncio.run(_sync(settings, guild_id))
    except discord.LoginFailure:
        log.error("Discord refused DISCORD_TOKEN; copy it again from the developer portal.")
        return 2
    except discord.HTTPException as error:
        log.error("Discord refused the sync (%s): %s", error.status, error.text[:200])
        return 1
    where = "globally" if guild_id is None else f"to server {guild_id}"
    print(f"Synced {count} commands {where}.")
    return 0


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
    except OSError as error:  # aiohttp's connection errors: no network, DNS, TLS
        log.error("cannot reach Discord (%s); check the network and try again.", error)
        return 1
    return 0
