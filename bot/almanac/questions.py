"""The application: every question and every change, as plain async methods on plain values.

The cogs, the shell and the tests all come through here; nothing below knows Discord exists.
Every method is scoped to one server (`guild_id`; 0 outside any server): the bundled chronology
plus that server's own events, never another server's.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.almanac.answers import (
    EVERY_PART,
    Anniversary,
    DayAnswer,
    DayParts,
    EventAnswer,
    EventList,
    TitleWords,
    UpcomingAnswer,
)
from bot.almanac.freshness import IndexFeed
from bot.almanac.hidden import HiddenEvents
from bot.dates.partial import (
    FIRST_YEAR,
    LAST_YEAR,
    EventDate,
    PartialDate,
    anniversary_keys,
    boundary_of,
    is_round_anniversary,
    years_phrase,
)
from bot.dates.when import AskedDay, Span, parse_day, parse_span
from bot.i18n.errors import UserError
from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.messages import Text, said
from bot.i18n.text import quoted
from bot.model.event import BUNDLED_SCOPE, Event
from bot.relevance.scoring import Hit
from bot.relevance.words import normalize
from bot.store import DayMatch, Store

if TYPE_CHECKING:  # the index's module loads numpy, which a date question never needs
    from bot.search.index import SearchIndex

QUERY_MAX = 200
SEARCH_RESULTS_MAX = 50
DAY_LIST_MAX = 25  # of each kind on one day: as many as an embed shows; the count says how many exist
TIMELINE_MAX = 250  # 50 pages of 5: more than anyone pages through; the heading says how many exist
UPCOMING_DEFAULT = 7
UPCOMING_MAX = 31
CONFIDENT_MATCH = 90.0  # a /event name this close to one title is taken to mean it
CLEAR_LEAD = 5.0  # … provided no other title comes within this many points of it


class Almanac:
    def __init__(
        self,
        store: Store,
        index: SearchIndex,
        hidden: HiddenEvents,
        feed: IndexFeed,
        *,
        tag_words: Mapping[str, str] | None = None,
    ) -> None:
        self._store = store
        self._index = index
        self._hidden = hidden
        self._feed = feed  # writes made by other processes, into the index before it is asked
        # a bundled tag as any language writes it, normalized -> the tag (`анархисты` -> anarchists)
        self._tag_words = tag_words or {}

    # -- time ------------------------------------------------------------------------------

    async def today(self, guild_id: int, now: dt.datetime | None = None) -> dt.date:
        """Today in the server's time zone (UTC until the server sets one)."""
        zone = ZoneInfo(await self._store.guild_timezone(guild_id)) if guild_id else dt.UTC
        return (now or dt.datetime.now(dt.UTC)).astimezone(zone).date()

    # -- questions ----------------------------------------------------------------------------

    async def on_this_day(
        self, guild_id: int, text: str | None, today: dt.date, parts: DayParts = EVERY_PART
    ) -> DayAnswer:
        asked = parse_day(text or "", today)
        reference_year = asked.year or today.year
        on_day = asked.on_year(reference_year)
        matches = await self._store.day_matches(
            guild_id, _keys_for(asked, reference_year), DAY_LIST_MAX, ongoing=parts.ongoing
        )
        anniversaries = [_anniversary(match, reference_year) for match in matches.remembered]
        ongoing = [_anniversary(match, reference_year) for match in matches.ongoing]
        answer = DayAnswer(
            asked,
            reference_year,
            anniversaries,
            ongoing,
            more_anniversaries=matches.remembered_count - len(anniversaries),
            more_ongoing=matches.ongoing_count - len(ongoing) if parts.ongoing else 0,
        )
        if anniversaries:
            return answer
        if parts.next_day:
            next_day, upcoming, more_next = await self._next_anniversary(guild_id, on_day)
            answer = replace(answer, next_day=next_day, next_anniversaries=upcoming, more_next=more_next)
        if parts.month:
            answer = replace(answer, month_events=await self._store.month_only(guild_id, asked.month))
        return answer

    async def _next_anniversary(
        self, guild_id: int, after: dt.date
    ) -> tuple[AskedDay | None, list[Anniversary], int]:
        """The next day with an anniversary, its first ones, and how many more it has."""
        key = await self._store.next_month_day(guild_id, after.month * 100 + after.day)
        if key is None:
            return None, [], 0
        month, day = divmod(key, 100)
        year = after.year if (month, day) > (after.month, after.day) else after.year + 1
        asked = AskedDay(month, day)
        matches = await self._store.day_matches(guild_id, _keys_for(asked, year), DAY_LIST_MAX, ongoing=False)
        found = [_anniversary(match, year) for match in matches.remembered]
        return asked, found, matches.remembered_count - len(found)

    async def upcoming(self, guild_id: int, days: int | None, today: dt.date) -> UpcomingAnswer:
        count = UPCOMING_DEFAULT if days is None else days
        if not 1 <= count <= UPCOMING_MAX:
            raise UserError(
                said("Pick between 1 and {most} days, for example `/upcoming 7`.", most=UPCOMING_MAX)
            )
        by_day = []
        for offset in range(count):
            day = today + dt.timedelta(days=offset)
            matches = await self._store.on_month_day(guild_id, anniversary_keys(day))
            found = [_anniversary(match, day.year) for match in matches]
            found = [item for item in found if not item.ongoing]
            if found:
                by_day.append((day, found))
        return UpcomingAnswer(count, by_day)

    async def event(self, guild_id: int, event_id: int) -> EventAnswer:
        """/event with an autocomplete choice: that event, if this server may still see it."""
        event = await self._store.get_event(event_id)
        visible = (
            event is not None
            and not event.deleted
            and event.scope in (BUNDLED_SCOPE, guild_id)
            and event.id not in await self._hidden.ids(guild_id)
        )
        if not visible or event is None:
            return EventAnswer("", None, gone=True)
        return EventAnswer(event.title, event)

    async def lookup(self, guild_id: int, name: str) -> EventAnswer:
        """/event with a typed name: the one event it clearly means, or the closest titles."""
        query = _checked_query(name, said("Give an event's name, for example `/event Kronstadt`."))
        hits = await self._hits(guild_id, query, limit=3)
        normalized = normalize(query)
        exact = [hit for hit in hits if hit.score > 100 or normalize(hit.title) == normalized]
        # A close match counts only when it stands clear of the next: `/event Makhno` fits several
        # events almost equally well, and picking one would answer a question nobody asked.
        clear = len(hits) == 1 or (len(hits) > 1 and hits[0].score - hits[1].score >= CLEAR_LEAD)
        if exact or (hits and hits[0].score >= CONFIDENT_MATCH and clear):
            chosen = (exact or hits)[0]
            return EventAnswer(query, await self._store.get_event(chosen.event_id))
        return EventAnswer(query, None, await self._store.get_events([hit.event_id for hit in hits]))

    async def search(self, guild_id: int, query: str, *, read_first: int | None = None) -> EventList:
        """/search: the best SEARCH_RESULTS_MAX events, best first; only the first `read_first`
        of them read now (a page, in Discord), the others when someone turns to them."""
        text = _checked_query(query, said("Type something to look for, for example `/search kronstadt`."))
        hits = await self._hits(guild_id, text, limit=SEARCH_RESULTS_MAX)
        listed = [hit.event_id for hit in hits]
        reading = listed if read_first is None else listed[:read_first]
        events = await self._store.get_events(reading)
        partial = frozenset(hit.event_id for hit in hits if hit.partial)
        return EventList(
            heading=said("Search: {query}", query=text),
            events=events,
            unread=tuple(listed[len(reading) :]),
            partial=partial,
            empty_message=said(
                "Nothing in the chronology matches `{query}`; try fewer or other words.", query=quoted(text)
            ),
        )

    async def complete(self, guild_id: int, text: str, *, own_only: bool = False) -> list[Hit]:
        """Autocomplete for event names: the best 25 titles for what has been typed so far."""
        text = text[:QUERY_MAX]
        scopes = (guild_id,) if own_only else (BUNDLED_SCOPE, guild_id)
        await self._feed.fresh()
        hidden = await self._hidden.ids(guild_id)
        if not text.strip():
            events = await self._store.scope_events(guild_id if own_only else BUNDLED_SCOPE, deleted=False)
            return [Hit(event.id, event.title, 0.0) for event in events if event.id not in hidden][:25]
        return self._index.complete(text, scopes, hidden, limit=25)

    async def titles_in(self, hits: list[Hit], language: str) -> list[Hit]:
        """Autocomplete choices named in the reader's language (the index holds the originals):
        one read of at most 25 events, by their ids."""
        if language == SOURCE_LANGUAGE or not hits:
            return hits
        events = {event.id: event for event in await self._store.get_events([hit.event_id for hit in hits])}
        return [
            replace(hit, title=events[hit.event_id].fields.title_in(language))
            if hit.event_id in events
            else hit
            for hit in hits
        ]

    async def timeline(
        self, guild_id: int, start: str | None, end: str | None, *, read_first: int | None = None
    ) -> EventList:
        """/timeline: the events in a span, in order; only the first `read_first` of them read
        whole (all, when None), the rest listed by id for `read_listed` to read when shown."""
        label: Text | Span
        if not (start or "").strip() and not (end or "").strip():
            first, last, label = dt.date.min, dt.date.max, said("the whole chronology")
        else:
            first, last, span = parse_span(start or end or "")
            if start and end:
                _, last, end_span = parse_span(end)
                if last < first:
                    raise UserError(said("The span ends before it starts; put the earlier date first."))
                span = Span(span.first, end_span.last or end_span.first)
            label = span
        found = await self._store.in_span(guild_id, first, last, TIMELINE_MAX, whole=read_first)
        listed = len(found.events) + len(found.unread)
        heading = said("Timeline: {span}", span=label)
        if found.total > listed:
            heading = said(
                "Timeline: {span} (the first {shown} of {total}; narrow the span for the rest)",
                span=label,
                shown=listed,
                total=found.total,
            )
        empty = said("No events fall within {span}.", span=label)
        return EventList(heading, found.events, empty, (first, last), unread=tuple(found.unread))

    async def read_listed(self, guild_id: int, answer: EventList, upto: int) -> EventList:
        """`answer` with at least its first `upto` events read, or all it lists. Those removed or
        hidden since it was made are left out, and the next ones read in their place."""
        events, unread, gone = list(answer.events), answer.unread, answer.gone
        while len(events) < upto and unread:
            wanted, unread = unread[: upto - len(events)], unread[upto - len(events) :]
            found = await self._store.get_visible(guild_id, wanted)
            events, gone = events + found, gone + len(wanted) - len(found)
        return replace(answer, events=events, unread=unread, gone=gone)

    async def surroundings(self, guild_id: int, event: Event) -> EventList:
        """/event's picture: the event among what happened from the year before it to the year
        after (only its own years when that is more than a timeline holds), itself always there."""
        before, after = event.date.first_day().year - 1, event.date.last_day().year + 1
        first = dt.date(max(before, 1), 1, 1)
        last = dt.date(min(after, LAST_YEAR), 12, 31)
        found = await self._store.in_span(guild_id, first, last, TIMELINE_MAX)
        if found.total > len(found.events):
            first, last = (
                dt.date(event.date.first_day().year, 1, 1),
                dt.date(event.date.last_day().year, 12, 31),
            )
            found = await self._store.in_span(guild_id, first, last, TIMELINE_MAX)
        events = found.events
        if all(other.id != event.id for other in events):
            events = sorted([*events[: TIMELINE_MAX - 1], event], key=lambda other: other.date.first_day())
        label = Span(EventDate(PartialDate(first.year)), EventDate(PartialDate(last.year)))
        heading = said("{title}: {span}", title=TitleWords(event.fields), span=label)
        empty = said("No events fall within {span}.", span=label)  # never: the event itself is there
        return EventList(heading, events, empty, (first, last), event.id)

    async def random(
        self, guild_id: int, year: int | None = None, tag: str | None = None, *, pick: float | None = None
    ) -> EventAnswer:
        """/random: one event the server sees, drawn fairly, optionally from a year or with a tag."""
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            raise UserError(said("Give a year between 1 and 9998, for example `/random 1921`."))
        wanted = " ".join((tag or "").split())[:100] or None
        draw = random.random() if pick is None else pick
        event = await self._store.random_event(guild_id, draw, year=year, tag=wanted)
        original = self._tag_words.get(normalize(wanted)) if wanted is not None else None
        if event is None and original is not None and original != wanted:
            event = await self._store.random_event(guild_id, draw, year=year, tag=original)
        if event is None:
            if year is not None and wanted is not None:
                raise UserError(
                    said("No event of {year} has the tag `{tag}`.", year=year, tag=quoted(wanted))
                )
            if year is not None:
                raise UserError(said("No event in the chronology falls in {year}.", year=year))
            if wanted is not None:
                raise UserError(
                    said("No event has the tag `{tag}`; try `/search` instead.", tag=quoted(wanted))
                )
            raise UserError(said("The chronology is empty."))
        return EventAnswer(event.title, event)

    # -- helpers ----------------------------------------------------------------------------

    async def _hits(self, guild_id: int, query: str, limit: int) -> list[Hit]:
        await self._feed.fresh()
        hidden = await self._hidden.ids(guild_id)
        return self._index.search(query, (BUNDLED_SCOPE, guild_id), hidden, limit=limit)


def _keys_for(asked: AskedDay, year: int) -> tuple[int, ...]:
    day = asked.on_year(year)
    if day.day != asked.day:  # 29 February asked for in a common year: the leap-day events only
        return (asked.month * 100 + asked.day,)
    return anniversary_keys(day)


def _anniversary(match: DayMatch, reference_year: int) -> Anniversary:
    # the year of this particular day of the event: a range over New Year counts from its own year
    year = (match.event.date.first_day() + dt.timedelta(days=match.nth - 1)).year
    return Anniversary(
        event=match.event,
        years=years_phrase(year, reference_year, boundary_of(match.nth, match.span)),
        round=is_round_anniversary(year, reference_year),
        nth=match.nth,
        span=match.span,
    )


def _checked_query(text: str, hint: Text) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise UserError(said("That was empty. {hint}", hint=hint))
    if len(cleaned) > QUERY_MAX:
        raise UserError(
            said(
                "That is {length} characters; keep it under {most}. {hint}",
                length=len(cleaned),
                most=QUERY_MAX,
                hint=hint,
            )
        )
    return cleaned
