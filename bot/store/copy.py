"""`almanac db copy`: every table of one database into another, on either engine.

The copy keeps every row's id, so events, hides, daily-post records and the audit log read the
same in the target; it refuses a target that holds anything, and checks afterwards that each
table has as many rows as the source's and that the audit log is the same, row for row. The
change feed is not copied: it is how running processes learn of writes, and a process that
starts on the target builds its index from the events themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store import Store, StoreError
from bot.store.engines.common import POSTGRESQL

# Parents before children (event_days and hidden_events refer to events).
TABLES = (
    "events",
    "event_days",
    "search_words",
    "hidden_events",
    "guild_settings",
    "daily_posts",
    "audit_log",
    "meta",
    "calendar_tokens",
)
IDENTITIES = ("events", "audit_log")  # the tables whose ids the database hands out
BATCH = 2000


@dataclass(frozen=True)
class CopyReport:
    rows: dict[str, int]


async def copy_database(source: Store, target: Store) -> CopyReport:
    held = {table: await _count(target, table) for table in TABLES}
    if any(held.values()):
        holding = ", ".join(f"{table} {count}" for table, count in held.items() if count)
        raise StoreError(f"the target {target.path} is not empty ({holding}); copy into a new database.")
    rows: dict[str, int] = {}
    async with target.transaction() as db:
        for table in TABLES:
            columns = await source.engine.columns(table)
            listed = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            order = "id" if table in IDENTITIES else listed
            found = await source.engine.fetch(f"SELECT {listed} FROM {table} ORDER BY {order}")
            for start in range(0, len(found), BATCH):
                await db.executemany(
                    f"INSERT INTO {table} ({listed}) VALUES ({marks})", found[start : start + BATCH]
                )
            rows[table] = len(found)
        if target.engine.dialect == POSTGRESQL:  # ids handed out next come after the copied ones
            for table in IDENTITIES:
                await db.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
    await _verify(source, target, rows)
    return CopyReport(rows)


async def _count(store: Store, table: str) -> int:
    row = await store._one(f"SELECT count(*) FROM {table}")
    return int(row[0])


async def _verify(source: Store, target: Store, rows: dict[str, int]) -> None:
    for table, count in rows.items():
        if await _count(target, table) != count:
            raise StoreError(f"the copy of {table} has {await _count(target, table)} rows, not {count}.")
    audit = "SELECT id, guild_id, event_id, actor_id, action, before, after, at FROM audit_log ORDER BY id"
    if await source.engine.fetch(audit) != await target.engine.fetch(audit):
        raise StoreError("the copied audit log differs from the source's.")
