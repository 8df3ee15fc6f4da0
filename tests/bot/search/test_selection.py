"""The bounds that leave most candidates out, compiled: the same choice as numpy's formulas."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.relevance.scoring import EXACT_BONUS, MIN_SCORE, NAMED_SHARE
from bot.search.selection import contenders, finalists

# few distinct totals, so that ties at the limit-th place are common
TOTALS = st.lists(st.sampled_from([0.5, 10.0, 33.3, 61.0, 80.0, 99.9, 100.0, 140.0, 200.0]), max_size=60)


@settings(max_examples=200, deadline=None)
@given(TOTALS, st.integers(1, 30), st.data())
def test_the_candidates_kept_are_those_numpy_keeps(
    totals: list[float], limit: int, data: st.DataObject
) -> None:
    weight = 2.0
    sums = np.array(totals, dtype=np.float64) * weight
    least = (1 - NAMED_SHARE) * (sums / weight)
    most = np.where(sums >= 100.0 * weight * (1 - 1e-9), 100.0 + EXACT_BONUS, least + NAMED_SHARE * 100)
    floor = max(float(np.partition(least, -limit)[-limit]) if len(least) > limit else 0.0, MIN_SCORE)
    assert contenders(sums, weight, limit).tolist() == np.flatnonzero(most >= floor - 1e-6).tolist()

    covered = np.array(data.draw(st.lists(st.booleans(), min_size=len(sums), max_size=len(sums))), dtype=bool)
    exact = np.array(data.draw(st.lists(st.booleans(), min_size=len(sums), max_size=len(sums))), dtype=bool)
    estimate = (1 - NAMED_SHARE) * (sums / weight) + np.where(covered, NAMED_SHARE * 100, 0.0)
    estimate[exact] = 100.0 + EXACT_BONUS
    floor = MIN_SCORE
    if len(estimate) > limit:
        floor = max(floor, float(np.partition(estimate, -limit)[-limit]))
    expected = np.flatnonzero(estimate >= floor - 1e-6).tolist()
    assert finalists(sums, weight, covered, exact, limit).tolist() == expected
