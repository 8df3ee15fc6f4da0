-- Daily posts: the language a server's post is written in (`en`, `ca`, `es`, `ru`). NULL follows
-- the server's own language (its Community setting), as posts did before this was a setting.
ALTER TABLE guild_settings ADD COLUMN post_language TEXT;
