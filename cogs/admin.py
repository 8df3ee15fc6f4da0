"""/almanac status and /almanac sync for the people who run the bot, and the health heartbeat."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import __version__, health
from bot.daily.scheduler import Scheduler
from bot.i18n.errors import UserError
from bot.i18n.messages import said
from bot.store import Store
from cogs.errors import Refused

log = logging.getLogger(__name__)
Interaction = discord.Interaction[Any]

# What the bot needs in a server, for the invite link. Everything it does is a reply to a
# command (carried by the interaction itself) or the daily post: see it, write it with its embed,
# read the channel back after a crash; Attach Files for exports and import reports. Not Mention
# Everyone: allowed_mentions names the one role, and a mentionable role pings without it.
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,  # a thread can be the daily post's channel
    embed_links=True,
    attach_files=True,
    read_message_history=True,
)
INVITE_SCOPES = ("bot", "applications.commands")
NOT_OWNER = said("Only the bot's owners can do that.")
NOT_OWNER_OR_MANAGER = said("Only the bot's owners and members with Manage Server can do that.")


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(application_id, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES)


def parse_guild_id(text: str | None, here: int | None) -> int | None:
    """None for a global sync; `here` is the server the command was used in."""
    cleaned = (text or "").strip().lower()
    if not cleaned:
        return None
    if cleaned == "here":
        if here is None:
            raise UserError("`here` works only inside a server; give the server's id instead.")
        return here
    if not cleaned.isascii() or not cleaned.isdigit():
        raise UserError(f"`{cleaned[:30]}` is not a server id: copy it with Developer Mode on.")
    return int(cleaned)


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()  # a server's status and its commands: nothing to offer in a DM
@app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
class Admin(commands.GroupCog, group_name="almanac"):
    """Running the bot: its status, and pushing its commands to Discord."""

    def __init__(
        self,
        bot: commands.AutoShardedBot,
        store: Store,
        scheduler: Scheduler,
        *,
        owner_ids: frozenset[int] = frozenset(),
        health_file: Path | None = None,
    ) -> None:
        self.bot = bot
        self.store = store
        self.scheduler = scheduler
        self.owner_ids = owner_ids
        self.health_file = health_file
        self.started_at = discord.utils.utcnow()
        super().__init__()

    async def cog_load(self) -> None:
        if self.health_file is not None:
            health.clear(self.health_file)
            self.heartbeat.start()

    async def cog_unload(self) -> None:
        self.heartbeat.cancel()
        if self.health_file is not None:
            health.clear(self.health_file)

    # -- who may --------------------------------------------------------------------------------

    async def is_bot_owner(self, interaction: Interaction) -> bool:
        """OWNER_IDS first; otherwise the application's owner or its team, as Discord reports them."""
        if interaction.user.id in self.owner_ids:
            return True
        try:
            return await self.bot.is_owner(interaction.user)
        except discord.HTTPException:
            log.warning("could not fetch the application's owner", exc_info=True)
            return False

    async def _require_owner(self, interaction: Interaction) -> None:
        if not await self.is_bot_owner(interaction):
            raise Refused(NOT_OWNER)

    async def _require_owner_or_manager(self, interaction: Interaction) -> None:
        if interaction.guild_id is not None and interaction.permissions.manage_guild:
            return
        if not await self.is_bot_owner(interaction):
            raise Refused(NOT_OWNER_OR_MANAGER)

    # -- the health file ---------------------------------------------------------------------

    def connected(self) -> bool:
        """Ready, not closed, and every shard of this process has its gateway connection."""
        bot = self.bot
        if bot.is_closed() or not bot.is_ready():
            return False
        return all(not shard.is_closed() for shard in bot.shards.values())

    @tasks.loop(seconds=health.HEARTBEAT_SECONDS)
    async def heartbeat(self) -> None:
        assert self.health_file is not None
        database = await health.probe_database(self.store)
        beat = health.Beat(discord.utils.utcnow(), self.connected(), database)
        try:
            health.write_beat(self.health_file, beat)
        except OSError:
            log.warning("cannot write the health file %s", self.health_file, exc_info=True)
        if beat.problem is not None:
            log.warning("unhealthy: %s", beat.problem)

    # -- commands ----------------------------------------------------------------------------

    @app_commands.command(name="status", description="Uptime, latency, shard, counts and the last daily pass")
    async def status(self, interaction: Interaction) -> None:
        await self._require_owner_or_manager(interaction)
        bot = self.bot
        now = discord.utils.utcnow()
        status = health.Status(
            started_at=self.started_at,
            now=now,
            latency=bot.latency,
            shard_id=interaction.guild.shard_id if interaction.guild else None,
            shard_count=bot.shard_count,
            servers=len(bot.guilds),
            counts=await self.store.counts(),
            last_pass=self.scheduler.last_pass,
            version=__version__,
        )
        embed = discord.Embed(title="Almanac status", colour=discord.Colour.blurple(), timestamp=now)
        for name, value in health.status_fields(status):
            embed.add_field(name=name, value=value, inline=name not in ("Events", "Last daily-post pass"))
        if bot.application_id:
            embed.add_field(name="Invite link", value=invite_url(bot.application_id), inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="sync", description="Push the slash commands to Discord (bot owners only)")
    @app_commands.describe(guild="A server id, or `here`, to sync there at once; empty: sync globally")
    async def sync(self, interaction: Interaction, guild: app_commands.Range[str, 0, 25] = "") -> None:
        await self._require_owner(interaction)
        guild_id = parse_guild_id(guild, interaction.guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            count = await sync_tree(self.bot, guild_id)
        except discord.Forbidden:
            raise UserError(
                said("Discord refused: is the bot in server {server}?", server=guild_id)
            ) from None
        except discord.HTTPException as error:
            raise UserError(
                said(
                    "Discord refused the sync ({status}): {reason}",
                    status=error.status,
                    reason=error.text[:150],
                )
            ) from None
        where = "globally" if guild_id is None else f"to server {guild_id}, usable there at once"
        log.info("%s synced %d commands %s", interaction.user.id, count, where)
        await interaction.followup.send(f"Synced {count} commands {where}.", ephemeral=True)


async def sync_tree(bot: commands.Bot | commands.AutoShardedBot, guild_id: int | None) -> int:
    """Push the command tree to Discord: globally, or copied to one server, where it is instant."""
    if guild_id is None:
        return len(await bot.tree.sync())
    guild = discord.Object(guild_id)
    bot.tree.copy_global_to(guild=guild)
    return len(await bot.tree.sync(guild=guild))
