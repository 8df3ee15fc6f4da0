-- What search looks at in each event, normalized (bot.scoring.search_words), so that a process
-- builds its search index without reading and normalizing whole events: a million events'
-- index in seconds. A table of its own, written with each event: filling it in for events
-- stored before this migration (the index does, the first time it meets them) is no edit, and
-- the change feed's triggers on events do not fire for it.
CREATE TABLE search_words (
    event_id INTEGER PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    words    TEXT NOT NULL
);
