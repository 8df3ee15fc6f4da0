-- PostgreSQL twin of bot/migrations/009_search_words.sql.
CREATE TABLE search_words (
    event_id BIGINT PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    words    TEXT NOT NULL
);
