"""A query's matches in one segment, gathered in one pass of machine code.

For every (query word, indexed word near it) the postings of the asked scopes' rows are read in
order; each event met becomes a candidate (its place among them kept in a scratch array by event
id, reset before returning), with the best value each query word found in it (a name's
similarity, or TEXT_WEIGHT times a text's), and every match in a name is listed for the name
bonus. Only the events met are touched: the cost follows the postings read, not the events held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.postings.segments import TAG_BITS, Segment
from bot.relevance.compiled import bisect_left, bit_count, compiled
from bot.relevance.scoring import TEXT_WEIGHT
from bot.relevance.vocabulary import IntArray, Similar

_ONE = np.uint64(1)


@dataclass(frozen=True, slots=True)
class Gathered:
    """The candidates of one query, in the order met: each one's event, and each query word's
    best value in it (0: none), with how many candidates each query word met; every match in a
    name that counts towards covering it (a word that two query words both met counts for the
    first): the candidate's place and the name's tag."""

    events: IntArray
    best: npt.NDArray[np.float64]  # query words × candidates: a word's values lie together
    met: IntArray
    name_at: IntArray
    name_tags: IntArray

    @classmethod
    def joined(cls, parts: Sequence[Gathered]) -> Gathered:
        """The candidates of several segments as one (no event is current in two of them)."""
        if len(parts) == 1:
            return parts[0]
        shifts = np.cumsum([0] + [len(part.events) for part in parts[:-1]])
        return cls(
            np.concatenate([part.events for part in parts]),
            np.concatenate([part.best for part in parts], axis=1),
            np.sum([part.met for part in parts], axis=0),
            np.concatenate([part.name_at + shift for part, shift in zip(parts, shifts, strict=True)]),
            np.concatenate([part.name_tags for part in parts]),
        )


@dataclass(frozen=True, slots=True)
class Entries:
    """Every (query word, indexed word near it) of a query, laid end to end: the query word's
    position, the indexed word, its similarity, and whether its matches in names count (it is
    not near an earlier query word too)."""

    asked: IntArray
    numbers: IntArray
    values: npt.NDArray[np.float64]
    counted: npt.NDArray[np.bool_]
    words_asked: int

    @classmethod
    def of(cls, similar: Sequence[Similar]) -> Entries:
        asked = np.concatenate([np.full(len(near), at, dtype=np.int64) for at, near in enumerate(similar)])
        numbers = np.concatenate([near.numbers for near in similar])
        # the first entry of each indexed word, by query-word order (`asked` ascends already)
        order = np.lexsort((asked, numbers))
        first = np.ones(len(numbers), dtype=np.bool_)
        first[1:] = numbers[order][1:] != numbers[order][:-1]
        counted = np.zeros(len(numbers), dtype=np.bool_)
        counted[order[first]] = True
        values = np.concatenate([near.values for near in similar])
        return cls(asked, numbers, values, counted, len(similar))


@dataclass(frozen=True, slots=True)
class Source:
    """One segment's part in a query: the asked rows ([firsts[r], ends[r]) for each range r),
    where each entry's keys in them run (from lows[e, r] to highs[e, r]), found once, and the
    asked rows of the excluded events (sorted). `clean`: the segment holds the current words of
    every event it has a row for, so no row need be checked."""

    segment: Segment
    mark: int  # what `held_by` says of an event whose current words this segment holds
    clean: bool
    firsts: IntArray
    ends: IntArray
    lows: IntArray
    highs: IntArray
    excluded_rows: IntArray

    @classmethod
    def of(
        cls,
        segment: Segment,
        mark: int,
        ranges: Sequence[tuple[int, int]],
        entries: Entries,
        excluded: IntArray,
        clean: bool,
    ) -> Source:
        firsts = np.array([first for first, _ in ranges], dtype=np.int64)
        ends = np.array([end for _, end in ranges], dtype=np.int64)
        lows, highs = _runs(segment.keys, segment.offsets, entries.numbers, firsts, ends, TAG_BITS)
        rows = []
        for first, end in ranges:  # the excluded events' rows: each range's events are sorted
            events = segment.events[first:end]
            at = np.minimum(np.searchsorted(events, excluded), max(len(events) - 1, 0))
            if len(events):
                rows.append(first + at[events[at] == excluded])
        excluded_rows = np.sort(np.concatenate(rows)) if rows else np.empty(0, dtype=np.int64)
        return cls(segment, mark, clean, firsts, ends, lows, highs, excluded_rows)

    def keys_per_word(self, entries: Entries) -> IntArray:
        """How many keys each query word's entries have in the asked rows."""
        counts: IntArray = np.bincount(
            entries.asked, weights=(self.highs - self.lows).sum(axis=1), minlength=entries.words_asked
        ).astype(np.int64)
        return counts


@compiled
def _runs(
    keys: np.ndarray,
    offsets: np.ndarray,
    numbers: np.ndarray,
    firsts: np.ndarray,
    ends: np.ndarray,
    tag_bits: int,
) -> tuple[np.ndarray, np.ndarray]:
    known = len(offsets) - 1
    lows = np.zeros((len(numbers), len(firsts)), dtype=np.int64)
    highs = np.zeros((len(numbers), len(firsts)), dtype=np.int64)
    for entry in range(len(numbers)):
        word = numbers[entry]
        if word >= known:  # met since this segment was built: none of its keys are here
            continue
        start, stop = offsets[word], offsets[word + 1]
        for at_range in range(len(firsts)):
            low = bisect_left(keys, firsts[at_range] << tag_bits, start, stop)
            lows[entry, at_range] = low
            highs[entry, at_range] = bisect_left(keys, ends[at_range] << tag_bits, low, stop)
    return lows, highs


def count_met(source: Source, entries: Entries, held_by: npt.NDArray[np.int8]) -> IntArray:
    """How many of the asked events each query word meets in this segment (those whose current
    words it holds, not excluded): a bit per asked row, set by every key of the word's entries,
    then counted."""
    sizes = source.ends - source.firsts
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    blocked = np.zeros((int(sizes.sum()) + 63) // 64, dtype=np.uint64)
    rows = source.excluded_rows
    if len(rows):
        at_range = np.searchsorted(source.ends, rows, side="right")
        bits = rows - source.firsts[at_range] + starts[at_range]
        np.bitwise_or.at(blocked, bits >> 6, np.left_shift(np.uint64(1), (bits & 63).astype(np.uint64)))
    met: IntArray = _count_met(
        source.segment.keys,
        source.lows,
        source.highs,
        entries.asked,
        entries.words_asked,
        source.firsts,
        starts,
        TAG_BITS,
        blocked,
        source.segment.events,
        held_by,
        source.mark,
        source.clean,
    )
    return met


@compiled
def _count_met(
    keys: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
    asked: np.ndarray,
    words_asked: int,
    firsts: np.ndarray,
    starts: np.ndarray,
    tag_bits: int,
    blocked: np.ndarray,
    row_events: np.ndarray,
    held_by: np.ndarray,
    mark: int,
    clean: bool,
) -> np.ndarray:
    met = np.zeros(words_asked, dtype=np.int64)
    seen = np.zeros(len(blocked), dtype=np.uint64)
    entry = 0
    for word in range(words_asked):
        while entry < len(asked) and asked[entry] == word:  # the entries come word by word
            for at_range in range(len(firsts)):
                shift = starts[at_range] - firsts[at_range]
                for position in range(lows[entry, at_range], highs[entry, at_range]):
                    row = np.int64(keys[position]) >> tag_bits
                    if not clean and held_by[row_events[row]] != mark:
                        continue
                    bit = row + shift
                    seen[bit >> 6] |= _ONE << np.uint64(bit & 63)
            entry += 1
        count = 0
        for at in range(len(seen)):
            count += int(bit_count(seen[at] & ~blocked[at]))
            seen[at] = 0
        met[word] = count
    return met


def gather(
    source: Source, entries: Entries, held_by: npt.NDArray[np.int8], left_out: npt.NDArray[np.bool_]
) -> Gathered:
    """The matches of the query's `entries` in the source's rows. A row counts here only if
    `held_by` its event is the source's mark (the segment holds its current words; not looked at
    when the source is clean) and it is not excluded. The words `left_out` make no candidate:
    their values are read for the rows of the candidates the other words made (see
    bot/search/pruning.py), and `met` then counts only the other words' (the caller has counted
    theirs). The segment's scratch places by row are all -1 before and after: every array is
    made before the first place is written, so nothing can stop the pass halfway."""
    events, best, met, name_at, name_tags = _gather(
        source.segment.keys,
        source.segment.events,
        held_by,
        source.mark,
        source.clean,
        source.excluded_rows,
        source.firsts,
        source.lows,
        source.highs,
        entries.asked,
        entries.values,
        entries.counted,
        entries.words_asked,
        left_out,
        TEXT_WEIGHT,
        TAG_BITS,
        source.segment.places(),
    )
    return Gathered(events, best, met, name_at, name_tags)


@compiled
def _gather(
    keys: np.ndarray,
    row_events: np.ndarray,
    held_by: np.ndarray,
    mark: int,
    clean: bool,
    excluded_rows: np.ndarray,
    firsts: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
    asked: np.ndarray,
    values: np.ndarray,
    counted: np.ndarray,
    words_asked: int,
    left_out: np.ndarray,
    text_weight: float,
    tag_bits: int,
    place: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    tag_mask = (1 << tag_bits) - 1
    room = 0  # the keys read: their sum bounds the candidates
    for entry in range(len(asked)):
        if not left_out[asked[entry]]:
            for at_range in range(len(firsts)):
                room += highs[entry, at_range] - lows[entry, at_range]
    rows = np.empty(room, dtype=np.int64)
    best = np.zeros((words_asked, room), dtype=np.float64)
    met = np.zeros(words_asked, dtype=np.int64)
    name_at = np.empty(room, dtype=np.int64)  # a name match at most for each key read
    name_tags = np.empty(room, dtype=np.int64)
    count = named = 0
    for entry in range(len(asked)):
        query_word, similarity, in_names = asked[entry], values[entry], counted[entry]
        if left_out[query_word]:
            continue
        in_text = text_weight * similarity
        for at_range in range(len(firsts)):
            for position in range(lows[entry, at_range], highs[entry, at_range]):
                key = np.int64(keys[position])
                row = int(key >> tag_bits)
                candidate = int(place[row])
                if candidate < 0:
                    if not clean and held_by[row_events[row]] != mark:  # edited or removed since
                        continue
                    if len(excluded_rows):  # hidden by the server
                        at = bisect_left(excluded_rows, row, 0, len(excluded_rows))
                        if at < len(excluded_rows) and excluded_rows[at] == row:
                            continue
                    candidate = count
                    place[row] = count
                    rows[count] = row
                    count += 1
                tag = key & tag_mask
                value = in_text if tag == 0 else similarity
                held = best[query_word, candidate]
                if value > held:
                    if held == 0:
                        met[query_word] += 1
                    best[query_word, candidate] = value
                if tag != 0 and in_names:
                    name_at[named], name_tags[named] = candidate, tag
                    named += 1
    for entry in range(len(asked)):  # the words left out: their keys in the candidates' rows
        query_word, similarity, in_names = asked[entry], values[entry], counted[entry]
        if not left_out[query_word]:
            continue
        in_text = text_weight * similarity
        for at_range in range(len(firsts)):
            for position in range(lows[entry, at_range], highs[entry, at_range]):
                key = np.int64(keys[position])
                candidate = int(place[key >> tag_bits])
                if candidate < 0:
                    continue
                tag = key & tag_mask
                value = in_text if tag == 0 else similarity
                best[query_word, candidate] = max(best[query_word, candidate], value)
                if tag != 0 and in_names:
                    if named == len(name_at):  # room for as many again
                        name_at = np.concatenate((name_at, np.empty(named + 64, dtype=np.int64)))
                        name_tags = np.concatenate((name_tags, np.empty(named + 64, dtype=np.int64)))
                    name_at[named], name_tags[named] = candidate, tag
                    named += 1
    events = np.empty(count, dtype=np.int64)
    for at in range(count):
        events[at] = row_events[rows[at]]
        place[rows[at]] = -1
    return events, best[:, :count], met, name_at[:named], name_tags[:named]


@compiled
def weighted(best: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's weighted sum over the query words, added up in query-word order as the
    full scan adds them (so the very same floating-point number), and whether every query word
    met something in it (else /search calls it a partial match)."""
    totals = np.zeros(best.shape[1], dtype=np.float64)
    every = np.ones(best.shape[1], dtype=np.bool_)
    for word in range(best.shape[0]):  # a word at a time, each total growing in the same order
        weight = weights[word]
        for candidate in range(best.shape[1]):
            totals[candidate] += weight * best[word, candidate]
            every[candidate] &= best[word, candidate] > 0
    return totals, every
