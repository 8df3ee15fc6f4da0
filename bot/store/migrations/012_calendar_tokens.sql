-- The calendar link of each server (`/events calendar`, `almanac calendar url`): one unguessable
-- token, made the first time a moderator asks for the link and replaced by `reset`, which ends
-- the old link. The token itself is kept, so the link can be shown again; a request finds its
-- server by the token's SHA-256 (token_hash), so how long the lookup takes depends on a digest
-- no one can steer, never on how much of a guessed token was right.
CREATE TABLE calendar_tokens (
    guild_id     INTEGER PRIMARY KEY,
    token        TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    with_bundled INTEGER NOT NULL DEFAULT 1,  -- the bundled chronology too, minus hidden events
    title        TEXT    NOT NULL,            -- the calendar's name: the server's, when last shown
    created_by   INTEGER,
    created_at   TEXT    NOT NULL
);
