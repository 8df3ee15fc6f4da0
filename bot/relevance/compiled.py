"""Machine code for the loops that numpy cannot fuse, compiled by numba on first use.

Each function here is plain Python over numpy arrays and numbers, so that numba can compile it;
the compiled code is cached on disk (beside this file, or in the user's cache directory where
that is read-only), so only a process that finds no cache pays the compilation, a second or two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numba.core import types
from numba.extending import intrinsic

Function = TypeVar("Function", bound=Callable[..., Any])


def compiled(function: Function) -> Function:
    """`function` as machine code: no Python objects, no global interpreter lock held."""
    return cast(Function, numba.njit(cache=True, nogil=True)(function))


def _bit_count(typing_context: Any, mask: Any) -> Any:
    """How many bits of a 64-bit mask are set: the processor's own instruction (LLVM's ctpop)."""

    def generate(context: Any, builder: Any, signature: Any, arguments: Any) -> Any:
        return builder.ctpop(arguments[0])

    return types.uint64(types.uint64), generate


bit_count = cast(Callable[[np.uint64], np.uint64], intrinsic(_bit_count))


@compiled
def edits_within(query: np.ndarray, word: np.ndarray, allowed: int, rows: np.ndarray) -> int:
    """The optimal string alignment distance between two code-unit arrays (a letter dropped,
    added or replaced, or two neighbours swapped: one edit each), or `allowed + 1` as soon as
    it must exceed `allowed`. `rows` is scratch of three rows of len(query) + 1."""
    length = len(query)
    before, previous, current = rows[0], rows[1], rows[2]
    for at in range(length + 1):
        previous[at] = at
    previous_least = 0
    for row in range(1, len(word) + 1):
        letter = word[row - 1]
        current[0] = row
        least = row
        for at in range(1, length + 1):
            cost = 0 if query[at - 1] == letter else 1
            value = min(previous[at] + 1, current[at - 1] + 1, previous[at - 1] + cost)
            if row > 1 and at > 1 and query[at - 2] == letter and query[at - 1] == word[row - 2]:
                value = min(value, before[at - 2] + 1)
            current[at] = value
            least = min(least, value)
        # a cell comes from the two rows above it, never for less: past here, all are too far
        if least > allowed and previous_least > allowed:
            return allowed + 1
        previous_least = least
        before, previous, current = previous, current, before
    return int(previous[length])


_ONE = np.uint64(1)


@compiled
def edits_bitwise(matches: np.ndarray, length: int, word: np.ndarray, query: np.ndarray) -> int:
    """The same distance as `edits_within`, a whole column at a time (Hyyrö's bit-parallel
    algorithm, for a query of at most 64 letters): `matches[code]` is the mask of the query's
    places that hold that code unit, for the codes below its size; others are compared one by one."""
    last = _ONE << np.uint64(length - 1)
    positive, negative, diagonal, previous_match = ~np.uint64(0), np.uint64(0), np.uint64(0), np.uint64(0)
    distance = length
    for letter in word:
        if letter < len(matches):
            match = matches[letter]
        else:
            match = np.uint64(0)
            for at in range(length):
                if query[at] == letter:
                    match |= _ONE << np.uint64(at)
        swapped = (((~diagonal) & match) << _ONE) & previous_match
        diagonal = ((((match & positive) + positive) ^ positive) | match | negative) | swapped
        up = negative | ~(diagonal | positive)
        down = diagonal & positive
        if up & last:
            distance += 1
        elif down & last:
            distance -= 1
        up = (up << _ONE) | _ONE
        down = down << _ONE
        positive = down | ~(diagonal | up)
        negative = up & diagonal
        previous_match = match
    return distance


@compiled
def _passing(
    masks: np.ndarray,
    query_mask: np.uint64,
    most_missing: np.uint64,
    most_surplus: np.uint64,
    flags: np.ndarray,
) -> None:
    """Which words of one length may be near enough by their letters: one branch-free pass that
    the compiler turns into vector instructions. The bounds are unsigned, like the masks' counts:
    numba would compare a signed number with an unsigned one in floating point."""
    for at in range(len(masks)):
        differ = masks[at] ^ query_mask
        lacking = bit_count(differ & query_mask)
        flags[at] = (lacking <= most_missing) & (bit_count(differ) - lacking <= most_surplus)


@compiled
def bisect_left(values: np.ndarray, target: int, low: int, high: int) -> int:
    """The first place in values[low:high] (sorted) whose value is not below `target`."""
    while low < high:
        middle = (low + high) >> 1
        if np.int64(values[middle]) < target:
            low = middle + 1
        else:
            high = middle
    return low


@compiled
def near_words(
    queries: np.ndarray,
    query_starts: np.ndarray,
    query_masks: np.ndarray,
    numbers: np.ndarray,
    sizes: np.ndarray,
    masks: np.ndarray,
    spelled_from: int,
    codes: np.ndarray,
    starts: np.ndarray,
    cutoff: float,
    longest: int,
    found: np.ndarray,
    similarities: np.ndarray,
    owners: np.ndarray,
) -> int:
    """Of the words `numbers` (with their lengths `sizes`, `longest` standing for any longer,
    and their letter masks `masks`, all three in the same order), those within a quarter of
    the longer word's length in edits of each query word, and their similarity, 100 × (1 − edits
    / longer length) when at least `cutoff` (a share) as rapidfuzz's OSA.normalized_similarity
    computes it. The query words are `queries[query_starts[j]:query_starts[j + 1]]`, with their
    masks; each word found goes into `found`, `similarities` and `owners` (which query word's);
    returns how many there are. Each length's words are read once for all the query words.

    The words are in length order, and spelled in that order from the `spelled_from`-th of
    `codes` (word k from `starts[k]` to `starts[k + 1]`); or, with `spelled_from` -1, in any
    order and spelled by their numbers."""
    ordered = spelled_from >= 0
    asked = len(query_masks)
    flags = np.empty(len(numbers), dtype=np.bool_)
    rows = np.empty((3, 256), dtype=np.int64)
    matches = np.zeros((asked, 256), dtype=np.uint64)  # for `edits_bitwise`, by query word
    for query in range(asked):
        first = query_starts[query]
        for at in range(min(query_starts[query + 1] - first, 64)):
            if queries[first + at] < 256:
                matches[query, queries[first + at]] |= _ONE << np.uint64(at)
    count = 0
    at = 0
    while at < len(numbers):  # a length at a time, for every query word while it is at hand
        size, end = int(sizes[at]), at + 1
        spelling = spelled_from + at if ordered else int(numbers[at])
        if size >= longest:  # a length past the byte: its own
            size = int(starts[spelling + 1] - starts[spelling])
        elif ordered:
            end = bisect_left(sizes, size + 1, at, len(sizes))  # where this length's words end
        for query in range(asked):
            word = queries[query_starts[query] : query_starts[query + 1]]
            length = len(word)
            allowed = max(size, length) // 4
            missing = allowed - max(0, size - length)  # the letters each side may lack of the other's
            surplus = allowed - max(0, length - size)  # (see vocabulary.py)
            if abs(size - length) > allowed or missing < 0 or surplus < 0:
                continue
            mask = query_masks[query]
            _passing(masks[at:end], mask, np.uint64(missing), np.uint64(surplus), flags[at:end])
            if length > 64 and len(rows[0]) < length + 1:
                rows = np.empty((3, length + 1), dtype=np.int64)
            for passed in np.flatnonzero(flags[at:end]):  # the few that may: measured in edits
                place = at + int(passed)
                spelling = spelled_from + place if ordered else int(numbers[place])
                first, last = starts[spelling], starts[spelling + 1]
                if length <= 64:
                    edits = edits_bitwise(matches[query], length, codes[first:last], word)
                else:
                    edits = edits_within(word, codes[first:last], allowed, rows[:, : length + 1])
                if edits > allowed:
                    continue
                similarity = 1.0 - edits / max(last - first, length)
                if similarity >= cutoff:
                    found[count], similarities[count], owners[count] = numbers[place], 100 * similarity, query
                    count += 1
        at = end
    return count
