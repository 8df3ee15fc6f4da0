-- Every change to an event or to a server's hidden set, in order, written by triggers in the
-- same transaction as the change itself: whatever process made it (the bot, `almanac import`,
-- another shard's process), every process reads it here and updates its search index.
CREATE TABLE changes (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,  -- AUTOINCREMENT: a pruned number is never reused
    kind     TEXT    NOT NULL,                   -- 'event' or 'hidden'
    event_id INTEGER NOT NULL,
    scope    INTEGER NOT NULL,                   -- the event's scope; for 'hidden', the server
    at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))  -- for pruning
);
CREATE INDEX changes_by_time ON changes (at);  -- pruning finds the old ones without a scan

CREATE TRIGGER changes_event_insert AFTER INSERT ON events BEGIN
    INSERT INTO changes (kind, event_id, scope) VALUES ('event', NEW.id, NEW.scope);
END;
CREATE TRIGGER changes_event_update AFTER UPDATE ON events BEGIN
    INSERT INTO changes (kind, event_id, scope) VALUES ('event', NEW.id, NEW.scope);
END;
CREATE TRIGGER changes_event_delete AFTER DELETE ON events BEGIN
    INSERT INTO changes (kind, event_id, scope) VALUES ('event', OLD.id, OLD.scope);
END;
CREATE TRIGGER changes_hidden_insert AFTER INSERT ON hidden_events BEGIN
    INSERT INTO changes (kind, event_id, scope) VALUES ('hidden', NEW.event_id, NEW.guild_id);
END;
CREATE TRIGGER changes_hidden_delete AFTER DELETE ON hidden_events BEGIN
    INSERT INTO changes (kind, event_id, scope) VALUES ('hidden', OLD.event_id, OLD.guild_id);
END;
