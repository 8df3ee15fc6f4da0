-- Daily posts: a counter bumped by every change of a server's posting settings. The scheduler
-- reads it with the settings and reschedules only while it is unchanged, so a change made while a
-- post is being sent is never overwritten by the times computed from the settings it replaced.
ALTER TABLE guild_settings ADD COLUMN posts_version INTEGER NOT NULL DEFAULT 0;
