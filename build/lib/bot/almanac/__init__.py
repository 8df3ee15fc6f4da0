"""The questions people ask (on this day, lookup, search, timeline, upcoming, random) and the result
values they return; the search index kept in step with writes anywhere, and each server's hidden
events. Imports bot.store, bot.search and below."""
