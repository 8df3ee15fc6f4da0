"""The Events tab's plan (bot/events_tab/plan.py): what to create, update and delete, without Discord."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.events_tab.plan import (
    EVENTS_CAP,
    Delete,
    Listed,
    Spec,
    marker_for,
    marker_in,
    plan,
    window,
)
from bot.store import TabRow

UTC = dt.UTC
NOW = dt.datetime(2026, 1, 1, 12, tzinfo=UTC)
LEASE_START = "2026-01-01T11:58:30+00:00"  # claims after this are another process's, at work


def spec(event_id: int, day: str = "2026-01-02", name: str = "") -> Spec:
    start = dt.datetime.fromisoformat(day).replace(tzinfo=UTC)
    return Spec(
        event_id, day, name or f"Event {event_id}", "…", "Petrograd", start, start + dt.timedelta(days=1)
    )


def row(wanted: Spec, state: str = "created", discord_id: int | None = None, claimed_at: str = "") -> TabRow:
    printed = wanted.fingerprint if state == "created" else None
    start = wanted.start.isoformat() if state == "created" else None
    return TabRow(
        1, wanted.event_id, wanted.local_date, state, discord_id, printed, start, claimed_at or None
    )


def ours(wanted: Spec, discord_id: int, active: bool = True) -> Listed:
    return Listed(discord_id, True, wanted.key, active, wanted.fingerprint, wanted.start)


def theirs(discord_id: int, active: bool = True) -> Listed:
    return Listed(discord_id, False, None, active, "x", NOW)


def test_the_window_starts_today_a_few_minutes_from_now_and_each_day_runs_to_midnight() -> None:
    moscow = ZoneInfo("Europe/Moscow")
    days = window(NOW, moscow, 3)  # 15:00 in Moscow
    assert [day.date.isoformat() for day in days] == ["2026-01-01", "2026-01-02", "2026-01-03"]
    today = days[0]
    assert not today.movable and NOW + dt.timedelta(minutes=5) < today.start <= NOW + dt.timedelta(minutes=7)
    assert today.end == days[1].start == dt.datetime(2026, 1, 1, 21, tzinfo=UTC)
    # too late in the day for an event: today is left out
    assert [day.date.day for day in window(dt.datetime(2026, 1, 1, 20, 50, tzinfo=UTC), moscow, 2)] == [2]


def test_a_day_over_a_clock_change_is_as_long_as_it_is() -> None:
    new_york = ZoneInfo("America/New_York")
    (day,) = [d for d in window(NOW, new_york, 70) if d.date == dt.date(2026, 3, 8)]
    assert day.end - day.start == dt.timedelta(hours=23)


def test_the_marker_names_the_anniversary_and_the_day() -> None:
    assert marker_in(f"106 years ago\n\n{marker_for((12, '2026-01-05'))}") == (12, "2026-01-05")
    assert marker_in("A party at Almanac · #12 · tonight") is None and marker_in(None) is None


def test_new_anniversaries_are_created_and_unchanged_ones_left_alone() -> None:
    a, b = spec(1), spec(2)
    result = plan([a, b], [row(a, discord_id=10)], [ours(a, 10)], held_since=LEASE_START)
    assert result.creates == [b] and not result.updates and not result.deletes


def test_an_edit_is_an_update_of_the_same_event_and_only_when_something_changed() -> None:
    a = spec(1)
    edited = spec(1, name="Renamed")
    result = plan([edited], [row(a, discord_id=10)], [ours(a, 10)], held_since=LEASE_START)
    assert result.updates == [(10, edited, False)] and not result.creates


def test_todays_event_keeps_the_start_it_was_made_with() -> None:
    made = spec(1, "2026-01-01")
    later = Spec(1, "2026-01-01", made.name, "…", "Petrograd", NOW + dt.timedelta(minutes=6), made.end, False)
    kept = Spec(1, "2026-01-01", made.name, "…", "Petrograd", made.start, made.end, False)
    result = plan([later], [row(kept, discord_id=10)], [ours(kept, 10)], held_since=LEASE_START)
    assert not result.updates and not result.creates


def test_a_hidden_or_past_anniversary_is_deleted_and_its_row_forgotten() -> None:
    a, gone_by = spec(1), spec(2, "2025-12-31")
    result = plan(
        [], [row(a, discord_id=10), row(gone_by, discord_id=11)], [ours(a, 10)], held_since=LEASE_START
    )
    assert result.deletes == [Delete(10, a.key), Delete(None, gone_by.key)]


def test_an_event_a_person_deleted_is_not_made_again_that_day() -> None:
    a = spec(1)
    result = plan([a], [row(a, discord_id=10)], [], held_since=LEASE_START)
    assert result.gone == [a.key] and not result.creates
    again = plan([a], [row(a, state="gone")], [], held_since=LEASE_START)
    assert not again.creates and not again.deletes and not again.gone


def test_an_event_made_before_a_crash_is_found_by_its_marker_and_kept() -> None:
    a = spec(1)
    stale = row(a, state="claimed", claimed_at="2026-01-01T11:00:00+00:00")
    result = plan([a], [stale], [ours(a, 10)], held_since=LEASE_START)
    assert [(wanted.key, found.id) for wanted, found in result.adopts] == [(a.key, 10)]
    assert not result.creates and not result.deletes


def test_a_claim_within_the_lease_is_left_to_its_holder() -> None:
    a = spec(1)
    live = row(a, state="claimed", claimed_at="2026-01-01T11:59:50+00:00")
    result = plan([a], [live], [], held_since=LEASE_START)
    assert result.held == 1 and not result.creates and not result.deletes
    # once the lease is over and nothing is listed, it is made (the claim taken over)
    assert plan([a], [live], [], held_since="2026-01-01T12:00:00+00:00").creates == [a]


def test_a_duplicate_of_the_bots_is_deleted_and_a_persons_never_is() -> None:
    a = spec(1)
    result = plan(
        [a], [row(a, discord_id=10)], [ours(a, 10), ours(a, 11), theirs(12)], held_since=LEASE_START
    )
    assert result.deletes == [Delete(11, None)]


def test_the_bot_fills_only_what_people_leave_free_earliest_first() -> None:
    wanted = [spec(n, f"2026-01-{1 + n // 10:02d}") for n in range(20)]
    people = [theirs(1000 + n) for n in range(EVENTS_CAP - 5)] + [theirs(2000, active=False)]
    result = plan(wanted, [], people, held_since=LEASE_START)
    assert result.share == 5 and result.creates == wanted[:5]
    # people made three more since: the bot's latest three go, to make room for theirs
    made = [row(item, discord_id=n) for n, item in enumerate(wanted[:5])]
    listed = (
        [ours(item, n) for n, item in enumerate(wanted[:5])] + people + [theirs(3000 + n) for n in range(3)]
    )
    crowded = plan(wanted, made, listed, held_since=LEASE_START)
    assert crowded.share == 2 and [d.discord_id for d in crowded.deletes] == [2, 3, 4]


def test_turned_off_every_event_of_the_bots_goes_even_one_without_a_row() -> None:
    a, b = spec(1), spec(2)
    result = plan([], [row(a, discord_id=10)], [ours(a, 10), ours(b, 11), theirs(12)], held_since=LEASE_START)
    assert result.deletes == [Delete(10, a.key), Delete(11, None)]
