"""The health file behind Docker's HEALTHCHECK, and the numbers `/almanac status` shows.

The bot rewrites the file every HEARTBEAT_SECONDS, saying whether the gateway is connected and
the database answers; `almanac health`, a separate process that Docker runs, reads it back. A
file older than STALE_AFTER counts as unhealthy, so a process that is stuck (its event loop
blocked, say) is reported too, which a check of the socket alone would miss.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.daily.scheduler import PassReport
from bot.i18n.text import plural

HEARTBEAT_SECONDS = 30.0
STALE_AFTER = dt.timedelta(seconds=90)  # three missed heartbeats
DATABASE_TIMEOUT = 5.0


class Pingable(Protocol):
    async def ping(self) -> None: ...


@dataclass(frozen=True)
class Beat:
    """One heartbeat: when it was written and what the bot found."""

    written_at: dt.datetime
    connected: bool
    database: str  # "ok", or why the database did not answer

    @property
    def problem(self) -> str | None:
        if not self.connected:
            return "not connected to Discord"
        if self.database != "ok":
            return f"database: {self.database}"
        return None


async def probe_database(store: Pingable) -> str:
    """`ok` when the database answers a query within DATABASE_TIMEOUT, else the reason.

    A read, never the write lock: on PostgreSQL a daily pass may hold that lock for seconds, and
    the probe must neither wait behind it nor make the pass wait (`Store.ping`).
    """
    try:
        await asyncio.wait_for(store.ping(), DATABASE_TIMEOUT)
    except TimeoutError:
        return f"no answer within {DATABASE_TIMEOUT:.0f} seconds"
    except Exception as error:  # sqlite3.Error, or ValueError from a closed connection
        return f"{type(error).__name__}: {error}"
    return "ok"


def write_beat(path: Path, beat: Beat) -> None:
    """Replace the file in one step, so the check never reads half a heartbeat."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "written_at": beat.written_at.isoformat(),
        "connected": beat.connected,
        "database": beat.database,
    }
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(payload, file)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def clear(path: Path) -> None:
    """Forget an earlier run's heartbeat: a restarted container must not look healthy too soon."""
    path.unlink(missing_ok=True)


def read_beat(path: Path) -> Beat:
    """The last heartbeat; ValueError or OSError when there is none that can be read."""
    data = json.loads(path.read_text(encoding="utf-8"))
    written = dt.datetime.fromisoformat(data["written_at"])
    if written.tzinfo is None:
        raise ValueError("written_at has no time zone")
    return Beat(written, bool(data["connected"]), str(data["database"]))


def check(path: Path | None, now: dt.datetime) -> tuple[bool, str]:
    """What `almanac health` reports: (healthy, one line saying why)."""
    if path is None:
        return False, "HEALTH_FILE is not set, so the bot writes no health file to check."
    try:
        beat = read_beat(path)
    except FileNotFoundError:
        return False, f"{path} does not exist: the bot has not started, or it uses another HEALTH_FILE."
    except (OSError, ValueError, KeyError, TypeError) as error:
        return False, f"{path} cannot be read ({type(error).__name__}); the bot rewrites it shortly."
    age = now - beat.written_at
    if age > STALE_AFTER:
        return False, f"the last heartbeat is {duration(age)} old: the bot is stopped or stuck."
    if beat.problem is not None:
        return False, f"{beat.problem} (checked {duration(age)} ago)."
    return True, f"healthy: connected to Discord, database ok (checked {duration(age)} ago)."


# -- /almanac status -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    started_at: dt.datetime
    now: dt.datetime
    latency: float  # seconds; nan or inf before the first heartbeat is acknowledged
    shard_id: int | None  # the shard that serves the server asking; None in a DM
    shard_count: int | None
    servers: int
    counts: dict[str, int]
    last_pass: tuple[dt.datetime, PassReport] | None
    version: str


def status_fields(status: Status) -> list[tuple[str, str]]:
    """(name, value) pairs, in the order an operator reads them."""
    latency = "not measured yet" if not math.isfinite(status.latency) else f"{status.latency * 1000:.0f} ms"
    shard = "—" if status.shard_id is None else str(status.shard_id)
    counts = status.counts
    events = (
        f"{counts.get('bundled', 0):,} bundled, {counts.get('server_events', 0):,} added by "
        f"{plural(counts.get('servers', 0), 'server')}"
    )
    return [
        ("Version", status.version),
        ("Uptime", f"{duration(status.now - status.started_at)} (since {_utc(status.started_at)})"),
        ("Latency", latency),
        ("Shard", f"{shard} of {status.shard_count or 1}"),
        ("Servers", f"{status.servers:,}"),
        ("Events", events),
        ("Last daily-post pass", _last_pass(status)),
    ]


def _last_pass(status: Status) -> str:
    if status.last_pass is None:
        return "none since start (nothing has been due)"
    at, report = status.last_pass
    return f"{_utc(at)} ({duration(status.now - at)} ago): {report.summary()}"


def _utc(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def duration(span: dt.timedelta) -> str:
    """A span the way people say it: `42 s`, `5 min`, `3 h 20 min`, `4 d 2 h`."""
    seconds = max(int(span.total_seconds()), 0)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return f"{seconds} s"
