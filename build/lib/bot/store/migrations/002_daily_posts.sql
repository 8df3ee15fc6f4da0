-- Daily anniversary posts: each server's choice of channel, time and zone, and one row per local day.
ALTER TABLE guild_settings ADD COLUMN channel_id INTEGER;
ALTER TABLE guild_settings ADD COLUMN post_time TEXT;                 -- local HH:MM
ALTER TABLE guild_settings ADD COLUMN mention_role_id INTEGER;
ALTER TABLE guild_settings ADD COLUMN empty_day TEXT NOT NULL DEFAULT 'next'
    CHECK (empty_day IN ('nothing', 'month', 'next'));
ALTER TABLE guild_settings ADD COLUMN posts_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE guild_settings ADD COLUMN due_local_date TEXT;            -- the local day the next post is for
ALTER TABLE guild_settings ADD COLUMN next_due_utc TEXT;              -- when to try it (UTC ISO)

-- The scheduler's one query each pass: enabled servers whose next post is due.
CREATE INDEX guild_settings_due ON guild_settings (next_due_utc) WHERE posts_enabled = 1;

-- Exactly once per (server, local day): claimed in a transaction before sending, marked after.
CREATE TABLE daily_posts (
    guild_id     INTEGER NOT NULL,
    local_date   TEXT    NOT NULL,                       -- YYYY-MM-DD in the server's zone
    state        TEXT    NOT NULL
                 CHECK (state IN ('claimed', 'sent', 'failed', 'skipped', 'missed')),
    channel_id   INTEGER,
    nonce        TEXT    NOT NULL,                       -- deterministic per (server, day)
    message_id   INTEGER,
    attempts     INTEGER NOT NULL DEFAULT 0,
    late         INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    claimed_at   TEXT,
    finished_at  TEXT,
    PRIMARY KEY (guild_id, local_date)
) WITHOUT ROWID;
