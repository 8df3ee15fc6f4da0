"""Events: how rows map to `Event`, and which rows a server may see."""

from __future__ import annotations

import functools
import json
import json.scanner
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from bot.dates.partial import EventDate
from bot.model.event import Event, EventFields, Translation, translations_mapping
from bot.relevance.words import search_words

EVENT_COLUMNS = (
    "e.id, e.scope, e.slug, e.edtf, e.title, e.summary, e.people, e.places, e.tags, e.aliases, "
    "e.source, e.note, e.russian, e.version, e.deleted_at, e.translations"
)
# The events a server sees: the bundled chronology plus its own, minus deleted and hidden ones.
VISIBLE = (
    "e.scope IN (0, :guild) AND e.deleted_at IS NULL AND NOT EXISTS "
    "(SELECT 1 FROM hidden_events h WHERE h.guild_id = :guild AND h.event_id = e.id)"
)
# The same for rows of event_days, which holds live events' days only (migration 010).
DAY_VISIBLE = (
    "d.scope IN (0, :guild) AND NOT EXISTS "
    "(SELECT 1 FROM hidden_events h WHERE h.guild_id = :guild AND h.event_id = d.event_id)"
)
# Every event of one scope, deleted ones too, and every event a server sees: both oldest first.
SCOPE_EVENTS = f"SELECT {EVENT_COLUMNS} FROM events e WHERE e.scope = :scope ORDER BY e.start_ord, e.id"
VISIBLE_EVENTS = f"SELECT {EVENT_COLUMNS} FROM events e WHERE {VISIBLE} ORDER BY e.start_ord, e.id"


@dataclass(frozen=True)
class DayMatch:
    event: Event
    nth: int  # which day of the event this month-day is (1 for the first)
    span: int  # the event's length in days


@dataclass(frozen=True)
class DayMatches:
    """One day's events for a server, each kind chronological and cut to the first `limit`,
    with how many there are: what a day question shows, however crowded the day."""

    remembered: list[DayMatch]  # the day is an anniversary of theirs
    remembered_count: int
    ongoing: list[DayMatch]  # long events on one of their inner days
    ongoing_count: int


@dataclass(frozen=True)
class SpanEvents:
    """A span's events for a server, chronological and cut to a limit: the first few read whole,
    the ids of the rest that were listed, and how many overlap the span in all."""

    events: list[Event]
    unread: list[int]
    total: int


# Stored columns were written by `event_params`, so they are valid: read them the quick way (the
# JSON scanner itself, without json.loads' checks; a date parsed once for all the events on it).
_Frozen = TypeVar("_Frozen")
_scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
_stored_date = functools.lru_cache(maxsize=1 << 14)(EventDate.parse)


def _strings(text: str) -> tuple[str, ...]:
    return () if text == "[]" else tuple(_scan(text, 0)[0])


def event_from_row(row: Sequence[Any]) -> Event:
    fields = _stored(
        EventFields,
        {
            "slug": row[2],
            "date": _stored_date(row[3]),
            "title": row[4],
            "summary": row[5],
            "people": _strings(row[6]),
            "places": _strings(row[7]),
            "tags": _strings(row[8]),
            "aliases": _strings(row[9]),
            "source": row[10],
            "note": row[11],
            "russian": bool(row[12]),
            "translations": translations_from_json(row[15]),
            "old_ids": (),
        },
    )
    values = {
        "id": row[0],
        "scope": row[1],
        "fields": fields,
        "version": row[13],
        "deleted": row[14] is not None,
    }
    return _stored(Event, values)


def _stored(cls: type[_Frozen], values: dict[str, Any]) -> _Frozen:
    """A frozen dataclass holding every one of its fields in `values`, made without its __init__,
    which sets each field through object.__setattr__: a third of the cost of reading a row, and
    a timeline reads 250. Only for values read back from the store (tests/bot/store checks that
    these are whole, equal to the same events built the ordinary way)."""
    made = object.__new__(cls)
    made.__dict__.update(values)
    return made


# The columns an event's fields are stored in, in `event_params`' order after the scope.
EVENT_VALUE_COLUMNS = (
    "slug, edtf, precision, start_ord, end_ord, start_year, start_month, title, summary,"
    " people, places, tags, aliases, source, note, russian, translations"
)
# The columns `event_params` fills, in its order, then who wrote the row and when.
EVENT_INSERT_COLUMNS = f"scope, {EVENT_VALUE_COLUMNS}, created_by, created_at, updated_by, updated_at"


def event_params(scope: int, fields: EventFields) -> dict[str, Any]:
    date = fields.date
    return {
        "scope": scope,
        "slug": fields.slug,
        "edtf": date.edtf(),
        "precision": int(date.precision),
        "start_ord": date.first_day().toordinal(),
        "end_ord": date.last_day().toordinal(),
        "start_year": date.start.year,
        "start_month": date.start.month,
        "title": fields.title,
        "summary": fields.summary,
        "people": _json_list(fields.people),
        "places": _json_list(fields.places),
        "tags": _json_list(fields.tags),
        "aliases": _json_list(fields.aliases),
        "source": fields.source,
        "note": fields.note,
        "russian": int(fields.russian),
        "translations": translations_json(fields.translations),
    }


class PreparedEvent(NamedTuple):
    """An event of the data file as it is written: its columns' values (`event_params`' after
    the scope), its search words and its days. A big load's helper process makes these, and
    sends them to the one writing, as plain values that cost little to send."""

    slug: str
    old_ids: tuple[str, ...]
    values: tuple[Any, ...]  # in EVENT_VALUE_COLUMNS' order
    words: str  # search_words
    days: tuple[tuple[int, int, int, int], ...]  # (month_day, nth, span, start_ord) each


def prepare_event(fields: EventFields) -> PreparedEvent:
    return PreparedEvent(
        fields.slug,
        fields.old_ids,
        tuple(event_params(0, fields).values())[1:],
        search_words(fields),
        anniversary_rows(fields.date),
    )


def prepare_chunks(chunks: Iterable[Sequence[EventFields]]) -> Iterator[list[PreparedEvent]]:
    """Each chunk of a data file's events, ready to write."""
    for chunk in chunks:
        yield [prepare_event(fields) for fields in chunk]


def anniversary_rows(date: EventDate) -> tuple[tuple[int, int, int, int], ...]:
    """The event_days rows of a date, less scope and event id: (month_day, nth, span, start_ord)."""
    span, start = date.span_days(), date.first_day().toordinal()
    return tuple((month * 100 + day, nth, span, start) for month, day, nth in date.anniversary_days())


def _json_list(items: tuple[str, ...]) -> str:
    return json.dumps(items) if items else "[]"  # most lists are empty: a million of them in a load


def translations_json(translations: Sequence[Translation]) -> str:
    return json.dumps(translations_mapping(translations), ensure_ascii=False)


def translations_from_json(text: str) -> tuple[Translation, ...]:
    if text == "{}":
        return ()
    stored = _scan(text, 0)[0]
    return tuple(
        Translation(
            language,
            texts["title"],
            texts.get("summary", ""),
            aliases=tuple(texts.get("aliases", ())),
            note=texts.get("note", ""),
            people=tuple(texts.get("people", ())),
            places=tuple(texts.get("places", ())),
            tags=tuple(texts.get("tags", ())),
            source=texts.get("source", ""),
        )
        for language, texts in stored.items()
    )
