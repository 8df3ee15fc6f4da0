"""Which bundled events each server hides: read for every server as the bot starts, so that no
server's first question waits on a read of its own, and kept right through hides made here,
changes another process made, and more hidden events than are kept at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.almanac.hidden import HiddenEvents
from bot.model.event import BUNDLED_SCOPE
from bot.runtime import open_services
from bot.store import Store
from tests.support import FIXTURE_CHRONOLOGY

HIDING, QUIET = 111, 222  # a server that hid two events, and one that hid none


async def hidden_two(database: Path) -> list[Any]:
    """A database whose bundled chronology is loaded and HIDING has hidden its first two events."""
    async with open_services(database, FIXTURE_CHRONOLOGY) as services:
        events = await services.store.scope_events(BUNDLED_SCOPE, deleted=False)
        for event in events[:2]:
            await services.store.set_hidden(HIDING, event, True, actor=None)
    return events


def count_reads(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    reads: list[int] = []
    read = store.hidden_event_ids

    async def reading(guild_id: int) -> set[int]:
        reads.append(guild_id)
        return await read(guild_id)

    monkeypatch.setattr(store, "hidden_event_ids", reading)
    return reads


async def test_a_started_bot_knows_every_servers_hidden_events_without_a_read_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "almanac.sqlite3"
    events = await hidden_two(database)
    async with open_services(database, FIXTURE_CHRONOLOGY) as services:
        reads = count_reads(services.store, monkeypatch)
        hidden = services.hidden

        assert await hidden.ids(HIDING) == {events[0].id, events[1].id}
        assert await hidden.ids(QUIET) == set()
        assert reads == []

        hidden.changed(QUIET, events[5].id, True)  # hidden here, by curation
        assert await hidden.ids(QUIET) == {events[5].id}

        await services.store.set_hidden(HIDING, events[0], False, actor=None)  # as another process would
        hidden.forget(HIDING)  # what the change feed does when it sees that
        assert await hidden.ids(HIDING) == {events[1].id}
        assert reads == [HIDING]


async def test_more_hidden_events_than_are_kept_at_once_are_read_server_by_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "almanac.sqlite3"
    events = await hidden_two(database)
    store = await Store.open(database)
    try:
        hidden = HiddenEvents(store)
        await hidden.read_all(most=1)
        reads = count_reads(store, monkeypatch)

        assert await hidden.ids(HIDING) == {events[0].id, events[1].id}
        assert await hidden.ids(QUIET) == set()
        assert reads == [HIDING, QUIET]
    finally:
        await store.close()
