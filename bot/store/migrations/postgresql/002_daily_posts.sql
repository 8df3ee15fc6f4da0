-- PostgreSQL twin of bot/migrations/002_daily_posts.sql.
ALTER TABLE guild_settings ADD COLUMN channel_id BIGINT;
ALTER TABLE guild_settings ADD COLUMN post_time TEXT;
ALTER TABLE guild_settings ADD COLUMN mention_role_id BIGINT;
ALTER TABLE guild_settings ADD COLUMN empty_day TEXT NOT NULL DEFAULT 'next'
    CHECK (empty_day IN ('nothing', 'month', 'next'));
ALTER TABLE guild_settings ADD COLUMN posts_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE guild_settings ADD COLUMN due_local_date TEXT;
ALTER TABLE guild_settings ADD COLUMN next_due_utc TEXT;

CREATE INDEX guild_settings_due ON guild_settings (next_due_utc) WHERE posts_enabled = 1;

CREATE TABLE daily_posts (
    guild_id     BIGINT  NOT NULL,
    local_date   TEXT    NOT NULL,
    state        TEXT    NOT NULL
                 CHECK (state IN ('claimed', 'sent', 'failed', 'skipped', 'missed')),
    channel_id   BIGINT,
    nonce        TEXT    NOT NULL,
    message_id   BIGINT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    late         INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    claimed_at   TEXT,
    finished_at  TEXT,
    PRIMARY KEY (guild_id, local_date)
);
