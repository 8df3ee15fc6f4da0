"""The fuzzy index behind /search, /event lookup and autocomplete.

The vocabulary turns `kronstat` into the real words near it (`kronstadt`, `kronshtadt`); their
postings (bot/postings/segments.py) give the events of the asked scopes, never touching another
server's. The candidates are then scored by bot.relevance.scoring, the same function the naive full scan
uses, so the index changes how much work a query is, not its answer.

A query's matches are gathered in one compiled pass (bot/search/gathering.py), without the
common words' candidates when no event could score through them alone (bot/search/pruning.py);
only the few candidates that can make the answer are scored exactly, the way the full scan
scores them (bot/search/matching.py). Events are kept in two
segments: the base, built from every event at once, and a tail of the events added or edited
since, rebuilt at the next question after a change; once the tail outgrows a thirty-second of the
base, the next question rebuilds the base instead. So a bot answers a million events' questions
from one compact copy, and an edit shows at once.
"""

from __future__ import annotations

import functools
import itertools
from array import array
from collections import Counter
from collections.abc import Collection, Iterable

import numpy as np
import numpy.typing as npt

from bot.model.event import Event
from bot.postings.merging import BaseText, keep_names_only, merge
from bot.postings.segments import (
    LAST_TAG,
    TAG_BITS,
    Segment,
    build_segment,
    decode,
    encode,
    name_tag,
    posting,
)
from bot.postings.shelf import Shelf, Titles
from bot.relevance.scoring import (
    MIN_SCORE,
    NO_NAME,
    Document,
    Hit,
    Query,
    perfect_total,
    ranked,
    score_documents,
    word_similarity,
    word_weights,
)
from bot.relevance.vocabulary import UNORDERED, IntArray, Similar, Vocabulary
from bot.relevance.words import content_words, search_words
from bot.search import pruning, selection
from bot.search.gathering import Entries, Gathered, Source, weighted
from bot.search.matching import Candidates, covers_a_name, exact_ranking, names_covered, words_met
from bot.search.pruning import COUNT_FROM

__all__ = ["MIN_SCORE", "Document", "Hit", "Query", "SearchIndex"]

TAIL_EVENTS = 4096  # the tail holds this many events, or a thirty-second of the base if more
_BASE, _TAIL = 1, 2  # which segment holds an event's current words (0: none yet, or not indexed)
_NEVER = 255  # a name size no count of matched words reaches: no name there, or none to cover


class SearchIndex:
    """Every live event of every scope, kept in step with writes.

    Per-event data is held in arrays indexed by event id (the database's row ids, which start at
    1 and have few gaps), so an event costs a few dozen bytes beside its words and postings."""

    def __init__(
        self,
        *,
        tail_events: int = TAIL_EVENTS,
        unordered_words: int = UNORDERED,
        count_from: int = COUNT_FROM,
    ) -> None:
        self._tail_limit = tail_events
        self._unordered_words = unordered_words  # see Vocabulary
        self._count_from = count_from  # see bot/search/pruning.py
        self.clear()

    def clear(self) -> None:
        """Forget every event: the index holds nothing until it is filled again."""
        self._vocabulary = Vocabulary(unordered=self._unordered_words)
        self._words = Shelf()  # event id -> its encoded words; None: not indexed
        self._titles = Titles()
        self._slot_of = array("i")  # event id -> its scope's slot; -1: not indexed
        self._shortest = array("I")  # event id -> Document.shortest
        self._title_rank = array("i")  # event id -> its title's place in the base's order; -1: none
        self._fingerprints = array("q")  # event id -> a hash of its Document: the same again is no work
        self._held_by = array("b")  # event id -> _BASE or _TAIL
        # event id << TAG_BITS | a name's tag -> how many distinct content words the name has
        # (a query covers it whole when it matches that many of them) and how many words
        self._name_sizes, self._name_lengths = array("B"), array("B")
        self._crowded: set[int] = set()  # events with names beyond the last tag: checked one by one
        self._crowded_names: dict[int, tuple[IntArray, IntArray]] = {}  # `content_of_names`, kept
        self._unnamed: set[int] = set()  # crowded events whose `content_of_names` the next ready() makes
        self._slots: dict[int, int] = {}  # scope -> its slot, the order its rows come in
        self._scopes: list[int] = []  # slot -> scope
        self._sizes: Counter[int] = Counter()  # scope -> how many events it holds, for word weights
        self._count = 0
        self._base: Segment | None = None
        self._tail: Segment | None = None
        self._base_text: BaseText | None = None  # the base's text words, read back for a full scan
        self._tail_events: set[int] = set()  # indexed since the base was built
        self._base_stale = self._tail_stale = False
        self._base_clean: bool | None = True  # no event left the base since it was built (None: unknown)

    def __len__(self) -> int:
        return self._count

    # -- keeping in step -----------------------------------------------------------------------

    def add(self, event: Event) -> None:
        """Index `event`, replacing any earlier version of it; the same version again (this
        process's own write, come back through the change feed) costs no work."""
        self.add_words(event.id, event.scope, event.fields.title, search_words(event.fields))

    def add_all(self, events: Iterable[Event]) -> None:
        for event in events:
            self.add(event)

    def add_words(self, event_id: int, scope: int, title: str, words: str) -> None:
        """`add`, from what the store keeps for search: the event's `search_words`."""
        self._grow(event_id)
        fingerprint = hash((scope, title, words))
        if event_id in self._words:
            if self._fingerprints[event_id] == fingerprint:
                return
            self.remove(event_id)
        self._register(event_id, scope, title, words)
        self._fingerprints[event_id] = fingerprint
        self._changed(event_id)

    def remove(self, event_id: int) -> None:
        if event_id not in self._words:
            return
        self._sizes[self._scopes[self._slot_of[event_id]]] -= 1
        self._count -= 1
        self._words.drop(event_id)
        self._titles.shelf.drop(event_id)
        self._slot_of[event_id] = -1
        self._base_clean = self._base_clean and self._held_by[event_id] != _BASE
        self._held_by[event_id] = 0  # its keys in either segment are skipped from now on
        self._crowded.discard(event_id)
        self._crowded_names.pop(event_id, None)
        if event_id in self._tail_events:
            self._tail_events.discard(event_id)
            self._tail_stale = True

    def ready(self) -> None:
        """Build what the changes since the last question need (else the next question does)."""
        if self._base_stale:
            slots = np.frombuffer(self._slot_of, dtype=np.int32)
            held = np.frombuffer(self._held_by, dtype=np.int8)
            events = np.flatnonzero(slots >= 0)
            since = events[held[events] != _BASE]  # the events whose words are all on the shelf
            if self._base is None or not len(events):
                self._base = self._build(events, slots)
            else:  # the old base's keys merged with a segment of the events since
                parts = [(self._base, held[self._base.events] == _BASE)]
                if (newer := self._build(since, slots)) is not None:
                    parts.append((newer, np.ones(len(newer.events), dtype=np.bool_)))
                self._base = merge(parts, events, slots[events].astype(np.int64), len(self._vocabulary))
            held[events] = _BASE
            keep_names_only(self._words, since)
            np.frombuffer(self._title_rank, dtype=np.int32)[events] = self._titles.ranks(events)
            self._tail, self._tail_events = None, set()
            self._base_stale = self._tail_stale = False
            self._base_clean = True
        elif self._tail_stale:
            events = np.array(sorted(self._tail_events), dtype=np.int64)
            self._tail = self._build(events, np.frombuffer(self._slot_of, dtype=np.int32))
            self._tail_stale = False
        self._vocabulary.ready()
        for event_id in self._unnamed & self._crowded:  # made now, not at a question
            self._content_of_names(event_id)
        self._unnamed.clear()

    def _build(self, events: IntArray, slots: np.ndarray) -> Segment | None:
        if not len(events):
            return None
        return build_segment(events, slots[events].astype(np.int64), self._words, len(self._vocabulary))

    def _grow(self, event_id: int) -> None:
        missing = event_id + 1 - len(self._words)
        if missing > 0:
            missing = max(missing, len(self._words) // 4)  # room for the next ids, grown seldom
            self._words.grow(missing)
            self._titles.shelf.grow(missing)
            self._slot_of.extend(array("i", [-1]) * missing)
            self._shortest.extend(array("I", [0]) * missing)
            self._title_rank.extend(array("i", [-1]) * missing)
            self._fingerprints.extend(array("q", [0]) * missing)
            self._held_by.extend(array("b", [0]) * missing)
            self._name_sizes.extend(array("B", [_NEVER]) * (missing << TAG_BITS))
            self._name_lengths.extend(array("B", [_NEVER]) * (missing << TAG_BITS))

    def _register(self, event_id: int, scope: int, title: str, words: str) -> None:
        if scope not in self._slots:
            self._slots[scope] = len(self._scopes)
            self._scopes.append(scope)
        names_line, _, text = words.partition("\n")
        names = [name.split() for name in names_line.split("\t")] if names_line else []
        contents = [list(dict.fromkeys(content_words(name))) for name in names]
        text_words = text.split()
        numbers = self._vocabulary.numbers(
            [*text_words, *itertools.chain.from_iterable(contents), *itertools.chain.from_iterable(names)]
        )
        named: list[int] = []
        at = len(text_words)
        base = event_id << TAG_BITS
        for position, content in enumerate(contents):
            tag = name_tag(position)
            named += [posting(number, tag) for number in numbers[at : at + len(content)]]
            at += len(content)
            if tag < LAST_TAG:
                self._name_sizes[base | tag] = len(content) if content else _NEVER
                self._name_lengths[base | tag] = min(len(names[position]), _NEVER - 1)
        spelled = []
        for name in names:
            spelled.append(numbers[at : at + len(name)])
            at += len(name)
        if len(names) >= LAST_TAG:  # `remove` forgot any earlier version's names
            self._crowded.add(event_id)
            self._unnamed.add(event_id)
        self._words.put(event_id, encode(numbers[: len(text_words)], named, spelled))
        self._titles.put(event_id, title)
        self._slot_of[event_id] = self._slots[scope]
        self._shortest[event_id] = min((len(c) for c in contents if c), default=NO_NAME)
        self._title_rank[event_id] = -1
        self._sizes[scope] += 1
        self._count += 1

    def _changed(self, event_id: int) -> None:
        if self._base_stale:  # the rebuild will take it in
            return
        self._base_clean = self._base_clean and self._held_by[event_id] != _BASE
        self._held_by[event_id] = _TAIL
        self._tail_events.add(event_id)
        self._tail_stale = True
        base = len(self._base.events) if self._base is not None else 0
        if len(self._tail_events) > max(self._tail_limit, base // 32):
            self._base_stale = True

    # -- queries -----------------------------------------------------------------------------

    def search(
        self, query: str, scopes: Collection[int], hidden: Collection[int] = (), limit: int = 10
    ) -> list[Hit]:
        parsed = Query.parse(query)
        return self._search(parsed, scopes, hidden, limit) if parsed else []

    def complete(
        self, query: str, scopes: Collection[int], hidden: Collection[int] = (), limit: int = 25
    ) -> list[Hit]:
        """Titles for autocomplete: the last word typed may be unfinished (`kron` -> Kronstadt)."""
        parsed = Query.parse(query, complete=True)
        return self._search(parsed, scopes, hidden, limit) if parsed else []

    def full_scan(
        self,
        query: str,
        scopes: Collection[int],
        hidden: Collection[int] = (),
        limit: int = 10,
        *,
        complete: bool = False,
    ) -> list[Hit]:
        """Score every event in scope with `score_documents`: the naive way, for the benchmark and tests."""
        parsed = Query.parse(query, complete=complete)
        if parsed is None:
            return []
        excluded = set(hidden)
        # the same numbers as `word_similarity`, each word's computed once rather than once an event
        similarity = functools.cache(lambda at, w: word_similarity(parsed.words[at], w, parsed.prefixes[at]))
        asked = [self._slots[scope] for scope in set(scopes) if scope in self._slots]
        in_scope = np.flatnonzero(np.isin(np.frombuffer(self._slot_of, dtype=np.int32), asked)).tolist()
        documents = {event_id: self._document(event_id) for event_id in in_scope if event_id not in excluded}
        return ranked(score_documents(parsed, documents.values(), similarity), documents, limit)

    def _document(self, event_id: int) -> Document:
        words, decoded = self._vocabulary.words, decode(self._words[event_id] or b"")
        text_words = decoded.text_words
        if self._held_by[event_id] == _BASE and self._base is not None:  # its text is in the base's keys
            if self._base_text is None or self._base_text.base is not self._base:
                self._base_text = BaseText(self._base)
            text_words = self._base_text.words_of(event_id)
        return Document(
            event_id,
            self._scopes[self._slot_of[event_id]],
            self._titles.get(event_id),
            tuple(" ".join(words[number] for number in name) for name in decoded.names),
            " ".join(words[number] for number in text_words),
            self._shortest[event_id],
        )

    def _base_is_clean(self) -> bool:
        """Whether the base still holds the current words of every event it has a row for."""
        if self._base_clean is None:  # read back from a snapshot: looked at once
            held = np.frombuffer(self._held_by, dtype=np.int8)
            self._base_clean = self._base is None or bool((held[self._base.events] == _BASE).all())
        return self._base_clean

    def _scope_of(self, event_id: int) -> int | None:
        indexed = 0 <= event_id < len(self._words) and self._slot_of[event_id] >= 0
        return self._scopes[self._slot_of[event_id]] if indexed else None

    def _search(
        self, query: Query, scopes: Collection[int], hidden: Collection[int], limit: int
    ) -> list[Hit]:
        self.ready()
        similar = self._vocabulary.similar_all(list(zip(query.words, query.prefixes, strict=True)))
        asked = set(scopes)
        slots = [self._slots[scope] for scope in asked if scope in self._slots]
        excluded = np.array(sorted({e for e in hidden if self._scope_of(e) in asked}), dtype=np.int64)
        held = np.frombuffer(self._held_by, dtype=np.int8)
        entries = Entries.of(similar)
        sources = [  # the tail is built afresh at any change: clean
            Source.of(segment, mark, ranges, entries, excluded, mark == _TAIL or self._base_is_clean())
            for segment, mark in ((self._base, _BASE), (self._tail, _TAIL))
            if segment is not None and (ranges := segment.ranges(slots))
        ]
        if not sources:
            return []
        population = sum(self._sizes[scope] for scope in asked) - len(excluded)
        found, met = pruning.gathered(sources, entries, held, population, limit, self._count_from)
        weights = word_weights(met.tolist(), population)
        weight = sum(weights)
        totals, every = weighted(found.best, np.array(weights, dtype=np.float64))
        candidates = found.events
        if not len(candidates):
            return []
        contenders = selection.contenders(totals, weight, limit)
        candidates, totals, every = candidates[contenders], totals[contenders], every[contenders]
        covered, exact = self._covered(query, similar, found, contenders, totals, weight)
        near = selection.finalists(totals, weight, covered, exact, limit)
        shortest = np.frombuffer(self._shortest, dtype=np.uint32)
        chosen = Candidates(candidates[near], totals[near], covered[near], exact[near], every[near])
        ranks = np.frombuffer(self._title_rank, dtype=np.int32)
        return exact_ranking(chosen, weight, limit, self._titles, shortest, ranks)

    def _covered(
        self,
        query: Query,
        similar: list[Similar],
        found: Gathered,
        contenders: IntArray,
        totals: npt.NDArray[np.float64],
        weight: float,
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """Which of the candidates `contenders` picks have a name every content word of which the
        query matched (the name bonus), and which have a name that is the query exactly."""
        exact, spelled = np.zeros(len(contenders), dtype=np.bool_), query.text.split()
        candidates = found.events[contenders]
        per_name = (np.frombuffer(self._name_sizes, np.uint8), np.frombuffer(self._name_lengths, np.uint8))
        covered, alike, named = names_covered(found, contenders, per_name, len(spelled))
        perfect = totals >= perfect_total(weight)
        for at in np.flatnonzero(alike & perfect).tolist():
            exact[at] = self._named_exactly(int(candidates[at]), spelled)
        if self._crowded:  # names past the last tag share it: those events are checked one by one
            crowded = np.sort(np.fromiter(self._crowded, dtype=np.int64, count=len(self._crowded)))
            named_at = np.flatnonzero(named)
            found_at = np.minimum(np.searchsorted(crowded, candidates[named_at]), len(crowded) - 1)
            checked = named_at[crowded[found_at] == candidates[named_at]].tolist()
            met = words_met(similar)
            for at in checked:
                event_id = int(candidates[at])
                exact[at] = bool(perfect[at]) and self._named_exactly(event_id, spelled)
                covered[at] = covers_a_name(met, *self._content_of_names(event_id))
        return covered, exact

    def _named_exactly(self, event_id: int, spelled: list[str]) -> bool:
        numbers = [self._vocabulary.get(word) for word in spelled]
        names = decode(self._words[event_id] or b"").names
        return None not in numbers and any(list(name) == numbers for name in names)

    def _content_of_names(self, event_id: int) -> tuple[IntArray, IntArray]:
        """A crowded event's names' content words (as `covers_name` reads them) by number, end to
        end, and where each name starts; made when the index gets ready, kept until the event changes."""
        found = self._crowded_names.get(event_id)
        if found is None:
            words, names = self._vocabulary.words, decode(self._words[event_id] or b"").names
            named = (content_words([words[at] for at in name]) for name in names)
            contents = [self._vocabulary.numbers(content) for content in named if content]
            sizes = np.array([len(content) for content in contents], dtype=np.int64)
            flat = np.array(list(itertools.chain.from_iterable(contents)), dtype=np.int64)
            found = self._crowded_names[event_id] = flat, np.cumsum(sizes) - sizes
        return found
