"""The gazetteer beside the data file (`data/names.toml`): how each person, place, tag and source
heading of the bundled chronology is written in each language it is translated into.

The reader adds these spellings to each event's translations as it reads the data file, so the
store, the search words and the card see them like any other translated field; the data file
names each person, place and tag once, in English. `/random tag:` reads the tags back: a tag typed
in any language (`анархисты`) means its English original.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.i18n.languages import TRANSLATED
from bot.relevance.words import normalize

NAMES_FILE = "names.toml"  # beside the data file
LISTS = ("people", "places", "tags")
KINDS = (*LISTS, "sources")
# kind -> English value -> language -> how that language writes it
Spellings = Mapping[str, Mapping[str, Mapping[str, str]]]


class NamesError(Exception):
    """The gazetteer cannot be used; `problems` lists what is wrong with it."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems[:3]) + (" …" if len(problems) > 3 else ""))


@dataclass(frozen=True)
class Gazetteer:
    spellings: Spellings = field(default_factory=dict)
    digest: bytes = b""  # sha256 of the file, folded into the data file's fingerprint

    @classmethod
    def beside(cls, data_file: Path) -> Gazetteer:
        """The gazetteer next to `data_file`, or an empty one where there is none."""
        path = names_path(data_file)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return cls()
        except OSError as error:
            raise NamesError(path, [f"cannot read the file ({error.strerror or error})"]) from None
        try:
            document = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise NamesError(path, [str(error)]) from None
        return cls(_checked(path, document), hashlib.sha256(data).digest())

    def spelled(self, kind: str, value: str, language: str) -> str:
        return self.spellings.get(kind, {}).get(value, {}).get(language, value)

    def apply(self, entry: dict[str, Any]) -> dict[str, Any]:
        """A data-file entry with its people, places, tags and source spelled in each language its
        translations are written in (what a translation gives itself is kept)."""
        translations = entry.get("translations")
        if not self.spellings or not isinstance(translations, dict):
            return entry
        texts_of = {}
        for language, texts in translations.items():
            if not isinstance(texts, dict):
                continue
            texts = dict(texts)
            for kind in LISTS:
                values = entry.get(kind)
                if kind not in texts and isinstance(values, list) and all(isinstance(v, str) for v in values):
                    spelled = [self.spelled(kind, value, language) for value in values]
                    if spelled != values:
                        texts[kind] = spelled
            source = entry.get("source")
            if "source" not in texts and isinstance(source, str) and source:
                spelled_source = self.spelled("sources", source, language)
                if spelled_source != source:
                    texts["source"] = spelled_source
            texts_of[language] = texts
        return entry | {"translations": translations | texts_of}

    def tag_words(self) -> dict[str, str]:
        """Each tag as any language writes it, normalized -> the tag itself."""
        return {
            normalize(spelled): tag
            for tag, languages in self.spellings.get("tags", {}).items()
            for spelled in languages.values()
            if normalize(spelled)
        }


def names_path(data_file: Path) -> Path:
    return data_file.with_name(NAMES_FILE)


def _checked(path: Path, document: dict[str, Any]) -> Spellings:
    problems: list[str] = []
    for key in sorted(set(document) - set(KINDS)):
        problems.append(f"[{key}]: is not one of {', '.join(KINDS)}")
    found: dict[str, dict[str, dict[str, str]]] = {}
    for kind in KINDS:
        for value, languages in document.get(kind, {}).items():
            where = f"{kind}.{value}"
            if not isinstance(languages, dict):
                problems.append(f"{where}: must be a table of languages")
                continue
            for language, spelled in languages.items():
                if language not in TRANSLATED:
                    problems.append(
                        f"{where}.{language}: is not a translated language ({', '.join(TRANSLATED)})"
                    )
                elif not isinstance(spelled, str) or not spelled.strip() or len(spelled) > 100:
                    problems.append(f"{where}.{language}: must be text of 1 to 100 characters")
            found.setdefault(kind, {})[value] = {
                language: " ".join(spelled.split())
                for language, spelled in languages.items()
                if language in TRANSLATED and isinstance(spelled, str)
            }
    if problems:
        raise NamesError(path, problems)
    return found
