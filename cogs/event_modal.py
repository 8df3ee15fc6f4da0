"""The add/edit modal, the "Fix and resubmit" button that reopens it, and the Undo button.

Errors in a modal or a button never reach the tree's error handler, so they are answered here,
with the same short ephemeral sentences (`cogs.errors`). Each write re-checks that the member
may still curate: a form or a button outlives the command that opened it.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.curation import Curation
from bot.forms import EventForm
from bot.markup import user_message, user_text
from bot.model import SOURCE_MAX, SUMMARY_MAX, TITLE_MAX, Event, FieldErrors
from cogs.checks import CuratorGate
from cogs.errors import answer_error

Interaction = discord.Interaction[Any]
MODAL_TIMEOUT = 900.0  # Discord keeps a modal open at most 15 minutes
BUTTON_TIMEOUT = 600.0  # under the 15-minute interaction-token lifetime, so expiry can grey them out
LABELS_MAX = 1000
# How the modal names each field, so an error points at the box to fix.
BOX_NAMES = {
    "title": "Title",
    "date": "Date",
    "summary": "Summary",
    "source": "Source",
    "tags": "Tags",
    "aliases": "Other names",
    "id": "Id",
}


class Limiter:
    """Per-member write limits for one server: at most `rate` writes in any `per` seconds.

    Kept on the cog instance rather than in `app_commands.checks.cooldown`, whose buckets are
    module-global: they would outlive the bot and leak from one test's bot into the next.
    `time.monotonic` is read at call time so that simulated clocks (simcord) drive it too.
    """

    def __init__(self, rate: int, per: float) -> None:
        self.rate, self.per = rate, per
        self._recent: dict[tuple[int, int], deque[float]] = {}

    def hit(self, interaction: Interaction) -> None:
        """Count one write, or raise CommandOnCooldown (the tree's handler says when to retry)."""
        now = time.monotonic()
        if len(self._recent) > 1000:  # forget members who have not written for a while
            self._recent = {key: times for key, times in self._recent.items() if times[-1] > now - self.per}
        times = self._recent.setdefault((interaction.guild_id or 0, interaction.user.id), deque())
        while times and times[0] <= now - self.per:
            times.popleft()
        if len(times) >= self.rate:
            cooldown = app_commands.Cooldown(self.rate, self.per)
            raise app_commands.CommandOnCooldown(cooldown, times[0] + self.per - now)
        times.append(now)


class EventModal(discord.ui.Modal):
    """Title, date, summary, source, tags and other names: empty to add, pre-filled to edit."""

    def __init__(
        self,
        curation: Curation,
        gate: CuratorGate,
        limiter: Limiter,
        *,
        event: Event | None = None,
        form: EventForm | None = None,
    ) -> None:
        super().__init__(title="Edit an event" if event else "Add an event", timeout=MODAL_TIMEOUT)
        self.curation, self.gate, self.limiter, self.event = curation, gate, limiter, event
        form = form or (EventForm.of(event.fields) if event else EventForm("", ""))
        self.title_box = self._box("title", "Title", form.title, TITLE_MAX)
        self.date_box = self._box(
            "date", "Date", form.date, 40, placeholder="1921-03-02, 2 March 1921, March 1921, 1918/1921"
        )
        self.summary_box = self._box("summary", "Summary", form.summary, SUMMARY_MAX, long=True)
        self.source_box = self._box("source", "Source (a URL or a book and page)", form.source, SOURCE_MAX)
        self.labels_box = self._box(
            "labels",
            "Tags and other names",
            form.labels,
            LABELS_MAX,
            long=True,
            placeholder="tags: strike; navy\nalso: Kronstadt uprising",
        )

    def _box(
        self,
        name: str,
        label: str,
        value: str,
        limit: int,
        *,
        long: bool = False,
        placeholder: str | None = None,
    ) -> discord.ui.TextInput[Any]:
        required = name in ("title", "date")
        box: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=label,
            custom_id=f"event:{name}",
            default=value or None,
            max_length=limit,
            required=required,
            placeholder=placeholder,
            style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
        )
        self.add_item(box)
        return box

    def form(self) -> EventForm:
        return EventForm(
            self.title_box.value,
            self.date_box.value,
            self.summary_box.value,
            self.source_box.value,
            self.labels_box.value,
        )

    async def on_submit(self, interaction: Interaction) -> None:
        guild_id, form = interaction.guild_id or 0, self.form()
        await self.gate.require(interaction)
        self.limiter.hit(interaction)
        try:
            if self.event is None:
                event = await self.curation.add(guild_id, interaction.user.id, form)
            else:
                event = await self.curation.edit(guild_id, interaction.user.id, self.event, form)
        except FieldErrors as error:
            retry = RetryView(self.curation, self.gate, self.limiter, self.event, form)
            await interaction.response.send_message(problems_message(error), view=retry, ephemeral=True)
            retry.message = await interaction.original_response()
            return
        if self.event is not None:
            text = f"Saved **{user_text(event.title)}** ({event.date.display()})."
            await interaction.response.send_message(text, ephemeral=True)
            return
        text = (
            f"Added **{user_text(event.title)}** ({event.date.display()}); it is in `/onthisday`, `/event` "
            "and `/search` now."
        )
        undo = UndoView(self.gate, self.limiter, lambda by: self._undo_add(guild_id, by.user.id, event))
        await interaction.response.send_message(text, view=undo, ephemeral=True)
        undo.message = await interaction.original_response()

    async def _undo_add(self, guild_id: int, actor: int, event: Event) -> str:
        await self.curation.remove(guild_id, actor, event.id)
        return f"Removed **{user_text(event.title)}** again; `/events restore` brings it back."

    async def on_error(self, interaction: Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await answer_error(interaction, error, "the event form")


def problems_message(error: FieldErrors) -> str:
    # a message may quote what was typed (a date in a code span); ten lines of at most 190
    # characters, escapes included, fit in Discord's 2,000
    lines = [
        f"**{BOX_NAMES.get(name) or user_text(name, 40)}**: {user_message(message, 140)}"
        for name, message in error.problems[:10]
    ]
    return "\n".join(["Not saved yet:", *lines, "Press **Fix and resubmit**; what you typed is kept."])


class TimedView(discord.ui.View):
    """A view on an ephemeral reply: greyed out when it expires, errors answered, not logged."""

    def __init__(self) -> None:
        super().__init__(timeout=BUTTON_TIMEOUT)
        self.message: discord.InteractionMessage | None = None

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=self)

    async def on_error(self, interaction: Interaction, error: Exception, item: Any, /) -> None:
        await answer_error(interaction, error, f"the {getattr(item, 'label', 'curation')} button")


class RetryView(TimedView):
    """Reopens the modal with what was typed, after a validation error."""

    def __init__(
        self, curation: Curation, gate: CuratorGate, limiter: Limiter, event: Event | None, form: EventForm
    ) -> None:
        super().__init__()
        self.curation, self.gate, self.limiter, self.event, self.form = curation, gate, limiter, event, form

    @discord.ui.button(label="Fix and resubmit", style=discord.ButtonStyle.primary)
    async def retry(self, interaction: Interaction, _: discord.ui.Button[Any]) -> None:
        await self.gate.require(interaction)
        modal = EventModal(self.curation, self.gate, self.limiter, event=self.event, form=self.form)
        await interaction.response.send_modal(modal)


class UndoView(TimedView):
    """One Undo button under a change's confirmation; `undo` makes the opposite change."""

    def __init__(
        self, gate: CuratorGate, limiter: Limiter, undo: Callable[[Interaction], Awaitable[str]]
    ) -> None:
        super().__init__()
        self.gate, self.limiter, self.undo = gate, limiter, undo

    @discord.ui.button(label="Undo", style=discord.ButtonStyle.secondary)
    async def undo_button(self, interaction: Interaction, _: discord.ui.Button[Any]) -> None:
        await self.gate.require(interaction)
        self.limiter.hit(interaction)
        text = await self.undo(interaction)
        self.stop()
        await interaction.response.edit_message(content=text, view=None)
