"""/anniversaries setup | show | preview | disable: a server's daily post and digest settings.

The loop that sends the posts belongs to the bot (`bot.client`); this cog only changes settings.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.daily.embeds import WEEKDAYS, post_content, post_embed, settings_embed
from bot.daily.intro import INTRO_MAX
from bot.daily.post import post_in
from bot.daily.sender import missing_permissions, needs_tags
from bot.daily.settings import Anniversaries
from bot.dates.post_times import all_timezones
from bot.events_tab.service import EventsTab
from bot.i18n.errors import UserError
from bot.i18n.languages import NAMES, SHIPPED, language_of
from bot.i18n.messages import Text, said
from bot.model.kinds import EmptyDay
from cogs.checks import CuratorGate
from cogs.errors import reader_language, send_ephemeral
from cogs.events_tab import EventsTabCommands, with_tab

Interaction = discord.Interaction[Any]
ZONE_CHOICES_MAX = 25
SERVER_LANGUAGE = "The server's own language"  # a choice: its translations live in the catalogs
# The digest's choices, by their values in DIGEST_CHOICES (bot/daily/settings.py).
DIGEST_NAMES = {
    "off": "no digest",
    "weekly": "weekly, beside the daily posts",
    "monthly": "monthly, beside the daily posts",
    "weekly-only": "weekly, instead of the daily posts",
    "monthly-only": "monthly, instead of the daily posts",
}


def not_yours(
    member: discord.Member,
    channel: discord.TextChannel | discord.Thread | discord.ForumChannel,
    role: discord.Role | None,
) -> Text | None:
    """Why `member` may not have the daily post go to `channel` (or ping `role` there), if so: the
    bot's own rights must not carry a moderator into a channel or a ping they could not reach."""
    allowed = channel.permissions_for(member)
    speaks = (
        allowed.send_messages_in_threads if isinstance(channel, discord.Thread) else allowed.send_messages
    )
    if not (allowed.view_channel and speaks):
        return said(
            "You cannot post in {channel} yourself, so the daily post cannot go there for you;"
            " pick a channel you can post in.",
            channel=channel.mention,
        )
    if role is not None and not role.mentionable and not allowed.mention_everyone:
        return said(
            "You cannot mention {role} in {channel} yourself, so the daily post cannot either;"
            " leave the role out, or make it mentionable.",
            role=role.mention,
            channel=channel.mention,
        )
    return None


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
@app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
class AnniversaryCommands(commands.GroupCog, group_name="anniversaries"):
    """Daily anniversary posts for this server."""

    def __init__(self, anniversaries: Anniversaries, gate: CuratorGate, events_tab: EventsTab) -> None:
        self.anniversaries = anniversaries
        self.gate = gate
        self.events_tab = events_tab
        super().__init__()
        assert self.app_command is not None
        self.app_command.add_command(EventsTabCommands(events_tab, gate))  # /anniversaries events …

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        return await self.gate.require(interaction)

    @app_commands.command(name="setup", description="Post anniversaries daily in a channel")
    @app_commands.describe(
        channel="Where to post",
        time="Local time, HH:MM (24-hour)",
        timezone="IANA zone, e.g. Europe/Moscow",
        role="A role to mention in each post (optional)",
        empty_day="What to post on a day with no anniversary",
        language="The language of the posts (default: the server's own)",
        intro="A line above each post; {date} and {count} are filled in",
        digest="One post listing the week's or month's anniversaries ahead",
        digest_day="The weekly digest's day (default: Monday)",
    )
    @app_commands.choices(
        empty_day=[app_commands.Choice(name=mode.description, value=mode.value) for mode in EmptyDay],
        language=[
            app_commands.Choice(name=SERVER_LANGUAGE, value=""),
            *(app_commands.Choice(name=NAMES[code], value=code) for code in SHIPPED),
        ],
        digest=[app_commands.Choice(name=name, value=value) for value, name in DIGEST_NAMES.items()],
    )
    @app_commands.choices(  # a list of its own: its values are numbers, the others' text
        digest_day=[app_commands.Choice(name=name, value=number) for number, name in enumerate(WEEKDAYS)]
    )
    async def setup(
        self,
        interaction: Interaction,
        channel: discord.TextChannel | discord.Thread | discord.ForumChannel,
        time: app_commands.Range[str, 1, 10],
        timezone: app_commands.Range[str, 1, 64],
        role: discord.Role | None = None,
        empty_day: str = "next",
        language: str = "",
        intro: app_commands.Range[str, 0, INTRO_MAX] = "",
        digest: str = "off",
        digest_day: int = 0,
    ) -> None:
        assert interaction.guild is not None
        if role is not None and role.is_default():
            # its id is the server's own: `<@&id>` atop every post would read, and could ping, as
            # @everyone; refused as it is for the curator role
            raise UserError(said("@everyone cannot be the role to mention; pick a role, or leave it out."))
        if isinstance(interaction.user, discord.Member) and (
            refused := not_yours(interaction.user, channel, role)
        ):
            await send_ephemeral(interaction, refused)
            return
        if names := missing_permissions(channel):
            cannot = said(
                "I cannot post in {channel}: I need {permissions} there. Fix that and run setup again.",
                channel=channel.mention,
                permissions=names,
            )
            await send_ephemeral(interaction, cannot)
            return
        if needs_tags(channel):
            tags = said(
                "{channel} requires a tag on every post, and the daily post has none: choose another"
                " channel, or let the forum take posts without tags.",
                channel=channel.mention,
            )
            await send_ephemeral(interaction, tags)
            return
        report = await self.anniversaries.setup(
            interaction.guild.id,
            channel_id=channel.id,
            post_time=time,
            timezone=timezone,
            mention_role_id=role.id if role else None,
            empty_day=empty_day,
            actor=interaction.user.id,
            now=discord.utils.utcnow(),
            language=language or None,
            intro=intro or None,
            digest=digest,
            digest_weekday=digest_day,
        )
        reader = reader_language(interaction)
        await interaction.response.send_message(
            said("Saved.").in_language(reader), embed=settings_embed(report, reader), ephemeral=True
        )

    @setup.autocomplete("timezone")
    async def timezone_autocomplete(self, _: Interaction, current: str) -> list[app_commands.Choice[str]]:
        needle = current.strip().lower().replace(" ", "_")
        zones = [zone for zone in all_timezones() if needle in zone.lower()]
        zones.sort(key=lambda zone: (not zone.lower().startswith(needle), len(zone), zone))
        return [app_commands.Choice(name=zone, value=zone) for zone in zones[:ZONE_CHOICES_MAX]]

    @app_commands.command(name="show", description="Show this server's daily post settings")
    async def show(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        reader = reader_language(interaction)
        tab = await self.events_tab.status(interaction.guild_id)
        try:
            embed = settings_embed(await self.anniversaries.show(interaction.guild_id), reader)
        except UserError:
            if tab is None:  # neither the daily post nor the Events tab: nothing to show
                raise
            embed = None
        await interaction.response.send_message(embed=with_tab(embed, tab, reader), ephemeral=True)

    @app_commands.command(name="preview", description="See exactly what would be posted (only you see it)")
    @app_commands.describe(date="A day such as 7 November or tomorrow (default: today)")
    async def preview(self, interaction: Interaction, date: app_commands.Range[str, 0, 100] = "") -> None:
        assert interaction.guild_id is not None
        post = await self.anniversaries.preview(interaction.guild_id, date, discord.utils.utcnow())
        if post is None:
            nothing = said(
                "Nothing would be posted that day: it has no anniversary and this server chose `nothing`."
            )
            await send_ephemeral(interaction, nothing)
            return
        # exactly what would be posted: in the posts' language, as the daily post is
        language = post.language or language_of(str(interaction.guild_locale))
        post = post_in(post, language)
        await interaction.response.send_message(
            post_content(post, language), embed=post_embed(post, language), ephemeral=True
        )

    @app_commands.command(name="disable", description="Stop the daily posts and the digest")
    async def disable(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        await self.anniversaries.disable(interaction.guild_id, interaction.user.id)
        await send_ephemeral(
            interaction,
            said("Daily posts and the digest are off. `/anniversaries setup` turns them on again."),
        )
