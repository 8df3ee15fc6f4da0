"""The index saved to a file and read back: the loaded index answers every search and
autocomplete exactly as the one it was saved from, before and after further edits; a file that
is not whole, or not this format, is refused."""

from __future__ import annotations

import json
import random
import struct
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import Writer
from benchmarks.queries import misspell
from bot.model.event import BUNDLED_SCOPE, Event, EventFields
from bot.search import snapshot
from bot.search.index import TAIL_EVENTS, SearchIndex
from bot.search.snapshot import SnapshotError

SERVERS = (111, 222, 333)
LAYOUTS = [
    pytest.param(TAIL_EVENTS, id="tail"),
    pytest.param(0, id="rebuilt"),
    pytest.param(50, id="base-and-tail"),
]


def event(event_id: int, title: str, scope: int, **extra: Any) -> Event:
    fields = EventFields.from_mapping(
        {"id": f"event-{event_id}", "date": "1921-03-01", "title": title} | extra
    )
    return Event(id=event_id, scope=scope, fields=fields)


def generated(count: int, seed: int = 7) -> list[Event]:
    """Realistic events (titles, aliases, people, summaries in several scripts) over a few scopes."""
    writer = Writer(random.Random(seed))
    found = []
    for number in range(1, count + 1):
        fields = writer.event(number, 1917).as_mapping() | {"id": f"event-{number}"}
        scope = (BUNDLED_SCOPE, *SERVERS)[number % 4]
        found.append(Event(id=number, scope=scope, fields=EventFields.from_mapping(fields)))
    return found


def queries(events: list[Event], count: int = 60, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    picked = rng.sample(events, min(count, len(events)))
    return [misspell(e.fields.title, rng) if at % 2 else e.fields.title for at, e in enumerate(picked)]


def answers(index: SearchIndex, asked: list[str]) -> list[Any]:
    found = []
    for text in asked:
        for scopes in ((BUNDLED_SCOPE, 111), (BUNDLED_SCOPE, 222, 333)):
            found.append(index.search(text, scopes, hidden=(4, 8)))
            found.append(index.complete(text[: max(2, len(text) // 2)], scopes))
            found.append(index.complete(text.split()[0][:3], scopes, limit=25))
    return found


def saved(index: SearchIndex, path: Path, meta: dict[str, Any] | None = None) -> Path:
    snapshot.write(snapshot.capture(index), path, meta or {"seen": 1})
    return path


def edit(index: SearchIndex, events: list[Event], seed: int) -> None:
    """Edit some events, remove some, add new ones: the same on any index given the same seed."""
    rng = random.Random(seed)
    for chosen in rng.sample(events, 40):
        changed = chosen.fields.as_mapping() | {"title": chosen.fields.title + " Kronshtadt"}
        index.add(Event(id=chosen.id, scope=chosen.scope, fields=EventFields.from_mapping(changed)))
    for chosen in rng.sample(events, 30):
        index.remove(chosen.id)
    top = max(e.id for e in events)
    for number in range(top + 1, top + 20):
        index.add(
            event(number, f"Zhelyabov rally {number}", SERVERS[number % 3], summary="Kronstadt sailors")
        )


@pytest.mark.parametrize("tail_events", LAYOUTS)
def test_a_loaded_index_answers_as_the_one_it_was_saved_from(tmp_path: Path, tail_events: int) -> None:
    events = generated(400)
    original = SearchIndex(tail_events=tail_events)
    original.add_all(events)
    edit(original, events, seed=1)  # saved with edits and removals in its tail or base
    asked = queries(events)
    meta, loaded = snapshot.load(saved(original, tmp_path / "index", {"seen": 42, "from": "here"}))
    assert meta == {"seen": 42, "from": "here"}
    assert len(loaded) == len(original)
    assert answers(loaded, asked) == answers(original, asked)
    for event_id in (1, 5, 401, 402):
        assert loaded._document(event_id) == original._document(event_id)
    # and they stay alike as both go on changing
    edit(original, events, seed=2)
    edit(loaded, events, seed=2)
    assert answers(loaded, asked) == answers(original, asked)
    assert answers(loaded, ["zhelyabov", "kronshtadt"]) == answers(original, ["zhelyabov", "kronshtadt"])


def test_an_empty_index_and_one_with_crowded_names_round_trip(tmp_path: Path) -> None:
    _, empty = snapshot.load(saved(SearchIndex(), tmp_path / "empty"))
    assert len(empty) == 0 and empty.search("kronstadt", (BUNDLED_SCOPE,)) == []
    crowded = SearchIndex()
    aliases = [f"Name {n} Kronstadt" for n in range(20)]  # more names than the tags tell apart
    crowded.add(event(1, "Кронштадтское восстание", 111, aliases=aliases))
    crowded.add(event(2, "Kronstadt", 111, summary="Tab\tand new\nline in a title's neighbour"))
    crowded.add(event(3, "Title with\nnewline", 111))
    _, loaded = snapshot.load(saved(crowded, tmp_path / "crowded"))
    for text in ("kronstadt", "name 19 kronstadt", "kronshtadtskoe", "title with newline"):
        assert loaded.search(text, (111,)) == crowded.search(text, (111,))
    assert loaded.complete("kron", (111,)) == crowded.complete("kron", (111,))


@pytest.fixture
def file(tmp_path: Path) -> Path:
    index = SearchIndex()
    index.add_all(generated(120))
    return saved(index, tmp_path / "index")


def test_a_flipped_byte_anywhere_is_refused(file: Path) -> None:
    whole = file.read_bytes()
    for at in (0, len(snapshot.MAGIC) + 2, len(whole) // 3, len(whole) // 2, len(whole) - 40, len(whole) - 1):
        damaged = bytearray(whole)
        damaged[at] ^= 0x20
        file.write_bytes(bytes(damaged))
        with pytest.raises(SnapshotError):
            snapshot.load(file)


def test_a_truncated_or_lengthened_file_is_refused(file: Path) -> None:
    whole = file.read_bytes()
    for kept in (0, 5, len(snapshot.MAGIC) + 10, len(whole) // 2, len(whole) - 1):
        file.write_bytes(whole[:kept])
        with pytest.raises(SnapshotError):
            snapshot.load(file)
    file.write_bytes(whole + b"\0")
    with pytest.raises(SnapshotError):
        snapshot.load(file)


def test_another_format_version_is_refused_even_with_a_good_checksum(file: Path) -> None:
    whole = file.read_bytes()
    start = len(snapshot.MAGIC) + 4
    (length,) = struct.unpack_from("<I", whole, len(snapshot.MAGIC))
    header = json.loads(whole[start : start + length])
    header["format"] = snapshot.FORMAT_VERSION + 1
    raw = json.dumps(header).encode()
    file.write_bytes(snapshot.MAGIC + struct.pack("<I", len(raw)) + raw + whole[start + length :])
    with pytest.raises(SnapshotError, match="another format"):
        snapshot.read_meta(file)
    with pytest.raises(SnapshotError):
        snapshot.load(file)


def test_a_file_that_is_not_a_snapshot_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "db.sqlite3.index"
    other.write_bytes(b"SQLite format 3\0" + bytes(200))
    with pytest.raises(SnapshotError):
        snapshot.load(other)


def test_a_write_replaces_the_file_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    index = SearchIndex()
    index.add_all(generated(50))
    path = saved(index, tmp_path / "index", {"seen": 1})
    saved(index, path, {"seen": 2})
    assert snapshot.read_meta(path) == {"seen": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["index"]
