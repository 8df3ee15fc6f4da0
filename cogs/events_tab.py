"""/anniversaries events enable | disable: the coming days' anniversaries in the server's Events tab.

A subgroup of `/anniversaries` (cogs/anniversaries.py adds it); the pass that creates, updates and
deletes the scheduled events belongs to the bot (`bot.client`), this only turns it on and off.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.daily.settings import NOT_SET_UP
from bot.events_tab.discord_side import lacks_manage_events
from bot.events_tab.service import DEFAULT_DAYS, MOST_DAYS, EventsTab
from bot.events_tab.texts import tab_field
from bot.i18n.messages import said, said_n
from bot.store import TabSettings
from cogs.checks import CuratorGate
from cogs.errors import send_ephemeral

Interaction = discord.Interaction[Any]

NEEDS_MANAGE_EVENTS = said(
    "I need the Manage Events permission to keep the Events tab. Give it to my role in Server"
    " Settings → Roles (or re-invite me with it), then run this again."
)


class EventsTabCommands(app_commands.Group):
    """The anniversaries of the next days as scheduled events in the server's Events tab."""

    def __init__(self, events_tab: EventsTab, gate: CuratorGate) -> None:
        super().__init__(name="events", description="Keep the coming anniversaries in the Events tab")
        self.events_tab = events_tab
        self.gate = gate

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        return await self.gate.require(interaction)  # Manage Server or the curator role

    @app_commands.command(name="enable", description="Show the coming days' anniversaries as server events")
    @app_commands.describe(days="How many days ahead, today included (default: 14)")
    async def enable(
        self, interaction: Interaction, days: app_commands.Range[int, 1, MOST_DAYS] = DEFAULT_DAYS
    ) -> None:
        assert interaction.guild is not None
        if lacks_manage_events(interaction.guild):
            await send_ephemeral(interaction, NEEDS_MANAGE_EVENTS)
            return
        settings = await self.events_tab.enable(
            interaction.guild.id, days, interaction.user.id, discord.utils.utcnow()
        )
        await send_ephemeral(
            interaction,
            said_n(
                "The Events tab will hold the anniversaries of the next {count} day, and keep them"
                " up to date; `/anniversaries events disable` removes them.",
                "The Events tab will hold the anniversaries of the next {count} days, and keep them"
                " up to date; `/anniversaries events disable` removes them.",
                settings.days,
            ),
        )

    @app_commands.command(name="disable", description="Remove the anniversaries from the Events tab")
    async def disable(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        await self.events_tab.disable(interaction.guild_id, interaction.user.id, discord.utils.utcnow())
        await send_ephemeral(
            interaction,
            said("Done: the anniversaries I put in the Events tab are being removed; other events stay."),
        )


def with_tab(embed: discord.Embed | None, tab: TabSettings | None, language: str) -> discord.Embed:
    """`/anniversaries show`'s embed with its Events tab line (on its own when the daily post is
    not set up)."""
    if embed is None:
        embed = discord.Embed(
            title=said("Daily anniversary posts").in_language(language),
            description=NOT_SET_UP.in_language(language),
            colour=discord.Colour.dark_gold(),
        )
    name, value = tab_field(tab, language)
    return embed.add_field(name=name, value=value[:1024], inline=False)
