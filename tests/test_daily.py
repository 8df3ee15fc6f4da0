"""The daily-post scheduler driven directly with a controllable clock and a fake Discord channel."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.almanac import Almanac
from bot.anniversaries import Anniversaries
from bot.chronology import DEFAULT_DATA_FILE
from bot.daily import DailyPost, PostFailed, Scheduler, post_instant
from bot.errors import UserError
from bot.runtime import open_almanac

UTC = dt.UTC


class Crash(BaseException):
    """The process dying at a chosen point: not an Exception, so nothing inside catches it."""


@dataclass
class Message:
    id: int
    channel_id: int
    marker: str
    late: bool
    role: int | None
    sent_at: dt.datetime


@dataclass
class FakeChannels:
    """Channels as the scheduler sees them through its Sender: messages can be read back."""

    messages: list[Message] = field(default_factory=list)
    broken: dict[int, str] = field(default_factory=dict)  # channel -> reason sends fail
    crash_before_send: bool = False
    crash_after_send: bool = False
    now: dt.datetime = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # the test's clock, stamped on messages

    async def send(self, channel_id: int, post: DailyPost, nonce: str) -> int:
        if self.crash_before_send:
            raise Crash
        if channel_id in self.broken:
            raise PostFailed(self.broken[channel_id])
        message = Message(len(self.messages) + 1, channel_id, post.marker, post.late, post.mention_role_id,
                          self.now)  # fmt: skip
        self.messages.append(message)
        if self.crash_after_send:
            raise Crash
        return message.id

    async def find_sent(self, channel_id: int, marker: str) -> int | None:
        found = [m.id for m in self.messages if m.channel_id == channel_id and m.marker == marker]
        return found[-1] if found else None

    def days_posted(self, channel_id: int) -> Counter[str]:
        return Counter(m.marker.rsplit(" ", 1)[-1] for m in self.messages if m.channel_id == channel_id)


@pytest.fixture
async def almanac(tmp_path: Path) -> AsyncIterator[Almanac]:
    async with open_almanac(tmp_path / "db.sqlite3", DEFAULT_DATA_FILE) as almanac:
        yield almanac


async def set_up(
    almanac: Almanac, channels: FakeChannels, guild: int, zone: str, at: str, now: dt.datetime,
    empty_day: str = "next", role: int | None = None,
) -> Scheduler:  # fmt: skip
    scheduler = Scheduler(almanac, channels)
    await Anniversaries(almanac, scheduler).setup(
        guild, channel_id=guild * 10, post_time=at, timezone=zone, mention_role_id=role,
        empty_day=empty_day, actor=1, now=now,
    )  # fmt: skip
    return scheduler


async def next_due(almanac: Almanac, guilds: dict[int, tuple[str, str]]) -> dt.datetime:
    settings = [await almanac.store.post_settings(guild) for guild in guilds]
    return min(dt.datetime.fromisoformat(s.next_due_utc) for s in settings if s and s.next_due_utc)


async def run_until(scheduler: Scheduler, start: dt.datetime, end: dt.datetime, step: dt.timedelta) -> None:
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


async def test_a_simulated_year_gives_exactly_one_post_per_local_day(almanac: Almanac) -> None:
    channels = FakeChannels()
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    end = dt.datetime(2027, 1, 1, tzinfo=UTC)
    scheduler = Scheduler(almanac, channels)
    for guild, (zone, at) in ZONES.items():
        await set_up(almanac, channels, guild, zone, at, start)
    # The clock jumps from one due moment to the next, landing 0-4 minutes after it (as a 30-second
    # loop would), with an extra pass in between so a stray second post would show up.
    now, step = start, 0
    while now < end:
        channels.now = now
        await scheduler.run_pass(now)
        await scheduler.run_pass(now + dt.timedelta(seconds=30))
        step += 1
        now = await next_due(almanac, ZONES) + dt.timedelta(seconds=(step * 37) % 240)
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
    almanac: Almanac, crash_point: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    channels = FakeChannels()
    start = dt.datetime(2026, 3, 16, 0, 0, tzinfo=UTC)
    scheduler = await set_up(almanac, channels, 7, "UTC", "09:00", start)
    due = dt.datetime(2026, 3, 16, 9, 0, 30, tzinfo=UTC)
    if crash_point == "before_claim":

        async def crash(*_: object, **__: object) -> None:
            raise Crash

        monkeypatch.setattr(almanac.store, "claim_post", crash)
    channels.crash_before_send = crash_point == "after_claim"
    channels.crash_after_send = crash_point == "after_send"
    with pytest.raises(Crash):
        await scheduler.run_pass(due)
    monkeypatch.undo()
    channels.crash_before_send = channels.crash_after_send = False

    restarted = Scheduler(almanac, channels)  # a new process: nothing remembered in memory
    await run_until(restarted, due, due + dt.timedelta(hours=2), dt.timedelta(seconds=30))
    assert channels.days_posted(70) == Counter({"2026-03-16": 1})
    record = await almanac.store.post_record(7, "2026-03-16")
    assert record is not None and record.state == "sent"


async def test_a_three_hour_outage_is_caught_up_once_and_labelled_late(almanac: Almanac) -> None:
    channels = FakeChannels()
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    scheduler = await set_up(almanac, channels, 8, "Europe/Moscow", "09:00", start)  # 06:00 UTC
    await run_until(scheduler, start, dt.datetime(2026, 6, 1, 5, 0, tzinfo=UTC), dt.timedelta(minutes=1))
    assert channels.messages == []
    # the bot is down from 05:00 to 08:00 UTC, across the 06:00 UTC post time
    back = dt.datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    await run_until(Scheduler(almanac, channels), back, back + dt.timedelta(hours=3), dt.timedelta(minutes=1))
    assert channels.days_posted(80) == Counter({"2026-06-01": 1})
    assert channels.messages[0].late is True
    report = await Anniversaries(almanac, scheduler).show(8)
    assert report.last_post is not None and report.last_post.late


async def test_a_day_lost_entirely_to_downtime_is_not_posted_afterwards(almanac: Almanac) -> None:
    channels = FakeChannels()
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    scheduler = await set_up(almanac, channels, 9, "UTC", "09:00", start)
    # down from before the 1 June post until 2 June 08:00: 1 June is gone, 2 June posts on time
    back = dt.datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    await run_until(scheduler, back, back + dt.timedelta(hours=2), dt.timedelta(minutes=1))
    assert channels.days_posted(90) == Counter({"2026-06-02": 1})
    assert not channels.messages[0].late
    missed = await almanac.store.post_record(9, "2026-06-01")
    assert missed is not None and missed.state == "missed"


async def test_a_missing_channel_is_recorded_retried_and_never_holds_up_others(almanac: Almanac) -> None:
    channels = FakeChannels(broken={110: "the channel was deleted; choose another with /anniversaries setup"})
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    scheduler = await set_up(almanac, channels, 11, "UTC", "09:00", start)
    await set_up(almanac, channels, 12, "UTC", "09:00", start)
    at_nine = dt.datetime(2026, 6, 1, 9, 0, 10, tzinfo=UTC)
    report = await scheduler.run_pass(at_nine)
    assert (report.sent, report.failed) == (1, 1)
    assert channels.days_posted(120) == Counter({"2026-06-01": 1})
    shown = await Anniversaries(almanac, scheduler).show(11)
    assert shown.last_failure is not None and "deleted" in (shown.last_failure.last_error or "")
    # retried after 1 minute, then 5 more (attempts at 09:00, 09:01, 09:06; the next is due 09:21)
    await run_until(scheduler, at_nine, at_nine + dt.timedelta(minutes=20), dt.timedelta(seconds=30))
    record = await almanac.store.post_record(11, "2026-06-01")
    assert record is not None and record.attempts == 3 and record.state == "failed"
    del channels.broken[110]
    await run_until(scheduler, at_nine + dt.timedelta(minutes=20), at_nine + dt.timedelta(hours=2),
                    dt.timedelta(seconds=30))  # fmt: skip
    assert channels.days_posted(110) == Counter({"2026-06-01": 1})


async def test_an_empty_day_follows_the_servers_choice(almanac: Almanac) -> None:
    channels = FakeChannels()
    start = dt.datetime(2026, 11, 26, tzinfo=UTC)  # 26 November: no anniversary in the chronology
    quiet = await set_up(almanac, channels, 13, "UTC", "09:00", start, empty_day="nothing")
    await set_up(almanac, channels, 14, "UTC", "09:00", start, empty_day="month")
    await quiet.run_pass(dt.datetime(2026, 11, 26, 9, 1, tzinfo=UTC))
    assert channels.days_posted(130) == Counter()
    assert channels.days_posted(140) == Counter({"2026-11-26": 1})
    skipped = await almanac.store.post_record(13, "2026-11-26")
    assert skipped is not None and skipped.state == "skipped"
    preview = await Anniversaries(almanac, quiet).preview(14, "26 November", start)
    assert preview is not None and preview.answer.month_events and not preview.answer.next_anniversaries


async def test_setup_rejects_bad_input_and_changes_nothing(almanac: Almanac) -> None:
    service = Anniversaries(almanac, Scheduler(almanac, FakeChannels()))
    now = dt.datetime(2026, 6, 1, tzinfo=UTC)
    for time, zone, empty in [("25:00", "UTC", "next"), ("9am", "UTC", "next"),
                              ("09:00", "Mars/Olympus", "next"), ("09:00", "UTC", "everything")]:  # fmt: skip
        with pytest.raises(UserError):
            await service.setup(15, channel_id=1, post_time=time, timezone=zone, mention_role_id=None,
                                empty_day=empty, actor=1, now=now)  # fmt: skip
    assert await almanac.store.post_settings(15) is None
    with pytest.raises(UserError, match="not set up"):
        await service.show(15)


async def test_preview_shows_the_anniversary_post_for_7_november(almanac: Almanac) -> None:
    service = Anniversaries(almanac, Scheduler(almanac, FakeChannels()))
    post = await service.preview(1, "7 November", dt.datetime(2026, 6, 1, tzinfo=UTC))
    assert post is not None and not post.late
    titles = [item.event.title for item in post.answer.anniversaries]
    assert any("1917" in item.event.date.display() for item in post.answer.anniversaries), titles
    assert post.marker.endswith("2026-11-07")


async def test_a_process_running_some_shards_posts_only_for_servers_on_them(almanac: Almanac) -> None:
    from bot.store import Shards

    channels = FakeChannels()
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    # Discord puts a server on shard (id >> 22) % count: these two land on shards 0 and 1 of 2
    on_zero, on_one = (2 << 22) * 5, (2 << 22) * 5 + (1 << 22)
    for guild in (on_zero, on_one):
        await set_up(almanac, channels, guild, "UTC", "09:00", start)
    shard_zero = Scheduler(almanac, channels, shards=Shards(count=2, ids=(0,)))
    await shard_zero.run_pass(dt.datetime(2026, 6, 1, 9, 1, tzinfo=UTC))
    assert {m.channel_id for m in channels.messages} == {on_zero * 10}
