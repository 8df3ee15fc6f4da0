-- The chronology: bundled events (scope 0) and each server's own events (scope = guild id).
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    scope       INTEGER NOT NULL,            -- 0 for the bundled chronology, else a Discord guild id
    slug        TEXT    NOT NULL,            -- stable id, unique within a scope
    edtf        TEXT    NOT NULL,            -- the date as written (EDTF)
    precision   INTEGER NOT NULL,            -- 1 year, 2 month, 3 day (the coarser end of a range)
    start_ord   INTEGER NOT NULL,            -- proleptic Gregorian ordinal of the first day covered
    end_ord     INTEGER NOT NULL,            -- ... and of the last day covered
    start_year  INTEGER NOT NULL,
    start_month INTEGER,                     -- NULL for year-precise dates
    title       TEXT    NOT NULL,
    summary     TEXT    NOT NULL DEFAULT '',
    people      TEXT    NOT NULL DEFAULT '[]',   -- JSON arrays of strings
    places      TEXT    NOT NULL DEFAULT '[]',
    tags        TEXT    NOT NULL DEFAULT '[]',
    aliases     TEXT    NOT NULL DEFAULT '[]',
    source      TEXT    NOT NULL DEFAULT '',
    note        TEXT    NOT NULL DEFAULT '',
    russian     INTEGER NOT NULL DEFAULT 0,      -- show Old Style dates before 14 Feb 1918
    version     INTEGER NOT NULL DEFAULT 1,      -- bumped on every edit; guards concurrent edits
    created_by  INTEGER,
    created_at  TEXT    NOT NULL,
    updated_by  INTEGER,
    updated_at  TEXT    NOT NULL,
    deleted_by  INTEGER,
    deleted_at  TEXT,                            -- soft delete: NULL while the event is live
    UNIQUE (scope, slug)
);
CREATE INDEX events_by_span ON events (scope, start_ord, end_ord) WHERE deleted_at IS NULL;
CREATE INDEX events_by_month ON events (scope, start_month, precision) WHERE deleted_at IS NULL;

-- One row per month-day an event is remembered on (day-precise dates only).
CREATE TABLE event_days (
    scope     INTEGER NOT NULL,
    month_day INTEGER NOT NULL,                 -- month * 100 + day
    event_id  INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    nth       INTEGER NOT NULL,                 -- which day of the event this is (1 = first)
    span      INTEGER NOT NULL,                 -- how many days the event lasted
    PRIMARY KEY (scope, month_day, event_id)
) WITHOUT ROWID;
CREATE INDEX event_days_by_event ON event_days (event_id);

-- A server can hide a bundled event from its own answers.
CREATE TABLE hidden_events (
    guild_id  INTEGER NOT NULL,
    event_id  INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    hidden_by INTEGER,
    hidden_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, event_id)
) WITHOUT ROWID;

-- Per-server settings.
CREATE TABLE guild_settings (
    guild_id        INTEGER PRIMARY KEY,
    timezone        TEXT    NOT NULL DEFAULT 'UTC',
    curator_role_id INTEGER,
    updated_by      INTEGER,
    updated_at      TEXT
);

-- Every change to a server's chronology; rows are only ever inserted.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    guild_id  INTEGER NOT NULL,
    event_id  INTEGER,
    actor_id  INTEGER,
    action    TEXT    NOT NULL,
    before    TEXT,                              -- JSON of the previous values, NULL on create
    after     TEXT,                              -- JSON of the new values, NULL on delete
    at        TEXT    NOT NULL
);
CREATE INDEX audit_by_guild ON audit_log (guild_id, id);
CREATE INDEX audit_by_event ON audit_log (event_id, id);
CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is never rewritten'); END;
CREATE TRIGGER audit_log_is_never_deleted BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is never rewritten'); END;

-- Small key/value facts about the database itself (e.g. the fingerprint of the loaded data file).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
