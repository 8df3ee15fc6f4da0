"""The store's half of the Events tab (migration 014): each server's choice and one row per
scheduled event the bot keeps there (`scheduled_events`)."""
