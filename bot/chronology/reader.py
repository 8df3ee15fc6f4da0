"""The bundled chronology file (`data/chronology.toml`): reading and validating it."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

import rtoml

from bot.chronology.names import Gazetteer, NamesError, names_path
from bot.model.event import EventFields, FieldErrors
from bot.relevance.words import normalize

DEFAULT_DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "chronology.toml"


class ChronologyError(Exception):
    """The data file cannot be used; `problems` lists every bad entry, not just the first."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + ("; ".join(problems[:3]) + (" …" if len(problems) > 3 else "")))


@dataclass(frozen=True)
class Chronology:
    events: tuple[EventFields, ...]
    fingerprint: str  # sha256 of the file's bytes (and its gazetteer's): unchanged needs no writes


def file_fingerprint(path: Path) -> str:
    """The fingerprint `load_chronology` gives the file, without parsing it (read a block at a
    time, never whole)."""
    try:
        with path.open("rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
    except OSError as error:
        raise _unreadable(path, error) from None
    return _with_names(digest, _gazetteer(path))


def _with_names(digest: str, names: Gazetteer) -> str:
    """The data file's digest, changed by any change to its gazetteer (a file without one keeps
    the fingerprint it always had)."""
    return hashlib.sha256(bytes.fromhex(digest) + names.digest).hexdigest() if names.digest else digest


def _gazetteer(path: Path) -> Gazetteer:
    try:
        return Gazetteer.beside(path)
    except NamesError as error:
        raise ChronologyError(error.path, error.problems) from None


def _unreadable(path: Path, error: OSError) -> ChronologyError:
    return ChronologyError(path, [f"cannot read the file ({error.strerror or error})"])


def file_stat(path: Path) -> str | None:
    """The file's size and modification time (to the nanosecond), and its gazetteer's, which
    change with any edit; None if there is no such file."""
    try:
        found = path.stat()
    except OSError:
        return None
    stat = f"{found.st_size}:{found.st_mtime_ns}"
    try:
        names = names_path(path).stat()
    except OSError:
        return stat
    return f"{stat};{names.st_size}:{names.st_mtime_ns}"


def load_chronology(path: Path = DEFAULT_DATA_FILE) -> Chronology:
    """The whole file, checked: every event in memory at once (`ChronologyReader` for a big one)."""
    reader = ChronologyReader(path)
    events = tuple(fields for chunk in reader.chunks() for fields in chunk)
    return Chronology(events, reader.fingerprint)


def parse_toml(text: str) -> dict[str, Any]:
    """The document, parsed by rtoml (compiled: a million events in seconds, where the standard
    library's parser takes a minute); a file it refuses is read again by tomllib, whose message
    says where the mistake is in words a maintainer can act on."""
    try:
        return rtoml.loads(text)
    except rtoml.TomlParsingError:
        return tomllib.loads(text)


CHUNK_BYTES = 1 << 20
EVENT_HEADER = b"\n[[event]]"


class ChronologyReader:
    """A data file read and checked about a megabyte of `[[event]]` tables at a time, so that a
    million-event file is never in memory whole and the store can write one chunk while the next
    is read. `chunks()` gives each chunk's events; once any entry is bad it gives no more, checks
    the rest, and raises one ChronologyError naming every problem (a store writing the chunks in
    one transaction then rolls it back). `fingerprint` and `count` are set when it is done.

    The file is cut just before a line that opens an `[[event]]` table. Such a line inside a
    multi-line string would leave that string unclosed in its chunk, so the chunk fails to parse;
    then, as when a later chunk holds anything but events, the rest is read from the whole file."""

    def __init__(self, path: Path, *, expected: str | None = None) -> None:
        self.path = path
        self.expected = expected  # the fingerprint the caller hashed first: the file must not change
        self.fingerprint = ""
        self.count = 0
        self._checker = _Checker()
        self._names = _gazetteer(path)

    def chunks(self) -> Iterator[list[EventFields]]:
        digest = hashlib.sha256()
        given = 0  # entries checked so far
        try:
            with self.path.open("rb") as file:
                for number, piece in enumerate(_pieces(file, digest.update)):
                    entries = _chunk_entries(piece, first=number == 0)
                    read_whole = entries is None  # cut inside a string, or more than events
                    if entries is None:
                        data = self.path.read_bytes()
                        digest = hashlib.sha256(data)
                        entries = _document_entries(self.path, data)[given:]
                    yield from self._checked(entries, given)
                    given += len(entries)
                    if read_whole:
                        break
        except OSError as error:
            raise _unreadable(self.path, error) from None
        if given == 0:
            raise ChronologyError(self.path, ["no [[event]] entries found"])
        problems = self._checker.finish()
        if problems:
            raise ChronologyError(self.path, problems)
        self.fingerprint, self.count = _with_names(digest.hexdigest(), self._names), given
        if self.expected is not None and self.fingerprint != self.expected:
            raise ChronologyError(self.path, ["the file changed while it was being read; load it again"])

    def _checked(self, entries: list[object], before: int) -> Iterator[list[EventFields]]:
        spelled = [self._names.apply(entry) if isinstance(entry, dict) else entry for entry in entries]
        events = self._checker.check(spelled, before + 1)
        if not self._checker.problems and events:
            yield events


def _document_entries(path: Path, data: bytes) -> list[object]:
    """Every entry of a whole file: the careful way, whose errors say at which line of the file
    the mistake is."""
    try:
        document = parse_toml(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ChronologyError(path, [f"not valid TOML: {error}"]) from None
    entries = document.get("event")
    if not isinstance(entries, list):
        raise ChronologyError(path, ["no [[event]] entries found"])
    return entries


def _pieces(file: BinaryIO, seen: Callable[[bytes], object]) -> Iterator[bytes]:
    """The file in pieces of about CHUNK_BYTES, each cut just before an `[[event]]` line; `seen`
    is given every byte read, in order."""
    held = b""
    while block := file.read(CHUNK_BYTES):
        seen(block)
        held += block
        cut = held.rfind(EVENT_HEADER)
        if cut > 0:
            yield held[: cut + 1]
            held = held[cut + 1 :]
    if held:
        yield held


def _chunk_entries(piece: bytes, *, first: bool) -> list[object] | None:
    """A piece's `[[event]]` entries; None when it must be read with the rest of the file (it
    does not parse on its own, or a later piece holds something besides events)."""
    try:
        document = rtoml.loads(piece.decode("utf-8"))
    except (UnicodeDecodeError, rtoml.TomlParsingError):
        return None
    entries = document.get("event", [])
    if not isinstance(entries, list) or (not first and document.keys() - {"event"}):
        return None
    return entries


def validate_entries(
    entries: list[object], names: Gazetteer | None = None
) -> tuple[list[EventFields], list[str]]:
    """Validate every entry, spelled by `names` as the reader spells them; problems read
    `event 3 (kronstadt): title: is missing`."""
    checker = _Checker()
    if names is not None:
        entries = [names.apply(entry) if isinstance(entry, dict) else entry for entry in entries]
    events = checker.check(entries, 1)
    return events, checker.finish()


class _Checker:
    """The checks of a data file's entries, fed a chunk at a time; those across events (one id or
    name used twice, a language missing, old ids) see every chunk before."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.seen: dict[str, int] = {}  # id -> the number of the event that has it
        self.names: dict[str, str] = {}  # normalized title or alias -> the id of its event
        # the events translated into each set of languages, by number and id
        self.translated: dict[frozenset[str], list[tuple[int, str]]] = {}
        self.renamed: list[tuple[int, EventFields]] = []  # events with old ids, and their numbers

    def check(self, entries: list[object], first_number: int) -> list[EventFields]:
        events: list[EventFields] = []
        problems, seen, names = self.problems, self.seen, self.names
        for number, entry in enumerate(entries, start=first_number):
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
                self.renamed.append((number, fields))
            events.append(fields)
            languages = frozenset(t.language for t in fields.translations)
            self.translated.setdefault(languages, []).append((number, fields.slug))
            # A title or alias naming two events would make `/event <name>` ambiguous, in any language.
            translated = fields.translations
            titles = (fields.title, *fields.aliases, *(t.title for t in translated))
            titles += tuple(alias for t in translated for alias in t.aliases)
            for name in {normalize(text) for text in titles}:
                if name in names and names[name] != fields.slug:
                    problems.append(f"{label}: aliases: `{name}` also names {names[name]}")
                names.setdefault(name, fields.slug)
        return events

    def finish(self) -> list[str]:
        """Every problem found, with those only the whole file shows."""
        # A language the file ships is shipped for every event: a reader of it never meets English
        # in the middle of a list because one translation was forgotten.
        shipped = frozenset().union(*self.translated)
        missing = [
            (number, f"event {number} ({slug}): translations: has no {language} translation")
            for languages, events in self.translated.items()
            if shipped - languages
            for number, slug in events
            for language in sorted(shipped - languages)
        ]
        missing.sort(key=lambda problem: problem[0])
        return [*self.problems, *(text for _, text in missing), *self._old_id_clashes()]

    def _old_id_clashes(self) -> list[str]:
        """An old id is no event's id any more, and names one renamed event only."""
        problems: list[str] = []
        claimed: dict[str, str] = {}
        for number, fields in self.renamed:
            label = f"event {number} ({fields.slug})"
            for old in fields.old_ids:
                if old in self.seen:
                    problems.append(f"{label}: old_ids: `{old}` is still the id of event {self.seen[old]}")
                elif old in claimed:
                    problems.append(f"{label}: old_ids: `{old}` is already an old id of {claimed[old]}")
                claimed.setdefault(old, fields.slug)
        return problems


_OLD_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # what an `id` may be (bot.model.event's rule)


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
