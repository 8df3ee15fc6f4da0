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

from bot.curation.forms import EventForm
from bot.curation.service import Curation
from bot.dates.words import DateWords
from bot.i18n.languages import SOURCE_LANGUAGE, LanguageName
from bot.i18n.messages import Text, said, shown
from bot.i18n.text import clip
from bot.model.event import LABELS_TEXT_MAX, SOURCE_MAX, SUMMARY_MAX, TITLE_MAX, Event, FieldErrors
from bot.render.markup import user_message, user_text
from cogs.checks import CuratorGate
from cogs.errors import answer_error, reader_language

Interaction = discord.Interaction[Any]
MODAL_TIMEOUT = 900.0  # Discord keeps a modal open at most 15 minutes
BUTTON_TIMEOUT = 600.0  # under the 15-minute interaction-token lifetime, so expiry can grey them out
LABELS_MAX = LABELS_TEXT_MAX  # 4,000, Discord's most: every stored event's labels fit it
# Discord's limits on a modal's words, which a translation must not break: the title and a box's
# label at most 45 characters, a placeholder 100
MODAL_WORDS_MAX = 45
PLACEHOLDER_MAX = 100
# How the modal names each field, so an error points at the box to fix.
BOX_NAMES = {
    "title": said("Title"),
    "date": said("Date"),
    "summary": said("Summary"),
    "source": said("Source"),
    "tags": said("Tags"),
    "aliases": said("Other names"),
    "id": said("Id"),
}
FIX_AND_RESUBMIT = said("Fix and resubmit")
# What an Undo button says once it has made the opposite change: words, or a message said later.
Undone = str | Text


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
    """Title, date, summary, source, tags and other names: empty to add, pre-filled to edit.
    Its words are in `language`, the member's; what they type is read the same in any."""

    def __init__(
        self,
        curation: Curation,
        gate: CuratorGate,
        limiter: Limiter,
        *,
        event: Event | None = None,
        form: EventForm | None = None,
        language: str = SOURCE_LANGUAGE,
    ) -> None:
        heading = said("Edit an event") if event else said("Add an event")
        super().__init__(title=clip(heading.in_language(language), MODAL_WORDS_MAX), timeout=MODAL_TIMEOUT)
        self.curation, self.gate, self.limiter, self.event = curation, gate, limiter, event
        form = form or (EventForm.of(event.fields) if event else EventForm("", ""))

        def words(text: Text) -> str:
            return text.in_language(language)

        self.title_box = self._box("title", words(said("Title")), form.title, TITLE_MAX)
        self.date_box = self._box(
            "date",
            words(said("Date")),
            form.date,
            40,
            placeholder=words(said("1921-03-02, 2 March 1921, March 1921, 1918/1921")),
        )
        self.summary_box = self._box("summary", words(said("Summary")), form.summary, SUMMARY_MAX, long=True)
        source = words(said("Source (a URL or a book and page)"))
        self.source_box = self._box("source", source, form.source, SOURCE_MAX)
        self.labels_box = self._box(
            "labels",
            words(said("Tags and other names")),
            form.labels,
            LABELS_MAX,
            long=True,
            # `tags:` and `also:` are what the form reads (bot.curation.forms.split_labels), in any language
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
            label=clip(label, MODAL_WORDS_MAX),
            custom_id=f"event:{name}",
            default=value or None,
            max_length=limit,
            required=required,
            placeholder=clip(placeholder, PLACEHOLDER_MAX) if placeholder else None,
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
        language = reader_language(interaction)
        await self.gate.require(interaction)
        self.limiter.hit(interaction)
        try:
            if self.event is None:
                event = await self.curation.add(guild_id, interaction.user.id, form)
            else:
                event = await self.curation.edit(guild_id, interaction.user.id, self.event, form)
        except FieldErrors as error:
            retry = RetryView(self.curation, self.gate, self.limiter, self.event, form, language=language)
            message = problems_message(error, language)
            await interaction.response.send_message(message, view=retry, ephemeral=True)
            retry.message = await interaction.original_response()
            return
        title, date = user_text(event.title), DateWords(event.date)
        if self.event is not None:
            saved = said("Saved **{title}** ({date}).", title=title, date=date)
            await interaction.response.send_message(saved.in_language(language), ephemeral=True)
            return
        added = said(
            "Added **{title}** ({date}); it is in `/onthisday`, `/event` and `/search` now.",
            title=title,
            date=date,
        )
        undo = UndoView(
            self.gate, self.limiter, lambda by: self._undo_add(guild_id, by.user.id, event), language=language
        )
        await interaction.response.send_message(added.in_language(language), view=undo, ephemeral=True)
        undo.message = await interaction.original_response()

    async def _undo_add(self, guild_id: int, actor: int, event: Event) -> Text:
        await self.curation.remove(guild_id, actor, event.id)
        return said(
            "Removed **{title}** again; `/events restore` brings it back.", title=user_text(event.title)
        )

    async def on_error(self, interaction: Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await answer_error(interaction, error, "the event form")


def problems_message(error: FieldErrors, language: str = SOURCE_LANGUAGE) -> str:
    # a message may quote what was typed (a date in a code span); ten lines of at most 190
    # characters, escapes included, fit in Discord's 2,000
    lines = [
        f"**{_box_name(name, language)}**: {user_message(shown(message, language), 140)}"
        for name, message in error.messages[:10]
    ]
    last = said("Press **{button}**; what you typed is kept.", button=FIX_AND_RESUBMIT)
    return "\n".join([said("Not saved yet:").in_language(language), *lines, last.in_language(language)])


def _box_name(name: str, language: str) -> str:
    box = BOX_NAMES.get(name)
    return box.in_language(language) if box is not None else user_text(name, 40)


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
        self,
        curation: Curation,
        gate: CuratorGate,
        limiter: Limiter,
        event: Event | None,
        form: EventForm,
        *,
        language: str = SOURCE_LANGUAGE,
    ) -> None:
        super().__init__()
        self.curation, self.gate, self.limiter, self.event, self.form = curation, gate, limiter, event, form
        self.retry.label = FIX_AND_RESUBMIT.in_language(language)

    @discord.ui.button(label="Fix and resubmit", style=discord.ButtonStyle.primary)
    async def retry(self, interaction: Interaction, _: discord.ui.Button[Any]) -> None:
        await self.gate.require(interaction)
        modal = EventModal(
            self.curation,
            self.gate,
            self.limiter,
            event=self.event,
            form=self.form,
            language=reader_language(interaction),
        )
        await interaction.response.send_modal(modal)


class UndoView(TimedView):
    """One Undo button under a change's confirmation; `undo` makes the opposite change and says
    what it did (a message is said in the language of whoever pressed)."""

    def __init__(
        self,
        gate: CuratorGate,
        limiter: Limiter,
        undo: Callable[[Interaction], Awaitable[Undone]],
        *,
        language: str = SOURCE_LANGUAGE,
    ) -> None:
        super().__init__()
        self.gate, self.limiter, self.undo = gate, limiter, undo
        self.undo_button.label = said("Undo").in_language(language)

    @discord.ui.button(label="Undo", style=discord.ButtonStyle.secondary)
    async def undo_button(self, interaction: Interaction, _: discord.ui.Button[Any]) -> None:
        await self.gate.require(interaction)
        self.limiter.hit(interaction)
        text = shown(await self.undo(interaction), reader_language(interaction))
        self.stop()
        await interaction.response.edit_message(content=text, view=None)


class TranslationModal(discord.ui.Modal):
    """One server event's title and summary in one more language (`in_language`); both empty
    drops it. The modal's own words are in `language`, the curator's."""

    def __init__(
        self,
        curation: Curation,
        gate: CuratorGate,
        limiter: Limiter,
        event: Event,
        in_language: str,
        language: str = SOURCE_LANGUAGE,
    ) -> None:
        heading = said("In {language}: {title}", language=LanguageName(in_language), title=event.title)
        super().__init__(title=clip(heading.in_language(language), MODAL_WORDS_MAX), timeout=MODAL_TIMEOUT)
        self.curation, self.gate, self.limiter, self.event, self.in_language = (
            curation,
            gate,
            limiter,
            event,
            in_language,
        )
        current = next((t for t in event.fields.translations if t.language == in_language), None)
        self.title_box: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=clip(said("Title").in_language(language), MODAL_WORDS_MAX),
            custom_id="translation:title",
            default=current.title if current else None,
            max_length=TITLE_MAX,
            required=False,
        )
        self.summary_box: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=clip(said("Summary").in_language(language), MODAL_WORDS_MAX),
            custom_id="translation:summary",
            default=current.summary if current and current.summary else None,
            max_length=SUMMARY_MAX,
            required=False,
            style=discord.TextStyle.paragraph,
        )
        self.add_item(self.title_box).add_item(self.summary_box)

    async def on_submit(self, interaction: Interaction) -> None:
        language = reader_language(interaction)
        await self.gate.require(interaction)
        self.limiter.hit(interaction)
        guild_id = interaction.guild_id or 0
        try:
            await self.curation.translate(
                guild_id,
                interaction.user.id,
                self.event,
                self.in_language,
                self.title_box.value,
                self.summary_box.value,
            )
        except FieldErrors as error:
            await interaction.response.send_message(problems_message(error, language), ephemeral=True)
            return
        done = said(
            "Saved **{title}** in {language}.",
            title=user_text(self.event.title),
            language=LanguageName(self.in_language),
        )
        await interaction.response.send_message(done.in_language(language), ephemeral=True)

    async def on_error(self, interaction: Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await answer_error(interaction, error, "the translation form")
