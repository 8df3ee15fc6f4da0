-- PostgreSQL twin of bot/store/migrations/014_scheduled_events.sql.
CREATE TABLE events_tab (
    guild_id      BIGINT  PRIMARY KEY,
    enabled       INTEGER NOT NULL DEFAULT 0,
    days          INTEGER NOT NULL DEFAULT 14,
    next_sync_utc TEXT,
    synced_at     TEXT,
    last_error    TEXT,
    error_at      TEXT,
    updated_by    BIGINT,
    updated_at    TEXT
);
CREATE INDEX events_tab_due ON events_tab (next_sync_utc) WHERE next_sync_utc IS NOT NULL;

CREATE TABLE scheduled_events (
    guild_id     BIGINT  NOT NULL,
    event_id     BIGINT  NOT NULL,
    local_date   TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('claimed', 'created', 'gone')),
    discord_id   BIGINT,
    fingerprint  TEXT,
    start_utc    TEXT,
    claimed_at   TEXT,
    updated_at   TEXT,
    PRIMARY KEY (guild_id, event_id, local_date)
);
