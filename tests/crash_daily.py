"""One daily-post pass in a process of its own, for tests/test_crash.py to kill with SIGKILL.

    python tests/crash_daily.py DATABASE CHANNELS NOW [--pause SECONDS] [--block-after N] [--seed S]

The sender stands in for Discord: each message is appended to CHANNELS (one JSON line, fsynced)
before `send` returns, so that file is what the channels would show whatever happens to this
process, and `find_sent` reads it back. `--pause` waits up to that long after each send (the
window in which a kill leaves a day sent but not yet marked); with `--block-after N` every send
after the Nth is written and then never answered, so a kill always lands in that window.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sys
from pathlib import Path
from typing import Any

from bot.chronology import DEFAULT_DATA_FILE
from bot.daily import DailyPost, Scheduler
from bot.runtime import open_almanac


class FileChannels:
    """The Sender protocol over an append-only file of sent messages."""

    def __init__(
        self, path: Path, *, pause: float = 0.0, block_after: int | None = None, seed: int = 0
    ) -> None:
        self.path = path
        self.pause = pause
        self.block_after = block_after
        self.sends = 0
        self.random = random.Random(seed)

    async def send(self, channel_id: int, post: DailyPost, nonce: str) -> int:
        self.sends += 1
        message_id = os.getpid() * 100_000 + self.sends  # unique across the processes of one test
        line = json.dumps({"id": message_id, "channel": channel_id, "marker": post.marker, "nonce": nonce})
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, (line + "\n").encode())  # one write: a kill cannot leave half a line
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if self.block_after is not None and self.sends > self.block_after:
            await asyncio.Event().wait()  # Discord has the message; its answer never comes back
        await asyncio.sleep(self.random.uniform(0, self.pause))
        return message_id

    async def find_sent(self, channel_id: int, marker: str) -> int | None:
        for message in read_messages(self.path):
            if message["channel"] == channel_id and message["marker"] == marker:
                return int(message["id"])
        return None


def read_messages(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def run(database: Path, channels: FileChannels, now: dt.datetime) -> None:
    async with open_almanac(database, DEFAULT_DATA_FILE) as almanac:
        report = await Scheduler(almanac, channels).run_pass(now)
    print(json.dumps({"due": report.due, "sent": report.sent, "failed": report.failed}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("database", type=Path)
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
