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

import bisect
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.relevance.vocabulary import IntArray, Similar
from bot.search.shelf import Shelf

KeyArray = npt.NDArray[np.uint32]

MANY_WORDS = 64  # similar words past which a segment finds their runs in numpy
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


@dataclass(slots=True)
class Runs:
    """Where asked words' keys for the asked scopes lie in a segment, and what a match is worth."""

    starts: list[int]
    lengths: list[int]
    similarities: list[float]
    words: list[int]
    shifts: list[int]  # what turns a run's rows into places in the asked rows laid end to end


@dataclass(frozen=True, slots=True)
class Gathered:
    """Every key of some runs: its event, the similarity of its word, the word, its tag, and its
    row's place among the asked rows laid end to end."""

    events: IntArray
    similarities: npt.NDArray[np.float64]
    words: IntArray
    tags: IntArray
    places: IntArray


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
        self._offsets_view = offsets.data  # Python ints for bisect, without numpy's overhead
        self._keys_view = keys.data

    @property
    def words(self) -> int:
        return len(self.offsets) - 1

    def ranges(self, slots: Sequence[int]) -> list[tuple[int, int]]:
        """The rows [first, end) of each asked slot this segment holds."""
        return [self.slot_rows[slot] for slot in slots if slot in self.slot_rows]

    def runs(self, similar: Similar, ranges: list[tuple[int, int]]) -> Runs:
        """Where the `similar` words' keys lie in the `ranges` of rows."""
        if not ranges:
            return Runs([], [], [], [], [])
        if len(similar) > MANY_WORDS:
            return self._many_runs(similar, ranges)
        runs = Runs([], [], [], [], [])
        offsets, keys, known = self._offsets_view, self._keys_view, self.words
        shifts = _shifts(ranges)
        for word, similarity in zip(similar.numbers.tolist(), similar.values.tolist(), strict=True):
            if word >= known:
                continue
            start, end = offsets[word], offsets[word + 1]
            if start == end:
                continue
            for (first, last), shift in zip(ranges, shifts, strict=True):
                low = bisect.bisect_left(keys, first << TAG_BITS, start, end)
                high = bisect.bisect_left(keys, last << TAG_BITS, low, end)
                if low < high:
                    runs.starts.append(low)
                    runs.lengths.append(high - low)
                    runs.similarities.append(similarity)
                    runs.words.append(word)
                    runs.shifts.append(shift)
        return runs

    def _many_runs(self, similar: Similar, ranges: list[tuple[int, int]]) -> Runs:
        """`runs` for many words at once (every word starting `te`, typed into autocomplete):
        one bisection of all their keys in step, in numpy, instead of one each in Python."""
        words, similarity = similar.numbers, similar.values
        known = words < self.words
        words, similarity = words[known], similarity[known]
        starts, ends = self.offsets[words], self.offsets[words + 1]
        found = Runs([], [], [], [], [])
        for (first, last), shift in zip(ranges, _shifts(ranges), strict=True):
            low = _bisect_runs(self.keys, starts, ends, first << TAG_BITS)
            high = _bisect_runs(self.keys, low, ends, last << TAG_BITS)
            some = low < high
            found.starts += low[some].tolist()
            found.lengths += (high - low)[some].tolist()
            found.similarities += similarity[some].tolist()
            found.words += words[some].tolist()
            found.shifts += [shift] * int(some.sum())
        return found

    def gather(self, runs: Runs) -> Gathered:
        lengths = np.array(runs.lengths, dtype=np.int64)
        ends = np.cumsum(lengths)
        positions = np.repeat(np.array(runs.starts, dtype=np.int64) - ends + lengths, lengths)
        positions += np.arange(int(ends[-1]))
        keys = self.keys[positions].astype(np.int64)
        rows = keys >> TAG_BITS
        return Gathered(
            self.events[rows],
            np.repeat(np.array(runs.similarities, dtype=np.float64), lengths),
            np.repeat(np.array(runs.words, dtype=np.int64), lengths),
            keys & TAG_MASK,
            rows + np.repeat(np.array(runs.shifts, dtype=np.int64), lengths),
        )


def _shifts(ranges: list[tuple[int, int]]) -> list[int]:
    """For each range of rows, what its rows are moved by when the ranges are laid end to end."""
    shifts, laid = [], 0
    for first, end in ranges:
        shifts.append(laid - first)
        laid += end - first
    return shifts


def _bisect_runs(keys: KeyArray, low: IntArray, high: IntArray, target: int) -> IntArray:
    """bisect_left(keys, target, low[i], high[i]) for every i at once."""
    low, high = low.copy(), high.copy()
    last = len(keys) - 1
    while (open_ := low < high).any():
        middle = (low + high) >> 1
        below = open_ & (keys[np.minimum(middle, last)] < target)
        low = np.where(below, middle + 1, low)
        high = np.where(open_ & ~below, middle, high)
    return low


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
