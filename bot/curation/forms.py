"""The add/edit form as a moderator types it: five boxes in, validated event fields out.

`EventForm` holds what was typed; `fields_from_form` checks it as a data-file entry is checked,
naming the box of every problem, so the form can say which one to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.dates.partial import DateError, EventDate
from bot.dates.when import month_and_year, parse_day
from bot.i18n.messages import said
from bot.i18n.text import quoted
from bot.model.event import EventFields, FieldErrors, Problem, labels_text

DATE_HINT = said("Write it like 1921-03-02, 2 March 1921, March 1921, 1921, 1921-03~ or 1918/1921.")
_ALIAS_KEYS = ("also", "aliases", "alias", "also known as", "other names")
_ANY_DAY = EventDate.parse("2000-01-01").first_day()  # parse_day wants a today; a year is required anyway


@dataclass(frozen=True)
class EventForm:
    """The add/edit modal's five boxes, as typed."""

    title: str
    date: str
    summary: str = ""
    source: str = ""
    labels: str = ""  # "tags: strike; navy" and "also: Kronstadt uprising", one per line

    @classmethod
    def of(cls, fields: EventFields) -> EventForm:
        """The boxes pre-filled from an event, for editing."""
        labels = labels_text(fields.tags, fields.aliases)
        return cls(fields.title, fields.date.edtf(), fields.summary, fields.source, labels)


def split_labels(text: str) -> tuple[list[str], list[str]]:
    """(tags, aliases) from lines such as `tags: strike, navy` and `also: Kronstadt uprising`.
    A line with neither prefix holds tags."""
    tags: list[str] = []
    aliases: list[str] = []
    for line in text.splitlines():
        key, colon, rest = line.partition(":")
        key = " ".join(key.lower().split())
        if colon and key in _ALIAS_KEYS:
            aliases.extend(part for part in rest.split(";") if part.strip())
            continue
        value = rest if colon and key in ("tags", "tag") else line
        tags.extend(part for part in value.replace(",", ";").split(";") if part.strip())
    return tags, aliases


def read_date(text: str) -> str:
    """EDTF from what a moderator typed: EDTF itself, `March 1921`, or an /onthisday day with a year."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise DateError(said("The date is empty. {hint}", hint=DATE_HINT))
    try:
        return EventDate.parse(cleaned).edtf()
    except DateError:
        pass
    if (month_year := month_and_year(cleaned)) is not None:
        month, year = month_year
        return f"{year:04d}-{month:02d}"
    try:
        asked = parse_day(cleaned, _ANY_DAY)
    except DateError:
        raise DateError(
            said("`{text}` is not a date I can read. {hint}", text=quoted(cleaned), hint=DATE_HINT)
        ) from None
    if asked.year is None:
        raise DateError(said("`{text}` needs a year. {hint}", text=quoted(cleaned), hint=DATE_HINT))
    return f"{asked.year:04d}-{asked.month:02d}-{asked.day:02d}"


def fields_from_form(form: EventForm, base: dict[str, Any]) -> EventFields:
    """Validate the form over `base` (an event's mapping, or just its new id); FieldErrors name the box."""
    tags, aliases = split_labels(form.labels)
    raw = base | {
        "title": form.title,
        "summary": form.summary,
        "source": form.source,
        "tags": tags,
        "aliases": aliases,
    }
    problems: list[Problem] = []
    try:
        raw["date"] = read_date(form.date)
    except DateError as error:
        problems.append(("date", error.message))
        raw["date"] = "2000"  # a stand-in, so the other boxes are still checked
    try:
        fields = EventFields.from_mapping(raw)
    except FieldErrors as error:
        problems.extend(error.messages)
    if problems:
        raise FieldErrors(problems)
    return fields
