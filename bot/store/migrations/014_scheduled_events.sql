-- The Events tab (`/anniversaries events enable`): each server's choice, and one row per
-- anniversary the bot keeps there as a Discord scheduled event, so none is ever made twice.
CREATE TABLE events_tab (
    guild_id      INTEGER PRIMARY KEY,
    enabled       INTEGER NOT NULL DEFAULT 0,
    days          INTEGER NOT NULL DEFAULT 14,      -- how many days ahead, today included
    next_sync_utc TEXT,                              -- when to look at the server next (UTC ISO)
    synced_at     TEXT,                              -- the last sync that went through
    last_error    TEXT,                              -- why the last sync failed; NULL once one works
    error_at      TEXT,
    updated_by    INTEGER,
    updated_at    TEXT
);
-- A pass's one query: the servers due a sync (disabled ones too, until the bot's events are gone).
CREATE INDEX events_tab_due ON events_tab (next_sync_utc) WHERE next_sync_utc IS NOT NULL;

-- Exactly once per (server, chronology event, local day): claimed in a transaction before the
-- scheduled event is created, its Discord id recorded after; `gone` when a person deleted it.
CREATE TABLE scheduled_events (
    guild_id     INTEGER NOT NULL,
    event_id     INTEGER NOT NULL,                   -- the chronology's event
    local_date   TEXT    NOT NULL,                   -- YYYY-MM-DD in the server's zone
    state        TEXT    NOT NULL CHECK (state IN ('claimed', 'created', 'gone')),
    discord_id   INTEGER,                            -- the scheduled event, once created
    fingerprint  TEXT,                               -- of the name, description, place and times sent
    start_utc    TEXT,                               -- the start sent (today's is kept, not moved)
    claimed_at   TEXT,
    updated_at   TEXT,
    PRIMARY KEY (guild_id, event_id, local_date)
) WITHOUT ROWID;
