"""The search index's postings, in flat arrays (the words are numbered by bot/relevance/vocabulary.py).

A million events make some forty million (word, event) pairs. Held as Python objects (a sorted
array per word, a Document per event) they took 1.5 KB an event; here every word has a number,
each event's analysed words are one `bytes` of 32-bit word numbers, and the pairs live in a
segment: one array of keys ordered by word, then by row, and an offsets array saying where each
word's keys start (compressed sparse rows). A segment's rows are its events ordered by scope,
so each scope's keys are one run inside each word's keys, found by bisection. A key holds its
row and a tag saying where in the event the word is (which name, or elsewhere).

Segments are built whole and never changed; an event that is edited or removed is left in its
old segment and skipped there (the index knows which segment holds each event's current words).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.postings.shelf import Shelf
from bot.relevance.vocabulary import IntArray

KeyArray = npt.NDArray[np.uint32]

BUILD_CHUNK = 8_192  # events decoded at a time while a segment is built: bounds its scratch memory
HEADER = 3  # an event's words: [text, named, names, *text, *named, *(length, *name) for each]
# A posting is a word number and a tag: TEXT for a word of the people, places, tags or summary;
# 1 to LAST_TAG - 1 for the first names (title, aliases, translated titles), one tag each, so
# that a query can tell which of its names it covers whole; LAST_TAG for any further names.
TAG_BITS = 4
TAG_MASK = (1 << TAG_BITS) - 1
TEXT = 0
LAST_TAG = TAG_MASK


def encode(text_words: Sequence[int], named: Sequence[int], names: Sequence[Sequence[int]]) -> bytes:
    """One event's analysed words: the words of its text (tag TEXT), its name words as
    `posting`s, and each name word by word (stopwords too), which an exact title is told by."""
    words = array("I", (len(text_words), len(named), len(names)))
    words.extend(text_words)
    words.extend(named)
    for name in names:
        words.append(len(name))
        words.extend(name)
    return words.tobytes()


def posting(word: int, tag: int) -> int:
    """A word of an event and where it is: TEXT, or the name it is in (`name_tag`)."""
    return word << TAG_BITS | tag


def name_tag(position: int) -> int:
    """The tag of an event's `position`-th name; every name from the last tag on shares it."""
    return min(position + 1, LAST_TAG)


@dataclass(frozen=True, slots=True)
class Decoded:
    text_words: Sequence[int]
    names: tuple[Sequence[int], ...]


def decode(blob: bytes) -> Decoded:
    words = array("I")
    words.frombytes(blob)
    in_text, in_names, count = words[0], words[1], words[2]
    at = HEADER + in_text + in_names
    names = []
    for _ in range(count):
        names.append(words[at + 1 : at + 1 + words[at]])
        at += 1 + words[at]
    return Decoded(words[HEADER : HEADER + in_text], tuple(names))


class Segment:
    """The postings of a set of events, built once: rows are the events ordered by (scope slot,
    event id); a key is row << TAG_BITS | the posting's tag."""

    def __init__(
        self, offsets: IntArray, keys: KeyArray, events: IntArray, slot_rows: dict[int, tuple[int, int]]
    ):
        self.offsets = offsets  # word number -> where its keys start (len: words + 1)
        self.keys = keys
        self.events = events  # row -> event id
        self.slot_rows = slot_rows  # slot -> its rows [first, end)
        self._places: npt.NDArray[np.int32] | None = None

    def places(self) -> npt.NDArray[np.int32]:
        """Scratch by row for a query's pass over the segment (bot/search/gathering.py), all -1
        between queries: made at the first, as long as the segment has rows."""
        if self._places is None:
            self._places = np.full(len(self.events), -1, dtype=np.int32)
        return self._places

    @property
    def words(self) -> int:
        return len(self.offsets) - 1

    def ranges(self, slots: Sequence[int]) -> list[tuple[int, int]]:
        """The rows [first, end) of each asked slot this segment holds."""
        return [self.slot_rows[slot] for slot in slots if slot in self.slot_rows]


def build_segment(events: IntArray, slots: IntArray, words_of: Shelf, vocabulary_size: int) -> Segment:
    """A segment of `events` (ids, any order) whose scope slots are `slots`, from their encoded
    words. Two passes over the events, BUILD_CHUNK at a time: count each word's keys, then put
    every key in place, so the scratch memory is a chunk's, not the whole segment's."""
    order = np.lexsort((events, slots))
    events, slots = events[order], slots[order]
    counts = np.zeros(vocabulary_size, dtype=np.int64)
    for words, _ in _chunks(events, words_of):
        counts += np.bincount(words, minlength=vocabulary_size)
    offsets = np.zeros(vocabulary_size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    keys = np.empty(int(offsets[-1]), dtype=np.uint32)
    cursor = offsets[:-1].copy()
    for words, row_keys in _chunks(events, words_of):
        order = np.argsort(words, kind="stable")  # rows stay in order within each word
        words, row_keys = words[order], row_keys[order]
        firsts = np.flatnonzero(np.concatenate(([True], words[1:] != words[:-1])))
        sizes = np.diff(np.append(firsts, len(words)))
        rank = np.arange(len(words)) - np.repeat(firsts, sizes)
        keys[cursor[words] + rank] = row_keys
        cursor[words[firsts]] += sizes
    return Segment(offsets, keys, events, slot_rows(slots))


def slot_rows(slots: IntArray) -> dict[int, tuple[int, int]]:
    """Where each slot's rows [first, end) are, in rows ordered by slot."""
    if not len(slots):
        return {}
    bounds = np.flatnonzero(np.concatenate(([True], slots[1:] != slots[:-1])))
    ends = np.append(bounds[1:], len(slots))
    return {int(slots[first]): (int(first), int(end)) for first, end in zip(bounds, ends, strict=True)}


def _chunks(events: IntArray, words_of: Shelf) -> Iterable[tuple[IntArray, KeyArray]]:
    """For each chunk of rows: each of its postings' word number and key."""
    for first in range(0, len(events), BUILD_CHUNK):
        chunk = events[first : first + BUILD_CHUNK]
        joined, sizes = words_of.joined(chunk)
        sizes //= 4
        flat = np.frombuffer(joined, dtype=np.uint32).astype(np.int64)
        starts = np.cumsum(sizes) - sizes
        in_text = flat[starts]
        counts = in_text + flat[starts + 1]
        ends = np.cumsum(counts)
        within = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - counts, counts)
        codes = flat[np.repeat(starts + HEADER, counts) + within]
        codes = np.where(within < np.repeat(in_text, counts), codes << TAG_BITS, codes)  # text: tag 0
        rows = np.repeat(np.arange(first, first + len(chunk), dtype=np.int64), counts)
        yield codes >> TAG_BITS, (rows << TAG_BITS | codes & TAG_MASK).astype(np.uint32)
