"""The in-memory fuzzy index behind /search, /event and autocomplete: a query's matches gathered
from the postings (bot.postings), the bounds that leave most candidates out, matching and
ranking, and the index saved to a file. Knows no database: bot.almanac fills it and keeps it
fresh. Imports bot.postings, bot.relevance and below."""
