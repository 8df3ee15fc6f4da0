"""Shared Discord UI pieces for the cogs: the Previous/Next pager."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import discord

PAGER_TIMEOUT = 180.0  # seconds; under Discord's 15-minute interaction-token lifetime


class Pager(discord.ui.View):
    """Previous/Next over pages that `render(page)` draws; only the person who asked may turn them."""

    def __init__(self, owner_id: int, pages: int, render: Callable[[int], discord.Embed]) -> None:
        super().__init__(timeout=PAGER_TIMEOUT)
        self.owner_id = owner_id
        self.pages = pages
        self.page = 0
        self.render = render
        self.message: discord.InteractionMessage | None = None
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who asked can turn these pages; run the command yourself to browse.",
            ephemeral=True,
        )
        return False

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.render(self.page), view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, +1)

    async def on_timeout(self) -> None:
        """Grey the buttons out so nobody presses a pager that no longer answers."""
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            # the message may be gone or the token expired: then there is nothing left to tidy
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=self)


async def send_pages(
    interaction: discord.Interaction[Any], pages: int, render: Callable[[int], discord.Embed]
) -> None:
    """Reply with page one, adding the pager only when there is more than one page."""
    if pages <= 1:
        await interaction.response.send_message(embed=render(0))
        return
    view = Pager(interaction.user.id, pages, render)
    await interaction.response.send_message(embed=render(0), view=view)
    view.message = await interaction.original_response()
