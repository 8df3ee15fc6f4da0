"""The index's compiled loops made ready before the first question.

numba compiles each loop at its first call with arguments of new types, or loads it from its
cache on disk: a few milliseconds a loop, a few seconds for all of them the first time after an
install. A question that met a loop not yet loaded would wait for it, so `warm_up` asks a tiny
index of its own, while the bot starts, every kind of question that reaches a loop: words in
length order and words met since, the base segment and the tail, a common word left out, an
answer ranked by title order and one with tail events in it, hidden events, a name past the last
tag, a prefix. The test `tests/bot/search/test_warming.py` holds it to that: after it, a real
chronology's questions compile nothing.
"""

from __future__ import annotations

import functools

from bot.postings.segments import LAST_TAG
from bot.search.index import SearchIndex

_CROWDED = "\t".join(f"name{number}" for number in range(LAST_TAG + 1))  # names past the last tag


@functools.cache  # once a process: the loops stay ready
def warm_up() -> None:
    # a base at once, its words in length order, and common words left out of any query
    index = SearchIndex(tail_events=1, unordered_words=0, count_from=0)
    index.add_words(1, 0, "Kronstadt rebellion", "kronstadt rebellion\tkronshtadt\nsailors petrograd")
    index.add_words(2, 1, "Tambov rising", "tambov rising\npeasants antonov sailors")
    index.add_words(3, 0, "Many names", f"{_CROWDED}\nsailors")
    index.search("kronstat sailors", (0, 1), hidden=(2,))  # `sailors`, in every event, left out
    index.complete("tamb", (0, 1))
    index.add_words(4, 1, "Tambov sailors", "tambov sailors\nrisen")  # in the tail, with a new word
    index.search("tambov sailor risen", (0, 1))
    index.search("tambov sailors", (0, 1), limit=1)  # more candidates than the answer holds
    index.complete("kron", (0, 1), hidden=(1,))
