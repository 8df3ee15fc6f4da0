"""Simulate daily posts for many servers spread over every time zone, and time the scheduler.

    python -m benchmarks.daily_posts [--servers 10000] [--days 2]

The clock jumps from one due moment to the next (as the bot's loop sleeps until then); sends go
to an instant in-memory channel, so what is measured is the scheduler's own work: how long each
pass takes and how long after its due moment the latest post left. Writes
benchmarks/daily_posts.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from bot.chronology import DEFAULT_DATA_FILE
from bot.daily import DailyPost, all_timezones
from bot.runtime import Services, open_services

OUT = Path(__file__).resolve().parent / "daily_posts.json"


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


async def simulate(services: Services, servers: int, days: int, seed: int = 7) -> dict[str, float]:
    rng = random.Random(seed)
    zones = all_timezones()
    channels = InstantChannels()
    scheduler, service = services.scheduler, services.anniversaries
    start = dt.datetime(2026, 3, 27, tzinfo=dt.UTC)  # Europe's clocks change on 29 March
    for guild in range(1, servers + 1):
        at = f"{rng.randrange(24):02d}:{rng.choice((0, 15, 30, 45)):02d}"
        await service.setup(
            guild,
            channel_id=guild,
            post_time=at,
            timezone=rng.choice(zones),
            mention_role_id=None,
            empty_day=rng.choice(("nothing", "month", "next")),
            actor=None,
            now=start,
        )
    end = start + dt.timedelta(days=days)
    pass_seconds: list[float] = []
    lateness: list[float] = []
    now = start
    while now < end:
        upcoming = await scheduler.next_due_at()
        if upcoming is None:
            break
        now = max(now, upcoming)
        began = time.perf_counter()
        report = await scheduler.run_pass(now, channels)
        pass_seconds.append(report.seconds)
        lateness += [sent - began for sent in channels.sent.values() if sent >= began]
    sorted_passes = sorted(pass_seconds)
    return {
        "servers": servers,
        "simulated_days": days,
        "passes": len(pass_seconds),
        "posts": len(channels.sent),
        "duplicates": channels.duplicates,
        "pass_p50_ms": round(statistics.median(sorted_passes) * 1000, 2),
        "pass_p99_ms": round(sorted_passes[int(len(sorted_passes) * 0.99) - 1] * 1000, 2),
        "pass_max_ms": round(sorted_passes[-1] * 1000, 2),
        "latest_post_after_due_ms": round(max(lateness, default=0.0) * 1000, 2),
    }


async def main_async(servers: int, days: int, out: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        async with open_services(Path(folder) / "sim.sqlite3", DEFAULT_DATA_FILE) as services:
            result = await simulate(services, servers, days)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main_async(args.servers, args.days, args.out)), indent=2))


if __name__ == "__main__":
    main()
