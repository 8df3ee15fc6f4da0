"""Command names, descriptions and choices in every shipped language (cogs/translator.py),
from the catalogs in bot/i18n/locales/ (bot/i18n/messages.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord
import pytest
from discord import app_commands

from bot.client import AlmanacBot, create_bot
from bot.config import Settings
from bot.i18n.languages import NAMES, TRANSLATED
from bot.i18n.messages import catalog, translate
from bot.render.help import EXAMPLES
from bot.render.text import CARD_LABELS
from bot.runtime import Services
from cogs.translator import CatalogTranslator, messages
from tests.limits import valid_name  # Discord's rule for command and option names, lowercase too


@pytest.fixture
async def bot(services: Services, settings: Settings) -> AsyncIterator[AlmanacBot]:
    bot = create_bot(services, settings)
    async with bot:
        await bot.setup_hook()
        yield bot
        for name in list(bot.cogs):
            await bot.remove_cog(name)


# option names the language writes as English does
COGNATES = {"de": {"status", "name"}, "fr": {"intro", "date"}, "pl": {"tag"}}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_command_word_has_a_translation_and_no_catalog_holds_stale_ones(
    bot: AlmanacBot, language: str
) -> None:
    wanted = messages(bot.tree)
    assert len(wanted) > 80
    missing = [
        text for context, text in wanted if translate(language, context, text) == text and text.isascii()
    ]
    # the same in a language: the bot's name, the file formats, `format` in Catalan, and each
    # language's choice by its own name (English, Deutsch, Polski)
    same = {
        "almanac",
        "json",
        "csv",
        "timelinejs",
        "ics",
        "format",
        *NAMES.values(),
        *COGNATES.get(language, ()),
    }
    assert set(missing) <= same, missing
    command_contexts = {"name", "description", "choice"}
    written = {(m.context, m.id) for m in catalog(language) if m.id and m.context in command_contexts}
    assert written == set(wanted), f"bot/i18n/locales/{language}.po differs from the commands"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_label_of_the_event_card_is_translated(language: str) -> None:
    written = {m.id: m.string for m in catalog(language) if m.id and m.context == "label"}
    assert set(written) == set(CARD_LABELS)
    assert all(written.values()), language  # French writes `Date`, `Source` and `Note` as English does


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_help_example_is_written_in_every_language(language: str) -> None:
    written = {m.id: m.string for m in catalog(language) if m.id and m.context == "example"}
    assert set(written) == {args for args in EXAMPLES.values() if args}
    assert all(written.values()), language


@pytest.mark.parametrize("language", TRANSLATED)
def test_translated_names_are_valid_discord_names_and_descriptions_fit(
    bot: AlmanacBot, language: str
) -> None:
    for context, text in messages(bot.tree):
        translated = translate(language, context, text)
        if context == "name":
            assert valid_name(translated), (language, text, translated)
        else:
            assert 1 <= len(translated) <= 100, (language, text, translated)


@pytest.mark.parametrize("language", TRANSLATED)
def test_sibling_names_stay_distinct_in_every_language(bot: AlmanacBot, language: str) -> None:
    def names(nodes: list[app_commands.Command | app_commands.Group]) -> list[str]:  # type: ignore[type-arg]
        return [translate(language, "name", node.name) for node in nodes]

    top = [
        node
        for node in bot.tree.get_commands()
        if isinstance(node, app_commands.Command | app_commands.Group)
    ]
    assert len(set(names(top))) == len(top)
    for node in top:
        if isinstance(node, app_commands.Group):
            assert len(set(names(node.commands))) == len(node.commands), node.name
        else:
            options = [translate(language, "name", p.name) for p in node.parameters]
            assert len(set(options)) == len(options), node.name


async def test_the_synced_payload_carries_russian_and_spanish_names_and_english_for_others(
    bot: AlmanacBot,
) -> None:
    command = bot.tree.get_command("onthisday")
    assert command is not None
    payload = await command.get_translated_payload(bot.tree, CatalogTranslator())

    names = payload["name_localizations"]
    assert names["ru"] == translate("ru", "name", "onthisday") != "onthisday"
    assert names["es-ES"] == names["es-419"] == translate("es", "name", "onthisday")
    assert "ja" not in names and "pt-BR" not in names  # Discord shows those members the English
    assert payload["description_localizations"]["ru"] == translate(
        "ru", "description", "What happened on this day in the chronology"
    )
    assert discord.Locale.russian.value in names
