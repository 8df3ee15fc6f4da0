"""Keeping the catalogs in step with the code: `python -m bot.i18n.catalogs` adds every message the
code says (`said(…)`, `said_n(…)`) to each `bot/i18n/locales/<language>.po`, untranslated, and drops
the ones the code no longer says. Translators then fill in the empty `msgstr`s;
`tests/bot/i18n/test_messages.py` fails while any is empty.

The command tree's words (contexts `name`, `description`, `choice`) and the event card's labels
(`label`) are kept by their own tests; this touches only the messages without a context.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from bot.i18n.languages import TRANSLATED
from bot.i18n.messages import KEYWORDS, catalog

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "cogs")
LOCALES = ROOT / "bot" / "i18n" / "locales"

MessageId = str | tuple[str, str]  # a plain message, or (singular, plural)


@dataclass(frozen=True)
class Said:
    id: MessageId
    where: tuple[tuple[str, int], ...]  # (file, line) of each place that says it


def messages_in_code() -> dict[MessageId, Said]:
    """Every message the code says, in the order first found, with where it says it."""
    found: dict[MessageId, list[tuple[str, int]]] = {}
    for package in SOURCES:
        extracted = extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()
        )
        for filename, line, message, _, context in extracted:
            if context is not None:
                continue
            key: MessageId = message if isinstance(message, str) else (message[0], message[1])
            found.setdefault(key, []).append((f"{package}/{filename}", line))
    return {key: Said(key, tuple(places)) for key, places in found.items()}


def updated(language: str, said: dict[MessageId, Said]) -> tuple[Catalog, int, int]:
    """`language`'s catalog with the code's messages added, the stale ones gone and every
    message's places in the code brought up to date; the counts of added and dropped."""
    current = catalog(language)
    fresh = Catalog(
        locale=language,
        domain="almanac",
        project="Almanac",
        header_comment=current.header_comment,
        creation_date=current.creation_date,  # kept, so a run that changes nothing changes no byte
        revision_date=current.revision_date,
        fuzzy=False,
    )
    added = 0
    for message in current:
        if not message.id:
            continue
        if message.context is not None:
            fresh.add(message.id, message.string, context=message.context, locations=message.locations)
        elif message.id in said:  # where the code says it now, not where it said it when added
            fresh.add(message.id, message.string, locations=said[message.id].where)
    for key, where in said.items():
        if key not in current:
            blank: str | tuple[str, ...] = "" if isinstance(key, str) else ("",) * fresh.num_plurals
            fresh.add(key, blank, locations=where.where)
            added += 1
    dropped = sum(1 for m in current if m.id and m.context is None and m.id not in said)
    return fresh, added, dropped


def _translated(string: str | tuple[str, ...] | list[str]) -> bool:
    return all(string) if isinstance(string, tuple | list) else bool(string)


def main(argv: list[str] | None = None) -> None:
    """`python -m bot.i18n.catalogs [LANGUAGE …]`: every shipped catalog, or only those named."""
    languages = (argv if argv is not None else sys.argv[1:]) or list(TRANSLATED)
    unknown = [language for language in languages if language not in TRANSLATED]
    if unknown:
        raise SystemExit(f"no catalog for {', '.join(unknown)}; the shipped ones are {', '.join(TRANSLATED)}")
    said = messages_in_code()
    for language in languages:
        fresh, added, dropped = updated(language, said)
        buffer = io.BytesIO()
        write_po(buffer, fresh, width=100, omit_header=False, sort_output=False)
        (LOCALES / f"{language}.po").write_bytes(buffer.getvalue())
        untranslated = sum(
            1 for m in fresh if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
        )
        print(
            f"bot/i18n/locales/{language}.po: {added} added, {dropped} dropped, {untranslated} to translate"
        )


if __name__ == "__main__":
    main()
