"""The vocabulary's words near a query's words, found in machine code (bot/relevance/vocabulary.py
says how): a vector pass over each length's letter masks, then the few words that pass measured
in edits (bot/relevance/edits.py), their letters fetched ahead of their turn.
"""

from __future__ import annotations

import numpy as np

from bot.relevance.compiled import bit_count, compiled, prefetch, trailing_zeros
from bot.relevance.edits import edits_four, similarity_of, valued

_ONE = np.uint64(1)
_THREE = np.uint64(3)


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
def _letter_masks(queries: np.ndarray, query_starts: np.ndarray) -> np.ndarray:
    """For each query word, the mask of its places that hold each code unit below 256."""
    matches = np.zeros((len(query_starts) - 1, 256), dtype=np.uint64)
    for query in range(len(query_starts) - 1):
        first = query_starts[query]
        for at in range(min(query_starts[query + 1] - first, 64)):
            if queries[first + at] < 256:
                matches[query, queries[first + at]] |= _ONE << np.uint64(at)
    return matches


@compiled
def _outputs(room: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Room for `room` words found: their numbers, similarities and query words."""
    return np.empty(room, dtype=np.int64), np.empty(room, dtype=np.float64), np.empty(room, dtype=np.int64)


@compiled
def _grown(
    found: np.ndarray, similarities: np.ndarray, owners: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The words found so far, with room for as many again: a query's words find a few hundred
    at most, so no room is made for every word that might be."""
    more_found, more_similarities, more_owners = _outputs(2 * len(found))
    more_found[: len(found)] = found
    more_similarities[: len(found)] = similarities
    more_owners[: len(found)] = owners
    return more_found, more_similarities, more_owners


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
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of the words in length order (their letter masks `masks`; those of length n from
    `length_starts[n]` to `length_starts[n + 1]`, the last length standing for any longer), of
    the lengths `sizes` (first and last), those within a quarter of the longer word's length in
    edits of each query word, with their similarity when at least `cutoff` (see `similarity_of`).
    The query words are `queries[query_starts[j]:query_starts[j + 1]]`, with their masks. Each
    word found goes into `found` (its place in length order), `similarities` and `owners` (which
    query word's); returns how many there are.

    The words are spelled in `codes` in the same order, so a word of length n at place p starts
    at `code_bases[n] + p * n`: the few words whose masks pass are read in turn, each one's
    letters fetched a few words ahead of its measure, rather than each a wait on memory."""
    matches = _letter_masks(queries, query_starts)
    longest = len(length_starts) - 2
    found, similarities, owners = _outputs(1024)
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
            more = near_unordered(
                queries, query_starts, query_masks, places, masks[first:end], places, codes, starts, cutoff
            )
            found = np.concatenate((found[:count], more[0]))
            similarities = np.concatenate((similarities[:count], more[1]))
            return found, similarities, np.concatenate((owners[:count], more[2]))
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
                        if edits[lane] > allowed:  # as most are: a compare, where `valued` costs
                            continue  # half the whole pass
                        value = valued(edits[lane], allowed, max(size, length), cutoff)
                        if value > 0:
                            if count == len(found):
                                found, similarities, owners = _grown(found, similarities, owners)
                            found[count], similarities[count] = first + passed[at + lane], value
                            owners[count] = query
                            count += 1
                    at += 4
                    continue
                one = base + passed[at] * size
                word = (codes, one, one + size)
                value = similarity_of(matches, query, queries, query_starts, *word, allowed, cutoff)
                if value > 0:
                    if count == len(found):
                        found, similarities, owners = _grown(found, similarities, owners)
                    found[count], similarities[count], owners[count] = first + passed[at], value, query
                    count += 1
                at += 1
    return found[:count], similarities[:count], owners[:count]


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
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`near_in_length_order` for words in any order, of any lengths: word k is `numbers[k]`
    (what goes into `found`), with the mask `masks[k]`, spelled from `starts[spellings[k]]` to
    `starts[spellings[k] + 1]`. For the few words met since the length order was made."""
    matches = _letter_masks(queries, query_starts)
    found, similarities, owners = _outputs(64)
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
            value = similarity_of(matches, query, queries, query_starts, codes, first, end, allowed, cutoff)
            if value > 0:
                if count == len(found):
                    found, similarities, owners = _grown(found, similarities, owners)
                found[count], similarities[count], owners[count] = numbers[at], value, query
                count += 1
    return found[:count], similarities[:count], owners[:count]
