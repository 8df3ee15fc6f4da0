"""The calendar link: each server's anniversaries as an ICS feed any calendar app subscribes to.

`feeds.py` is the service (the secret token per server, the feed itself, kept until the
chronology changes); `server.py` serves it over HTTP with aiohttp, in the bot's process when
CALENDAR_PORT is set or alone with `almanac calendar serve`. Nothing here knows Discord.
"""
