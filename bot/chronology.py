"""The bundled chronology file (`data/chronology.toml`): reading and validating it."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.model import EventFields, FieldErrors
from bot.search import normalize

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


def load_chronology(path: Path = DEFAULT_DATA_FILE) -> Chronology:
    try:
        raw_bytes = path.read_bytes()
    except OSError as error:
        raise ChronologyError(path, [f"cannot read the file ({error.strerror or error})"]) from None
    try:
        document = tomllib.loads(raw_bytes.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ChronologyError(path, [f"not valid TOML: {error}"]) from None
    entries = document.get("event")
    if not isinstance(entries, list) or not entries:
        raise ChronologyError(path, ["no [[event]] entries found"])
    events, problems = validate_entries(entries)
    if problems:
        raise ChronologyError(path, problems)
    return Chronology(tuple(events), hashlib.sha256(raw_bytes).hexdigest())


def validate_entries(entries: list[object]) -> tuple[list[EventFields], list[str]]:
    """Validate every entry; problems read `event 3 (kronstadt): title: is missing`."""
    events: list[EventFields] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    names: dict[str, str] = {}
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
        try:
            fields = EventFields.from_mapping(entry)
        except FieldErrors as error:
            problems.extend(f"{label}: {name}: {message}" for name, message in error.problems)
            continue
        events.append(fields)
        # A title or alias naming two events would make `/event <name>` ambiguous.
        for name in {normalize(text) for text in (fields.title, *fields.aliases)}:
            if name in names and names[name] != fields.slug:
                problems.append(f"{label}: aliases: `{name}` also names {names[name]}")
            names.setdefault(name, fields.slug)
    return events, problems
