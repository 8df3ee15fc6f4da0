"""The in-memory fuzzy index behind /search, /event and autocomplete: the words an event is found
by, in any script; the postings; the scoring. Knows no database: bot.almanac fills it and keeps it
fresh. Imports bot.model and below."""
