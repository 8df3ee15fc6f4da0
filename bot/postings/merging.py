"""The base segment rebuilt by merging, and its keys as the one copy of the events' text words.

Most of an event's words are its text (people, places, tags, summary), and once its postings
are in the base segment they are kept there only: its encoded words on the shelf keep just its
names, which an exact title and the name bonus are told by (`keep_names_only`). So the base is
never rebuilt from every event's words. A rebuild merges the old base's current keys with a
segment of the events indexed since, a range of words at a time (`merge`): the keys only move to
their new rows, and stay in order within each word. At a million events that keeps some 150 MB
of words out of memory, and out of the snapshot. A full scan (the benchmark's and the tests'
naive way) reads the base's text words back from its keys (`BaseText`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.postings.segments import BUILD_CHUNK, HEADER, TAG_BITS, TAG_MASK, TEXT, Segment, slot_rows
from bot.postings.shelf import Shelf
from bot.relevance.vocabulary import IntArray

MERGE_CHUNK = 1 << 21  # keys moved at a time: bounds a merge's scratch memory


def merge(
    parts: Sequence[tuple[Segment, npt.NDArray[np.bool_]]],
    events: IntArray,
    slots: IntArray,
    vocabulary_size: int,
) -> Segment:
    """One segment of `events` (ids, any order, with their scope slots) from the keys of `parts`
    (each a segment and which of its rows are current); every current row's event must be one
    of `events`. The same segment as `build_segment` makes from the events' words."""
    order = np.lexsort((events, slots))
    events, slots = events[order], slots[order]
    highest = max([0, *(int(segment.events.max()) for segment, _ in parts if len(segment.events))])
    new_row = np.full(max(highest, int(events.max()) if len(events) else 0) + 1, -1, dtype=np.int64)
    new_row[events] = np.arange(len(events))
    moved = [(segment, np.where(current, new_row[segment.events], -1)) for segment, current in parts]
    bounds = _word_ranges([segment for segment, _ in parts], vocabulary_size)
    counts = np.zeros(vocabulary_size, dtype=np.int64)
    for first, end in bounds:
        for words, _ in _moved_keys(moved, first, end):
            counts[first:end] += np.bincount(words - first, minlength=end - first)
    offsets = np.zeros(vocabulary_size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    keys = np.empty(int(offsets[-1]), dtype=np.uint32)
    for first, end in bounds:
        found = [(words - first) << 32 | new_keys for words, new_keys in _moved_keys(moved, first, end)]
        if found:  # by word, then by key: the order `build_segment` puts keys in
            ordered = np.sort(np.concatenate(found))
            keys[offsets[first] : offsets[end]] = ordered & 0xFFFFFFFF
    return Segment(offsets, keys, events, slot_rows(slots))


def _word_ranges(segments: Sequence[Segment], vocabulary_size: int) -> list[tuple[int, int]]:
    """Ranges of word numbers holding about MERGE_CHUNK keys of the biggest segment each."""
    biggest = max(segments, key=lambda segment: len(segment.keys))
    marks = np.searchsorted(biggest.offsets, np.arange(0, len(biggest.keys), MERGE_CHUNK), side="right") - 1
    starts = sorted({0, *np.minimum(marks, vocabulary_size).tolist()} - {vocabulary_size})
    return list(zip(starts, [*starts[1:], vocabulary_size], strict=True))


def _moved_keys(
    moved: Sequence[tuple[Segment, IntArray]], first: int, end: int
) -> list[tuple[IntArray, IntArray]]:
    """Each part's current keys of words [first, end): their word numbers and keys at the new rows."""
    found = []
    for segment, new_rows in moved:
        known = segment.words
        low, high = segment.offsets[min(first, known)], segment.offsets[min(end, known)]
        if low == high:
            continue
        positions = np.arange(low, high)
        words = np.searchsorted(segment.offsets, positions, side="right") - 1
        keys = segment.keys[low:high].astype(np.int64)
        rows = new_rows[keys >> TAG_BITS]
        kept = rows >= 0
        found.append((words[kept], rows[kept] << TAG_BITS | keys[kept] & TAG_MASK))
    return found


def keep_names_only(shelf: Shelf, events: IntArray) -> None:
    """Drop the text words from these events' encoded words: the base segment's keys hold them."""
    for first in range(0, len(events), BUILD_CHUNK):
        chunk = events[first : first + BUILD_CHUNK]
        joined, sizes = shelf.joined(chunk)
        flat = np.frombuffer(joined, dtype=np.uint32).copy()
        counts = sizes // 4
        starts = np.cumsum(counts) - counts
        in_text = flat[starts].astype(np.int64)
        kept = np.ones(len(flat), dtype=np.bool_)
        dropped_before = np.cumsum(in_text) - in_text
        kept[np.repeat(starts + HEADER - dropped_before, in_text) + np.arange(int(in_text.sum()))] = False
        flat[starts] = 0
        shelf.put_many(chunk, flat[kept].tobytes(), (counts - in_text) * 4)


class BaseText:
    """Each base row's text words, read back from the base's keys (for a full scan only: it
    sorts every text key once)."""

    def __init__(self, base: Segment) -> None:
        self.base = base
        positions = np.flatnonzero((base.keys & TAG_MASK) == TEXT)
        words = np.searchsorted(base.offsets, positions, side="right") - 1
        rows = base.keys[positions].astype(np.int64) >> TAG_BITS
        order = np.argsort(rows, kind="stable")
        self._words = words[order].astype(np.uint32)
        self._starts = np.searchsorted(rows[order], np.arange(len(base.events) + 1))
        self._row_of = {event_id: row for row, event_id in enumerate(base.events.tolist())}

    def words_of(self, event_id: int) -> list[int]:
        row = self._row_of[event_id]
        words: list[int] = self._words[self._starts[row] : self._starts[row + 1]].tolist()
        return words
