"""The distance between two words, in machine code: the optimal string alignment distance (a
letter dropped, added or replaced, or two neighbours swapped: one edit each), as rapidfuzz's OSA
computes it. Hyyrö's bit-parallel algorithm takes a whole column of the table at a time for a
query word of up to 64 letters, four words at once where there are four to measure; the table
itself, row by row, for any longer one.
"""

from __future__ import annotations

import numpy as np

from bot.relevance.compiled import compiled

Mask = np.uint64
_ZERO = np.uint64(0)
_ONE = np.uint64(1)


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


@compiled
def _letter(matches: np.ndarray, asked: int, queries: np.ndarray, query: int, length: int, code: int) -> Mask:
    """The mask of the query word's places that hold this code unit (see `edits_bitwise`)."""
    if code < 256:
        found: Mask = matches[asked, code]
        return found
    return _wide_letter(queries, query, length, code)


@compiled
def _wide_letter(queries: np.ndarray, query: int, length: int, code: int) -> Mask:
    """`_letter` for a code unit past the table: the query word's places compared one by one.
    Its own function, called only then: the loop inside `_letter` made every letter of every
    word eight times slower to measure, for words of any code unit."""
    match = _ZERO
    for place in range(length):
        if queries[query + place] == code:
            match |= _ONE << np.uint64(place)
    return match


Column = tuple[np.uint64, np.uint64, np.uint64, np.uint64]  # + and − deltas, diagonal, last match


@compiled
def _column(match: Mask, column: Column, last: Mask) -> tuple[Column, int]:
    """One letter of the word through Hyyrö's column (its match mask, and the state the letter
    before left): the state after it, and how the distance moves, without a branch."""
    positive, negative, diagonal, before = column
    swapped = (((~diagonal) & match) << _ONE) & before
    diagonal = ((((match & positive) + positive) ^ positive) | match | negative) | swapped
    up = negative | ~(diagonal | positive)
    down = diagonal & positive
    moved = int((up & last) != _ZERO) - int((down & last) != _ZERO)  # never both
    up = (up << _ONE) | _ONE
    down = down << _ONE
    return (down | ~(diagonal | up), up & diagonal, diagonal, match), moved


@compiled
def edits_bitwise(
    matches: np.ndarray,
    asked: int,
    queries: np.ndarray,
    query: int,
    length: int,
    codes: np.ndarray,
    first: int,
    end: int,
) -> int:
    """The same distance as `edits_within`, a whole column at a time (Hyyrö's bit-parallel
    algorithm), between the query word `queries[query:query + length]` (at most 64 letters) and
    the word `codes[first:end]`: `matches[asked, code]` is the mask of the query word's places
    that hold that code unit, for the codes below 256; others are compared one by one. Places
    rather than slices: a slice made for each of thousands of words costs more than the measure."""
    last = _ONE << np.uint64(length - 1)
    column = (~_ZERO, _ZERO, _ZERO, _ZERO)
    distance = length
    for at in range(first, end):
        column, moved = _column(_letter(matches, asked, queries, query, length, codes[at]), column, last)
        distance += moved
    return distance


@compiled
def edits_four(
    matches: np.ndarray,
    asked: int,
    queries: np.ndarray,
    query: int,
    length: int,
    codes: np.ndarray,
    firsts: tuple[int, int, int, int],
    size: int,
) -> tuple[int, int, int, int]:
    """`edits_bitwise` for four words of the same size at once, their columns interleaved: one
    word's steps wait on each other, four words' do not."""
    last = _ONE << np.uint64(length - 1)
    first0, first1, first2, first3 = firsts
    column0 = column1 = column2 = column3 = (~_ZERO, _ZERO, _ZERO, _ZERO)
    distance0 = distance1 = distance2 = distance3 = length
    for at in range(size):
        letter0 = _letter(matches, asked, queries, query, length, codes[first0 + at])
        column0, moved0 = _column(letter0, column0, last)
        letter1 = _letter(matches, asked, queries, query, length, codes[first1 + at])
        column1, moved1 = _column(letter1, column1, last)
        letter2 = _letter(matches, asked, queries, query, length, codes[first2 + at])
        column2, moved2 = _column(letter2, column2, last)
        letter3 = _letter(matches, asked, queries, query, length, codes[first3 + at])
        column3, moved3 = _column(letter3, column3, last)
        distance0 += moved0
        distance1 += moved1
        distance2 += moved2
        distance3 += moved3
    return distance0, distance1, distance2, distance3


@compiled
def similarity_of(
    matches: np.ndarray,
    asked: int,
    queries: np.ndarray,
    query_starts: np.ndarray,
    codes: np.ndarray,
    first: int,
    end: int,
    allowed: int,
    cutoff: float,
) -> float:
    """100 × (1 − edits / longer length) between the word `codes[first:end]` and the `asked`-th
    query word (see bot/relevance/nearness.py), as rapidfuzz's OSA.normalized_similarity computes
    it; 0 beyond `allowed` edits or below `cutoff` (a share)."""
    query = query_starts[asked]
    length = query_starts[asked + 1] - query
    if length <= 64:
        edits = edits_bitwise(matches, asked, queries, query, length, codes, first, end)
    else:
        rows = np.empty((3, length + 1), dtype=np.int64)
        edits = edits_within(queries[query : query + length], codes[first:end], allowed, rows)
    return valued(edits, allowed, max(end - first, length), cutoff)


@compiled
def valued(edits: int, allowed: int, longer: int, cutoff: float) -> float:
    """`similarity_of` from the edits and the longer word's length."""
    if edits > allowed:
        return 0.0
    similarity = 1.0 - edits / longer
    return 100 * similarity if similarity >= cutoff else 0.0
