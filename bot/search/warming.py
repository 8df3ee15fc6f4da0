"""The index's compiled loops made ready before the first question.

numba compiles each loop at its first call, or loads it from its cache on disk (a tenth of a
second for all of them; a few seconds the first time after an install). A bot that starts
answers its first question as fast as any other, because `warm_up` asks two questions of a tiny
index of its own while the bot starts, which runs every compiled loop once.
"""

from __future__ import annotations

import functools

from bot.search.index import SearchIndex


@functools.cache  # once a process: the loops stay ready
def warm_up() -> None:
    index = SearchIndex()
    index.add_words(1, 0, "Kronstadt rebellion", "kronstadt rebellion\tkronshtadt\nsailors petrograd")
    index.add_words(2, 1, "Tambov rising", "tambov rising\npeasants antonov")
    index.search("kronstat sailors", (0, 1), hidden=(2,))
    index.complete("tamb", (0, 1))
