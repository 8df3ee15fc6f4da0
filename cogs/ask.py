"""Asking the chronology: /onthisday, /event, /search, /timeline, /random, /upcoming."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.almanac.answers import EventList
from bot.almanac.questions import UPCOMING_MAX, Almanac
from bot.dates.partial import FIRST_YEAR, LAST_YEAR
from bot.heavy import HeavyWork
from bot.model.kinds import Theme
from bot.render import embeds
from bot.render.localize import localized
from bot.render.picture import timeline_png
from bot.render.text import date_line
from cogs.errors import reader_language
from cogs.references import EventOption, event_choices
from cogs.views import send_pages

Interaction = discord.Interaction[Any]
AnyCommand = TypeVar("AnyCommand", bound=app_commands.Command[Any, ..., Any])
PictureChoice = app_commands.Choice[str]
PICTURES = [PictureChoice(name=theme.description, value=theme.value) for theme in Theme]
PICTURE_HELP = "Attach a picture of the events on a time axis"


def guild_of(interaction: Interaction) -> int:
    """The scope a question is asked in: the server, or only the bundled chronology in DMs and
    in a server the bot is not in (a member's own install used there), whose events, if it ever
    had any, are not that member's to read. discord.py makes such a server up as `unavailable`."""
    guild = interaction.guild
    return guild.id if guild is not None and not guild.unavailable else 0


def anywhere(command: AnyCommand) -> AnyCommand:
    """Usable wherever a person is: the bot's servers, and, installed by a member to their own
    account, any server, DMs and group chats, answering there from the bundled chronology."""
    installs = app_commands.allowed_installs(guilds=True, users=True)
    contexts = app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    return installs(contexts(command))


class ListPages:
    """A /search or /timeline answer as pages in the reader's language, with the menu that opens
    any event on one. A timeline arrives with only its first page read; a page's events are read
    when someone first turns to it."""

    def __init__(self, almanac: Almanac, guild_id: int, answer: EventList, language: str) -> None:
        self._almanac = almanac
        self._guild_id = guild_id
        self._read = answer
        self._language = language
        self.shown = localized(answer, language)

    async def prepare(self, page: int) -> None:
        upto = (page + 1) * embeds.PAGE_SIZE
        if len(self._read.events) < upto and self._read.unread:  # else nothing to read or localize
            self._read = await self._almanac.read_listed(self._guild_id, self._read, upto)
            self.shown = localized(self._read, self._language)

    def embed(self, page: int) -> discord.Embed:
        return embeds.list_page_embed(self.shown, page, self._language)

    def cards(self, page: int) -> list[tuple[str, str, Callable[[], discord.Embed]]]:
        """What a page's menu offers: each of its events, by title and date, opening its full card."""
        language = self._language
        return [
            (event.title, date_line(event, language), functools.partial(embeds.event_embed, event, language))
            for event in embeds.page_events(self.shown, page)
        ]

    async def send(self, interaction: Interaction, files: list[discord.File] | None = None) -> None:
        await send_pages(
            interaction,
            embeds.page_count(self.shown),
            self.embed,
            cards=self.cards,
            files=files or (),
            prepare=self.prepare,
        )


async def pictured(
    heavy: HeavyWork, member: int, answer: EventList, language: str, picture: PictureChoice | None
) -> list[discord.File]:
    """The picture asked for, drawn on the pool for heavy replies; none when it was not asked for
    or there is nothing to draw (the reply says so in words)."""
    if picture is None or not answer.events:
        return []
    png = await heavy.run(member, timeline_png, answer, language, Theme(picture.value))
    return [embeds.picture_file(png, answer, language)]


class Ask(commands.Cog):
    """The questions anyone may ask, in a server or in a DM."""

    def __init__(self, almanac: Almanac, heavy: HeavyWork | None = None) -> None:
        self.almanac = almanac
        self.heavy = heavy or HeavyWork()  # pictures are drawn there, off the event loop

    @anywhere
    @app_commands.command(name="onthisday", description="What happened on this day in the chronology")
    @app_commands.describe(date="A day such as 16 March, 03-16, 16/3, tomorrow (default: today)")
    async def on_this_day(self, interaction: Interaction, date: app_commands.Range[str, 0, 100] = "") -> None:
        guild_id = guild_of(interaction)
        today = await self.almanac.today(guild_id, discord.utils.utcnow())
        shown_in = reader_language(interaction)
        answer = localized(await self.almanac.on_this_day(guild_id, date, today), shown_in)
        await interaction.response.send_message(embed=embeds.day_embed(answer, shown_in))

    @anywhere
    @app_commands.command(name="event", description="One event in full")
    @app_commands.describe(name="The event's name or one of its other names", picture=PICTURE_HELP)
    @app_commands.choices(picture=PICTURES)
    async def event(
        self, interaction: Interaction, name: EventOption, picture: PictureChoice | None = None
    ) -> None:
        guild_id = guild_of(interaction)
        if name.picked is not None:
            answer = await self.almanac.event(guild_id, name.picked)
        else:
            answer = await self.almanac.lookup(guild_id, name.typed)
        shown = localized(answer, reader_language(interaction)).event
        if shown is None:
            await interaction.response.send_message(
                embeds.not_found_message(answer, reader_language(interaction)), ephemeral=True
            )
            return
        shown_in = reader_language(interaction)
        if picture is None:
            await interaction.response.send_message(embed=embeds.event_embed(shown, shown_in))
            return
        await interaction.response.defer(thinking=True)  # a picture may take longer than Discord waits
        around = localized(await self.almanac.surroundings(guild_id, shown), shown_in)
        files = await pictured(self.heavy, interaction.user.id, around, shown_in, picture)
        await interaction.edit_original_response(embed=embeds.event_embed(shown, shown_in), attachments=files)

    @event.autocomplete("name")
    async def event_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        hits = await self.almanac.complete(guild_of(interaction), current)
        shown_in = reader_language(interaction)
        return event_choices(await self.almanac.titles_in(hits, shown_in), shown_in)

    @anywhere
    @app_commands.command(name="search", description="Search the chronology, typos and all")
    @app_commands.describe(query="Words to look for, e.g. kronstadt, makhno, tambov")
    async def search(self, interaction: Interaction, query: app_commands.Range[str, 1, 200]) -> None:
        shown_in, guild_id = reader_language(interaction), guild_of(interaction)
        # only the first page is read now, the rest as it is turned to
        answer = await self.almanac.search(guild_id, query, read_first=embeds.PAGE_SIZE)
        await ListPages(self.almanac, guild_id, answer, shown_in).send(interaction)

    @anywhere
    @app_commands.command(name="timeline", description="Events in a span of time, in order")
    @app_commands.describe(
        start="A year, month or day: 1918, 1918-06, March 1921, or a span: 1918 to 1921",
        end="Optional end of the span, e.g. 1921",
        picture=PICTURE_HELP,
    )
    @app_commands.choices(picture=PICTURES)
    async def timeline(
        self,
        interaction: Interaction,
        start: app_commands.Range[str, 0, 100] = "",
        end: app_commands.Range[str, 0, 100] = "",
        picture: PictureChoice | None = None,
    ) -> None:
        shown_in, guild_id = reader_language(interaction), guild_of(interaction)
        # a picture draws every event; otherwise only the first page is read now, the rest as shown
        read_first = None if picture else embeds.PAGE_SIZE
        answer = await self.almanac.timeline(guild_id, start or None, end or None, read_first=read_first)
        pages = ListPages(self.almanac, guild_id, answer, shown_in)
        if picture is not None and pages.shown.events:
            await interaction.response.defer(thinking=True)  # drawing may take longer than Discord waits
        await pages.send(
            interaction, await pictured(self.heavy, interaction.user.id, pages.shown, shown_in, picture)
        )

    @anywhere
    @app_commands.command(name="random", description="One event at random, from a year or with a tag")
    @app_commands.describe(
        year="Only events of this year, e.g. 1921", tag="Only events with this tag, e.g. anarchists"
    )
    async def random(
        self,
        interaction: Interaction,
        year: app_commands.Range[int, FIRST_YEAR, LAST_YEAR] | None = None,
        tag: app_commands.Range[str, 0, 100] = "",
    ) -> None:
        shown_in = reader_language(interaction)
        answer = localized(await self.almanac.random(guild_of(interaction), year, tag or None), shown_in)
        assert answer.event is not None  # random() refuses rather than finding nothing
        await interaction.response.send_message(embed=embeds.event_embed(answer.event, shown_in))

    @anywhere
    @app_commands.command(name="upcoming", description="Anniversaries of the coming days")
    @app_commands.describe(days=f"How many days ahead, 1 to {UPCOMING_MAX} (default 7)")
    async def upcoming(
        self, interaction: Interaction, days: app_commands.Range[int, 1, UPCOMING_MAX] = 7
    ) -> None:
        guild_id = guild_of(interaction)
        today = await self.almanac.today(guild_id, discord.utils.utcnow())
        shown_in = reader_language(interaction)
        answer = localized(await self.almanac.upcoming(guild_id, days, today), shown_in)
        pages = embeds.upcoming_pages(answer, shown_in)
        await send_pages(interaction, len(pages), pages.__getitem__)
