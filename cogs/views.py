"""Shared Discord UI pieces for the cogs: the Previous/Next pager."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

import discord

from bot.i18n import said
from bot.languages import SOURCE_LANGUAGE
from cogs.errors import INTERNAL_ERROR, reader_language, send_ephemeral

log = logging.getLogger(__name__)

PAGER_TIMEOUT = 180.0  # seconds without a turn before the buttons grey out
NOT_YOURS = said("Only the person who asked can turn these pages; run the command yourself to browse.")


class Pager(discord.ui.View):
    """Previous/Next over pages that `render(page)` draws; only the person who asked may turn them.
    The buttons are labelled in `language`, the asker's."""

    def __init__(
        self,
        owner_id: int,
        pages: int,
        render: Callable[[int], discord.Embed],
        language: str = SOURCE_LANGUAGE,
    ) -> None:
        super().__init__(timeout=PAGER_TIMEOUT)
        self.owner_id = owner_id
        self.pages = pages
        self.page = 0
        self.render = render
        # The latest interaction that drew this pager. Each turn restarts the timeout, so the
        # command's own token (15 minutes) may be gone when it fires; the last turn's never is.
        self.latest: discord.Interaction[Any] | None = None
        self.message: discord.InteractionMessage | None = None  # or, before any turn, the reply
        self.previous.label = said("Previous").in_language(language)
        self.next.label = said("Next").in_language(language)
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        # said to whoever pressed, in their language: not the asker, whose pages these are
        await interaction.response.send_message(
            NOT_YOURS.in_language(reader_language(interaction)), ephemeral=True
        )
        return False

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.render(self.page), view=self)
        self.latest = interaction

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
        # the message may have been deleted meanwhile: then there is nothing left to tidy
        with contextlib.suppress(discord.HTTPException):
            if self.latest is not None:
                await self.latest.edit_original_response(view=self)
            elif self.message is not None:
                await self.message.edit(view=self)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        """Views are outside the tree's error handler: log the bug, tell only the person who clicked."""
        log.error("pager button %r failed", getattr(item, "label", item), exc_info=error)
        await send_ephemeral(interaction, INTERNAL_ERROR)


async def send_pages(
    interaction: discord.Interaction[Any],
    pages: int,
    render: Callable[[int], discord.Embed],
    *,
    ephemeral: bool = False,
) -> None:
    """Reply with page one, adding the pager only when there is more than one page."""
    if pages <= 1:
        await interaction.response.send_message(embed=render(0), ephemeral=ephemeral)
        return
    view = Pager(interaction.user.id, pages, render, reader_language(interaction))
    await interaction.response.send_message(embed=render(0), view=view, ephemeral=ephemeral)
    view.latest = interaction
