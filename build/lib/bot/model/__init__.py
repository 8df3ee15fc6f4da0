"""What an event is (its fields, their limits and checks, its translations) and the closed sets of
values that cross layers (audit actions, post states, themes). Imports bot.dates and bot.i18n."""
