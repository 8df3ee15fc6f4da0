"""The search index saved to a file and read back: a start loads arrays instead of numbering
every event's words again (most of twenty seconds at a million events).

A snapshot is a header (the format, the caller's `meta`: what it was built from, and each
array's length), the arrays, whose names and types are fixed here, never read from the file
(nothing is unpickled), then a SHA-256 of all before it. `load` checks every byte before it
makes the index: a truncated, damaged or foreign file raises `SnapshotError`. `capture` copies
the index's state where it is changed (a few flat copies), and `write` makes the file from the
copy on any thread, while the index goes on answering and changing.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from bot.postings.segments import TAG_BITS, Segment
from bot.postings.shelf import Shelf, Titles
from bot.search.index import SearchIndex

FORMAT_VERSION = 3  # a change to what is written, or to how the index encodes words, bumps it
MAGIC = b"ALMANAC-SEARCH-INDEX\n"
_LENGTH = struct.Struct("<I")  # the header's length in bytes
_READ_CHUNK = 1 << 24  # bytes read and hashed at a time
_PER_EVENT = ("slot_of", "shortest", "title_rank", "held_by", "name_sizes", "name_lengths")  # per event
_MEASURED = ("letters", "twice", "lengths", "alphabetical")  # the vocabulary's
# every array a snapshot holds, in order, with its type: nothing else is read
_SPEC = """slot_of <i4 shortest <u4 title_rank <i4 held_by i1 name_sizes u1 name_lengths u1
word_sizes <i8 word_bytes u1 title_sizes <i8 title_text u1 scopes <i8 size_scopes <i8 size_counts <i8
crowded <i8 tail_events <i8 vocabulary u1 letters <u4 twice <u4 lengths u1 alphabetical <u4"""
_SEGMENT = {"offsets": "<i8", "keys": "<u4", "events": "<i8", "slot_rows": "<i8"}
SCHEMA: dict[str, str] = dict(zip(_SPEC.split()[::2], _SPEC.split()[1::2], strict=True)) | {
    f"{segment}_{name}": kind for segment in ("base", "tail") for name, kind in _SEGMENT.items()
}


class SnapshotError(Exception):
    """The file is not a snapshot this code wrote and can trust."""


@dataclass(frozen=True)
class Captured:
    """An index's state at one moment, copied: writing it reads nothing the index changes."""

    arrays: dict[str, npt.NDArray[Any]]
    words: bytes  # every event's encoded words end to end (sizes in `arrays`)
    titles: bytes  # and its title, in UTF-8
    vocabulary: list[str]
    base: Segment | None  # segments are never changed, only replaced
    tail: Segment | None


def capture(index: SearchIndex) -> Captured:
    """Copy `index`'s state; call it where the index is changed (the event loop), between changes."""
    index.ready()  # nothing left for the next question to build
    if index._base_stale or index._tail_stale:
        raise RuntimeError("the index was not ready")
    vocabulary, sizes = index._vocabulary, index._sizes
    arrays = {name: np.array(getattr(index, f"_{name}"), dtype=SCHEMA[name]) for name in _PER_EVENT}
    measured = zip(_MEASURED, vocabulary.measured(), strict=True)
    arrays |= {name: np.array(values, dtype=SCHEMA[name]) for name, values in measured}
    arrays |= {
        "scopes": np.array(index._scopes, dtype=np.int64),
        "size_scopes": np.fromiter(sizes.keys(), dtype=np.int64, count=len(sizes)),
        "size_counts": np.fromiter(sizes.values(), dtype=np.int64, count=len(sizes)),
        "crowded": np.array(sorted(index._crowded), dtype=np.int64),
        "tail_events": np.array(sorted(index._tail_events), dtype=np.int64),
    }
    words, arrays["word_sizes"] = index._words.packed()
    titles, arrays["title_sizes"] = index._titles.shelf.packed()
    return Captured(arrays, words, titles, vocabulary.words[:], index._base, index._tail)


def write(captured: Captured, path: Path, meta: Mapping[str, Any]) -> int:
    """Write `captured` to `path` atomically (a file beside it, then renamed over it), with
    `meta` (JSON values) in its header; its size in bytes. Safe on any thread."""
    arrays = dict(captured.arrays)
    arrays["word_bytes"] = np.frombuffer(captured.words, dtype=np.uint8)
    arrays["title_text"] = np.frombuffer(captured.titles, dtype=np.uint8)
    vocabulary = "\n".join(captured.vocabulary).encode("utf-8", "surrogatepass")
    arrays["vocabulary"] = np.frombuffer(vocabulary, dtype=np.uint8)
    for name, segment in (("base", captured.base), ("tail", captured.tail)):
        arrays |= _segment_arrays(name, segment)
    header = json.dumps(
        {"format": FORMAT_VERSION, "meta": dict(meta), "arrays": [len(arrays[name]) for name in SCHEMA]}
    ).encode("utf-8")
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    try:
        with temporary.open("wb") as out:
            parts: list[bytes | memoryview] = [MAGIC, _LENGTH.pack(len(header)), header]
            parts += [np.ascontiguousarray(arrays[name], dtype=kind).data for name, kind in SCHEMA.items()]
            for part in parts:
                digest.update(part)
                out.write(part)
            out.write(digest.digest())
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path.stat().st_size


def _segment_arrays(name: str, segment: Segment | None) -> dict[str, Any]:
    if segment is None:
        return {f"{name}_{part}": np.empty(0, dtype=np.int64) for part in _SEGMENT}
    rows = np.array([(slot, *span) for slot, span in segment.slot_rows.items()], dtype=np.int64)
    parts = (segment.offsets, segment.keys, segment.events, rows.reshape(-1))
    return {f"{name}_{part}": found for part, found in zip(_SEGMENT, parts, strict=True)}


def read_meta(path: Path) -> dict[str, Any]:
    """The header's `meta`, without reading the rest (which `load` checks)."""
    with path.open("rb") as source:
        return _header(source, hashlib.sha256())[0]


def _header(source: BinaryIO, digest: Any) -> tuple[dict[str, Any], list[int]]:
    start = source.read(len(MAGIC) + _LENGTH.size)
    if len(start) < len(MAGIC) + _LENGTH.size or not start.startswith(MAGIC):
        raise SnapshotError("not a search index snapshot")
    (length,) = _LENGTH.unpack_from(start, len(MAGIC))
    raw = source.read(length)
    digest.update(start)
    digest.update(raw)
    try:
        header = json.loads(raw)
    except ValueError as error:
        raise SnapshotError("a damaged header") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT_VERSION:
        raise SnapshotError("another format")
    sizes, meta = header.get("arrays"), header.get("meta")
    if not isinstance(meta, dict) or not isinstance(sizes, list) or len(sizes) != len(SCHEMA):
        raise SnapshotError("a damaged header")
    if not all(isinstance(size, int) and 0 <= size < 1 << 40 for size in sizes):  # 1 TB
        raise SnapshotError("a damaged header")
    return meta, sizes


def load(path: Path, *, tail_events: int | None = None) -> tuple[dict[str, Any], SearchIndex]:
    """The header's `meta` and the index saved in `path`, once every byte of it checks out."""
    digest = hashlib.sha256()
    arrays: dict[str, npt.NDArray[Any]] = {}
    with path.open("rb") as source:
        meta, sizes = _header(source, digest)
        payload = sum(
            size * np.dtype(kind).itemsize for kind, size in zip(SCHEMA.values(), sizes, strict=True)
        )
        if source.tell() + payload + digest.digest_size != os.fstat(source.fileno()).st_size:
            raise SnapshotError("a truncated or damaged file")
        for (name, kind), size in zip(SCHEMA.items(), sizes, strict=True):
            array = np.empty(size, dtype=kind)
            view = array.data.cast("B")
            for at in range(0, len(view), _READ_CHUNK):
                part = view[at : at + _READ_CHUNK]
                if source.readinto(part) != len(part):
                    raise SnapshotError("a truncated file")
                digest.update(part)
            arrays[name] = array
        if source.read(digest.digest_size + 1) != digest.digest():
            raise SnapshotError("a damaged file (its checksum does not match)")
    index = SearchIndex() if tail_events is None else SearchIndex(tail_events=tail_events)
    try:
        _restore(index, arrays)
    except (ValueError, IndexError, KeyError, UnicodeDecodeError) as error:
        raise SnapshotError(f"an inconsistent file: {error}") from error
    index.ready()  # what a first question would otherwise make
    return meta, index


def _restore(index: SearchIndex, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
    slot_of = arrays["slot_of"]
    events = len(slot_of)
    if not all(len(arrays[name]) == events for name in ("shortest", "held_by", "word_sizes", "title_sizes")):
        raise ValueError("per-event arrays of different lengths")
    indexed = slot_of >= 0
    for name in _PER_EVENT:
        getattr(index, f"_{name}").frombytes(arrays[name].tobytes())
    index._fingerprints.frombytes(bytes(8 * events))  # a hash of this process's own: none yet
    index._words = Shelf.unpacked(arrays["word_bytes"].tobytes(), arrays["word_sizes"], indexed)
    titles = arrays["title_text"].tobytes()
    titles.decode("utf-8", "surrogatepass")  # every title read back must decode
    index._titles = Titles(Shelf.unpacked(titles, arrays["title_sizes"], indexed))
    index._scopes = arrays["scopes"].tolist()
    index._slots = {scope: slot for slot, scope in enumerate(index._scopes)}
    sizes = zip(arrays["size_scopes"].tolist(), arrays["size_counts"].tolist(), strict=True)
    index._sizes.update(dict(sizes))
    index._count = int(indexed.sum())
    index._crowded = set(arrays["crowded"].tolist())
    index._unnamed = set(index._crowded)
    index._tail_events = set(arrays["tail_events"].tolist())
    words = arrays["vocabulary"].tobytes().decode("utf-8", "surrogatepass").split("\n")
    measures = [arrays[name].tobytes() for name in _MEASURED]
    index._vocabulary.restore(words if len(arrays["lengths"]) else [], measures)
    index._base, index._tail = _segment(arrays, "base"), _segment(arrays, "tail")
    index._base_clean = None  # worked out when a question needs it
    if len(index._name_sizes) != events << TAG_BITS or len(index._vocabulary) != len(arrays["lengths"]):
        raise ValueError("arrays of the wrong lengths")


def _segment(arrays: Mapping[str, npt.NDArray[Any]], name: str) -> Segment | None:
    offsets = arrays[f"{name}_offsets"]
    if not len(offsets):
        return None
    rows = arrays[f"{name}_slot_rows"].reshape(-1, 3).tolist()
    slot_rows = {slot: (first, end) for slot, first, end in rows}
    return Segment(offsets, arrays[f"{name}_keys"], arrays[f"{name}_events"], slot_rows)
