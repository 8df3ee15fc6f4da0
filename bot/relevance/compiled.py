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
from llvmlite import ir
from numba.core import cgutils as _cgutils
from numba.core import types
from numba.extending import intrinsic

Function = TypeVar("Function", bound=Callable[..., Any])
cgutils: Any = _cgutils  # numba's code-generation helpers, untyped


COMPILED: list[Any] = []  # every compiled function: bot/search/warming.py readies them all


def compiled(function: Function) -> Function:
    """`function` as machine code: no Python objects, no global interpreter lock held."""
    dispatcher = numba.njit(cache=True, nogil=True)(function)
    COMPILED.append(dispatcher)
    return cast(Function, dispatcher)


def _bit_count(typing_context: Any, mask: Any) -> Any:
    """How many bits of a 64-bit mask are set: the processor's own instruction (LLVM's ctpop)."""

    def generate(context: Any, builder: Any, signature: Any, arguments: Any) -> Any:
        return builder.ctpop(arguments[0])

    return types.uint64(types.uint64), generate


bit_count = cast(Callable[[np.uint64], np.uint64], intrinsic(_bit_count))


def _trailing_zeros(typing_context: Any, mask: Any) -> Any:
    """How many bits of a 64-bit mask, not 0, are clear below its lowest set one (LLVM's cttz)."""

    def generate(context: Any, builder: Any, signature: Any, arguments: Any) -> Any:
        return builder.cttz(arguments[0], ir.Constant(ir.IntType(1), 1))

    return types.uint64(types.uint64), generate


trailing_zeros = cast(Callable[[np.uint64], np.uint64], intrinsic(_trailing_zeros))


def _prefetch(typing_context: Any, values: Any, index: Any) -> Any:
    """Ask the processor to bring `values[index]` into its cache, without waiting for it
    (LLVM's prefetch: for reading, kept close, data)."""

    def generate(context: Any, builder: Any, signature: Any, arguments: Any) -> Any:
        kind = signature.args[0]
        held = context.make_array(kind)(context, builder, arguments[0])
        address = cgutils.get_item_pointer(context, builder, kind, held, [arguments[1]])
        byte_address = ir.IntType(8).as_pointer()
        int32 = ir.IntType(32)
        declared = ir.FunctionType(ir.VoidType(), [byte_address, int32, int32, int32])
        fetch = cgutils.get_or_insert_function(builder.module, declared, "llvm.prefetch.p0i8")
        flags = [ir.Constant(int32, value) for value in (0, 3, 1)]
        builder.call(fetch, [builder.bitcast(address, byte_address), *flags])
        return context.get_dummy_value()

    return types.void(values, index), generate


prefetch = cast(Callable[[np.ndarray, int], None], intrinsic(_prefetch))


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


Mask = np.uint64
_ZERO = np.uint64(0)
_ONE = np.uint64(1)
_THREE = np.uint64(3)


@compiled
def _letter(matches: np.ndarray, asked: int, queries: np.ndarray, query: int, length: int, code: int) -> Mask:
    """The mask of the query word's places that hold this code unit (see `edits_bitwise`)."""
    if code < 256:
        found: Mask = matches[asked, code]
        return found
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
def passing(
    masks: np.ndarray,
    query_mask: np.uint64,
    most_missing: np.uint64,
    most_surplus: np.uint64,
    flags: np.ndarray,
    places: np.ndarray,
) -> int:
    """Which words may be near enough by their letters: their places among `masks` go into
    `places`, and their count is returned. One branch-free pass that the compiler turns into
    vector instructions flags them (`flags` is scratch of at least len(masks) + 8); the flags
    are then read eight at a time, and few are set. The bounds are unsigned, like the masks'
    counts: numba would compare a signed number with an unsigned one in floating point."""
    size = len(masks)
    for at in range(size):
        differ = masks[at] ^ query_mask
        lacking = bit_count(differ & query_mask)
        flags[at] = (lacking <= most_missing) & (bit_count(differ) - lacking <= most_surplus)
    end = (size + 7) // 8 * 8
    flags[size:end] = False
    count = 0
    for group, eight in enumerate(flags[:end].view(np.uint64)):
        while eight:  # a set flag is one bit, the lowest of its byte
            places[count] = group * 8 + (trailing_zeros(eight) >> _THREE)
            count += 1
            eight &= eight - _ONE
    return count


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
def _reach(size: int, length: int) -> tuple[int, int, int]:
    """For a word of `size` letters and a query word of `length`: the edits allowed between
    them, and how many letters each side may lack of the other's (see vocabulary.py); the
    allowed edits are -1 when the lengths alone are too far apart."""
    allowed = max(size, length) // 4
    missing = allowed - max(0, size - length)
    surplus = allowed - max(0, length - size)
    if abs(size - length) > allowed or missing < 0 or surplus < 0:
        return -1, 0, 0
    return allowed, missing, surplus


@compiled
def _similarity(
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
    query word (see `near_in_length_order`), as rapidfuzz's OSA.normalized_similarity computes
    it; 0 beyond `allowed` edits or below `cutoff` (a share)."""
    query = query_starts[asked]
    length = query_starts[asked + 1] - query
    if length <= 64:
        edits = edits_bitwise(matches, asked, queries, query, length, codes, first, end)
    else:
        rows = np.empty((3, length + 1), dtype=np.int64)
        edits = edits_within(queries[query : query + length], codes[first:end], allowed, rows)
    return _valued(edits, allowed, max(end - first, length), cutoff)


@compiled
def _valued(edits: int, allowed: int, longer: int, cutoff: float) -> float:
    """`_similarity` from the edits and the longer word's length."""
    if edits > allowed:
        return 0.0
    similarity = 1.0 - edits / longer
    return 100 * similarity if similarity >= cutoff else 0.0


@compiled
def _letter_masks(queries: np.ndarray, query_starts: np.ndarray) -> np.ndarray:
    """For each query word, the mask of its places that hold each code unit below 256."""
    matches = np.zeros((len(query_starts) - 1, 256), dtype=np.uint64)
    for query in range(len(query_starts) - 1):
        first = query_starts[query]
        for at in range(min(query_starts[query + 1] - first, 64)):
            if queries[first + at] < 256:
                matches[query, queries[first + at]] |= _ONE << np.uint64(at)
    return matches


_AHEAD = 8  # passing words whose letters are fetched ahead of the one being measured


@compiled
def near_in_length_order(
    queries: np.ndarray,
    query_starts: np.ndarray,
    query_masks: np.ndarray,
    masks: np.ndarray,
    length_starts: np.ndarray,
    sizes: tuple[int, int],
    codes: np.ndarray,
    code_bases: np.ndarray,
    starts: np.ndarray,
    cutoff: float,
    found: np.ndarray,
    similarities: np.ndarray,
    owners: np.ndarray,
) -> int:
    """Of the words in length order (their letter masks `masks`; those of length n from
    `length_starts[n]` to `length_starts[n + 1]`, the last length standing for any longer), of
    the lengths `sizes` (first and last), those within a quarter of the longer word's length in
    edits of each query word, with their similarity when at least `cutoff` (see `_similarity`).
    The query words are `queries[query_starts[j]:query_starts[j + 1]]`, with their masks. Each
    word found goes into `found` (its place in length order), `similarities` and `owners` (which
    query word's); returns how many there are.

    The words are spelled in `codes` in the same order, so a word of length n at place p starts
    at `code_bases[n] + p * n`: the few words whose masks pass are read in turn, each one's
    letters fetched a few words ahead of its measure, rather than each a wait on memory."""
    matches = _letter_masks(queries, query_starts)
    longest = len(length_starts) - 2
    count = 0
    widest = np.max(length_starts[sizes[0] + 1 : sizes[1] + 2] - length_starts[sizes[0] : sizes[1] + 1])
    flags = np.empty(widest + 8, dtype=np.bool_)
    passed = np.empty(widest, dtype=np.int64)
    for size in range(sizes[0], sizes[1] + 1):
        first, end = length_starts[size], length_starts[size + 1]
        if first == end:
            continue
        if size == longest:  # lengths past the last one kept: each word's own length
            places = np.arange(first, end)
            return count + near_unordered(
                queries,
                query_starts,
                query_masks,
                places,
                masks[first:end],
                places,
                codes,
                starts,
                cutoff,
                found[count:],
                similarities[count:],
                owners[count:],
            )
        for query in range(len(query_masks)):
            allowed, missing, surplus = _reach(size, query_starts[query + 1] - query_starts[query])
            if allowed < 0:
                continue
            bounds = (np.uint64(missing), np.uint64(surplus))
            passers = passing(masks[first:end], query_masks[query], *bounds, flags, passed)
            base = code_bases[size] + first * size
            length = query_starts[query + 1] - query_starts[query]
            at = 0
            while at < passers:
                for ahead in range(at + _AHEAD, min(at + _AHEAD + 4, passers)):
                    prefetch(codes, base + passed[ahead] * size)
                if length <= 64 and at + 4 <= passers:  # four at once
                    spelled = (
                        base + passed[at] * size,
                        base + passed[at + 1] * size,
                        base + passed[at + 2] * size,
                        base + passed[at + 3] * size,
                    )
                    starting = query_starts[query]
                    edits = edits_four(matches, query, queries, starting, length, codes, spelled, size)
                    for lane in range(4):
                        value = _valued(edits[lane], allowed, max(size, length), cutoff)
                        if value > 0:
                            found[count], similarities[count] = first + passed[at + lane], value
                            owners[count] = query
                            count += 1
                    at += 4
                    continue
                one = base + passed[at] * size
                word = (codes, one, one + size)
                value = _similarity(matches, query, queries, query_starts, *word, allowed, cutoff)
                if value > 0:
                    found[count], similarities[count], owners[count] = first + passed[at], value, query
                    count += 1
                at += 1
    return count


@compiled
def near_unordered(
    queries: np.ndarray,
    query_starts: np.ndarray,
    query_masks: np.ndarray,
    numbers: np.ndarray,
    masks: np.ndarray,
    spellings: np.ndarray,
    codes: np.ndarray,
    starts: np.ndarray,
    cutoff: float,
    found: np.ndarray,
    similarities: np.ndarray,
    owners: np.ndarray,
) -> int:
    """`near_in_length_order` for words in any order, of any lengths: word k is `numbers[k]`
    (what goes into `found`), with the mask `masks[k]`, spelled from `starts[spellings[k]]` to
    `starts[spellings[k] + 1]`. For the few words met since the length order was made."""
    matches = _letter_masks(queries, query_starts)
    count = 0
    for at in range(len(numbers)):
        spelled = spellings[at]
        first, end = starts[spelled], starts[spelled + 1]
        for query in range(len(query_masks)):
            allowed, missing, surplus = _reach(end - first, query_starts[query + 1] - query_starts[query])
            if allowed < 0:
                continue
            differ = masks[at] ^ query_masks[query]
            lacking = bit_count(differ & query_masks[query])
            if lacking > np.uint64(missing) or bit_count(differ) - lacking > np.uint64(surplus):
                continue
            value = _similarity(matches, query, queries, query_starts, codes, first, end, allowed, cutoff)
            if value > 0:
                found[count], similarities[count], owners[count] = numbers[at], value, query
                count += 1
    return count
