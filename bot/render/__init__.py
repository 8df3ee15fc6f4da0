"""Result values turned into what people read: Discord embeds, plain text and JSON for the shell,
the timeline picture, safe markdown, and each answer in the reader's language. discord.py only in
bot.render.embeds. Imports bot.curation and below."""
