"""Common words left out of a query's candidates.

A word that tens of thousands of the asked events hold weighs little (`word_weights`), and an
event that only such words met scores at most what their weights allow (`best_possible`): when
that is below MIN_SCORE, no answer holds such an event. Those words then make no candidates:
only the events the other words meet do, and the common words' values are looked up for those
alone (bot/search/gathering.py). The weights still need how many events each word meets, so the
words are counted first, a bit per asked row, which costs a fraction of making each event met a
candidate. The answer is the same event for event: the events left out could not have made it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.relevance.scoring import MIN_SCORE, best_possible, word_weights
from bot.relevance.vocabulary import IntArray
from bot.search.gathering import Entries, Gathered, Source, count_met, gather, weighted
from bot.search.selection import least_floor

COUNT_FROM = 4096  # a query whose words all have fewer keys than this is gathered whole at once
_MARGIN = 1e-6  # scores are rounded to 9 places: a bound this close to MIN_SCORE leaves nothing out


def gathered(
    sources: Sequence[Source],
    entries: Entries,
    held_by: npt.NDArray[np.int8],
    population: int,
    limit: int,
    count_from: int = COUNT_FROM,
) -> tuple[Gathered, IntArray]:
    """The query's candidates, and how many asked events each word meets. `held_by` says which
    segment holds each event's current words.

    When some words are common, they are counted first; the rarest word's events are gathered,
    the others' values read for them; the limit-th best least score among those bounds the
    answer's from below, so every common word whose events cannot reach it alone is left out,
    and only if some word is not are the candidates gathered again, without the words left out."""
    nothing = np.zeros(entries.words_asked, dtype=np.bool_)
    if not worth_counting(sources, entries, count_from):
        found = Gathered.joined([gather(source, entries, held_by, nothing) for source in sources])
        return found, found.met
    met: IntArray = np.sum([count_met(source, entries, held_by) for source in sources], axis=0)
    weights = word_weights(met.tolist(), population)
    rarest = int(np.argmax(weights))
    others = nothing.copy()
    others[:] = True
    others[rarest] = False
    found = Gathered.joined([gather(source, entries, held_by, others) for source in sources])
    totals, _ = weighted(found.best, np.array(weights, dtype=np.float64))
    floor = least_floor(totals, sum(weights), limit)
    left = left_out(weights, entries, max(floor, MIN_SCORE))
    if not (left == others).all():
        found = Gathered.joined([gather(source, entries, held_by, left) for source in sources])
    return found, met


def worth_counting(sources: Sequence[Source], entries: Entries, count_from: int = COUNT_FROM) -> bool:
    """Whether a word of the query may be common enough to leave out: one of several words, and
    with at least `count_from` keys in the asked rows."""
    if entries.words_asked < 2:
        return False
    keys = sum((source.keys_per_word(entries) for source in sources), np.zeros(entries.words_asked, np.int64))
    return bool(keys.max() >= count_from)


def left_out(weights: Sequence[float], entries: Entries, floor: float = MIN_SCORE) -> npt.NDArray[np.bool_]:
    """The query words no event can score `floor` through alone: the commonest ones (the
    lightest), as many as their best values together allow, and never every word."""
    most = np.zeros(entries.words_asked, dtype=np.float64)  # each word's best value in any event
    np.maximum.at(most, entries.asked, entries.values)
    weight = sum(weights)
    left = np.zeros(entries.words_asked, dtype=np.bool_)
    total = 0.0
    for word in np.argsort(weights, kind="stable")[:-1].tolist():
        total += weights[word] * most[word]
        if best_possible(total, weight) >= floor - _MARGIN:
            break
        left[word] = True
    return left
