"""The bundled chronology file (`data/chronology.toml`): reading and validating it."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import rtoml

from bot.model import EventFields, FieldErrors
from bot.scoring import normalize

DEFAULT_DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "chronology.toml"


class ChronologyError(Exception):
    """The data file cannot be used; `problems` lists every bad entry, not just the first."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + ("; ".join(problems[:3]) + (" …" if len(problems) > 3 else "")))


@dataclass(frozen=True)
class Chronology:
    events: tuple[EventFields, ...]
    fingerprint: str  # sha256 of the file's bytes: an unchanged file needs no writes


def file_fingerprint(path: Path) -> str | None:
    """The fingerprint `load_chronology` gives the file, without parsing it; None if unreadable."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def file_stat(path: Path) -> str | None:
    """The file's size and modification time (to the nanosecond), which change with any edit;
    None if there is no such file."""
    try:
        found = path.stat()
    except OSError:
        return None
    return f"{found.st_size}:{found.st_mtime_ns}"


def load_chronology(path: Path = DEFAULT_DATA_FILE) -> Chronology:
    try:
        raw_bytes = path.read_bytes()
    except OSError as error:
        raise ChronologyError(path, [f"cannot read the file ({error.strerror or error})"]) from None
    try:
        document = parse_toml(raw_bytes.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ChronologyError(path, [f"not valid TOML: {error}"]) from None
    entries = document.get("event")
    if not isinstance(entries, list) or not entries:
        raise ChronologyError(path, ["no [[event]] entries found"])
    events, problems = validate_entries(entries)
    if problems:
        raise ChronologyError(path, problems)
    return Chronology(tuple(events), hashlib.sha256(raw_bytes).hexdigest())


def parse_toml(text: str) -> dict[str, Any]:
    """The document, parsed by rtoml (compiled: a million events in seconds, where the standard
    library's parser takes a minute); a file it refuses is read again by tomllib, whose message
    says where the mistake is in words a maintainer can act on."""
    try:
        return rtoml.loads(text)
    except rtoml.TomlParsingError:
        return tomllib.loads(text)


def validate_entries(entries: list[object]) -> tuple[list[EventFields], list[str]]:
    """Validate every entry; problems read `event 3 (kronstadt): title: is missing`."""
    events: list[EventFields] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    names: dict[str, str] = {}
    translated: list[tuple[str, set[str]]] = []  # (label, the languages the event is translated into)
    for number, entry in enumerate(entries, start=1):
        label = f"event {number}"
        if not isinstance(entry, dict):
            problems.append(f"{label}: is not a table of fields")
            continue
        slug = entry.get("id")
        if isinstance(slug, str) and slug:
            label = f"{label} ({slug})"
            if slug in seen:
                problems.append(f"{label}: id: duplicates event {seen[slug]}")
            seen.setdefault(slug, number)
        old_ids = _old_ids(entry.get("old_ids"), label, problems)
        try:
            fields = EventFields.from_mapping(
                {key: value for key, value in entry.items() if key != "old_ids"}
            )
        except FieldErrors as error:
            problems.extend(f"{label}: {name}: {message}" for name, message in error.problems)
            continue
        if old_ids:
            fields = replace(fields, old_ids=old_ids)
        events.append(fields)
        translated.append((label, {t.language for t in fields.translations}))
        # A title or alias naming two events would make `/event <name>` ambiguous, in any language.
        titles = (fields.title, *fields.aliases, *(t.title for t in fields.translations))
        for name in {normalize(text) for text in titles}:
            if name in names and names[name] != fields.slug:
                problems.append(f"{label}: aliases: `{name}` also names {names[name]}")
            names.setdefault(name, fields.slug)
    # A language the file ships is shipped for every event: a reader of it never meets English
    # in the middle of a list because one translation was forgotten.
    shipped = set().union(*(languages for _, languages in translated))
    for label, languages in translated:
        problems.extend(
            f"{label}: translations: has no {language} translation"
            for language in sorted(shipped - languages)
        )
    problems.extend(_old_id_clashes(events, seen))
    return events, problems


_OLD_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # what an `id` may be (bot.model's rule)


def _old_ids(value: object, label: str, problems: list[str]) -> tuple[str, ...]:
    """`old_ids = ["previous-id"]`: the ids a renamed event had, so it keeps its stored row."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(f'{label}: old_ids: must be a list of ids in quotes, like ["previous-id"]')
        return ()
    for item in value:
        if not _OLD_ID.fullmatch(item):
            problems.append(
                f"{label}: old_ids: `{item[:80]}` is not an id (lowercase letters, digits, hyphens)"
            )
    return tuple(dict.fromkeys(item for item in value if _OLD_ID.fullmatch(item)))


def _old_id_clashes(events: list[EventFields], seen: dict[str, int]) -> list[str]:
    """An old id is no event's id any more, and names one renamed event only."""
    problems: list[str] = []
    claimed: dict[str, str] = {}
    for fields in events:
        label = f"event {seen.get(fields.slug, '?')} ({fields.slug})"
        for old in fields.old_ids:
            if old in seen:
                problems.append(f"{label}: old_ids: `{old}` is still the id of event {seen[old]}")
            elif old in claimed:
                problems.append(f"{label}: old_ids: `{old}` is already an old id of {claimed[old]}")
            claimed.setdefault(old, fields.slug)
    return problems
