"""The Events tab's rows (bot/store/events_tab/): claimed once, recorded, forgotten; on both engines."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.store import Shards, Store

GUILD = 1 << 22  # on shard 1 of 2
OTHER = 2 << 22  # on shard 0 of 2
KEY = (7, "2026-01-02")
NOW = "2026-01-01T12:00:00+00:00"
LEASE_START = "2026-01-01T11:58:30+00:00"


@pytest.fixture
async def store(database: str) -> AsyncIterator[Store]:
    """On each engine in turn (tests/conftest.py)."""
    opened = await Store.open(database)
    try:
        yield opened
    finally:
        await opened.close()


async def enabled(store: Store, guild: int = GUILD, days: int = 14) -> None:
    await store.save_events_tab(guild, enabled=True, days=days, next_sync_utc=NOW, actor=5)


async def test_a_choice_is_saved_and_turning_it_on_again_forgets_the_last_error(store: Store) -> None:
    assert await store.events_tab(GUILD) is None and not await store.events_tabs_enabled()
    await enabled(store, days=3)
    await store.events_tab_synced(GUILD, next_sync_utc=None, error="Discord refused", now_utc=NOW)
    saved = await store.events_tab(GUILD)
    assert saved is not None and saved.enabled and saved.days == 3 and saved.last_error == "Discord refused"
    await store.save_events_tab(GUILD, enabled=False, days=3, next_sync_utc=NOW, actor=5)
    assert (await store.events_tab(GUILD)).last_error == "Discord refused"  # type: ignore[union-attr]
    await enabled(store, days=5)
    again = await store.events_tab(GUILD)
    assert again is not None and again.days == 5 and again.last_error is None and again.next_sync_utc == NOW


async def test_due_servers_by_time_and_shard_and_a_change_makes_them_due(store: Store) -> None:
    await enabled(store)
    await enabled(store, OTHER)
    later = "2026-01-02T00:01:00+00:00"
    for guild in (GUILD, OTHER):
        await store.events_tab_synced(guild, next_sync_utc=later, error=None, now_utc=NOW)
    assert await store.due_events_tabs(NOW, 10) == []
    assert await store.next_events_tab_sync() == later
    await store.events_tabs_due_now([GUILD], NOW)
    assert [s.guild_id for s in await store.due_events_tabs(NOW, 10)] == [GUILD]
    assert await store.due_events_tabs(NOW, 10, Shards(2, (0,))) == []
    await store.events_tabs_due_now(None, NOW)
    assert {s.guild_id for s in await store.due_events_tabs(NOW, 10)} == {GUILD, OTHER}
    await store.events_tabs_due_now([], NOW)  # nothing to do, and no error


async def test_an_anniversary_is_claimed_once_and_a_stale_claim_taken_over(store: Store) -> None:
    assert not await store.claim_tab_event(GUILD, KEY, now_utc=NOW, held_since=LEASE_START)  # not on
    await enabled(store)
    assert await store.claim_tab_event(GUILD, KEY, now_utc=NOW, held_since=LEASE_START)
    # a second process a moment later: the claim is live, it must not create too
    assert not await store.claim_tab_event(
        GUILD, KEY, now_utc="2026-01-01T12:00:30+00:00", held_since="2026-01-01T11:59:00+00:00"
    )
    # long after, the holder is dead: taken over (the caller has looked in Discord first)
    assert await store.claim_tab_event(
        GUILD, KEY, now_utc="2026-01-01T12:10:00+00:00", held_since="2026-01-01T12:08:30+00:00"
    )
    (row,) = await store.tab_rows(GUILD)
    assert row.state == "claimed" and row.claimed_at == "2026-01-01T12:10:00+00:00"

    await store.record_tab_event(GUILD, KEY, discord_id=99, fingerprint="abc", start_utc=NOW)
    assert not await store.claim_tab_event(GUILD, KEY, now_utc="2026-01-09T00:00:00+00:00", held_since=NOW)
    (row,) = await store.tab_rows(GUILD)
    assert (row.state, row.discord_id, row.fingerprint, row.start_utc) == ("created", 99, "abc", NOW)


async def test_a_refused_claim_is_released_a_deleted_event_stays_gone_and_rows_are_forgotten(
    store: Store,
) -> None:
    await enabled(store)
    assert await store.claim_tab_event(GUILD, KEY, now_utc=NOW, held_since=LEASE_START)
    await store.release_tab_claim(GUILD, KEY, "2026-01-01T00:00:00+00:00")  # not our claim: kept
    assert len(await store.tab_rows(GUILD)) == 1
    await store.release_tab_claim(GUILD, KEY, NOW)
    assert await store.tab_rows(GUILD) == []

    await store.record_tab_event(GUILD, KEY, discord_id=99, fingerprint="abc", start_utc=NOW)
    await store.tab_event_gone(GUILD, KEY)
    (row,) = await store.tab_rows(GUILD)
    assert row.state == "gone" and row.discord_id is None
    assert not await store.claim_tab_event(GUILD, KEY, now_utc="2026-01-09T00:00:00+00:00", held_since=NOW)
    await store.forget_tab_events(GUILD, [KEY])
    assert await store.tab_rows(GUILD) == []


async def test_turned_off_no_anniversary_can_be_claimed(store: Store) -> None:
    await enabled(store)
    await store.save_events_tab(GUILD, enabled=False, days=14, next_sync_utc=NOW, actor=5)
    assert not await store.claim_tab_event(GUILD, KEY, now_utc=NOW, held_since=LEASE_START)
