"""The in-memory fuzzy index behind /search, /event and autocomplete: the vocabulary, the
postings, a query's matching and ranking, and the index saved to a file. Knows no database:
bot.almanac fills it and keeps it fresh. Imports bot.relevance and below."""
