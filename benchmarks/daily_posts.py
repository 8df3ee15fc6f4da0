"""Simulate daily posts for many servers spread over every time zone, and time the scheduler.

    python -m benchmarks.daily_posts [--servers 10000] [--days 2] [--crowd 10000]
    python -m benchmarks.daily_posts --database postgresql://… --servers 100000 --days 0.125

The clock jumps from one due moment to the next (as the bot's loop sleeps until then); sends go
to an instant in-memory channel, so what is measured is the scheduler's own work: how long each
pass takes and how long after its due moment the latest post left. Discord's global limit of 50
requests a second is then modelled over the same sends: each post leaves at the moment the
scheduler handed it over, or 1/50 s after the one before, whichever is later. The crowd is the
worst case a big bot meets: `--crowd` more servers that all chose 09:00 in one zone.

`--setup-only` sets the servers up in `--database` and stops; `--prepared` simulates on a
database set up so (the engine benchmark sets up once and copies it to PostgreSQL). Writes
benchmarks/daily_posts.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import percentile
from bot.chronology.reader import DEFAULT_DATA_FILE
from bot.daily.post import DailyPost
from bot.dates.post_times import all_timezones
from bot.runtime import Services, open_services

OUT = Path(__file__).resolve().parent / "daily_posts.json"
SETUPS_AT_ONCE = 64  # moderators saving `/anniversaries setup` at the same moment
GLOBAL_LIMIT = 50.0  # requests a second, across the whole bot (one request per post)
START = dt.datetime(2026, 3, 27, tzinfo=dt.UTC)  # Europe's clocks change on 29 March
CROWD_ZONE, CROWD_TIME = "Europe/Madrid", "09:00"
CROWD_FIRST_GUILD = 1 << 40  # far from the spread servers' ids


class InstantChannels:
    """Accepts every post at once and remembers when (real time) and for which day."""

    def __init__(self) -> None:
        self.sent: dict[tuple[int, dt.date], float] = {}
        self.duplicates = 0

    async def send(self, channel_id: int, post: DailyPost, nonce: str) -> int:
        key = (post.guild_id, post.local_date)
        self.duplicates += key in self.sent
        self.sent[key] = time.perf_counter()
        return len(self.sent)

    async def find_sent(self, channel_id: int, marker: str) -> int | None:
        return None


async def set_up(services: Services, guilds: Sequence[int], seed: int, *, crowd: bool = False) -> float:
    """`/anniversaries setup` for each server, SETUPS_AT_ONCE at a time; milliseconds per server."""
    rng = random.Random(seed)
    zones = all_timezones()
    chosen = [
        (
            CROWD_TIME if crowd else f"{rng.randrange(24):02d}:{rng.choice((0, 15, 30, 45)):02d}",
            CROWD_ZONE if crowd else rng.choice(zones),
            rng.choice(("nothing", "month", "next")),
        )
        for _ in guilds
    ]
    started = time.perf_counter()
    for first in range(0, len(guilds), SETUPS_AT_ONCE):
        batch = zip(
            guilds[first : first + SETUPS_AT_ONCE], chosen[first : first + SETUPS_AT_ONCE], strict=True
        )
        await asyncio.gather(
            *(
                services.anniversaries.setup(
                    guild,
                    channel_id=guild,
                    post_time=at,
                    timezone=zone,
                    mention_role_id=None,
                    empty_day=empty_day,
                    actor=None,
                    now=START,
                )
                for guild, (at, zone, empty_day) in batch
            )
        )
    return (time.perf_counter() - started) / max(1, len(guilds)) * 1000


def under_global_limit(handed_over: Sequence[float]) -> list[float]:
    """When each post would leave with at most GLOBAL_LIMIT requests a second, in the order the
    scheduler handed them over (seconds after the pass began, as the handing over is)."""
    left: list[float] = []
    for moment in sorted(handed_over):
        left.append(max(moment, left[-1] + 1 / GLOBAL_LIMIT) if left else moment)
    return left


class Run:
    """Pass timings and each post's lateness, instant and modelled, over a simulation."""

    def __init__(self) -> None:
        self.passes: list[float] = []
        self.instant: list[float] = []  # seconds after its due moment each post left
        self.limited: list[float] = []  # the same, under the global limit

    async def pass_at(self, services: Services, now: dt.datetime, channels: InstantChannels) -> None:
        before = set(channels.sent)
        began = time.perf_counter()
        report = await services.scheduler.run_pass(now, channels)
        self.passes.append(report.seconds)
        handed = [at - began for key, at in channels.sent.items() if key not in before]
        self.instant += handed
        self.limited += under_global_limit(handed)

    def summary(self) -> dict[str, Any]:
        return {
            "passes": len(self.passes),
            "pass_p50_ms": round(percentile(self.passes, 0.5) * 1000, 2),
            "pass_p99_ms": round(percentile(self.passes, 0.99) * 1000, 2),
            "pass_max_ms": round(max(self.passes) * 1000, 2),
            "latest_post_after_due_ms": round(max(self.instant, default=0.0) * 1000, 2),
            "limited_p50_s": round(percentile(self.limited, 0.5), 2) if self.limited else 0.0,
            "limited_p99_s": round(percentile(self.limited, 0.99), 2) if self.limited else 0.0,
            "limited_max_s": round(max(self.limited, default=0.0), 2),
        }


async def simulate(services: Services, days: float) -> dict[str, Any]:
    """Every pass from START for `days`, as the bot's loop would run them."""
    channels, run = InstantChannels(), Run()
    end, now = START + dt.timedelta(days=days), START
    while now < end:
        upcoming = await services.scheduler.next_due_at()
        if upcoming is None or upcoming >= end:
            break
        now = max(now, upcoming)
        await run.pass_at(services, now, channels)
    return {"posts": len(channels.sent), "duplicates": channels.duplicates} | run.summary()


async def crowd(services: Services, servers: int, seed: int) -> dict[str, Any]:
    """`servers` more servers at 09:00 in one zone, and the one pass that serves them all."""
    guilds = range(CROWD_FIRST_GUILD, CROWD_FIRST_GUILD + servers)
    await set_up(services, guilds, seed, crowd=True)
    channels, run = InstantChannels(), Run()
    first = await services.store.post_settings(CROWD_FIRST_GUILD)
    assert first is not None and first.next_due_utc is not None
    await run.pass_at(services, dt.datetime.fromisoformat(first.next_due_utc), channels)
    summary = run.summary()
    return {
        "servers": servers,
        "zone": CROWD_ZONE,
        "post_time": CROWD_TIME,
        "posts": len(channels.sent),
        "pass_ms": summary["pass_max_ms"],
        "latest_post_after_due_ms": summary["latest_post_after_due_ms"],
        "limited_p50_s": summary["limited_p50_s"],
        "limited_max_s": summary["limited_max_s"],
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        database = args.database or str(Path(folder) / "sim.sqlite3")
        async with open_services(database, DEFAULT_DATA_FILE) as services:
            result: dict[str, Any] = {"servers": args.servers, "simulated_days": args.days}
            if not args.prepared:
                result["setup_per_server_ms"] = round(
                    await set_up(services, range(1, args.servers + 1), args.seed), 3
                )
            if not args.setup_only:
                result |= await simulate(services, args.days)
                if args.crowd:
                    result["crowd"] = await crowd(services, args.crowd, args.seed)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--days", type=float, default=2, help="simulated days (a fraction is hours)")
    parser.add_argument(
        "--crowd", type=int, default=10_000, help="servers all at 09:00 in one zone (0: none)"
    )
    parser.add_argument("--database", help="a SQLite file or an empty postgresql:// database")
    parser.add_argument("--setup-only", action="store_true", help="set the servers up and stop")
    parser.add_argument("--prepared", action="store_true", help="the servers are set up already")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(main_async(args)), indent=2))


if __name__ == "__main__":
    main()
