"""Shared Discord UI pieces for the cogs: the pager (First/Previous/Next/Last) and, on a list of
events, the menu that opens one of the page's events in full."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.messages import said
from bot.i18n.text import clip
from cogs.errors import INTERNAL_ERROR, reader_language, send_ephemeral

log = logging.getLogger(__name__)

PAGER_TIMEOUT = 180.0  # seconds without a turn before the buttons grey out
OPTION_TEXT_MAX = 100  # Discord's most for a select option's label and description
OPEN_ID = "pager:open"
# For page N, its events as (label, description, the full card): what the menu offers.
Cards = Callable[[int], list[tuple[str, str, Callable[[], discord.Embed]]]]
# Made ready before page N is drawn: a long list reads a page's events when it is first shown.
Prepare = Callable[[int], Awaitable[None]]
NOT_YOURS = said("Only the person who asked can turn these pages; run the command yourself to browse.")


class Pager(discord.ui.View):
    """Previous/Next over pages that `render(page)` draws, each made ready by `prepare(page)`
    first when given; only the person who asked may turn them. The buttons are labelled in
    `language`, the asker's."""

    def __init__(
        self,
        owner_id: int,
        pages: int,
        render: Callable[[int], discord.Embed],
        language: str = SOURCE_LANGUAGE,
        cards: Cards | None = None,
        prepare: Prepare | None = None,
    ) -> None:
        super().__init__(timeout=PAGER_TIMEOUT)
        self.owner_id = owner_id
        self.pages = pages
        self.page = 0
        self.render = render
        self.prepare = prepare
        # The latest interaction that drew this pager. Each turn restarts the timeout, so the
        # command's own token (15 minutes) may be gone when it fires; the last turn's never is.
        self.latest: discord.Interaction[Any] | None = None
        self.message: discord.InteractionMessage | None = None  # or, before any turn, the reply
        self.cards = cards
        self.first.label = said("First").in_language(language)
        self.previous.label = said("Previous").in_language(language)
        self.next.label = said("Next").in_language(language)
        self.last.label = said("Last").in_language(language)
        if pages <= 2:  # First and Last would only repeat Previous and Next
            self.remove_item(self.first).remove_item(self.last)
        if pages <= 1:
            self.remove_item(self.previous).remove_item(self.next)
        self.opener: discord.ui.Select[Pager] | None = None
        if cards is not None:
            self.opener = discord.ui.Select(
                custom_id=OPEN_ID, placeholder=said("Open one event in full").in_language(language)
            )
            self.opener.callback = self._open  # type: ignore[method-assign]
            self.add_item(self.opener)
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.first.disabled = self.previous.disabled = self.page == 0
        self.next.disabled = self.last.disabled = self.page >= self.pages - 1
        if self.opener is not None and self.cards is not None:
            self.shown = self.cards(self.page)[:25]  # a page holds 5: far inside Discord's 25
            self.opener.options = [
                discord.SelectOption(
                    label=clip(label, OPTION_TEXT_MAX) or "—",
                    description=clip(description, OPTION_TEXT_MAX) or None,
                    value=str(number),
                )
                for number, (label, description, _) in enumerate(self.shown)
            ]
            # A page whose events were all removed since the list was made: Discord wants at
            # least one option, so the menu shows a dash and cannot be opened.
            self.opener.disabled = not self.shown
            if not self.shown:
                self.opener.options = [discord.SelectOption(label="—", value="-")]

    async def _open(self, interaction: discord.Interaction[Any]) -> None:
        """The chosen event's card, for whoever chose it, seen by them only."""
        assert self.opener is not None
        number = int(self.opener.values[0])
        await interaction.response.send_message(embed=self.shown[number][2](), ephemeral=True)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        if isinstance(interaction.data, dict) and interaction.data.get("custom_id") == OPEN_ID:
            return True  # anyone may open an event; only turning the pages is the asker's
        # said to whoever pressed, in their language: not the asker, whose pages these are
        await interaction.response.send_message(
            NOT_YOURS.in_language(reader_language(interaction)), ephemeral=True
        )
        return False

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))
        if self.prepare is not None:
            await self.prepare(self.page)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.render(self.page), view=self)
        self.latest = interaction

    @discord.ui.button(label="First", style=discord.ButtonStyle.secondary)
    async def first(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, -self.pages)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, +1)

    @discord.ui.button(label="Last", style=discord.ButtonStyle.secondary)
    async def last(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, +self.pages)

    async def on_timeout(self) -> None:
        """Grey the buttons out so nobody presses a pager that no longer answers."""
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
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
    cards: Cards | None = None,
    files: Sequence[discord.File] = (),
    prepare: Prepare | None = None,
) -> None:
    """Reply with page one (ready as it is), with the pager when there is more than one page and
    the menu of its events when there are `cards` to open. `files` (a picture) stay with the
    reply as it pages; `prepare` makes each later page ready before it is drawn."""
    deferred = interaction.response.is_done()  # a picture was being drawn: the reply is waiting
    if pages <= 1 and (cards is None or not cards(0)):
        if deferred:
            await interaction.edit_original_response(embed=render(0), attachments=list(files))
        else:
            await interaction.response.send_message(embed=render(0), ephemeral=ephemeral, files=list(files))
        return
    view = Pager(interaction.user.id, pages, render, reader_language(interaction), cards, prepare)
    if deferred:
        await interaction.edit_original_response(embed=render(0), view=view, attachments=list(files))
    else:
        await interaction.response.send_message(
            embed=render(0), view=view, ephemeral=ephemeral, files=list(files)
        )
    view.latest = interaction
