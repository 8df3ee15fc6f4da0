"""Dates: partial dates (EDTF in and out, precision, ranges, Old Style), the month and day words of
every language, what people type for a day or a span, and when a daily post is due in a time
zone, and the alarm the posting loops sleep on until then. Imports only bot.i18n."""
