-- PostgreSQL twin of bot/migrations/013_digest.sql.
-- The weekly or monthly digest: one post listing the coming week's (month's) anniversaries, in
-- the daily post's channel at its time. `digest_period` is the first day the next digest covers
-- (a local date).
ALTER TABLE guild_settings ADD COLUMN digest TEXT NOT NULL DEFAULT 'off'
    CHECK (digest IN ('off', 'weekly', 'monthly'));
ALTER TABLE guild_settings ADD COLUMN digest_weekday INTEGER NOT NULL DEFAULT 0
    CHECK (digest_weekday BETWEEN 0 AND 6);                   -- 0 Monday … 6 Sunday
ALTER TABLE guild_settings ADD COLUMN digest_period TEXT;
ALTER TABLE guild_settings ADD COLUMN digest_next_utc TEXT;    -- when to try it (UTC ISO)

-- The scheduler's look for due digests, as guild_settings_due is for the daily posts.
CREATE INDEX guild_settings_digest_due ON guild_settings (digest_next_utc) WHERE digest != 'off';

-- Exactly once per (server, kind, period): claimed before the first page is sent, each page
-- counted as it goes out (a digest may take several messages), closed when the last one has.
CREATE TABLE digest_posts (
    guild_id     BIGINT  NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('weekly', 'monthly')),
    period       TEXT    NOT NULL,                        -- the first local day it covers
    state        TEXT    NOT NULL
                 CHECK (state IN ('claimed', 'sent', 'failed', 'skipped', 'missed')),
    channel_id   BIGINT,
    pages_sent   INTEGER NOT NULL DEFAULT 0,
    thread_id    BIGINT,                                  -- in a forum: the digest's own post
    message_id   BIGINT,                                  -- the first page
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    claimed_at   TEXT,
    finished_at  TEXT,
    PRIMARY KEY (guild_id, kind, period)
);
