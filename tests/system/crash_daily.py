"""One daily-post pass in a process of its own, for tests/system/test_crash.py to kill with SIGKILL.

    python -m tests.system.crash_daily DATABASE CHANNELS NOW [--pause SECONDS] [--block-after N] [--seed S]

The sender stands in for Discord: `tests.support.FileChannels` over the file CHANNELS, which is
what the channels would show whatever happens to this process. `--pause` waits up to that long
after each send (the window in which a kill leaves a day sent but not yet marked); with
`--block-after N` every send after the Nth is written and then never answered.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from pathlib import Path

from bot.runtime import open_services
from tests.support import FIXTURE_CHRONOLOGY, FileChannels


async def run(database: str, channels: FileChannels, now: dt.datetime) -> None:
    async with open_services(database, FIXTURE_CHRONOLOGY) as services:
        report = await services.scheduler.run_pass(now, channels)
    print(json.dumps({"due": report.due, "sent": report.sent, "failed": report.failed}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("database", help="a SQLite file or a postgresql:// URL")
    parser.add_argument("channels", type=Path)
    parser.add_argument("now", type=dt.datetime.fromisoformat)
    parser.add_argument("--pause", type=float, default=0.0)
    parser.add_argument("--block-after", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    channels = FileChannels(args.channels, pause=args.pause, block_after=args.block_after, seed=args.seed)
    asyncio.run(run(args.database, channels, args.now))
    return 0


if __name__ == "__main__":
    sys.exit(main())
