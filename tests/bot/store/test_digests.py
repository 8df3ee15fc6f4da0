"""The digest's settings and records (migration 013), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.daily.digest import digest_marker, first_period, period_after, period_days
from bot.model.kinds import Digest, EmptyDay, PostState
from bot.runtime import Services
from bot.store import PostSettings
from bot.store.posts.digests import DIGEST_RECORDS_KEPT
from bot.store.posts.records import ClaimHeld

GUILD = 1 << 40
NOON = "2026-01-05T12:00:00+00:00"


def weekly(**changes: object) -> PostSettings:
    settings = PostSettings(
        GUILD, 7, "09:00", "UTC", None, EmptyDay.NEXT, False, "2026-01-05", "2026-01-05T09:00:00+00:00",
        digest=Digest.WEEKLY, digest_weekday=0, digest_period="2026-01-05",
        digest_next_utc="2026-01-05T09:00:00+00:00",
    )  # fmt: skip
    return settings if not changes else PostSettings(**{**settings.__dict__, **changes})  # type: ignore[arg-type]


async def test_a_digest_is_due_by_its_own_time_even_with_the_daily_posts_off(services: Services) -> None:
    store = services.store
    await store.save_post_settings(weekly(), actor=None)

    assert [s.guild_id for s in await store.due_digests(NOON, 10)] == [GUILD]
    assert await store.due_posts(NOON, 10) == []  # the daily posts are off
    assert await store.due_digests("2026-01-05T08:59:59+00:00", 10) == []
    assert await store.next_due_at() == "2026-01-05T09:00:00+00:00"
    saved = await store.post_settings(GUILD)
    assert saved is not None and (saved.digest, saved.digest_period) == (Digest.WEEKLY, "2026-01-05")


async def test_a_reschedule_loses_to_a_moderators_change(services: Services) -> None:
    store = services.store
    await store.save_post_settings(weekly(), actor=None)
    read = await store.post_settings(GUILD)
    assert read is not None
    await store.save_post_settings(weekly(digest_weekday=2), actor=1)  # saved meanwhile

    assert not await store.reschedule_digest(GUILD, "2026-01-12", "2026-01-12T09:00:00+00:00", read.version)
    kept = await store.post_settings(GUILD)
    assert kept is not None and kept.digest_weekday == 2 and kept.digest_period == "2026-01-05"


async def test_a_digest_is_claimed_once_and_a_fresh_claim_is_left_to_its_holder(services: Services) -> None:
    store = services.store
    key = (GUILD, Digest.WEEKLY, "2026-01-05")
    claimed = await store.claim_digest(*key, 7, now=NOON, held_since="2026-01-05T11:58:30+00:00")
    assert claimed is not None and claimed.state is PostState.CLAIMED and claimed.pages_sent == 0

    with pytest.raises(ClaimHeld):
        await store.claim_digest(*key, 7, now=NOON, held_since="2026-01-05T11:58:30+00:00")
    await store.digest_page_sent(claimed, 1, message_id=111, thread_id=None, now=NOON)
    later = "2026-01-05T12:05:00+00:00"
    resumed = await store.claim_digest(*key, 7, now=later, held_since="2026-01-05T12:03:30+00:00")
    assert resumed is not None and (resumed.pages_sent, resumed.message_id, resumed.attempts) == (1, 111, 2)

    await store.finish_digest(*key, PostState.SENT)
    assert await store.claim_digest(*key, 7, now=later, held_since=later) is None
    last = await store.last_digest(GUILD)
    assert last is not None and (last.period, last.state) == ("2026-01-05", PostState.SENT)


async def test_only_the_latest_digests_are_kept(services: Services) -> None:
    store = services.store
    day = dt.date(2025, 1, 6)
    for _ in range(DIGEST_RECORDS_KEPT + 5):
        await store.finish_digest(GUILD, Digest.WEEKLY, day.isoformat(), PostState.SENT)
        day += dt.timedelta(days=7)
    rows = await store._all("SELECT period FROM digest_posts WHERE guild_id = ?", (GUILD,))
    assert len(rows) == DIGEST_RECORDS_KEPT
    assert min(period for (period,) in rows) == (dt.date(2025, 1, 6) + dt.timedelta(weeks=5)).isoformat()


@pytest.mark.parametrize(
    ("kind", "weekday", "today", "first", "after", "days"),
    [
        (Digest.WEEKLY, 0, "2026-01-01", "2026-01-05", "2026-01-12", 7),  # Thursday -> Monday
        (Digest.WEEKLY, 3, "2026-01-01", "2026-01-01", "2026-01-08", 7),  # today is the day
        (Digest.MONTHLY, 0, "2026-01-01", "2026-01-01", "2026-02-01", 31),
        (Digest.MONTHLY, 0, "2026-01-31", "2026-02-01", "2026-03-01", 28),
        (Digest.MONTHLY, 0, "2028-02-10", "2028-03-01", "2028-04-01", 31),
        (Digest.MONTHLY, 0, "2027-12-02", "2028-01-01", "2028-02-01", 31),
    ],
)
def test_periods(kind: Digest, weekday: int, today: str, first: str, after: str, days: int) -> None:
    start = first_period(kind, weekday, dt.date.fromisoformat(today))
    assert start.isoformat() == first
    assert period_after(kind, start).isoformat() == after
    assert period_days(kind, start) == days


def test_a_pages_marker_is_never_found_in_another_pages_footer() -> None:
    day = dt.date(2026, 1, 5)
    footers = [f"{digest_marker(Digest.WEEKLY, day, page)}12" for page in range(1, 13)]
    for page in range(1, 13):
        marker = digest_marker(Digest.WEEKLY, day, page)
        assert [footer for footer in footers if marker in footer] == [footers[page - 1]]
