"""The naive way, which a first version would have shipped: read every event the server can see
from SQLite, then filter or score each one in Python.

Same store, same scoring function (`score_documents`), same answers as the real commands; only
the work differs. The benchmark times these beside the real commands, so every result is a ratio
that holds on any machine.
"""

from __future__ import annotations

import datetime as dt

from bot.dates.partial import anniversary_keys
from bot.dates.when import parse_day, parse_span
from bot.model.event import Event
from bot.relevance import scoring
from bot.relevance.scoring import Document, Query, score_documents
from bot.store import Store


async def ranked(
    store: Store, guild_id: int, text: str, limit: int, *, complete: bool = False
) -> list[Event]:
    """/search, /event and autocomplete: score every visible event, best first (ties as the index
    breaks them)."""
    query = Query.parse(text, complete=complete)
    if query is None:
        return []
    events = {event.id: event for event in await store.visible_events(guild_id)}
    documents = {event_id: Document.from_event(event) for event_id, event in events.items()}
    scores = score_documents(query, documents.values())
    return [events[hit.event_id] for hit in scoring.ranked(scores, documents, limit)]


async def on_this_day(store: Store, guild_id: int, text: str, today: dt.date) -> list[Event]:
    """/onthisday: every visible event, kept if one of its days falls on the asked day; failing
    that, the next day that has any, from the same scan."""
    asked = parse_day(text, today)
    day = asked.on_year(asked.year or today.year)
    keys = set(anniversary_keys(day))
    events = await store.visible_events(guild_id)
    days = {
        event.id: {month * 100 + mday for month, mday, _ in event.date.anniversary_days()} for event in events
    }
    found = [event for event in events if days[event.id] & keys]
    if found:
        return found
    later = sorted({key for keys_of in days.values() for key in keys_of})
    after = [key for key in later if key > day.month * 100 + day.day] or later
    return [event for event in events if after and after[0] in days[event.id]]


async def timeline(store: Store, guild_id: int, text: str) -> list[Event]:
    """/timeline: every visible event, kept if it overlaps the asked span."""
    first, last, _ = parse_span(text)
    events = await store.visible_events(guild_id)
    return [event for event in events if event.date.first_day() <= last and event.date.last_day() >= first]
