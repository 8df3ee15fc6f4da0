"""bot/model/event.py: an event's fields, and the translations of its title and summary."""

from __future__ import annotations

import pytest

from bot.model.event import EventFields, FieldErrors, Translation

BASE = {"id": "kronstadt-rebellion", "date": "1921-02-28/1921-03-19", "title": "Kronstadt rebellion"}


def test_translations_are_kept_in_a_fixed_order_and_fall_back_to_the_original() -> None:
    fields = EventFields.from_mapping(
        BASE
        | {
            "summary": "The sailors rose.",
            "translations": {
                "ru": {"title": "Кронштадтское восстание", "summary": "Матросы восстали."},
                "ca": {"title": "Revolta de Kronstadt"},
            },
        }
    )

    assert fields.translations == (
        Translation("ca", "Revolta de Kronstadt", ""),
        Translation("ru", "Кронштадтское восстание", "Матросы восстали."),
    )
    assert (
        fields.title_in("ru") == "Кронштадтское восстание" and fields.title_in("es") == "Kronstadt rebellion"
    )
    assert fields.summary_in("ca") == "The sailors rose."  # no Catalan summary: the original
    assert EventFields.from_mapping(fields.as_mapping()) == fields
    assert "translations" not in EventFields.from_mapping(BASE).as_mapping()  # none: left out


@pytest.mark.parametrize(
    ("translations", "problem"),
    [
        (
            {"it": {"title": "Rivolta di Kronštadt"}},
            ("translations.it", "is not a language Almanac ships"),
        ),
        ({"ca": {"summary": "Sense títol"}}, ("translations.ca.title", "is missing")),
        ({"es": {"title": "x" * 101}}, ("translations.es.title", "is 101 characters long")),
        (
            {"ru": {"title": "Восстание", "summary": "я" * 601}},
            ("translations.ru.summary", "is 601 characters"),
        ),
        ({"ca": {"title": "Revolta", "titol": "typo"}}, ("translations.ca.titol", "is not a known field")),
        ({"ca": "Revolta"}, ("translations.ca", "must hold a title and a summary")),
        (
            {"uk": {"title": "Кронштадтське повстання", "aliases": ["х" * 101]}},
            ("translations.uk.aliases", "has an entry over 100 characters"),
        ),
        (
            {"pl": {"title": "Powstanie", "places": "Kronsztad", "note": 7}},
            ("translations.pl.note", "must be text"),
        ),
        (["ca"], ("translations", "must be a table of languages")),
    ],
)
def test_a_bad_translation_is_named_by_its_language_and_field(
    translations: object, problem: tuple[str, str]
) -> None:
    with pytest.raises(FieldErrors) as caught:
        EventFields.from_mapping(BASE | {"translations": translations})
    assert any(name == problem[0] and problem[1] in message for name, message in caught.value.problems), (
        caught.value.problems
    )
