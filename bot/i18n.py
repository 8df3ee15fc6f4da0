"""The gettext catalogs: the interface's words in each shipped language, kept in PO files.

`bot/locales/<language>.po` is the one place a translation lives; it is read with Babel and
compiled in memory at start, so there is no compiled `.mo` file to forget to rebuild. A message
is looked up by its context (`name`, `description`, `choice`: the same English word may be a
command's name and a choice) and its English text; an untranslated one stays English.
"""

from __future__ import annotations

import functools
import io
from importlib import resources

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.languages import SOURCE_LANGUAGE, TRANSLATED


@functools.cache
def catalog(language: str) -> Catalog:
    """The PO catalog of `language`, as written (for checks and tools)."""
    source = resources.files("bot.locales").joinpath(f"{language}.po")
    with source.open("rb") as file:
        return read_po(file, locale=language, domain="almanac")


@functools.cache
def translations(language: str) -> Translations:
    """The compiled catalog: English falls through to the message itself."""
    if language not in TRANSLATED:
        return Translations()
    compiled = io.BytesIO()
    write_mo(compiled, catalog(language))
    compiled.seek(0)
    return Translations(compiled, domain="almanac")


def translate(language: str, context: str, message: str) -> str:
    """`message` in `language` (`context` tells a command's name from a description or a choice)."""
    if language == SOURCE_LANGUAGE:
        return message
    return str(translations(language).pgettext(context, message))
