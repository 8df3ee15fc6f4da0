"""The shelf: every event's piece by event id, in one buffer, through replacing, dropping and packing."""

from __future__ import annotations

import numpy as np
import pytest

from bot.postings import shelf as shelves
from bot.postings.shelf import Shelf, Titles


def test_pieces_read_back_through_replacing_dropping_and_packing(monkeypatch: pytest.MonkeyPatch) -> None:
    shelf = Shelf()
    shelf.grow(50)
    expected: dict[int, bytes] = {}
    for event_id in range(0, 50, 2):
        shelf.put(event_id, bytes([event_id]) * (event_id + 1))
        expected[event_id] = bytes([event_id]) * (event_id + 1)
    for event_id in range(0, 50, 6):  # replaced: the old piece is dead bytes until a packing
        shelf.put(event_id, b"new" * event_id)
        expected[event_id] = b"new" * event_id
    for event_id in range(4, 50, 8):
        shelf.drop(event_id)
        del expected[event_id]
    assert {event_id: shelf[event_id] for event_id in range(50) if event_id in shelf} == expected
    assert shelf[1] is None and 1 not in shelf and 50 not in shelf

    data, sizes = shelf.packed()  # packs: the dead bytes go
    assert data == b"".join(expected[event_id] for event_id in sorted(expected))
    assert len(shelf._data) == len(data)
    assert {event_id: shelf[event_id] for event_id in range(50) if event_id in shelf} == expected
    present = np.zeros(50, dtype=np.bool_)
    present[sorted(expected)] = True
    again = Shelf.unpacked(data, sizes, present)
    assert {event_id: again[event_id] for event_id in range(50) if event_id in again} == expected
    ids = np.array([8, 2, 44, 3], dtype=np.int64)
    joined, lengths = again.joined(ids)
    assert joined == b"".join(expected.get(event_id, b"") for event_id in ids.tolist())
    assert lengths.tolist() == [len(expected.get(event_id, b"")) for event_id in ids.tolist()]
    monkeypatch.setattr(shelves, "JOIN_CHUNK", 3)  # read a chunk of ids at a time: the same bytes
    assert again.joined(ids)[0] == joined


def test_a_shelf_packs_itself_once_dead_bytes_outweigh_the_live_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shelves, "_PACK_AT", 0)
    monkeypatch.setattr(shelves, "_PACK_CHUNK", 3)  # several chunks
    shelf = Shelf()
    shelf.grow(20)
    for event_id in range(20):
        shelf.put(event_id, str(event_id).encode() * 10)
    for event_id in range(0, 20, 2):
        shelf.put(event_id, b"x")
    assert len(shelf._data) < 20 * 20  # packed on the way
    assert [shelf[event_id] for event_id in range(4)] == [b"x", b"1" * 10, b"x", b"3" * 10]


def test_titles_come_back_in_any_script_and_rank_by_title_then_id() -> None:
    titles = Titles()
    titles.shelf.grow(5)
    for event_id, title in enumerate(("Кронштадт", "beta", "Alpha", "alpha", "ﬃ")):
        titles.put(event_id, title)
    assert titles.get(0) == "Кронштадт" and titles.get(9) == ""
    ids = np.arange(5, dtype=np.int64)
    assert titles.many(ids) == ["Кронштадт", "beta", "Alpha", "alpha", "ﬃ"]
    assert titles.many(ids[:0]) == []
    # as ties are broken: lowercased title, then id (Cyrillic before the ligature, by code point)
    assert titles.ranks(ids).tolist() == [3, 2, 0, 1, 4]
    assert titles.ranks(ids[::-1]).tolist() == [4, 1, 0, 2, 3]  # ties by id, whatever the order asked
    assert titles.ranks(ids[:0]).tolist() == []


def test_a_few_titles_and_many_read_alike() -> None:
    titles = Titles()
    titles.shelf.grow(shelves.FEW * 2)
    for event_id in range(0, shelves.FEW * 2, 3):  # every third id has none
        titles.put(event_id + 1, f"Title {event_id} — Кронштадт")
    ids = np.arange(shelves.FEW * 2, dtype=np.int64)[::-1]
    expected = [titles.get(event_id) for event_id in ids.tolist()]
    assert titles.many(ids) == expected  # more than a few: gathered
    assert titles.many(ids[: shelves.FEW]) == expected[: shelves.FEW]  # a few: one slice each
    assert titles.many(ids[:3]) == expected[:3] and "" in expected[:3]
