-- An event's title and summary in other languages: {"ca": {"title": "…", "summary": "…"}, …}.
-- A JSON object, like the people, places, tags and aliases lists: it is read and written whole,
-- and the search index (in memory) is what looks inside it.
ALTER TABLE events ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
