"""The index's vocabulary: every word it has met, numbered, and the words a query word may mean.

A typed word means an indexed one when few enough slips lie between them (`word_similarity`,
bot/relevance/scoring.py: a letter dropped, added or replaced, or two neighbours swapped, each one
edit; a quarter of the longer word's letters at most). Of two words k edits apart, each lacks
at most k of the other's letters (counted with their repeats: only a deletion or a replacement
takes a letter away), and the longer one's surplus counts against its own side. Two 32-bit masks
a word (the letters it holds, and those it holds twice) bound those counts from below. So the
vocabulary keeps its words in order of length, each length one slice with its masks: a query
word's candidates are the words of the lengths within reach whose masks pass, found in numpy,
and only those few (a few thousand of 370,000 words at most, at a million events) reach rapidfuzz.
"""

from __future__ import annotations

import bisect
import itertools
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.relevance.scoring import PREFIX_SIMILARITY, WORD_CUTOFF

IntArray = npt.NDArray[np.int64]
Masks64 = npt.NDArray[np.uint64]
LONGEST = 255  # lengths are kept in a byte: this one stands for any word at least this long
_LAST_CHAR = "\U0010ffff"  # sorts after any letter a word can go on with
UNORDERED = 4096  # words met since the length order was made, past which it is made again
REMEMBERED = 1024  # query words whose close words are remembered


def _letter_bit(char: str) -> int:
    code = ord(char)
    if 97 <= code <= 122:  # a-z
        return 1 << (code - 97)
    if 48 <= code <= 57:  # 0-9, five bits between them: a shared bit can only hide a difference
        return 1 << (26 + (code - 48) % 5)
    return 1 << 31  # normalized text holds no other characters


_BITS = {chr(code): _letter_bit(chr(code)) for code in (*range(48, 58), *range(97, 123))}


def letters_of(word: str, times: int = 1) -> int:
    """A bit for each letter or digit the word holds at least `times` times."""
    mask = 0
    for char in set(word):
        if times == 1 or word.count(char) >= times:
            mask |= _BITS.get(char) or _letter_bit(char)
    return mask


def masks_of(once: array[int], twice: array[int]) -> Masks64:
    """A word's two masks as one: the letters it holds twice above those it holds."""
    return np.asarray(twice, dtype=np.uint64) << np.uint64(32) | np.asarray(once, dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class Letters:
    """A query word's letters: those it holds, and (in the high half) those it holds twice."""

    length: int
    mask: np.uint64

    @classmethod
    def of(cls, word: str) -> Letters:
        return cls(len(word), np.uint64(letters_of(word, 2) << 32 | letters_of(word)))

    def near(self, lengths: IntArray | int, masks: Masks64) -> npt.NDArray[np.bool_]:
        """Which of the words (of these lengths and `masks_of`) may be near enough: the letters
        each side lacks of the other's (a letter held twice on one side and once on the other
        counts too) stay within the edits allowed, less the other side's surplus of length (a
        longer word's extra letters are not all missing letters)."""
        allowed = edits_allowed(lengths, self.length)
        differ = masks ^ self.mask
        missing = np.bitwise_count(differ & self.mask)  # the query word's, lacking in the word
        surplus = np.bitwise_count(differ) - missing  # the word's, lacking in the query word
        near: npt.NDArray[np.bool_] = (missing <= allowed - np.maximum(0, lengths - self.length)) & (
            surplus <= allowed - np.maximum(0, self.length - lengths)
        )
        return near


def edits_allowed(length: IntArray | int, other: int) -> IntArray:
    """The most edits `word_similarity` forgives between words of these lengths."""
    allowed: IntArray = np.maximum(length, other) // 4
    return allowed


@dataclass(frozen=True, slots=True)
class Similar:
    """The indexed words a query word may mean, by number, and how similar each one is."""

    numbers: IntArray
    values: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.numbers)

    def as_dict(self) -> dict[int, float]:
        return dict(zip(self.numbers.tolist(), self.values.tolist(), strict=True))


class Vocabulary:
    """Every word the index has met, numbered from 0 in the order met; never shrinks (a word no
    event holds any more just has no postings)."""

    def __init__(self, *, unordered: int = UNORDERED) -> None:
        self._unordered_limit = unordered
        self.words: list[str] = []
        self._ids: dict[str, int] = {}
        self._letters = array("I")  # per word: `letters_of`
        self._twice = array("I")  # per word: `letters_of(word, 2)`
        self._lengths = array("B")  # per word: its length, LONGEST at most
        self._alphabetical = array("I")  # word numbers in alphabetical order, for prefixes …
        self._unsorted: list[int] = []  # … once these are sorted in
        # the words measured when the length order was made: their numbers by length, their
        # masks in that order, and where each length starts in it
        self._ordered = 0
        self._by_length: IntArray = np.empty(0, dtype=np.int64)
        self._masks_by_length: Masks64 = np.empty(0, dtype=np.uint64)
        self._words_by_length: npt.NDArray[np.object_] = np.empty(0, dtype=object)
        self._length_starts: IntArray = np.zeros(LONGEST + 2, dtype=np.int64)
        self._remembered: dict[tuple[str, bool], Similar] = {}
        self._remembered_at = 0  # how many words there were when they were remembered

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
        self._unsorted.append(number)
        return number

    def restore(self, words: list[str], measures: Sequence[bytes]) -> None:
        """Take the words and their `measured` arrays as a snapshot kept them."""
        self.words = words
        self._ids = dict(zip(words, range(len(words)), strict=True))
        if len(self._ids) != len(words):
            raise ValueError("a word twice")
        arrays = (array("I"), array("I"), array("B"), array("I"))
        for kept, raw in zip(arrays, measures, strict=True):
            kept.frombytes(raw)
            if len(kept) != len(words):
                raise ValueError("measures of other words")
        self._letters, self._twice, self._lengths, self._alphabetical = arrays
        self._unsorted = []
        self._order_by_length()  # now, as the bot starts, rather than at its first question

    def measured(self) -> tuple[array[int], ...]:
        """Every word's letters (once, twice) and length, and the words' alphabetical order."""
        self._measure_new_words()
        self._sort_new_words()
        return self._letters, self._twice, self._lengths, self._alphabetical

    def _measure_new_words(self) -> None:
        """Lengths and letters of the words met since the last look: worked out when first
        needed, so that filling the index pays for them once, in one go."""
        new = self.words[len(self._lengths) :]
        self._lengths.extend(min(len(word), LONGEST) for word in new)
        self._letters.extend(map(letters_of, new))
        self._twice.extend(letters_of(word, 2) for word in new)

    def _sort_new_words(self) -> None:
        """The alphabetical order with the words met since the last call sorted in: cheap,
        because the order is already sorted apart from them."""
        if self._unsorted:
            merged = sorted(itertools.chain(self._alphabetical, self._unsorted), key=self.words.__getitem__)
            self._alphabetical = array("I", merged)
            self._unsorted = []

    def similar(self, query_word: str, prefix: bool) -> Similar:
        """The words `word_similarity` accepts for `query_word`, by number, with their similarity;
        remembered until the vocabulary grows (autocomplete asks again at every keystroke)."""
        if len(self.words) != self._remembered_at:
            self._remembered.clear()
            self._remembered_at = len(self.words)
        key = (query_word, prefix)
        found = self._remembered.get(key)
        if found is None:
            found = self._similar(query_word, prefix)
            if len(self._remembered) >= REMEMBERED:
                del self._remembered[next(iter(self._remembered))]  # the oldest
            self._remembered[key] = found
        return found

    def _similar(self, query_word: str, prefix: bool) -> Similar:
        candidates, pool = self._candidates(query_word)
        found = process.extract(
            query_word, pool, scorer=OSA.normalized_similarity, score_cutoff=WORD_CUTOFF / 100, limit=None
        )
        numbers = candidates[np.array([at for _, _, at in found], dtype=np.int64)]
        values = np.array([100 * score for _, score, _ in found], dtype=np.float64)
        if prefix:
            starting = self._starting(query_word)
            numbers = np.concatenate((numbers, starting))
            values = np.concatenate((values, np.full(len(starting), PREFIX_SIMILARITY)))
            # a word both near and a continuation keeps the better of its two values
            order = np.lexsort((-values, numbers))
            numbers, values = numbers[order], values[order]
            first = np.ones(len(numbers), dtype=np.bool_)
            first[1:] = numbers[1:] != numbers[:-1]
            numbers, values = numbers[first], values[first]
        return Similar(numbers, values)

    def _candidates(self, query_word: str) -> tuple[IntArray, list[str]]:
        """The words within reach of `query_word` by their lengths and letters (see the top):
        their numbers, and the words themselves."""
        self._measure_new_words()
        if len(self.words) - self._ordered > max(self._unordered_limit, self._ordered // 8):
            self._order_by_length()
        length, asked = len(query_word), Letters.of(query_word)
        spans, starts = [], self._length_starts
        longest = length + length // 3 + 1  # no longer word is within a quarter of its length
        for other in range(max(1, length - length // 4), min(longest, LONGEST - 1) + 1):
            if abs(length - other) <= edits_allowed(length, other):
                span = slice(starts[other], starts[other + 1])
                spans.append(span.start + np.flatnonzero(asked.near(other, self._masks_by_length[span])))
        if longest >= LONGEST:  # lengths unknown past the byte: every such word goes to rapidfuzz
            spans.append(np.arange(starts[LONGEST], starts[LONGEST + 1]))
        at = np.concatenate(spans) if spans else np.empty(0, dtype=np.int64)
        numbers, pool = self._by_length[at], self._words_by_length[at].tolist()
        # the words met since the length order was made, all at once
        lengths = np.frombuffer(self._lengths, dtype=np.uint8)[self._ordered :].astype(np.int64)
        masks = masks_of(self._letters[self._ordered :], self._twice[self._ordered :])
        since = np.flatnonzero(asked.near(lengths, masks) | (lengths == LONGEST)) + self._ordered
        return np.concatenate((numbers, since)), pool + [self.words[number] for number in since.tolist()]

    def _order_by_length(self) -> None:
        lengths = np.frombuffer(self._lengths, dtype=np.uint8)
        self._by_length = np.argsort(lengths, kind="stable").astype(np.int64)
        self._masks_by_length = masks_of(self._letters, self._twice)[self._by_length]
        self._words_by_length = np.array(self.words, dtype=object)[self._by_length]
        ordered = lengths[self._by_length]
        self._length_starts = np.searchsorted(ordered, np.arange(LONGEST + 2)).astype(np.int64)
        self._ordered = len(lengths)

    def _starting(self, prefix: str) -> IntArray:
        """The numbers of the words that start with `prefix`."""
        self._sort_new_words()
        key = self.words.__getitem__
        first = bisect.bisect_left(self._alphabetical, prefix, key=key)
        end = bisect.bisect_left(self._alphabetical, prefix + _LAST_CHAR, lo=first, key=key)
        return np.frombuffer(self._alphabetical, dtype=np.uint32)[first:end].astype(np.int64)
