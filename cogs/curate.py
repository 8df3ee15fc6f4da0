"""/events: a server's moderators curate its own chronology (add, edit, remove, restore, hide,
history, import, export), hand out its calendar link and name the curator role.

`default_permissions(manage_guild=True)` only hides the group; `curator_only()` decides, on every
invocation, and `/events curator-role` needs Manage Server itself. Every reply is ephemeral: the
change shows in everyone's answers, the bookkeeping only to the moderator.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.almanac.questions import Almanac
from bot.curation import formats
from bot.curation.formats import Number
from bot.curation.ics import left_out_of_calendar
from bot.curation.service import Curation, Target
from bot.heavy import HeavyWork
from bot.i18n.errors import UserError
from bot.i18n.languages import NAMES, TRANSLATED
from bot.i18n.messages import Text, said, said_n
from bot.model.event import Event
from bot.relevance.scoring import Hit
from bot.render import embeds
from bot.render.markup import user_text
from bot.webcal.feeds import CalendarFeeds
from cogs.checks import CuratorGate
from cogs.errors import reader_language
from cogs.event_modal import EventModal, Limiter, TranslationModal, UndoView
from cogs.references import EventOption, EventRef, event_choices
from cogs.views import Pager

Interaction = discord.Interaction[Any]
Choices = list[app_commands.Choice[str]]
Change = Callable[[int, int | None, int], Awaitable[Event]]  # a reversible Curation method
Said = Callable[[str], Text]  # what a change says, given the event's title
WRITES_PER_MINUTE = 10  # adds, edits, removals, hides… per member and server
FILES_PER_MINUTE = 3  # imports and exports, which read or write whole files
REPORT_LINES_SHOWN = 10  # more rejected/duplicate rows than this come as an attached report too
EVENT_HINT = "Pick one from the list as you type"


def _guild(interaction: Interaction) -> int:
    return interaction.guild_id or 0


class Curate(commands.Cog):
    events = app_commands.Group(
        name="events",
        description="Curate this server's own chronology",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False),
    )

    def __init__(
        self,
        almanac: Almanac,
        curation: Curation,
        gate: CuratorGate,
        heavy: HeavyWork | None = None,
        *,
        calendars: CalendarFeeds | None = None,
        calendar_base: str | None = None,  # CALENDAR_BASE_URL; None: the calendar link is off
    ) -> None:
        self.calendars = calendars
        self.calendar_base = calendar_base
        self.heavy = heavy or HeavyWork()  # export files are written there, off the event loop
        self.almanac = almanac  # for autocomplete over this server's own live events
        self.curation = curation
        self.gate = gate
        self.writes = Limiter(WRITES_PER_MINUTE, 60.0)
        self.files = Limiter(FILES_PER_MINUTE, 60.0)

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Every /events command is for curators, but naming the curator role, which has a check of
        its own: Manage Server, whatever role the member holds."""
        if interaction.command is not None and interaction.command.name == "curator-role":
            return True
        return await self.gate.require(interaction)

    async def _event_id(self, interaction: Interaction, ref: EventRef, target: Target) -> int:
        return await ref.event_id(functools.partial(self.curation.find, _guild(interaction), target=target))

    # -- add and edit (the modal) ------------------------------------------------------------

    @events.command(name="add", description="Add an event to this server's chronology")
    async def add(self, interaction: Interaction) -> None:
        modal = EventModal(self.curation, self.gate, self.writes, language=reader_language(interaction))
        await interaction.response.send_modal(modal)

    @events.command(name="edit", description="Change one of this server's events")
    @app_commands.describe(event=f"One of this server's events. {EVENT_HINT}")
    async def edit(self, interaction: Interaction, event: EventOption) -> None:
        event_id = await self._event_id(interaction, event, Target.OWN)
        found = await self.curation.own_event(_guild(interaction), event_id)
        modal = EventModal(
            self.curation, self.gate, self.writes, event=found, language=reader_language(interaction)
        )
        await interaction.response.send_modal(modal)

    @events.command(
        name="translate",
        description="Give one of this server's events a title and summary in another language",
    )
    @app_commands.describe(
        event=f"One of this server's events. {EVENT_HINT}", language="The language to write it in"
    )
    @app_commands.choices(language=[app_commands.Choice(name=NAMES[code], value=code) for code in TRANSLATED])
    async def translate(self, interaction: Interaction, event: EventOption, language: str) -> None:
        event_id = await self._event_id(interaction, event, Target.OWN)
        found = await self.curation.own_event(_guild(interaction), event_id)
        reader = reader_language(interaction)
        modal = TranslationModal(self.curation, self.gate, self.writes, found, language, reader)
        await interaction.response.send_modal(modal)

    # -- remove, restore, hide, unhide ---------------------------------------------------------

    @events.command(name="remove", description="Remove one of this server's events (restore brings it back)")
    @app_commands.describe(event=f"One of this server's events. {EVENT_HINT}")
    async def remove(self, interaction: Interaction, event: EventOption) -> None:
        await self._reversible(
            interaction,
            await self._event_id(interaction, event, Target.OWN),
            self.curation.remove,
            lambda title: said("Removed **{title}**; `/events restore` brings it back.", title=title),
            self.curation.restore,
            lambda title: said("Restored **{title}**.", title=title),
        )

    @events.command(name="restore", description="Bring back an event this server removed")
    @app_commands.describe(event=f"A removed event. {EVENT_HINT}")
    async def restore(self, interaction: Interaction, event: EventOption) -> None:
        await self._reversible(
            interaction,
            await self._event_id(interaction, event, Target.REMOVED),
            self.curation.restore,
            lambda title: said("Restored **{title}**.", title=title),
            self.curation.remove,
            lambda title: said("Removed **{title}** again.", title=title),
        )

    @events.command(name="hide", description="Hide a bundled event in this server only")
    @app_commands.describe(event=f"A bundled event. {EVENT_HINT}")
    async def hide(self, interaction: Interaction, event: EventOption) -> None:
        await self._reversible(
            interaction,
            await self._event_id(interaction, event, Target.BUNDLED),
            self.curation.hide,
            lambda title: said(
                "Hid **{title}** in this server only; `/events unhide` shows it again.", title=title
            ),
            self.curation.unhide,
            lambda title: said("**{title}** shows in this server again.", title=title),
        )

    @events.command(name="unhide", description="Show a bundled event this server hid")
    @app_commands.describe(event=f"A hidden bundled event. {EVENT_HINT}")
    async def unhide(self, interaction: Interaction, event: EventOption) -> None:
        await self._reversible(
            interaction,
            await self._event_id(interaction, event, Target.BUNDLED),
            self.curation.unhide,
            lambda title: said("**{title}** shows in this server again.", title=title),
            self.curation.hide,
            lambda title: said("Hid **{title}** again.", title=title),
        )

    async def _reversible(
        self,
        interaction: Interaction,
        event_id: int,
        action: Change,
        done: Said,
        inverse: Change,
        undone: Said,
    ) -> None:
        """Run one of remove/restore/hide/unhide and offer its inverse behind an Undo button."""
        self.writes.hit(interaction)
        guild_id = _guild(interaction)
        language = reader_language(interaction)
        changed = await action(guild_id, interaction.user.id, event_id)
        title = user_text(changed.title)

        async def undo(by: Interaction) -> Text:
            await inverse(guild_id, by.user.id, changed.id)
            return undone(title)

        view = UndoView(self.gate, self.writes, undo, language=language)
        await interaction.response.send_message(done(title).in_language(language), view=view, ephemeral=True)
        view.message = await interaction.original_response()

    # -- history -------------------------------------------------------------------------------

    @events.command(name="history", description="Who changed this server's chronology, what and when")
    @app_commands.describe(event=f"Only this event's changes (default: all). {EVENT_HINT}")
    async def history(self, interaction: Interaction, event: EventOption | None = None) -> None:
        event_id = None if event is None else await self._event_id(interaction, event, Target.LOGGED)
        answer = await self.curation.history(_guild(interaction), event_id)
        language = reader_language(interaction)
        pages = embeds.history_page_count(answer)
        embed = embeds.history_embed(answer, 0, language)
        if pages <= 1:
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return
        pager = Pager(
            interaction.user.id, pages, lambda page: embeds.history_embed(answer, page, language), language
        )
        await interaction.response.send_message(embed=embed, view=pager, ephemeral=True)
        pager.message = await interaction.original_response()

    # -- files ---------------------------------------------------------------------------------

    @events.command(name="import", description="Add events from a JSON or CSV file: every row, or none")
    @app_commands.describe(file="A .json or .csv file in UTF-8: at most 1 MiB and 5,000 events")
    async def import_file(self, interaction: Interaction, file: discord.Attachment) -> None:
        if file.size > formats.MAX_BYTES:
            raise UserError(
                said(
                    "That file is {size} bytes; the limit is {limit} (1 MiB). Split it into smaller files.",
                    size=Number(file.size),
                    limit=Number(formats.MAX_BYTES),
                )
            )
        self.files.hit(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        report = await self.curation.import_file(
            _guild(interaction), interaction.user.id, file.filename, data
        )
        language = reader_language(interaction)
        notes = report.lines(language)
        attached = len(notes) > REPORT_LINES_SHOWN
        files = []
        if attached:
            text = "\n".join([report.headline(language), "", *notes]) + "\n"
            files.append(discord.File(io.BytesIO(text.encode("utf-8")), filename="import-report.txt"))
        embed = embeds.import_embed(report, file.filename, attached=attached, language=language)
        await interaction.edit_original_response(embed=embed, attachments=files)

    @events.command(name="export", description="This server's events as a file")
    @app_commands.describe(
        format="json (imports back as it is), csv (for spreadsheets), timelinejs, or ics (a calendar)",
        with_bundled="Include the bundled chronology as this server sees it",
    )
    @app_commands.choices(format=[app_commands.Choice(name=name, value=name) for name in formats.FORMATS])
    async def export(
        self, interaction: Interaction, format: str = "json", with_bundled: bool = False
    ) -> None:
        self.files.hit(interaction)
        title = f"{interaction.guild.name}: chronology" if interaction.guild else "Almanac chronology"
        await interaction.response.defer(ephemeral=True, thinking=True)  # thousands of events take time
        made_by = functools.partial(self.heavy.run, interaction.user.id)
        exported = await self.curation.export(
            _guild(interaction), format, with_bundled=with_bundled, title=title, made_by=made_by
        )
        limit = interaction.guild.filesize_limit if interaction.guild else 8 * 1024 * 1024
        if len(exported.data) > limit:
            raise UserError(
                said(
                    "The export is larger than this server's upload limit; "
                    "use `almanac export` on the bot's machine instead."
                )
            )
        file = discord.File(io.BytesIO(exported.data), filename=exported.filename)
        text = said_n(
            "{number} event, as {format}.",
            "{number} events, as {format}.",
            exported.count,
            number=Number(exported.count),
            format=format,
        )
        reader = reader_language(interaction)
        reply = text.in_language(reader)
        if exported.left_out:
            reply += " " + left_out_of_calendar(exported.left_out).in_language(reader)
        await interaction.edit_original_response(content=reply, attachments=[file])

    @events.command(name="calendar", description="This server's calendar link, for any calendar app")
    @app_commands.describe(
        reset="Make a new link; the old one stops working at once",
        with_bundled="Include the bundled chronology as this server sees it",
    )
    async def calendar(
        self, interaction: Interaction, reset: bool = False, with_bundled: bool | None = None
    ) -> None:
        if self.calendars is None or self.calendar_base is None:
            raise UserError(said("The calendar link is off: the bot's owner has not turned it on."))
        if reset or with_bundled is not None:
            self.writes.hit(interaction)
        link = await self.calendars.link(
            _guild(interaction),
            self.calendar_base,
            title=f"{interaction.guild.name}: chronology" if interaction.guild else None,
            actor=interaction.user.id,
            reset=reset,
            with_bundled=with_bundled,
        )
        # in code spans: copied whole, and Discord neither previews nor fetches the secret address
        lines = [
            said(
                "Subscribe to this server's anniversaries in a calendar app with this link:\n`{webcal}`\n"
                "or paste this address where the app asks for a calendar's URL:\n`{https}`",
                webcal=link.webcal,
                https=link.https,
            ),
            said("It holds this server's own events and the bundled ones it has not hidden.")
            if link.with_bundled
            else said("It holds this server's own events only."),
            said("This is a new link: the old one no longer works, so subscribers must subscribe again.")
            if reset
            else said(
                "Anyone with the link can read the calendar; `/events calendar reset:true` replaces it."
            ),
        ]
        reader = reader_language(interaction)
        await interaction.response.send_message(
            "\n\n".join(line.in_language(reader) for line in lines), ephemeral=True
        )

    # -- the curator role ----------------------------------------------------------------------

    @events.command(name="curator-role", description="Name the role whose members may curate (Manage Server)")
    @app_commands.describe(role="The curator role; leave it out to clear it (Manage Server only then)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def curator_role(self, interaction: Interaction, role: discord.Role | None = None) -> None:
        if role is not None and role.is_default():
            raise UserError(said("@everyone cannot be the curator role; pick or create a role for curators."))
        self.writes.hit(interaction)
        await self.curation.set_curator_role(
            _guild(interaction), role.id if role else None, interaction.user.id
        )
        if role is None:
            text = said("Cleared the curator role: only members with Manage Server can curate now.")
        else:
            text = said("Members with {role} can now curate this server's chronology.", role=role.mention)
        await interaction.response.send_message(
            text.in_language(reader_language(interaction)), ephemeral=True
        )

    # -- autocomplete --------------------------------------------------------------------------

    async def _choices(self, interaction: Interaction, hits: list[Hit]) -> Choices:
        """The events named in the curator's language (a bundled event's translated title)."""
        language = reader_language(interaction)
        return event_choices(await self.almanac.titles_in(hits, language), language)

    @edit.autocomplete("event")
    @translate.autocomplete("event")
    @remove.autocomplete("event")
    async def own_events(self, interaction: Interaction, current: str) -> Choices:
        hits = await self.almanac.complete(_guild(interaction), current, own_only=True)
        return await self._choices(interaction, hits)

    @restore.autocomplete("event")
    async def removed_events(self, interaction: Interaction, current: str) -> Choices:
        if not await self.gate.allows(interaction):
            return []
        hits = await self.curation.complete_removed(_guild(interaction), current)
        return await self._choices(interaction, hits)

    @hide.autocomplete("event")
    async def shown_bundled(self, interaction: Interaction, current: str) -> Choices:
        hits = await self.curation.complete_bundled(_guild(interaction), current, hidden=False)
        return await self._choices(interaction, hits)

    @unhide.autocomplete("event")
    async def hidden_bundled(self, interaction: Interaction, current: str) -> Choices:
        hits = await self.curation.complete_bundled(_guild(interaction), current, hidden=True)
        return await self._choices(interaction, hits)

    @history.autocomplete("event")
    async def logged_events(self, interaction: Interaction, current: str) -> Choices:
        if not await self.gate.allows(interaction):
            return []
        hits = await self.curation.complete_history(_guild(interaction), current)
        return await self._choices(interaction, hits)
