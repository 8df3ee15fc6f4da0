"""Command names, descriptions and choices in the member's Discord language.

discord.py asks the tree's translator for every name, description and choice when the tree is
synced; Discord then shows each member the one for their language. The words come from the
gettext catalogs (`bot/i18n/locales/*.po`) through `bot.i18n.messages`.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n.languages import TRANSLATED, language_of
from bot.i18n.messages import translate

_CONTEXTS = {
    app_commands.TranslationContextLocation.command_name: "name",
    app_commands.TranslationContextLocation.group_name: "name",
    app_commands.TranslationContextLocation.parameter_name: "name",
    app_commands.TranslationContextLocation.command_description: "description",
    app_commands.TranslationContextLocation.group_description: "description",
    app_commands.TranslationContextLocation.parameter_description: "description",
    app_commands.TranslationContextLocation.choice_name: "choice",
}


class CatalogTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = language_of(str(locale))
        kind = _CONTEXTS.get(context.location)
        if language not in TRANSLATED or kind is None:
            return None  # Discord then shows the English
        translated = translate(language, kind, string.message)
        return translated if translated != string.message else None


def messages(tree: app_commands.CommandTree[discord.Client]) -> list[tuple[str, str]]:
    """Every (context, English text) the tree would ask the translator for, in tree order:
    what each catalog must translate, and nothing more."""
    found: dict[tuple[str, str], None] = {}

    def command(node: app_commands.Command[..., ...] | app_commands.Group) -> None:  # type: ignore[type-arg]
        found[("name", node.name)] = found[("description", node.description)] = None
        if isinstance(node, app_commands.Group):
            for child in node.commands:
                command(child)
            return
        for parameter in node.parameters:
            found[("name", parameter.name)] = found[("description", parameter.description)] = None
            for choice in parameter.choices:
                found[("choice", choice.name)] = None

    for node in tree.get_commands():
        if isinstance(node, app_commands.Command | app_commands.Group):
            command(node)
    return [key for key in found if key[1]]
