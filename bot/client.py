"""The Discord process: the Bot subclass that receives the services and hands them to the cogs,
the daily loop it owns, and `almanac run` / `almanac sync`."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
from collections.abc import Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.config import Settings
from bot.daily.post import Sender
from bot.daily.sender import DiscordSender
from bot.events_tab.discord_side import DiscordTab
from bot.heavy import HeavyWork
from bot.runtime import Services, open_configured
from bot.webcal.server import calendar_served
from cogs.admin import Admin, sync_tree
from cogs.anniversaries import AnniversaryCommands
from cogs.ask import Ask
from cogs.checks import CuratorGate
from cogs.curate import Curate
from cogs.errors import on_tree_error
from cogs.help import Help
from cogs.translator import CatalogTranslator

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 20.0  # seconds a daily post in flight may take to finish; compose allows 30
RESTART_AFTER_CRASH = 60  # seconds the daily loop waits after a crash before it starts again


class AlmanacBot(commands.AutoShardedBot):
    """Receives its services, adds the cogs (each given only what it uses), owns the daily loop."""

    def __init__(self, services: Services, settings: Settings, sender: Sender | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # no message commands: slash commands only
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **_sharding(settings),
        )
        self.settings = settings
        self._services = services
        self._sender = sender or DiscordSender(self)  # tests hand in a sender of their own
        self._digest_sender = DiscordSender(self)
        self._events_tab = DiscordTab(self)  # the servers' Events tabs, kept by events_tab_pass
        self.heavy = HeavyWork()  # pictures and export files, off the event loop
        self.tree.error(on_tree_error)

    def cogs_to_add(self) -> list[commands.Cog]:
        """Every cog, in order; a failure to add any of them stops start-up loudly."""
        services = self._services
        gate = CuratorGate(services.curation)
        return [
            Ask(services.almanac, self.heavy),
            Help(self.slash_commands),
            AnniversaryCommands(services.anniversaries, gate, services.events_tab),
            Curate(
                services.almanac,
                services.curation,
                gate,
                self.heavy,
                calendars=services.calendars,
                calendar_base=self.settings.calendar_base,
            ),
            Admin(
                self,
                services.store,
                services.scheduler,
                owner_ids=self.settings.owner_ids,
                health_file=self.settings.health_file,
            ),
        ]

    def slash_commands(self) -> list[app_commands.Command[Any, ..., Any] | app_commands.Group]:
        """The tree's slash commands and groups (what /help lists), context menus left out."""
        nodes = self.tree.get_commands()
        return [node for node in nodes if isinstance(node, app_commands.Command | app_commands.Group)]

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogTranslator())  # names and descriptions, per language
        for cog in self.cogs_to_add():
            await self.add_cog(cog)
        self.daily_pass.start()  # setup_hook runs once per process, so a reconnect never starts a second
        self.events_tab_pass.start()
        if self.settings.dev_guild_id:
            # A development server gets every command at once; production syncs deliberately.
            await sync_tree(self, self.settings.dev_guild_id)

    # -- the daily posts ---------------------------------------------------------------------

    @tasks.loop(seconds=0)  # each iteration sleeps until the next post is due (or settings change)
    async def daily_pass(self) -> None:
        scheduler = self._services.scheduler
        await scheduler.wait_for_next(discord.utils.utcnow())
        report = await scheduler.run_pass(discord.utils.utcnow(), self._sender)
        if report.due:
            log.info("daily pass: %s in %.3fs", report.summary(), report.seconds)
        # the digests' due times are among those the loop sleeps until (`Store.next_due_at`)
        digests = await self._services.digests.run_pass(discord.utils.utcnow(), self._digest_sender)
        if digests:
            log.info("digests: %s", ", ".join(f"{count} {outcome}" for outcome, count in digests.items()))

    @daily_pass.before_loop
    async def _wait_until_ready(self) -> None:
        await self.wait_until_ready()

    @daily_pass.error
    async def _daily_pass_crashed(self, error: BaseException) -> None:
        # e.g. a full disk: wait before trying again, so the log does not fill what is left of it
        log.error("daily pass crashed; restarting it in %d seconds", RESTART_AFTER_CRASH, exc_info=error)
        await asyncio.sleep(RESTART_AFTER_CRASH)
        self.daily_pass.restart()

    # -- the Events tab ----------------------------------------------------------------------

    @tasks.loop(seconds=0)  # each iteration sleeps until a server is due (or the chronology changes)
    async def events_tab_pass(self) -> None:
        tab = self._services.events_tab
        await tab.wait_for_next(discord.utils.utcnow())
        report = await tab.run_pass(discord.utils.utcnow(), self._events_tab)
        if report.servers:
            log.info("events tab pass: %s in %.3fs", report.summary(), report.seconds)

    @events_tab_pass.before_loop
    async def _events_tab_waits_until_ready(self) -> None:
        await self.wait_until_ready()

    @events_tab_pass.error
    async def _events_tab_pass_crashed(self, error: BaseException) -> None:
        log.error("events tab pass crashed; restarting it in %d seconds", RESTART_AFTER_CRASH, exc_info=error)
        await asyncio.sleep(RESTART_AFTER_CRASH)
        self.events_tab_pass.restart()

    async def close(self) -> None:
        """Every way out (a signal, `almanac sync`, a fatal error) lets a daily post in flight finish."""
        # an event being created is claimed: the next start finds it in the server's list
        self.events_tab_pass.cancel()
        await self.finish_daily_posts(SHUTDOWN_GRACE)
        self.heavy.close()
        await super().close()

    async def finish_daily_posts(self, timeout: float) -> None:
        """Let a daily pass that is sending finish and record its posts, and start no new one.

        Cancelling mid-send would leave the day `claimed`, and the next start would have to read
        the channel back to learn whether the post went out.
        """
        loop = self.daily_pass
        task = loop.get_task()
        if task is None or task.done():
            return
        if not self.is_ready():
            loop.cancel()  # still waiting for READY: nothing can be in flight
        else:
            loop.stop()  # no further iteration once the current one ends
            self._services.scheduler.wake()  # a loop asleep until the next due post ends now
        _, pending = await asyncio.wait({task}, timeout=timeout)
        if pending:
            log.warning("a daily post was still sending after %.0f s; stopping anyway", timeout)
            loop.cancel()
            await asyncio.wait({task}, timeout=1.0)


def _sharding(settings: Settings) -> dict[str, Any]:
    """Shard settings for operators who split shards across processes; otherwise Discord decides."""
    options: dict[str, Any] = {}
    if settings.shard_count is not None:
        options["shard_count"] = settings.shard_count
    if settings.shard_ids is not None:
        options["shard_ids"] = list(settings.shard_ids)
    return options


def create_bot(services: Services, settings: Settings, sender: Sender | None = None) -> AlmanacBot:
    """The one factory the tests, `almanac run` and `almanac sync` share."""
    return AlmanacBot(services, settings, sender)


async def _run(settings: Settings) -> None:
    async with open_configured(settings) as services, calendar_served(services.calendars, settings):
        bot = create_bot(services, settings)
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


async def _sync(settings: Settings, guild_id: int | None) -> int:
    """Log in over HTTP only (no gateway connection), sync, and close."""
    async with open_configured(settings) as services:
        # Run beside the bot (`docker compose exec`), it must leave the bot's health file alone.
        bot = create_bot(services, dataclasses.replace(settings, health_file=None))
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
