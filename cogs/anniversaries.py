"""/anniversaries setup | show | preview | disable, and the loop that sends each server's daily post."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.anniversaries import Anniversaries
from bot.daily import EMPTY_DAY_MODES, DailyPost, PostFailed, Scheduler, all_timezones
from bot.render_daily import post_content, post_embed, post_mentions, settings_embed
from bot.store import Shards
from cogs.checks import curator_only

if TYPE_CHECKING:
    from bot.client import AlmanacBot

log = logging.getLogger(__name__)
Interaction = discord.Interaction[Any]
CHANNEL_GONE = "the channel was deleted; choose another with /anniversaries setup"
RESTART_AFTER_CRASH = 60
NEEDED = ("view_channel", "send_messages", "embed_links", "read_message_history")


def missing_permissions(channel: discord.TextChannel) -> str:
    """The permissions the daily post needs in `channel` that the bot lacks, readable ("" if none).
    Setup refuses such a channel; the sender records it as the reason a post failed."""
    granted = channel.permissions_for(channel.guild.me)
    return ", ".join(name.replace("_", " ").title() for name in NEEDED if not getattr(granted, name))


def _own_shards(bot: AlmanacBot) -> Shards | None:
    """Only when shards are split across processes does each scheduler serve just its own servers."""
    settings = bot.settings
    if settings.shard_ids is None or settings.shard_count is None:
        return None
    return Shards(settings.shard_count, settings.shard_ids)


class DiscordSender:
    """Sends a day's post into a channel, turning every Discord refusal into a readable reason."""

    def __init__(self, bot: discord.Client) -> None:
        self.bot = bot

    async def _channel(self, channel_id: int) -> discord.TextChannel:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.NotFound:
                raise PostFailed(CHANNEL_GONE) from None
            except discord.HTTPException as error:
                raise PostFailed(f"Discord error {error.status} while finding the channel") from None
        if not isinstance(channel, discord.TextChannel):
            raise PostFailed("the channel is not a text channel")
        if names := missing_permissions(channel):
            raise PostFailed(f"missing permission in #{channel.name}: {names}")
        return channel

    async def send(self, channel_id: int, post: DailyPost, nonce: str) -> int:
        channel = await self._channel(channel_id)
        try:
            message = await channel.send(
                content=post_content(post), embed=post_embed(post), allowed_mentions=post_mentions(post),
                nonce=nonce,  # discord.py sends enforce_nonce with it: Discord drops a repeat
            )  # fmt: skip
        except discord.Forbidden:
            raise PostFailed(f"Discord refused the post in #{channel.name} (missing permissions)") from None
        except discord.NotFound:
            raise PostFailed(CHANNEL_GONE) from None
        except discord.HTTPException as error:
            raise PostFailed(f"Discord error {error.status}: {error.text[:100]}") from None
        return int(message.id)

    async def find_sent(self, channel_id: int, marker: str) -> int | None:
        channel = await self._channel(channel_id)
        bot_id = self.bot.user.id if self.bot.user else None
        try:
            async for message in channel.history(limit=50):
                if message.author.id != bot_id:
                    continue
                if any(embed.footer.text and marker in embed.footer.text for embed in message.embeds):
                    return message.id
        except discord.HTTPException as error:
            raise PostFailed(f"could not read back the channel (Discord error {error.status})") from None
        return None


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class AnniversaryCommands(commands.GroupCog, group_name="anniversaries"):
    """Daily anniversary posts for this server."""

    def __init__(self, bot: AlmanacBot) -> None:
        self.bot = bot
        self.scheduler = Scheduler(bot.almanac, DiscordSender(bot), shards=_own_shards(bot))
        self.anniversaries = Anniversaries(bot.almanac, self.scheduler)
        bot.scheduler = self.scheduler
        super().__init__()

    async def cog_load(self) -> None:
        self.daily_pass.start()  # runs inside setup_hook, so a reconnect never starts a second loop

    async def cog_unload(self) -> None:
        self.daily_pass.cancel()

    @tasks.loop(seconds=0)  # each iteration sleeps until the next post is due (or settings change)
    async def daily_pass(self) -> None:
        await self.scheduler.wait_for_next(discord.utils.utcnow())
        report = await self.scheduler.run_pass(discord.utils.utcnow())
        if report.due:
            log.info("daily pass: %d due, %d sent, %d failed, %d skipped in %.3fs",
                     report.due, report.sent, report.failed, report.skipped, report.seconds)  # fmt: skip

    @daily_pass.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    @daily_pass.error
    async def _pass_failed(self, error: BaseException) -> None:
        # e.g. a full disk: wait before trying again, so the log does not fill what is left of it
        log.error("daily pass crashed; restarting it in %d seconds", RESTART_AFTER_CRASH, exc_info=error)
        await asyncio.sleep(RESTART_AFTER_CRASH)
        self.daily_pass.restart()

    @app_commands.command(name="setup", description="Post anniversaries daily in a channel")
    @app_commands.describe(
        channel="Where to post",
        time="Local time, HH:MM (24-hour)",
        timezone="IANA zone, e.g. Europe/Moscow",
        role="A role to mention in each post (optional)",
        empty_day="What to post on a day with no anniversary",
    )
    @app_commands.choices(empty_day=[app_commands.Choice(name=text, value=key)
                                     for key, text in EMPTY_DAY_MODES.items()])  # fmt: skip
    @curator_only()
    async def setup(
        self, interaction: Interaction, channel: discord.TextChannel, time: app_commands.Range[str, 1, 10],
        timezone: app_commands.Range[str, 1, 64], role: discord.Role | None = None,
        empty_day: str = "next",
    ) -> None:  # fmt: skip
        assert interaction.guild is not None
        if names := missing_permissions(channel):
            await interaction.response.send_message(
                f"I cannot post in {channel.mention}: I need {names} there. Fix that and run setup again.",
                ephemeral=True,
            )
            return
        report = await self.anniversaries.setup(
            interaction.guild.id, channel_id=channel.id, post_time=time, timezone=timezone,
            mention_role_id=role.id if role else None, empty_day=empty_day,
            actor=interaction.user.id, now=discord.utils.utcnow(),
        )  # fmt: skip
        await interaction.response.send_message("Saved.", embed=settings_embed(report), ephemeral=True)

    @setup.autocomplete("timezone")
    async def timezone_autocomplete(self, _: Interaction, current: str) -> list[app_commands.Choice[str]]:
        needle = current.strip().lower().replace(" ", "_")
        zones = [zone for zone in all_timezones() if needle in zone.lower()]
        zones.sort(key=lambda zone: (not zone.lower().startswith(needle), len(zone), zone))
        return [app_commands.Choice(name=zone, value=zone) for zone in zones[:25]]

    @app_commands.command(name="show", description="Show this server's daily post settings")
    @curator_only()
    async def show(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        report = await self.anniversaries.show(interaction.guild_id)
        await interaction.response.send_message(embed=settings_embed(report), ephemeral=True)

    @app_commands.command(name="preview", description="See exactly what would be posted (only you see it)")
    @app_commands.describe(date="A day such as 7 November or tomorrow (default: today)")
    @curator_only()
    async def preview(self, interaction: Interaction, date: app_commands.Range[str, 0, 100] = "") -> None:
        assert interaction.guild_id is not None
        post = await self.anniversaries.preview(interaction.guild_id, date, discord.utils.utcnow())
        if post is None:
            await interaction.response.send_message(
                "Nothing would be posted that day: it has no anniversary and this server chose `nothing`.",
                ephemeral=True,
            )
            return
        await interaction.response.send_message(post_content(post), embed=post_embed(post), ephemeral=True)

    @app_commands.command(name="disable", description="Stop the daily posts")
    @curator_only()
    async def disable(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        await self.anniversaries.disable(interaction.guild_id, interaction.user.id)
        await interaction.response.send_message(
            "Daily posts are off. `/anniversaries setup` turns them on again.", ephemeral=True
        )


async def setup(bot: AlmanacBot) -> None:
    await bot.add_cog(AnniversaryCommands(bot))
