-- Daily posts: a line a moderator writes above each post, with {date} and {count} filled in.
-- NULL: no line, as posts were before this was a setting.
ALTER TABLE guild_settings ADD COLUMN post_intro TEXT;
