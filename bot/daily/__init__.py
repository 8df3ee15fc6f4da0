"""The daily anniversary post: a server's settings (the service behind /anniversaries), what a day's post
holds, its embed, the scheduler that posts each day exactly once, and the sender that puts it in
Discord. Imports bot.render and below."""
