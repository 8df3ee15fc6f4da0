"""The daily-post scheduler driven directly with a controllable clock and a fake Discord channel."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from bot.daily.scheduler import Scheduler
from bot.dates.post_times import post_instant
from bot.i18n.errors import UserError
from bot.model.kinds import PostOutcome
from bot.runtime import Services
from tests.support import Crash, FakeChannels, Posting, restart

UTC = dt.UTC


async def set_up(
    services: Services,
    channels: FakeChannels,
    guild: int,
    zone: str,
    at: str,
    now: dt.datetime,
    empty_day: str = "next",
    role: int | None = None,
) -> Posting:
    await services.anniversaries.setup(
        guild,
        channel_id=guild * 10,
        post_time=at,
        timezone=zone,
        mention_role_id=role,
        empty_day=empty_day,
        actor=1,
        now=now,
    )
    return Posting(services.scheduler, channels)


async def next_due(services: Services, guilds: dict[int, tuple[str, str]]) -> dt.datetime:
    settings = [await services.store.post_settings(guild) for guild in guilds]
    return min(dt.datetime.fromisoformat(s.next_due_utc) for s in settings if s and s.next_due_utc)


async def run_until(scheduler: Posting, start: dt.datetime, end: dt.datetime, step: dt.timedelta) -> None:
    now = start
    while now <= end:
        await scheduler.run_pass(now)
        now += step


ZONES = {
    1: ("Pacific/Kiritimati", "09:00"),
    2: ("America/St_Johns", "00:15"),
    3: ("Europe/Moscow", "23:45"),
    4: ("Asia/Kathmandu", "06:30"),
    5: ("America/Los_Angeles", "02:30"),  # skipped on the spring-forward day
    6: ("America/Los_Angeles", "01:30"),  # happens twice on the fall-back day
}


async def test_a_simulated_year_gives_exactly_one_post_per_local_day(services: Services) -> None:
    channels = FakeChannels()
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    end = dt.datetime(2027, 1, 1, tzinfo=UTC)
    scheduler = Posting(services.scheduler, channels)
    for guild, (zone, at) in ZONES.items():
        await set_up(services, channels, guild, zone, at, start)
    # The clock jumps from one due moment to the next, landing 0-4 minutes after it (as a 30-second
    # loop would), with an extra pass in between so a stray second post would show up.
    now, step = start, 0
    while now < end:
        channels.now = now
        await scheduler.run_pass(now)
        await scheduler.run_pass(now + dt.timedelta(seconds=30))
        step += 1
        now = await next_due(services, ZONES) + dt.timedelta(seconds=(step * 37) % 240)
    for guild, (zone, at) in ZONES.items():
        posted = channels.days_posted(guild * 10)
        assert max(posted.values()) == 1, f"{zone}: a day was posted twice"
        days = sorted(dt.date.fromisoformat(day) for day in posted)
        assert days == [days[0] + dt.timedelta(days=n) for n in range(len(days))], (
            f"{zone}: a day was skipped"
        )
        assert len(days) >= 365, zone
        for message in channels.messages:
            if message.channel_id == guild * 10:
                local = message.sent_at.astimezone(ZoneInfo(zone))
                expected = "03:30" if (zone, at, local.date()) == (ZONES[5] + (dt.date(2026, 3, 8),)) else at
                assert local.strftime("%H:%M") <= f"{expected[:3]}{int(expected[3:]) + 4:02d}", (zone, local)
                assert local.strftime("%H:%M") >= expected, (zone, local)
    assert not any(m.late for m in channels.messages), "no post should be late when the bot never stopped"
    # the DST days themselves were posted once each, in Los Angeles
    assert channels.days_posted(50)["2026-03-08"] == 1
    assert channels.days_posted(60)["2026-11-01"] == 1


def test_post_time_in_a_daylight_saving_gap_resolves_once() -> None:
    import zoneinfo

    zone = zoneinfo.ZoneInfo("America/Los_Angeles")
    # 02:30 does not exist on 8 March 2026 in Los Angeles: the post goes at 03:30 PDT (10:30 UTC)
    assert post_instant(dt.date(2026, 3, 8), "02:30", zone) == dt.datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    # 01:30 happens twice on 1 November 2026: the first one (PDT, 08:30 UTC) counts
    assert post_instant(dt.date(2026, 11, 1), "01:30", zone) == dt.datetime(2026, 11, 1, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize("crash_point", ["before_claim", "after_claim", "after_send"])
async def test_a_restart_at_any_point_of_a_send_never_duplicates_or_loses_the_day(
    services: Services, crash_point: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    channels = FakeChannels()
    start = dt.datetime(2026, 3, 16, 0, 0, tzinfo=UTC)
    scheduler = await set_up(services, channels, 7, "UTC", "09:00", start)
    due = dt.datetime(2026, 3, 16, 9, 0, 30, tzinfo=UTC)
    if crash_point == "before_claim":

        async def crash(*_: object, **__: object) -> None:
            raise Crash

        monkeypatch.setattr(services.store, "claim_post", crash)  # one by one …
        monkeypatch.setattr(services.store, "claim_new_posts", crash)  # … or in a batch
    channels.crash_before_send = crash_point == "after_claim"
    channels.crash_after_send = crash_point == "after_send"
    with pytest.raises(Crash):
        await scheduler.run_pass(due)
    monkeypatch.undo()
    channels.crash_before_send = channels.crash_after_send = False

    restarted = Posting(restart(services).scheduler, channels)  # a new process: nothing in memory
    await run_until(restarted, due, due + dt.timedelta(hours=2), dt.timedelta(seconds=30))
    assert channels.days_posted(70) == Counter({"2026-03-16": 1})
    record = await services.store.post_record(7, "2026-03-16")
    assert record is not None and record.state == "sent"


async def test_a_three_hour_outage_is_caught_up_once_and_labelled_late(services: Services) -> None:
    channels = FakeChannels()
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    scheduler = await set_up(services, channels, 8, "Europe/Moscow", "09:00", start)  # 06:00 UTC
    await run_until(scheduler, start, dt.datetime(2026, 6, 1, 5, 0, tzinfo=UTC), dt.timedelta(minutes=1))
    assert channels.messages == []
    # the bot is down from 05:00 to 08:00 UTC, across the 06:00 UTC post time
    back = dt.datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    await run_until(
        Posting(restart(services).scheduler, channels),
        back,
        back + dt.timedelta(hours=3),
        dt.timedelta(minutes=1),
    )
    assert channels.days_posted(80) == Counter({"2026-06-01": 1})
    assert channels.messages[0].late is True
    report = await services.anniversaries.show(8)
    assert report.last_post is not None and report.last_post.late


async def test_a_day_lost_entirely_to_downtime_is_not_posted_afterwards(services: Services) -> None:
    channels = FakeChannels()
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    scheduler = await set_up(services, channels, 9, "UTC", "09:00", start)
    # down from before the 1 June post until 2 June 08:00: 1 June is gone, 2 June posts on time
    back = dt.datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    await run_until(scheduler, back, back + dt.timedelta(hours=2), dt.timedelta(minutes=1))
    assert channels.days_posted(90) == Counter({"2026-06-02": 1})
    assert not channels.messages[0].late
    missed = await services.store.post_record(9, "2026-06-01")
    assert missed is not None and missed.state == "missed"


async def test_a_missing_channel_is_recorded_retried_and_never_holds_up_others(services: Services) -> None:
    channels = FakeChannels(broken={110: "the channel was deleted; choose another with /anniversaries setup"})
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    scheduler = await set_up(services, channels, 11, "UTC", "09:00", start)
    await set_up(services, channels, 12, "UTC", "09:00", start)
    at_nine = dt.datetime(2026, 6, 1, 9, 0, 10, tzinfo=UTC)
    report = await scheduler.run_pass(at_nine)
    assert (report.sent, report.failed) == (1, 1)
    assert channels.days_posted(120) == Counter({"2026-06-01": 1})
    shown = await services.anniversaries.show(11)
    assert shown.last_failure is not None and "deleted" in (shown.last_failure.last_error or "")
    # retried after 1 minute, then 5 more (attempts at 09:00, 09:01, 09:06; the next is due 09:21)
    await run_until(scheduler, at_nine, at_nine + dt.timedelta(minutes=20), dt.timedelta(seconds=30))
    record = await services.store.post_record(11, "2026-06-01")
    assert record is not None and record.attempts == 3 and record.state == "failed"
    del channels.broken[110]
    await run_until(
        scheduler,
        at_nine + dt.timedelta(minutes=20),
        at_nine + dt.timedelta(hours=2),
        dt.timedelta(seconds=30),
    )
    assert channels.days_posted(110) == Counter({"2026-06-01": 1})
    retried = [message for message in channels.messages if message.channel_id == 110]
    assert not retried[0].late  # the bot was online all along: Discord refused the first tries


async def test_an_empty_day_follows_the_servers_choice(services: Services) -> None:
    channels = FakeChannels()
    start = dt.datetime(2026, 11, 26, tzinfo=UTC)  # 26 November: no anniversary in the chronology
    quiet = await set_up(services, channels, 13, "UTC", "09:00", start, empty_day="nothing")
    await set_up(services, channels, 14, "UTC", "09:00", start, empty_day="month")
    await quiet.run_pass(dt.datetime(2026, 11, 26, 9, 1, tzinfo=UTC))
    assert channels.days_posted(130) == Counter()
    assert channels.days_posted(140) == Counter({"2026-11-26": 1})
    skipped = await services.store.post_record(13, "2026-11-26")
    assert skipped is not None and skipped.state == "skipped"
    preview = await services.anniversaries.preview(14, "26 November", start)
    assert preview is not None and preview.answer.month_events and not preview.answer.next_anniversaries


async def test_a_post_holds_only_the_fallback_the_server_chose_and_no_events_under_way(
    services: Services,
) -> None:
    """/onthisday shows the long events a day falls in, and both fallbacks of an empty day; a post
    shows neither the events under way nor the fallback the server did not choose."""
    channels = FakeChannels()
    start = dt.datetime(2026, 11, 26, tzinfo=UTC)
    await set_up(services, channels, 15, "UTC", "09:00", start, empty_day="next")
    await set_up(services, channels, 16, "UTC", "09:00", start, empty_day="month")
    asked = await services.almanac.on_this_day(15, "26 November", start.date())
    assert asked.next_anniversaries and asked.month_events  # the command shows both
    following = await services.anniversaries.preview(15, "26 November", start)
    assert following is not None and following.answer.next_anniversaries
    assert not following.answer.month_events
    in_month = await services.anniversaries.preview(16, "26 November", start)
    assert in_month is not None and in_month.answer.month_events
    assert in_month.answer.next_day is None and not in_month.answer.next_anniversaries
    inside = await services.almanac.on_this_day(15, "10 March", start.date())  # 28 Feb to 19 Mar 1921
    assert inside.ongoing
    posted = await services.anniversaries.preview(15, "10 March", start)
    assert posted is not None and not posted.answer.ongoing and posted.answer.more_ongoing == 0


async def test_setup_rejects_bad_input_and_changes_nothing(services: Services) -> None:
    service = services.anniversaries
    now = dt.datetime(2026, 6, 1, tzinfo=UTC)
    for time, zone, empty in [
        ("25:00", "UTC", "next"),
        ("9am", "UTC", "next"),
        ("09:00", "Mars/Olympus", "next"),
        ("09:00", "UTC", "everything"),
    ]:
        with pytest.raises(UserError):
            await service.setup(
                15,
                channel_id=1,
                post_time=time,
                timezone=zone,
                mention_role_id=None,
                empty_day=empty,
                actor=1,
                now=now,
            )
    assert await services.store.post_settings(15) is None
    with pytest.raises(UserError, match="not set up"):
        await service.show(15)


async def test_preview_shows_the_anniversary_post_for_7_november(services: Services) -> None:
    service = services.anniversaries
    post = await service.preview(1, "7 November", dt.datetime(2026, 6, 1, tzinfo=UTC))
    assert post is not None and not post.late
    titles = [item.event.title for item in post.answer.anniversaries]
    assert any("1917" in item.event.date.display() for item in post.answer.anniversaries), titles
    assert post.marker.endswith("2026-11-07")


async def test_a_process_running_some_shards_posts_only_for_servers_on_them(services: Services) -> None:
    from bot.store import Shards

    channels = FakeChannels()
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    # Discord puts a server on shard (id >> 22) % count: these two land on shards 0 and 1 of 2
    on_zero, on_one = (2 << 22) * 5, (2 << 22) * 5 + (1 << 22)
    for guild in (on_zero, on_one):
        await set_up(services, channels, guild, "UTC", "09:00", start)
    shard_zero = Posting(
        Scheduler(services.store, services.almanac, shards=Shards(count=2, ids=(0,))), channels
    )
    await shard_zero.run_pass(dt.datetime(2026, 6, 1, 9, 1, tzinfo=UTC))
    assert {m.channel_id for m in channels.messages} == {on_zero * 10}


async def test_every_due_server_ends_a_pass_in_exactly_one_outcome(services: Services) -> None:
    channels = FakeChannels(broken={220: "missing permission", 230: "missing permission"})
    start, long_ago = dt.datetime(2026, 11, 26, tzinfo=UTC), dt.datetime(2026, 11, 24, tzinfo=UTC)
    posting = await set_up(services, channels, 21, "UTC", "23:59", start)  # sent
    await set_up(services, channels, 22, "Etc/GMT+1", "22:59", start)  # fails; retried at 23:00 local
    await set_up(services, channels, 23, "UTC", "23:59", start)  # fails; the retry would be tomorrow
    await set_up(services, channels, 24, "UTC", "23:59", start, empty_day="nothing")  # 26 Nov is quiet
    await set_up(services, channels, 25, "Etc/GMT+2", "22:00", long_ago)  # days missed; today's is ahead

    report = await posting.run_pass(dt.datetime(2026, 11, 26, 23, 59, 30, tzinfo=UTC))

    assert report.outcomes == Counter(
        {
            PostOutcome.SENT: 1,
            PostOutcome.RETRYING: 1,
            PostOutcome.FAILED: 1,
            PostOutcome.SKIPPED: 1,
            PostOutcome.WAITING: 1,
        }
    )
    assert report.due == 5 and (report.sent, report.failed) == (1, 2)
    assert report.summary() == "5 due: 1 sent, 1 skipped, 1 retrying, 1 failed, 1 waiting"
    assert channels.days_posted(210) == Counter({"2026-11-26": 1})


# -- setting changes: the next day is always later than the last one, and a change wins --------------


async def test_moving_from_utc_plus_14_to_utc_minus_11_never_posts_a_day_again(services: Services) -> None:
    channels = FakeChannels()
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)  # 14:00 on 1 June in Kiritimati
    posting = await set_up(services, channels, 31, "Pacific/Kiritimati", "09:00", start)
    await posting.run_pass(dt.datetime(2026, 6, 1, 19, 0, 30, tzinfo=UTC))  # 09:00 on 2 June there
    assert channels.days_posted(310) == Counter({"2026-06-02": 1})
    # five minutes later it is 08:05 on 1 June in Pago Pago: 1 and 2 June are posted already
    moved = dt.datetime(2026, 6, 1, 19, 5, tzinfo=UTC)
    report = await services.anniversaries.setup(
        31,
        channel_id=310,
        post_time="09:00",
        timezone="Pacific/Pago_Pago",
        mention_role_id=None,
        empty_day="next",
        actor=1,
        now=moved,
    )
    assert report.next_post == dt.datetime(2026, 6, 3, 20, 0, tzinfo=UTC)  # 09:00 on 3 June, UTC-11
    assert report.last_failure is None  # no day was skipped
    await run_until(posting, moved, dt.datetime(2026, 6, 5, 21, 0, tzinfo=UTC), dt.timedelta(minutes=10))
    assert channels.days_posted(310) == Counter(
        {"2026-06-02": 1, "2026-06-03": 1, "2026-06-04": 1, "2026-06-05": 1}
    )


async def test_moving_from_utc_minus_11_to_utc_plus_14_records_and_shows_the_skipped_day(
    services: Services,
) -> None:
    from bot.daily.embeds import settings_lines

    channels = FakeChannels()
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)  # 13:00 on 31 May in Pago Pago
    posting = await set_up(services, channels, 32, "Pacific/Pago_Pago", "09:00", start)
    await posting.run_pass(dt.datetime(2026, 6, 1, 20, 0, 30, tzinfo=UTC))  # 09:00 on 1 June there
    # five minutes later it is 10:05 on 2 June in Kiritimati: 2 June's 09:00 is gone there
    moved = dt.datetime(2026, 6, 1, 20, 5, tzinfo=UTC)
    report = await services.anniversaries.setup(
        32,
        channel_id=320,
        post_time="09:00",
        timezone="Pacific/Kiritimati",
        mention_role_id=None,
        empty_day="next",
        actor=1,
        now=moved,
    )
    assert report.next_post == dt.datetime(2026, 6, 2, 19, 0, tzinfo=UTC)  # 09:00 on 3 June, UTC+14
    shown = dict(settings_lines(report))  # what `/anniversaries setup` and `show` reply
    assert shown["Last failure"] == (
        "2026-06-02: not posted: the settings changed to 09:00 Pacific/Kiritimati after 09:00 had"
        " passed there that day"
    )
    skipped = await services.store.post_record(32, "2026-06-02")
    assert skipped is not None and skipped.state == "missed"
    await run_until(posting, moved, dt.datetime(2026, 6, 3, 12, 0, tzinfo=UTC), dt.timedelta(minutes=10))
    assert channels.days_posted(320) == Counter({"2026-06-01": 1, "2026-06-03": 1})
    # once a later day is posted, the skipped day is no longer the news
    assert "Last failure" not in dict(settings_lines(await services.anniversaries.show(32)))


async def test_a_settings_change_during_a_send_wins(services: Services) -> None:
    import asyncio

    from tests.support import HeldSender

    channels = FakeChannels()
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    await set_up(services, channels, 33, "UTC", "09:00", start)
    held = HeldSender()
    sending = asyncio.create_task(
        services.scheduler.run_pass(dt.datetime(2026, 6, 1, 9, 0, 30, tzinfo=UTC), held)
    )
    await asyncio.wait_for(held.started.wait(), 5)
    # while 1 June's post is on its way, a moderator moves the post to 18:00
    changed = dt.datetime(2026, 6, 1, 9, 0, 40, tzinfo=UTC)
    posting = await set_up(services, channels, 33, "UTC", "18:00", changed)
    held.release.set()
    report = await sending
    assert report.sent == 1 and held.sent == ["Almanac daily · 2026-06-01"]
    shown = await services.anniversaries.show(33)
    assert shown.next_post == dt.datetime(2026, 6, 2, 18, 0, tzinfo=UTC)
    assert shown.last_post is not None and shown.last_post.local_date == "2026-06-01"
    now = changed
    while now < dt.datetime(2026, 6, 3, 23, 0, tzinfo=UTC):
        channels.now = now  # stamped on what is sent
        await posting.run_pass(now)
        now += dt.timedelta(minutes=5)
    assert channels.days_posted(330) == Counter({"2026-06-02": 1, "2026-06-03": 1})
    assert [m.sent_at.strftime("%H") for m in channels.messages] == ["18", "18"]


async def test_the_last_failure_clears_once_a_later_post_succeeds(services: Services) -> None:
    channels = FakeChannels(broken={340: "missing permission: Send Messages"})
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    posting = await set_up(services, channels, 34, "UTC", "09:00", start)
    await run_until(posting, start, dt.datetime(2026, 6, 1, 23, 55, tzinfo=UTC), dt.timedelta(minutes=5))
    failing = await services.anniversaries.show(34)
    assert failing.last_failure is not None and failing.last_failure.local_date == "2026-06-01"
    assert failing.last_failure.last_error == "missing permission: Send Messages"
    del channels.broken[340]  # the moderator gave the bot its permission back
    await run_until(
        posting,
        dt.datetime(2026, 6, 2, 0, 0, tzinfo=UTC),
        dt.datetime(2026, 6, 2, 10, 0, tzinfo=UTC),
        dt.timedelta(minutes=5),
    )
    assert channels.days_posted(340) == Counter({"2026-06-02": 1})
    shown = await services.anniversaries.show(34)
    assert shown.last_failure is None
    assert shown.last_post is not None and shown.last_post.local_date == "2026-06-02"


async def test_a_server_whose_settings_change_while_it_waits_in_a_pass_is_served_by_the_new_ones(
    services: Services,
) -> None:
    import asyncio

    from tests.support import HeldSender

    channels = FakeChannels()
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    await set_up(services, channels, 35, "UTC", "09:00", start)
    await set_up(services, channels, 36, "UTC", "09:00", start)
    one_at_a_time = Scheduler(services.store, services.almanac, concurrency=1)
    held = HeldSender()
    sending = asyncio.create_task(one_at_a_time.run_pass(dt.datetime(2026, 6, 1, 9, 0, 30, tzinfo=UTC), held))
    await asyncio.wait_for(held.started.wait(), 5)
    # the first server's post is on its way; the second's moderator moves its post to 18:00
    posting = await set_up(
        services, channels, 36, "UTC", "18:00", dt.datetime(2026, 6, 1, 9, 0, 40, tzinfo=UTC)
    )
    held.release.set()
    report = await sending
    assert report.outcomes == Counter({PostOutcome.SENT: 1, PostOutcome.WAITING: 1})
    assert held.sent == ["Almanac daily · 2026-06-01"]  # one post: the other server's 09:00 is gone
    shown = await services.anniversaries.show(36)
    assert shown.next_post == dt.datetime(2026, 6, 1, 18, 0, tzinfo=UTC)
    await posting.run_pass(dt.datetime(2026, 6, 1, 18, 0, 30, tzinfo=UTC))
    assert channels.days_posted(360) == Counter({"2026-06-01": 1})


async def test_a_day_another_scheduler_claims_between_the_look_and_the_batch_claim_is_posted_once(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch claims only the days nobody touched; one claimed elsewhere in between is left to
    that claim, and once its lease is over (its holder gone) is read back and posted, once."""
    from bot.daily.post import nonce_for
    from bot.daily.scheduler import CLAIM_LEASE
    from bot.dates.post_times import iso

    channels = FakeChannels()
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    for guild in (41, 42, 43):
        posting = await set_up(services, channels, guild, "UTC", "09:00", start)
    due = dt.datetime(2026, 6, 1, 9, 0, 30, tzinfo=UTC)
    store = services.store
    looked = store.post_records

    async def look_then_lose_the_race(keys: list[tuple[int, str]]) -> object:
        found = await looked(keys)
        if (42, "2026-06-01") in keys:  # another scheduler claims 42's day right after the look
            await store.claim_post(42, "2026-06-01", 420, nonce_for(42, due.date()), False, now=iso(due))
        return found

    monkeypatch.setattr(store, "post_records", look_then_lose_the_race)
    report = await posting.run_pass(due)
    monkeypatch.undo()
    assert report.outcomes == Counter({PostOutcome.SENT: 2, PostOutcome.RETRYING: 1})
    assert channels.days_posted(420) == Counter()
    await run_until(posting, due, due + CLAIM_LEASE + dt.timedelta(minutes=2), dt.timedelta(seconds=30))
    for guild in (41, 42, 43):
        assert channels.days_posted(guild * 10) == Counter({"2026-06-01": 1}), guild


async def test_a_held_write_lock_delays_a_post_and_never_breaks_the_pass(
    services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Another process holds the write lock through the pass (PostgreSQL's lock timeout, SQLite's
    busy timeout): even recording the delay fails, and the pass still ends, the day still due."""
    channels = FakeChannels()
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    scheduler = await set_up(services, channels, 21, "UTC", "09:00", start)

    async def locked(*_: object, **__: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(services.store, "post_settings", locked)
    monkeypatch.setattr(services.store, "reschedule_post", locked)
    monkeypatch.setattr(services.store, "claim_new_posts", locked)
    monkeypatch.setattr(services.store, "claim_post", locked)
    with caplog.at_level(logging.WARNING):
        report = await scheduler.run_pass(dt.datetime(2026, 6, 1, 9, 0, 10, tzinfo=UTC))
    assert channels.days_posted(210) == Counter()
    assert report.due >= 1 and not any(
        record.exc_info for record in caplog.records if "locked" in record.getMessage()
    )

    monkeypatch.undo()
    await run_until(
        scheduler,
        dt.datetime(2026, 6, 1, 9, 1, tzinfo=UTC),
        dt.datetime(2026, 6, 1, 10, 0, tzinfo=UTC),
        dt.timedelta(minutes=1),
    )
    assert channels.days_posted(210) == Counter({"2026-06-01": 1})  # once the lock is free, posted once
