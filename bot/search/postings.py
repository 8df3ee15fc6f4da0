"""The search index's storage: a numbered vocabulary, and postings in flat arrays.

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
import math
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.search.scoring import PREFIX_SIMILARITY, WORD_CUTOFF

IntArray = npt.NDArray[np.int64]
KeyArray = npt.NDArray[np.uint32]

SHORT_WORD = 5  # query words up to this long may match words no longer than `SHORT_WORD * 5 / 3`
MANY_WORDS = 64  # similar words past which a segment finds their runs in numpy
BUILD_CHUNK = 8_192  # events decoded at a time while a segment is built: bounds its scratch memory
_HEADER = 3  # an event's words: [text, named, names, *text, *named, *(length, *name) for each]
# A posting is a word number and a tag: TEXT for a word of the people, places, tags or summary;
# 1 to LAST_TAG - 1 for the first names (title, aliases, translated titles), one tag each, so
# that a query can tell which of its names it covers whole; LAST_TAG for any further names.
TAG_BITS = 4
TAG_MASK = (1 << TAG_BITS) - 1
TEXT = 0
LAST_TAG = TAG_MASK
_ABSENT_LENGTH = 255  # `need` beyond any word: a length no query word can match


def _letter_bit(char: str) -> int:
    code = ord(char)
    if 48 <= code <= 57:  # 0-9
        return 1 << (code - 48)
    if 97 <= code <= 122:  # a-z
        return 1 << (code - 97 + 10)
    return 1 << 63  # normalized text holds no other characters


_BITS = {chr(code): _letter_bit(chr(code)) for code in (*range(48, 58), *range(97, 123))}


def _mask(letters: Iterable[str]) -> int:
    mask = 0
    for char in letters:
        mask |= _BITS.get(char) or _letter_bit(char)
    return mask


def letters_of(word: str, times: int = 1) -> int:
    """A bit for each letter or digit the word holds at least `times` times."""
    return _mask(char for char in set(word) if word.count(char) >= times)


class Vocabulary:
    """Every word the index has met, numbered from 0 in the order met; never shrinks (a word no
    event holds any more just has no postings)."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self._ids: dict[str, int] = {}
        # per word: the letters it holds once, twice and three times, which bound how long a
        # subsequence it can share with another word (see `_plausible`)
        self._letters = array("Q")
        self._doubles = array("Q")
        self._triples = array("Q")
        self._lengths = array("B")  # per word: its length, at most 254
        self._sorted: list[str] = []  # for prefixes …
        self._unsorted: list[str] = []  # … once these are sorted in

    def __len__(self) -> int:
        return len(self.words)

    def get(self, word: str) -> int | None:
        return self._ids.get(word)

    def numbers(self, words: Sequence[str]) -> list[int]:
        """Each word's number; one look-up each while the words are all known, as they mostly are."""
        found = list(map(self._ids.get, words))
        if None in found:
            for at, number in enumerate(found):
                if number is None:
                    found[at] = self.number(words[at])
        return cast(list[int], found)

    def number(self, word: str) -> int:
        """The word's number, giving it the next one if it is new."""
        found = self._ids.get(word)
        if found is not None:
            return found
        number = self._ids[word] = len(self.words)
        self.words.append(word)
        self._unsorted.append(word)
        return number

    def _measure_new_words(self) -> None:
        """Lengths and letters of the words met since the last look: worked out when first
        needed, so that filling the index pays for them once, in one go."""
        for word in self.words[len(self._lengths) :]:
            letters = set(word)
            self._lengths.append(min(len(word), _ABSENT_LENGTH - 1))
            self._letters.append(_mask(letters))
            if len(letters) == len(word):
                self._doubles.append(0)
                self._triples.append(0)
            else:
                repeated = [char for char in letters if word.count(char) > 1]
                self._doubles.append(_mask(repeated))
                self._triples.append(_mask(char for char in repeated if word.count(char) > 2))

    def similar(self, query_word: str, prefix: bool) -> dict[int, float]:
        """The words `word_similarity` accepts for `query_word`, by number, with their similarity.

        fuzz.ratio is 200 × the longest common subsequence over the two lengths, so a word of
        length m can reach WORD_CUTOFF only if it is 0.6 to 1.67 times as long as the query word
        and shares enough of its letters; both are checked for the whole vocabulary at once, and
        fuzz.ratio only runs on the words that pass (a few hundred of hundreds of thousands)."""
        candidates = self._plausible(query_word)
        pool = [self.words[number] for number in candidates]
        found = {
            int(candidates[at]): score
            for _, score, at in process.extract(
                query_word, pool, scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF, limit=None
            )
        }
        if prefix:
            for word in self._starting(query_word):
                number = self._ids[word]
                found[number] = max(found.get(number, 0.0), PREFIX_SIMILARITY)
        return found

    def _plausible(self, query_word: str) -> list[int]:
        """The words that could share a long enough subsequence with `query_word`: no common
        subsequence is longer than the sum over letters of the fewer times either word holds
        it, which the letters held once, twice and three times bound from above."""
        if not self.words:
            return []
        self._measure_new_words()
        length = len(query_word)
        share = WORD_CUTOFF / 200  # the common subsequence's share of the two lengths, at least
        need = np.full(_ABSENT_LENGTH + 1, _ABSENT_LENGTH, dtype=np.int64)  # by the other's length
        for other in range(math.ceil(length * share / (1 - share)), math.floor(length * (1 / share - 1)) + 1):
            if other < _ABSENT_LENGTH:
                need[other] = math.ceil(share * (length + other) - 1e-9)
        lengths = np.frombuffer(self._lengths, dtype=np.uint8)
        # first every word on its distinct letters alone (each repeat of the query word's letters
        # may be matched too), then the few that pass on their repeated letters as well
        # counted in int64: a query word's repeats (`中` 60 times is 300 letters) overflow a byte
        held = np.bitwise_count(
            np.frombuffer(self._letters, dtype=np.uint64) & np.uint64(letters_of(query_word))
        ).astype(np.int64)
        repeats = length - len(set(query_word))
        passed = np.flatnonzero(held + repeats >= need[lengths])
        beyond = sum(max(0, query_word.count(char) - 3) for char in set(query_word))
        held = held[passed]
        for masks, times in ((self._doubles, 2), (self._triples, 3)):
            mask = np.uint64(letters_of(query_word, times))
            held = held + np.bitwise_count(np.frombuffer(masks, dtype=np.uint64)[passed] & mask)
        plausible: list[int] = passed[held + beyond >= need[lengths[passed]]].tolist()
        return plausible

    def _starting(self, prefix: str) -> Iterator[str]:
        words = self._sorted_words()
        for position in range(bisect.bisect_left(words, prefix), len(words)):
            if not words[position].startswith(prefix):
                return
            yield words[position]

    def _sorted_words(self) -> list[str]:
        """Every word in order; words met since the last call are sorted in now, which is cheap
        because the list is already sorted apart from them."""
        if self._unsorted:
            self._sorted.extend(self._unsorted)
            self._sorted.sort()
            self._unsorted = []
        return self._sorted


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
    at = _HEADER + in_text + in_names
    names = []
    for _ in range(count):
        names.append(words[at + 1 : at + 1 + words[at]])
        at += 1 + words[at]
    return Decoded(words[_HEADER : _HEADER + in_text], tuple(names))


@dataclass(slots=True)
class Runs:
    """Where asked words' keys for the asked scopes lie in a segment, and what a match is worth."""

    starts: list[int]
    lengths: list[int]
    similarities: list[float]
    words: list[int]


@dataclass(frozen=True, slots=True)
class Gathered:
    """Every key of some runs: its event, the similarity of its word, the word, and its tag."""

    events: IntArray
    similarities: npt.NDArray[np.float64]
    words: IntArray
    tags: IntArray


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

    def runs(self, similar: dict[int, float], slots: Sequence[int]) -> Runs:
        ranges = [self.slot_rows[slot] for slot in slots if slot in self.slot_rows]
        if not ranges:
            return Runs([], [], [], [])
        if len(similar) > MANY_WORDS:
            return self._many_runs(similar, ranges)
        runs = Runs([], [], [], [])
        offsets, keys, known = self._offsets_view, self._keys_view, self.words
        for word, similarity in similar.items():
            if word >= known:
                continue
            start, end = offsets[word], offsets[word + 1]
            if start == end:
                continue
            for first, last in ranges:
                low = bisect.bisect_left(keys, first << TAG_BITS, start, end)
                high = bisect.bisect_left(keys, last << TAG_BITS, low, end)
                if low < high:
                    runs.starts.append(low)
                    runs.lengths.append(high - low)
                    runs.similarities.append(similarity)
                    runs.words.append(word)
        return runs

    def _many_runs(self, similar: dict[int, float], ranges: list[tuple[int, int]]) -> Runs:
        """`runs` for many words at once (every word starting `te`, typed into autocomplete):
        one bisection of all their keys in step, in numpy, instead of one each in Python."""
        words = np.fromiter(similar.keys(), dtype=np.int64, count=len(similar))
        similarity = np.fromiter(similar.values(), dtype=np.float64, count=len(similar))
        known = words < self.words
        words, similarity = words[known], similarity[known]
        starts, ends = self.offsets[words], self.offsets[words + 1]
        found = Runs([], [], [], [])
        for first, last in ranges:
            low = _bisect_runs(self.keys, starts, ends, first << TAG_BITS)
            high = _bisect_runs(self.keys, low, ends, last << TAG_BITS)
            some = low < high
            found.starts += low[some].tolist()
            found.lengths += (high - low)[some].tolist()
            found.similarities += similarity[some].tolist()
            found.words += words[some].tolist()
        return found

    def gather(self, runs: Runs) -> Gathered:
        lengths = np.array(runs.lengths, dtype=np.int64)
        ends = np.cumsum(lengths)
        positions = np.repeat(np.array(runs.starts, dtype=np.int64) - ends + lengths, lengths)
        positions += np.arange(int(ends[-1]))
        keys = self.keys[positions].astype(np.int64)
        return Gathered(
            self.events[keys >> TAG_BITS],
            np.repeat(np.array(runs.similarities, dtype=np.float64), lengths),
            np.repeat(np.array(runs.words, dtype=np.int64), lengths),
            keys & TAG_MASK,
        )


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


def build_segment(
    events: IntArray, slots: IntArray, words_of: Sequence[bytes | None], vocabulary_size: int
) -> Segment:
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
    bounds = (
        np.flatnonzero(np.concatenate(([True], slots[1:] != slots[:-1])))
        if len(slots)
        else np.array([], dtype=np.int64)
    )
    ends = np.append(bounds[1:], len(slots))
    slot_rows = {int(slots[first]): (int(first), int(end)) for first, end in zip(bounds, ends, strict=True)}
    return Segment(offsets, keys, events, slot_rows)


def _chunks(events: IntArray, words_of: Sequence[bytes | None]) -> Iterable[tuple[IntArray, KeyArray]]:
    """For each chunk of rows: each of its postings' word number and key."""
    for first in range(0, len(events), BUILD_CHUNK):
        chunk = events[first : first + BUILD_CHUNK].tolist()
        blobs = [words_of[event_id] or b"" for event_id in chunk]
        sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)) // 4
        flat = np.frombuffer(b"".join(blobs), dtype=np.uint32).astype(np.int64)
        starts = np.cumsum(sizes) - sizes
        in_text = flat[starts]
        counts = in_text + flat[starts + 1]
        ends = np.cumsum(counts)
        within = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - counts, counts)
        codes = flat[np.repeat(starts + _HEADER, counts) + within]
        codes = np.where(within < np.repeat(in_text, counts), codes << TAG_BITS, codes)  # text: tag 0
        rows = np.repeat(np.arange(first, first + len(chunk), dtype=np.int64), counts)
        yield codes >> TAG_BITS, (rows << TAG_BITS | codes & TAG_MASK).astype(np.uint32)
