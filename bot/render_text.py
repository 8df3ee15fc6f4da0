"""Result objects -> plain text for the shell, and -> the JSON shape `almanac ask --json` promises."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.almanac import Anniversary, DayAnswer, EventAnswer, EventList, UpcomingAnswer
from bot.dates import MONTHS
from bot.languages import SOURCE_LANGUAGE
from bot.localize import date_in
from bot.localize import label as label_in
from bot.model import Event
from bot.text import plural

Answer = DayAnswer | EventAnswer | EventList | UpcomingAnswer
NOTHING_CLOSE = "Try `/search` with other words, or `/timeline` with a year."


def date_line(event: Event) -> str:
    """`7 November 1917 (25 October 1917 O.S.)`"""
    old_style = event.old_style()
    shown = event.date.display()
    return f"{shown} ({old_style})" if old_style else shown


def anniversary_note(item: Anniversary) -> str:
    if item.ongoing:
        return f"ongoing: day {item.nth} of {item.span}"
    return f"{item.years} · round anniversary" if item.round else item.years


def day_message(answer: DayAnswer) -> str:
    """The sentence above the list, or in place of it when the day has no anniversary."""
    label = answer.day.label()
    if answer.anniversaries:
        return f"{plural(len(answer.anniversaries), 'event')} happened on {label}."
    text = f"No event in the chronology falls on {label}."
    if answer.next_day is not None:
        text += f" The next anniversary is {answer.next_day.label()}."
    return text


def _coming_days(days: int) -> str:
    # the count starts with today, so one day is just today
    return "today" if days == 1 else f"in the next {days} days"


def upcoming_heading(answer: UpcomingAnswer) -> str:
    return f"Anniversaries {_coming_days(answer.days)}"


def upcoming_empty(answer: UpcomingAnswer) -> str:
    return f"No anniversaries {_coming_days(answer.days)}."


def day_label(day: dt.date) -> str:
    return f"{day.strftime('%A')} {day.day} {MONTHS[day.month - 1]}"


# The event card's labels and fixed phrases: each is a message of the catalogs (context `label`).
CARD_LABELS = (
    "Date",
    "Old Style",
    "People",
    "Places",
    "Tags",
    "Also known as",
    "Source",
    "Note",
    "From",
    "the bundled chronology",
    "this server's chronology",
)


def event_details(event: Event, language: str = SOURCE_LANGUAGE) -> list[tuple[str, str]]:
    """The facts of one event as (English label, value), in the order people read them; empty
    ones left out. The value is in `language`; show the label with `localize.label`."""
    fields = event.fields
    rows = [("Date", date_in(event.date, language))]
    if old_style := event.old_style():
        rows.append(("Old Style", old_style))
    for label, values in (
        ("People", fields.people),
        ("Places", fields.places),
        ("Tags", fields.tags),
        ("Also known as", fields.aliases),
    ):
        if values:
            rows.append((label, ", ".join(values)))
    if fields.source:
        rows.append(("Source", fields.source))
    if fields.note:
        rows.append(("Note", fields.note))
    origin = "the bundled chronology" if event.is_bundled else "this server's chronology"
    rows.append(("From", label_in(origin, language)))
    return rows


# -- plain text -------------------------------------------------------------------------------


def to_text(answer: Answer, language: str = SOURCE_LANGUAGE) -> str:
    if isinstance(answer, DayAnswer):
        return _day_text(answer)
    if isinstance(answer, EventAnswer):
        return _event_text(answer, language)
    if isinstance(answer, EventList):
        return _list_text(answer)
    return _upcoming_text(answer)


def _day_text(answer: DayAnswer) -> str:
    lines = [f"On this day: {answer.day.label()}", day_message(answer)]
    for item in answer.anniversaries:
        lines.append(f"  • {date_line(item.event)} — {item.event.title} ({anniversary_note(item)})")
    for item in answer.ongoing:
        lines.append(f"  ◦ {date_line(item.event)} — {item.event.title} ({anniversary_note(item)})")
    if answer.next_anniversaries:
        lines.append(f"Next, on {answer.next_day.label() if answer.next_day else '?'}:")
        lines += [
            f"  • {date_line(item.event)} — {item.event.title} ({item.years})"
            for item in answer.next_anniversaries
        ]
    if answer.month_events:
        lines.append(f"Known only to the month of {MONTHS[answer.day.month - 1]}:")
        lines += [f"  • {date_line(event)} — {event.title}" for event in answer.month_events]
    return "\n".join(lines)


def _event_text(answer: EventAnswer, language: str = SOURCE_LANGUAGE) -> str:
    if answer.event is None:
        if answer.gone:
            return f"No event like that is in this chronology. {NOTHING_CLOSE}"
        if not answer.suggestions:
            return f"No event is called “{answer.query}”. {NOTHING_CLOSE}"
        return f"No event is called exactly “{answer.query}”. Did you mean: {'; '.join(answer.suggestions)}?"
    event = answer.event
    lines = [event.title, ""]
    if event.fields.summary:
        lines += [event.fields.summary, ""]
    lines += [f"{label_in(key, language)}: {value}" for key, value in event_details(event, language)]
    return "\n".join(lines)


def _list_text(answer: EventList) -> str:
    if not answer.events:
        return answer.empty_message
    lines = [f"{answer.heading} ({len(answer.events)})"]
    lines += [f"  • {date_line(event)} — {event.title}" for event in answer.events]
    return "\n".join(lines)


def _upcoming_text(answer: UpcomingAnswer) -> str:
    if not answer.by_day:
        return upcoming_empty(answer)
    lines = [upcoming_heading(answer)]
    for day, items in answer.by_day:
        lines.append(day_label(day))
        lines += [
            f"  • {date_line(item.event)} — {item.event.title} ({anniversary_note(item)})" for item in items
        ]
    return "\n".join(lines)


# -- JSON ---------------------------------------------------------------------------------------


def event_json(event: Event, **extra: Any) -> dict[str, Any]:
    fields = event.fields
    return {
        "id": fields.slug,
        "date": event.date.edtf(),
        "display_date": event.date.display(),
        "old_style_date": event.old_style(),
        "title": fields.title,
        "summary": fields.summary,
        "people": list(fields.people),
        "places": list(fields.places),
        "tags": list(fields.tags),
        "aliases": list(fields.aliases),
        "source": fields.source,
        "scope": "bundled" if event.is_bundled else "server",
    } | extra


def _anniversary_json(item: Anniversary, relation: str | None = None) -> dict[str, Any]:
    extra: dict[str, Any] = {"years_ago": item.years, "round_anniversary": item.round}
    if item.ongoing:
        extra |= {"ongoing_day": item.nth, "ongoing_of": item.span}
    if relation:
        extra["relation"] = relation
    return event_json(item.event, **extra)


def to_json(command: str, answer: Answer) -> dict[str, Any]:
    """`events` is the answer itself in the order shown; `related` is what is offered beside it."""
    events: list[dict[str, Any]] = []
    related: list[dict[str, Any]] = []
    if isinstance(answer, DayAnswer):
        events = [_anniversary_json(item) for item in answer.anniversaries]
        related = [_anniversary_json(item, "ongoing") for item in answer.ongoing]
        related += [_anniversary_json(item, "next_anniversary") for item in answer.next_anniversaries]
        related += [event_json(event, relation="same_month") for event in answer.month_events]
    elif isinstance(answer, EventAnswer):
        events = [event_json(answer.event)] if answer.event else []
        related = [{"title": title, "relation": "suggestion"} for title in answer.suggestions]
    elif isinstance(answer, EventList):
        events = [event_json(event) for event in answer.events]
    else:
        for day, items in answer.by_day:
            events += [_anniversary_json(item) | {"on": day.isoformat()} for item in items]
    message = day_message(answer) if isinstance(answer, DayAnswer) else None
    if message is None:
        message = to_text(answer).split("\n", 1)[0]
    return {"command": command, "events": events, "related": related, "message": message, "error": None}


def error_json(command: str, message: str) -> dict[str, Any]:
    return {"command": command, "events": [], "related": [], "message": None, "error": message}
