"""Result objects -> plain text for the shell, and -> the JSON shape `almanac ask --json` promises."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from bot.almanac.answers import Anniversary, DayAnswer, EventAnswer, EventList, UpcomingAnswer
from bot.dates.words import date_in, month_in, old_style_in, weekday_in
from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.messages import said, said_n
from bot.model.event import Event
from bot.render.localize import label as label_in

Answer = DayAnswer | EventAnswer | EventList | UpcomingAnswer
NOTHING_CLOSE = said("Try `/search` with other words, or `/timeline` with a year.")


def date_line(event: Event, language: str = SOURCE_LANGUAGE) -> str:
    """`7 November 1917 (25 October 1917 O.S.)`, in `language`."""
    old_style = old_style_in(event.date, russian=event.fields.russian, language=language)
    shown = date_in(event.date, language)
    return f"{shown} ({old_style})" if old_style else shown


def anniversary_note(item: Anniversary, language: str = SOURCE_LANGUAGE) -> str:
    if item.ongoing:
        return said("under way: day {nth} of {span}", nth=item.nth, span=item.span).in_language(language)
    if item.round:
        return said("{years} · round anniversary", years=item.years).in_language(language)
    return item.years.in_language(language)


def day_message(answer: DayAnswer, language: str = SOURCE_LANGUAGE) -> str:
    """The sentence above the list, or in place of it when the day has no anniversary."""
    if answer.anniversaries:
        count = answer.anniversary_count
        said_so = said_n(
            "{count} event happened on {day}.", "{count} events happened on {day}.", count, day=answer.day
        )
    elif answer.next_day is not None:
        said_so = said(
            "No event in the chronology falls on {day}. The next anniversary is {next}.",
            day=answer.day,
            next=answer.next_day,
        )
    else:
        said_so = said("No event in the chronology falls on {day}.", day=answer.day)
    return said_so.in_language(language)


def upcoming_heading(answer: UpcomingAnswer, language: str = SOURCE_LANGUAGE) -> str:
    # the count starts with today, so one day is just today
    if answer.days == 1:
        return said("Anniversaries today").in_language(language)
    return said_n(
        "Anniversaries in the next {count} day", "Anniversaries in the next {count} days", answer.days
    ).in_language(language)


def upcoming_empty(answer: UpcomingAnswer, language: str = SOURCE_LANGUAGE) -> str:
    if answer.days == 1:
        return said("No anniversaries today.").in_language(language)
    return said_n(
        "No anniversaries in the next {count} day.", "No anniversaries in the next {count} days.", answer.days
    ).in_language(language)


def day_label(day: dt.date, language: str = SOURCE_LANGUAGE) -> str:
    return weekday_in(day, language)


def not_found_text(
    answer: EventAnswer,
    language: str,
    *,
    quote: Callable[[str], str],
    title: Callable[[str], str] | None = None,
) -> str:
    """Why /event found nothing, and what comes closest; `quote` makes what was typed safe where
    it is shown (Discord's markup, or plain text as it is), `title` each closest title."""
    title = title or quote
    if answer.gone:
        said_so = said("No event like that is in this chronology. {hint}", hint=NOTHING_CLOSE)
    elif not answer.suggestions:
        said_so = said("No event is called “{name}”. {hint}", name=quote(answer.query), hint=NOTHING_CLOSE)
    else:
        closest = "; ".join(title(name) for name in answer.suggestions)
        said_so = said(
            "No event is called exactly “{name}”. Closest: {titles}.",
            name=quote(answer.query),
            titles=closest,
        )
    return said_so.in_language(language)


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
    if old_style := old_style_in(event.date, russian=fields.russian, language=language, labelled=False):
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
        return _day_text(answer, language)
    if isinstance(answer, EventAnswer):
        return _event_text(answer, language)
    if isinstance(answer, EventList):
        return _list_text(answer, language)
    return _upcoming_text(answer, language)


def _day_text(answer: DayAnswer, language: str) -> str:
    def line(marker: str, item: Anniversary) -> str:
        note = anniversary_note(item, language)
        return f"  {marker} {date_line(item.event, language)} — {item.event.title} ({note})"

    heading = said("On this day: {day}", day=answer.day).in_language(language)
    lines = [heading, day_message(answer, language)]
    lines += [line("•", item) for item in answer.anniversaries] + _more_line(
        answer.more_anniversaries, language
    )
    lines += [line("◦", item) for item in answer.ongoing] + _more_line(answer.more_ongoing, language)
    if answer.next_anniversaries and answer.next_day:
        lines.append(said("Next, on {day}:", day=answer.next_day).in_language(language))
        lines += [line("•", item) for item in answer.next_anniversaries] + _more_line(
            answer.more_next, language
        )
    if answer.month_events:
        month = month_in(answer.day.month, language)
        lines.append(said("Known only to the month of {month}:", month=month).in_language(language))
        lines += [f"  • {date_line(event, language)} — {event.title}" for event in answer.month_events]
    return "\n".join(lines)


def and_more(count: int, language: str = SOURCE_LANGUAGE) -> str:
    """What stands for the `count` entries a list leaves out: `…and 3 more`."""
    return said_n("…and {count} more", "…and {count} more", count).in_language(language)


def _more_line(unlisted: int, language: str) -> list[str]:
    """The line under a list cut at DAY_LIST_MAX; none when it is whole."""
    return ["  " + and_more(unlisted, language)] if unlisted else []


def _event_text(answer: EventAnswer, language: str) -> str:
    if answer.event is None:
        return not_found_text(answer, language, quote=str)
    event = answer.event
    lines = [event.title, ""]
    if event.fields.summary:
        lines += [event.fields.summary, ""]
    lines += [f"{label_in(key, language)}: {value}" for key, value in event_details(event, language)]
    return "\n".join(lines)


def _list_text(answer: EventList, language: str) -> str:
    if not answer.events:
        return answer.empty_message.in_language(language)
    lines = [f"{answer.heading.in_language(language)} ({len(answer.events)})"]
    if answer.only_partial:
        lines.append(ONLY_PARTIAL.in_language(language))
    for event in answer.events:
        note = partial_note(answer, event, language)
        lines.append(f"  • {date_line(event, language)} — {event.title}" + (f" ({note})" if note else ""))
    return "\n".join(lines)


ONLY_PARTIAL = said("Nothing matches every word; these match some of them.")


def partial_note(answer: EventList, event: Event, language: str) -> str | None:
    """ "partial match" beside an event that misses some of a search's words, unless all of
    them do (then one line above the list says so)."""
    if event.id in answer.partial and not answer.only_partial:
        return said("partial match").in_language(language)
    return None


def _upcoming_text(answer: UpcomingAnswer, language: str) -> str:
    if not answer.by_day:
        return upcoming_empty(answer, language)
    lines = [upcoming_heading(answer, language)]
    for day, items in answer.by_day:
        lines.append(day_label(day, language))
        lines += [
            f"  • {date_line(item.event, language)} — {item.event.title} ({anniversary_note(item, language)})"
            for item in items
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
    extra: dict[str, Any] = {"years_ago": str(item.years), "round_anniversary": item.round}
    if item.ongoing:
        extra |= {"ongoing_day": item.nth, "ongoing_of": item.span}
    if item.boundary:
        extra["boundary"] = str(item.boundary)  # "began" or "ended": a long event's two anniversaries
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
        events = [
            event_json(event, **({"partial": True} if event.id in answer.partial else {}))
            for event in answer.events
        ]
    else:
        for day, items in answer.by_day:
            events += [_anniversary_json(item) | {"on": day.isoformat()} for item in items]
    message = day_message(answer) if isinstance(answer, DayAnswer) else None
    if message is None:
        message = to_text(answer).split("\n", 1)[0]
    return {"command": command, "events": events, "related": related, "message": message, "error": None}


def error_json(command: str, message: str) -> dict[str, Any]:
    return {"command": command, "events": [], "related": [], "message": None, "error": message}
