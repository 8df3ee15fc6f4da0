"""The catalogs (bot/i18n/locales/*.po) against the code (bot/i18n/catalogs.py,
bot/i18n/messages.py): every message the code says is translated in every shipped language, with
the same fields and every plural form, and no catalog keeps a message the code no longer says."""

from __future__ import annotations

import string

import pytest

from bot.i18n.catalogs import MessageId, messages_in_code, updated
from bot.i18n.languages import TRANSLATED
from bot.i18n.messages import catalog, said, said_n


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.fixture(scope="module")
def in_code() -> dict[MessageId, object]:
    return dict(messages_in_code())


def test_the_code_says_its_messages_through_the_catalogs(in_code: dict[MessageId, object]) -> None:
    assert len(in_code) > 150
    assert "Still under way" in in_code
    assert ("{count} year ago", "{count} years ago") in in_code


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_its_fields_and_every_plural_form(
    language: str, in_code: dict[MessageId, object]
) -> None:
    written = catalog(language)
    problems = []
    for key in in_code:
        message = written.get(key if isinstance(key, str) else key[0])
        if message is None:
            problems.append(f"missing: {key!r}")
            continue
        wanted = fields(key) if isinstance(key, str) else fields(key[1])
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if isinstance(key, tuple) and len(forms) != written.num_plurals:
            problems.append(f"{len(forms)} of {written.num_plurals} plural forms: {key!r}")
        for form in forms:
            if not form:
                problems.append(f"untranslated: {key!r}")
            elif fields(form) - {"count"} != wanted - {"count"} or (
                isinstance(key, str) and fields(form) != wanted
            ):
                problems.append(f"fields differ: {key!r} -> {form!r}")
    assert problems == [], (
        f"bot/i18n/locales/{language}.po: run `python -m bot.i18n.catalogs`, then translate"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_catalog_keeps_a_message_the_code_no_longer_says(
    language: str, in_code: dict[MessageId, object]
) -> None:
    _, added, dropped = updated(language, messages_in_code())
    assert (added, dropped) == (0, 0)


def test_keeping_a_catalog_in_step_points_each_message_at_where_the_code_says_it_now() -> None:
    """A translator reads `#: file:line` to see a message in use: a message moved to another
    module is found there, not at its old place."""
    said_now = messages_in_code()
    fresh, _, _ = updated("ca", said_now)
    for message in fresh:
        if message.id and message.context is None:
            assert tuple(message.locations) == said_now[message.id].where


def test_russian_counts_take_their_three_forms() -> None:
    years = [said_n("{count} year ago", "{count} years ago", n).in_language("ru") for n in (1, 3, 5, 21)]
    assert [text.split(" ", 1)[1] for text in years] == ["год назад", "года назад", "лет назад", "год назад"]


def test_a_message_is_said_in_the_readers_language_and_english_otherwise() -> None:
    under_way = said("Still under way")
    assert under_way.in_language("en") == str(under_way) == "Still under way"
    assert under_way.in_language("es") != "Still under way"
    assert under_way.in_language("ja") == "Still under way"
