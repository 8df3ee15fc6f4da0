"""The index's vocabulary: every word it has met, numbered, and the words a query word may mean.

A typed word means an indexed one when few enough slips lie between them (`word_similarity`,
bot/relevance/scoring.py: a letter dropped, added or replaced, or two neighbours swapped, each one
edit; a quarter of the longer word's letters at most). Of two words k edits apart, each lacks
at most k of the other's letters (counted with their repeats: only a deletion or a replacement
takes a letter away), and the longer one's surplus counts against its own side. Two 32-bit masks
a word (the letters it holds, and those it holds twice) bound those counts from below. So the
vocabulary keeps its words in order of length, with their masks: a query word's candidates are
the words of the lengths within reach, one slice of that order, and only those whose masks pass
(a few thousand of 370,000 words at most, at a million events) are measured in edits. Both steps
run in machine code (bot/relevance/compiled.py): a vector pass over a length's masks, then the
passing words measured in turn, each one's letters fetched ahead of its turn (found by
arithmetic: a length's words are spelled end to end in the same order).
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

from bot.relevance.nearness import near_in_length_order, near_unordered
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


def letters_mask(word: str) -> np.uint64:
    """A query word's letters as `masks_of` gives an indexed word's: those it holds twice above
    those it holds."""
    return np.uint64(letters_of(word, 2) << 32 | letters_of(word))


def spelled(word: str) -> npt.NDArray[np.uint32]:
    """A word's code points, as the compiled scan compares them."""
    return np.frombuffer(word.encode("utf-32-le"), dtype=np.uint32)


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
        # every word's code units end to end (bytes while every word is ASCII), and where each
        # starts: those in length order first, in that order, then those met since, by number
        self._codes: array[int] = array("B")
        self._code_starts = array("I", [0])
        self._unsorted: list[int] = []  # … once these are sorted in
        # the words measured when the length order was made: their numbers by length, their
        # masks in that order, and where each length starts in it
        self._ordered = 0
        self._by_length: IntArray = np.empty(0, dtype=np.int64)
        self._masks_by_length: Masks64 = np.empty(0, dtype=np.uint64)
        self._lengths_by_length: npt.NDArray[np.uint8] = np.empty(0, dtype=np.uint8)
        self._length_starts: IntArray = np.zeros(LONGEST + 2, dtype=np.int64)
        self._code_bases: IntArray = np.zeros(LONGEST + 1, dtype=np.int64)  # see near_in_length_order
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
        self._spell_new_words()

    def _spell_new_words(self) -> None:
        self._spell(self.words[len(self._code_starts) - 1 :])

    def _spell(self, new: Sequence[str]) -> None:
        joined = "".join(new)
        if self._codes.typecode == "B" and joined.isascii():
            self._codes.frombytes(joined.encode("ascii"))
        else:  # a word beyond ASCII: every word's code points, four bytes each from now on
            if self._codes.typecode == "B":
                self._codes = array("I", self._codes)
            self._codes.frombytes(joined.encode("utf-32-le"))
        ends = itertools.accumulate(map(len, new), initial=self._code_starts[-1])
        self._code_starts.extend(itertools.islice(ends, 1, None))

    def _sort_new_words(self) -> None:
        """The alphabetical order with the words met since the last call sorted in: cheap,
        because the order is already sorted apart from them."""
        if self._unsorted:
            merged = sorted(itertools.chain(self._alphabetical, self._unsorted), key=self.words.__getitem__)
            self._alphabetical = array("I", merged)
            self._unsorted = []

    def similar(self, query_word: str, prefix: bool) -> Similar:
        """The words `word_similarity` accepts for `query_word`, by number, with their similarity."""
        return self.similar_all([(query_word, prefix)])[0]

    def similar_all(self, asked: Sequence[tuple[str, bool]]) -> list[Similar]:
        """`similar` for each (query word, prefix) of a query: those not remembered are looked for
        in one pass over the vocabulary. Remembered until the vocabulary grows (autocomplete asks
        again at every keystroke)."""
        if len(self.words) != self._remembered_at:
            self._remembered.clear()
            self._remembered_at = len(self.words)
        found = {key: known for key in asked if (known := self._remembered.get(key)) is not None}
        missing = [key for key in dict.fromkeys(asked) if key not in found]
        if missing:
            words = list(dict.fromkeys(word for word, _ in missing))
            near = dict(zip(words, self._near(words), strict=True))
            for word, prefix in missing:
                found[word, prefix] = self._similar(word, prefix, *near[word])
                if len(self._remembered) >= REMEMBERED:
                    del self._remembered[next(iter(self._remembered))]  # the oldest
                self._remembered[word, prefix] = found[word, prefix]
        return [found[key] for key in asked]

    def _similar(
        self, query_word: str, prefix: bool, numbers: IntArray, values: npt.NDArray[np.float64]
    ) -> Similar:
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

    def ready(self) -> None:
        """Measure the words met since the last look, and order them by length once they are
        many (else the next query word does)."""
        self._measure_new_words()
        if len(self.words) - self._ordered > max(self._unordered_limit, self._ordered // 8):
            self._order_by_length()

    def _near(self, query_words: list[str]) -> list[tuple[IntArray, npt.NDArray[np.float64]]]:
        """For each query word, the words `word_similarity` accepts and their similarity: only
        those of the lengths within reach whose letters may be (see the top) are measured, in
        machine code."""
        self.ready()
        lengths = [len(word) for word in query_words]
        lowest = min(max(1, length - length // 4) for length in lengths)
        longest = max(length + length // 3 + 1 for length in lengths)  # none longer is near
        sizes = (min(lowest, LONGEST), min(longest, LONGEST))
        starts = self._length_starts
        since = np.arange(self._ordered, len(self.words), dtype=np.int64)  # met since that order
        queries = np.concatenate([spelled(word) for word in query_words])
        asked = (
            queries,
            np.cumsum([0, *lengths], dtype=np.int64),
            np.array([letters_mask(word) for word in query_words], dtype=np.uint64),
        )
        codes = np.frombuffer(self._codes, dtype=self._codes.typecode)
        code_starts = np.frombuffer(self._code_starts, dtype=np.uint32)
        cutoff = WORD_CUTOFF / 100
        found, values, owners = near_in_length_order(
            *asked, self._masks_by_length, starts, sizes, codes, self._code_bases, code_starts, cutoff
        )
        found = self._by_length[found]  # places in length order, as numbers
        if len(since):
            masks = masks_of(self._letters[self._ordered :], self._twice[self._ordered :])
            more = near_unordered(*asked, since, masks, since, codes, code_starts, cutoff)
            pairs = zip((found, values, owners), more, strict=True)
            found, values, owners = (np.concatenate(pair) for pair in pairs)
        return [(found[owners == at], values[owners == at]) for at in range(len(query_words))]

    def _order_by_length(self) -> None:
        lengths = np.frombuffer(self._lengths, dtype=np.uint8)
        self._by_length = np.argsort(lengths, kind="stable").astype(np.int64)
        self._masks_by_length = masks_of(self._letters, self._twice)[self._by_length]
        self._lengths_by_length = lengths[self._by_length]
        self._length_starts = np.searchsorted(self._lengths_by_length, np.arange(LONGEST + 2)).astype(
            np.int64
        )
        # spelled in that order too: the words a scan measures lie near each other, and in turn
        self._codes, self._code_starts = array("B"), array("I", [0])
        words = self.words
        self._spell([words[number] for number in self._by_length.tolist()])
        self._ordered = len(lengths)
        # where a length's words would start if every word before them were as long
        firsts = self._length_starts[: LONGEST + 1]
        code_starts = np.frombuffer(self._code_starts, dtype=np.uint32).astype(np.int64)
        self._code_bases = code_starts[firsts] - firsts * np.arange(LONGEST + 1, dtype=np.int64)

    def _starting(self, prefix: str) -> IntArray:
        """The numbers of the words that start with `prefix`."""
        self._sort_new_words()
        key = self.words.__getitem__
        first = bisect.bisect_left(self._alphabetical, prefix, key=key)
        end = bisect.bisect_left(self._alphabetical, prefix + _LAST_CHAR, lo=first, key=key)
        return np.frombuffer(self._alphabetical, dtype=np.uint32)[first:end].astype(np.int64)
