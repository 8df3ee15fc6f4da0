"""The Events tab: a server's anniversaries of the next days kept as Discord scheduled events.

It owns the service behind `/anniversaries events` and the pass that keeps each server's tab in
step (`service`), what each scheduled event says (`texts`), the days it covers and the plan that
compares what should exist with what Discord lists (`plan`: no Discord, no database), one
server's sync carried out exactly once (`sync`), and the Discord side (`discord_side`, the only
module here that imports discord.py). Imports bot.render and below; nothing imports it but the
wiring (bot.runtime), the bot (bot.client) and the cogs.
"""
