"""Dates put into words in each language: written as a single date writes them, the months
whole, and in the grammatical form the words around them ask for."""

from __future__ import annotations

import pytest

from bot.dates.partial import EventDate
from bot.dates.words import date_in, old_style_in


def spaced(text: str) -> str:
    """CLDR's no-break spaces as plain ones."""
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("ru", "28 февраля — 19 марта 1921 г."),
        ("uk", "28 лютого — 19 березня 1921 р."),
        ("de", "28. Februar – 19. März 1921"),
        ("fr", "28 février – 19 mars 1921"),
        ("es", "28 de febrero – 19 de marzo de 1921"),
        ("pl", "28 lutego – 19 marca 1921"),
    ],
)
def test_a_range_of_days_writes_its_months_whole(language: str, shown: str) -> None:
    assert spaced(date_in(EventDate.parse("1921-02-28/1921-03-19"), language)) == shown


@pytest.mark.parametrize(
    ("language", "shown"),
    [("ru", "ок. сентября 1921 г."), ("uk", "бл. вересня 1921 р."), ("pl", "ok. września 1921")],
)
def test_an_approximate_month_takes_the_form_its_preposition_governs(language: str, shown: str) -> None:
    assert spaced(date_in(EventDate.parse("1921-09~"), language)) == shown


@pytest.mark.parametrize("language", ["en", "es", "ca", "ru", "de"])
def test_the_old_style_beside_its_label_does_not_say_so_twice(language: str) -> None:
    date = EventDate.parse("1917-11-07")
    labelled = old_style_in(date, russian=True, language=language)
    plain = old_style_in(date, russian=True, language=language, labelled=False)
    assert labelled is not None and plain is not None
    assert plain in labelled and plain != labelled
    assert "25" in plain and "1917" in plain
