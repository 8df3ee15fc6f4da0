"""How the search index keeps its words: segments of postings in flat arrays (each word's
events, by row), the shelf of every event's encoded words and title in one buffer, and the merge
of two segments into one. Knows nothing of queries: bot.search asks them. Imports
bot.relevance and below."""
