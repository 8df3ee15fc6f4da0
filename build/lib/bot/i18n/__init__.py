"""The words people read, in every shipped language: the languages, the gettext catalogs (`said(…)`),
the one error whose message users see, and quoting and clipping what they typed. Imports nothing
else of the bot."""
