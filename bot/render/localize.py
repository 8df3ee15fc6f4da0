"""Answers in the reader's language: every event in a result object shown with its title,
summary, other names, note, people, places and tags in that language, where it has them, and in
English where it does not.

The questions are answered once, in the original; this is applied to the result object just
before it is rendered, so the embeds, the shell's text and its JSON all follow the same rule.
"""

from __future__ import annotations

from dataclasses import replace
from typing import overload

from bot.almanac.answers import Anniversary, DayAnswer, EventAnswer, EventList, UpcomingAnswer
from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.messages import translate
from bot.model.event import Event

Localizable = DayAnswer | EventAnswer | EventList | UpcomingAnswer


def event_in(event: Event, language: str) -> Event:
    """`event` as a reader of `language` sees it: each field its translation holds in place of the
    original (title, summary, other names, note, source, and people, places and tags as that
    language spells them), the original wherever the translation is silent."""
    fields = event.fields
    found = fields.translation(language)
    if found is None:
        return event
    shown = replace(
        fields,
        title=found.title,
        summary=found.summary or fields.summary,
        aliases=found.aliases or fields.aliases,
        note=found.note or fields.note,
        people=found.people or fields.people,
        places=found.places or fields.places,
        tags=found.tags or fields.tags,
        source=found.source or fields.source,
    )
    return event if shown == fields else replace(event, fields=shown)


def _anniversaries(items: list[Anniversary], language: str) -> list[Anniversary]:
    return [replace(item, event=event_in(item.event, language)) for item in items]


@overload
def localized(answer: DayAnswer, language: str) -> DayAnswer: ...
@overload
def localized(answer: EventAnswer, language: str) -> EventAnswer: ...
@overload
def localized(answer: EventList, language: str) -> EventList: ...
@overload
def localized(answer: UpcomingAnswer, language: str) -> UpcomingAnswer: ...


def localized(answer: Localizable, language: str) -> Localizable:
    """`answer` with its events in `language` (English, the original, is returned as it is)."""
    if language == SOURCE_LANGUAGE:
        return answer
    if isinstance(answer, DayAnswer):
        return replace(
            answer,
            anniversaries=_anniversaries(answer.anniversaries, language),
            ongoing=_anniversaries(answer.ongoing, language),
            next_anniversaries=_anniversaries(answer.next_anniversaries, language),
            month_events=[event_in(event, language) for event in answer.month_events],
        )
    if isinstance(answer, EventAnswer):
        event = None if answer.event is None else event_in(answer.event, language)
        return replace(
            answer, event=event, suggested=[event_in(shown, language) for shown in answer.suggested]
        )
    if isinstance(answer, EventList):
        return replace(answer, events=[event_in(event, language) for event in answer.events])
    return replace(answer, by_day=[(day, _anniversaries(items, language)) for day, items in answer.by_day])


# -- the words around the events ---------------------------------------------------------------


def label(text: str, language: str) -> str:
    """A field's label (`Date`, `People`…) or a fixed phrase of the event card, in `language`."""
    return translate(language, "label", text)
