"""What the application answers: plain values the renderers turn into embeds, text or a picture."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.dates.partial import LONGEST_ANNIVERSARY_SPAN, Boundary, boundary_of
from bot.dates.when import AskedDay
from bot.i18n.messages import Text
from bot.model.event import Event, EventFields


@dataclass(frozen=True)
class Anniversary:
    event: Event
    years: Text  # "102 years ago"
    round: bool  # every 25th year
    nth: int = 1
    span: int = 1

    @property
    def ongoing(self) -> bool:
        """A long event on one of its inner days: "under way: day 6 of 20", not an anniversary."""
        return self.span > LONGEST_ANNIVERSARY_SPAN and self.nth not in (1, self.span)

    @property
    def boundary(self) -> Boundary | None:
        """For a long event: the day it began or ended (its two anniversaries)."""
        return boundary_of(self.nth, self.span)


@dataclass(frozen=True)
class DayAnswer:
    """/onthisday: the anniversaries of one day, and what is near when there are none."""

    day: AskedDay
    reference_year: int
    anniversaries: list[Anniversary]
    ongoing: list[Anniversary] = field(default_factory=list)
    next_day: AskedDay | None = None
    next_anniversaries: list[Anniversary] = field(default_factory=list)
    month_events: list[Event] = field(default_factory=list)
    # how many more there are than listed, on a day with more than DAY_LIST_MAX of a kind
    more_anniversaries: int = 0
    more_ongoing: int = 0
    more_next: int = 0

    @property
    def anniversary_count(self) -> int:
        return len(self.anniversaries) + self.more_anniversaries


@dataclass(frozen=True)
class DayParts:
    """What a day's answer holds besides its anniversaries. /onthisday shows everything; a daily
    post leaves out the events under way and keeps at most one fallback for an empty day, so
    nothing it would throw away is read."""

    ongoing: bool = True  # the long events the day falls inside
    next_day: bool = True  # on an empty day: the next day with anniversaries
    month: bool = True  # on an empty day: the events known only to this month


EVERY_PART = DayParts()


@dataclass(frozen=True)
class EventAnswer:
    """/event: one event, or the closest titles when the name matched nothing."""

    query: str
    event: Event | None
    suggested: list[Event] = field(default_factory=list)  # the closest events, best first
    gone: bool = False  # picked from the list, but removed or hidden since

    @property
    def suggestions(self) -> list[str]:
        """The closest events' titles (in the reader's language, once localized)."""
        return [event.title for event in self.suggested]


@dataclass(frozen=True)
class EventList:
    """/search and /timeline: a chronological or ranked list, paged by the caller."""

    heading: Text
    events: list[Event]
    empty_message: Text
    span: tuple[dt.date, dt.date] | None = None  # a timeline's days, first and last, as asked
    focus: int | None = None  # the event a list of its neighbours is about
    unread: tuple[int, ...] = ()  # listed after `events`, not read yet: `Almanac.read_listed`
    gone: int = 0  # listed, but removed or hidden before they were read
    partial: frozenset[int] = frozenset()  # events that match only some of a search's words

    @property
    def only_partial(self) -> bool:
        """Whether nothing found matches every word: the answer says so before the list."""
        listed = [*(event.id for event in self.events), *self.unread]
        return bool(self.events) and all(event_id in self.partial for event_id in listed)

    @property
    def listed(self) -> int:
        """How many events the list held when it was made: its pages stay as they were."""
        return len(self.events) + len(self.unread) + self.gone


@dataclass(frozen=True)
class TitleWords:
    """An event's title as a value in a message: in the reader's language where it has one."""

    fields: EventFields

    def in_language(self, language: str) -> str:
        return self.fields.title_in(language)


@dataclass(frozen=True)
class UpcomingAnswer:
    days: int
    by_day: list[tuple[dt.date, list[Anniversary]]]
