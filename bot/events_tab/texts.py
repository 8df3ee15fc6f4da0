"""What each scheduled event says, in the server's language and within Discord's limits.

A scheduled event's name and location are plain text (Discord shows them as they are, markdown
and all), so they are only put on one line, defused of mentions and clipped; its description is
markdown, so the stored text in it goes through `user_text` like every reply's. The description
ends with the marker (`bot.events_tab.plan.marker_for`) that tells the bot's events apart.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.almanac.answers import Anniversary, UpcomingAnswer
from bot.events_tab.plan import Day, Spec, marker_for
from bot.i18n.messages import said, said_n
from bot.i18n.text import clip
from bot.render.localize import localized
from bot.render.markup import ZWSP, user_text
from bot.render.text import anniversary_note, date_line
from bot.store import TabSettings

NAME_MAX = 100  # Discord's limits for a scheduled event
DESCRIPTION_MAX = 1000
LOCATION_MAX = 100
HEAD_MAX = 300  # the line above the summary: how long ago, and the date
NO_PLACE = said("Almanac: an anniversary from the chronology")
_PING = re.compile(r"@(?=everyone|here|[!&]?\d)")


def plain(text: str, limit: int) -> str:
    """`text` on one line, with no mention in it, at most `limit` characters."""
    return clip(_PING.sub("@" + ZWSP, " ".join(text.split())), limit)


def specs_for(answer: UpcomingAnswer, days: list[Day], language: str) -> list[Spec]:
    """Every anniversary of the window's days as the scheduled event it should be, earliest day
    first and in the chronology's order within a day."""
    when = {day.date: day for day in days}
    shown = localized(answer, language)
    return [
        spec_for(item, when[date], language) for date, items in shown.by_day if date in when for item in items
    ]


def spec_for(item: Anniversary, day: Day, language: str) -> Spec:
    event = item.event
    year = (event.date.first_day() + dt.timedelta(days=item.nth - 1)).year
    suffix = f" ({year})"
    name = plain(event.title, NAME_MAX - len(suffix)) + suffix
    marker = marker_for((event.id, day.date.isoformat()))
    head = user_text(f"{anniversary_note(item, language)} · {date_line(event, language)}", HEAD_MAX)
    room = DESCRIPTION_MAX - len(head) - len(marker) - 4
    summary = user_text(event.fields.summary, room) if event.fields.summary else ""
    description = "\n\n".join(part for part in (head, summary, marker) if part)
    places = ", ".join(event.fields.places)
    location = plain(places, LOCATION_MAX) if places.strip() else plain(NO_PLACE.in_language(language), 100)
    return Spec(event.id, day.date.isoformat(), name, description, location, day.start, day.end, day.movable)


def tab_field(settings: TabSettings | None, language: str) -> tuple[str, str]:
    """`/anniversaries show`'s line on the Events tab: on or off, how many days, the last error."""
    name = said("Events tab").in_language(language)
    if settings is None or not settings.enabled:
        value = said("Off; `/anniversaries events enable` keeps the coming days' anniversaries there.")
    else:
        value = said_n(
            "On: the anniversaries of the next {count} day",
            "On: the anniversaries of the next {count} days",
            settings.days,
        )
    shown = value.in_language(language)
    if settings is not None and settings.last_error:
        error = said("Last error: {error}", error=user_text(settings.last_error, 300))
        shown += "\n" + error.in_language(language)
    return name, shown
