"""Result objects -> discord.Embed, always inside Discord's limits and never able to ping anyone.

Every stored or typed text goes through `bot.markup.user_text` (sentences quoting it through
`user_message`), clipped by it to the room it has: it cannot be a link, a mention or a layout.
"""

from __future__ import annotations

import datetime as dt

import discord

from bot.almanac import Anniversary, DayAnswer, EventAnswer, EventList, UpcomingAnswer
from bot.curation import History, ImportReport
from bot.dates import MONTHS
from bot.kinds import AuditAction
from bot.languages import SOURCE_LANGUAGE
from bot.localize import label as label_in
from bot.markup import user_message, user_text
from bot.model import Event
from bot.render_text import (
    NOTHING_CLOSE,
    anniversary_note,
    date_line,
    day_label,
    day_message,
    event_details,
    upcoming_empty,
    upcoming_heading,
)
from bot.store import AuditEntry
from bot.text import clip, plural

COLOUR = discord.Colour.from_rgb(178, 34, 34)
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
EMBED_MAX = 6000
PAGE_SIZE = 5
SUMMARY_PREVIEW = 180


def _event_line(event: Event, note: str | None = None) -> str:
    line = f"**{user_text(date_line(event))}** — {user_text(event.title)}"
    return f"{line} · *{note}*" if note else line


def _anniversary_block(item: Anniversary) -> str:
    marker = "🎉 " if item.round else ""
    text = f"{marker}{_event_line(item.event, anniversary_note(item))}"
    if item.event.fields.summary and not item.ongoing:
        # on one line, so that nothing after a line break can leave the quote block
        text += "\n> " + user_text(item.event.fields.summary, SUMMARY_PREVIEW)
    return text


def _join_within(blocks: list[str], limit: int, more: str) -> str:
    """As many whole blocks as fit, then a line saying how many were left out."""
    shown: list[str] = []
    used = 0
    for number, block in enumerate(blocks):
        remaining = len(blocks) - number
        reserve = len(more) + 8 if remaining > 1 else 0  # room for the "…and N more" line
        if used + len(block) + reserve > limit:
            shown.append(more.format(count=remaining))
            break
        shown.append(block)
        used += len(block) + 2
    return "\n\n".join(shown)


def day_embed(answer: DayAnswer) -> discord.Embed:
    embed = discord.Embed(title=f"On this day: {answer.day.label()}", colour=COLOUR)
    blocks = [_anniversary_block(item) for item in answer.anniversaries]
    if not blocks:
        blocks.append(day_message(answer))
    embed.description = _join_within(blocks, 3500, "…and {count} more; try `/timeline` or `/search`.")
    if answer.ongoing:
        embed.add_field(
            name="Still under way",
            inline=False,
            value=_lines([_event_line(item.event, anniversary_note(item)) for item in answer.ongoing]),
        )
    if answer.next_anniversaries and answer.next_day:
        embed.add_field(
            name=f"Next anniversary: {answer.next_day.label()}",
            inline=False,
            value=_lines([_event_line(item.event, item.years) for item in answer.next_anniversaries]),
        )
    if answer.month_events:
        embed.add_field(
            name=f"Known only to the month: {MONTHS[answer.day.month - 1]}",
            inline=False,
            value=_lines([_event_line(event) for event in answer.month_events]),
        )
    return embed


def _lines(lines: list[str]) -> str:
    return _join_within(lines, FIELD_VALUE_MAX, "…and {count} more").replace("\n\n", "\n")


def event_embed(event: Event, language: str = SOURCE_LANGUAGE) -> discord.Embed:
    embed = discord.Embed(
        title=user_text(event.title, TITLE_MAX),
        description=user_text(event.fields.summary, DESCRIPTION_MAX, lines=True) or None,
        colour=COLOUR,
    )
    rows = event_details(event, language)
    names = [label_in(key, language) for key, _ in rows]
    # the source is the one field meant to be a link; a note may run over several lines
    shown = [user_text(value, lines=key == "Note", source=key == "Source") for key, value in rows]
    room = EMBED_MAX - len(embed) - sum(len(name) for name in names)
    for (key, value), name, limit in zip(rows, names, _shares([len(t) for t in shown], room), strict=True):
        text = user_text(value, limit, lines=key == "Note", source=key == "Source")
        embed.add_field(name=name, value=text, inline=key != "Note")
    return embed


def _shares(lengths: list[int], room: int) -> list[int]:
    """Split `room` characters between fields so that short ones keep all of theirs and only the
    longest are cut (an event whose every list is full would otherwise pass Discord's 6,000)."""
    limits = [0] * len(lengths)
    for placed, index in enumerate(sorted(range(len(lengths)), key=lambda i: lengths[i])):
        fair = room // (len(lengths) - placed)
        limits[index] = max(1, min(lengths[index], fair, FIELD_VALUE_MAX))
        room -= limits[index]
    return limits


def not_found_message(answer: EventAnswer) -> str:
    if answer.gone:
        return f"No event like that is in this server's chronology. {NOTHING_CLOSE}"
    asked = user_text(answer.query, 80)
    if not answer.suggestions:
        return f"No event is called “{asked}”. {NOTHING_CLOSE}"
    closest = "; ".join(f"**{user_text(title)}**" for title in answer.suggestions)
    return f"No event is called exactly “{asked}”. Closest: {closest}."


def page_count(answer: EventList) -> int:
    return max(1, -(-len(answer.events) // PAGE_SIZE))


def list_page_embed(answer: EventList, page: int) -> discord.Embed:
    """One page of a /search or /timeline answer; `page` counts from 0."""
    embed = discord.Embed(title=user_text(answer.heading, TITLE_MAX), colour=COLOUR)
    if not answer.events:
        embed.description = user_message(answer.empty_message)  # it quotes the query back
        return embed
    start = page * PAGE_SIZE
    blocks = []
    for event in answer.events[start : start + PAGE_SIZE]:
        block = _event_line(event)
        if event.fields.summary:
            block += "\n> " + user_text(event.fields.summary, SUMMARY_PREVIEW)
        blocks.append(block)
    embed.description = _join_within(blocks, 3500, "…")
    total = len(answer.events)
    embed.set_footer(text=f"Page {page + 1} of {page_count(answer)} · {plural(total, 'event')}")
    return embed


def upcoming_embed(answer: UpcomingAnswer) -> discord.Embed:
    embed = discord.Embed(title=upcoming_heading(answer), colour=COLOUR)
    if not answer.by_day:
        embed.description = upcoming_empty(answer)
        return embed
    for day, items in answer.by_day[:FIELDS_MAX]:
        value = _lines(
            [("🎉 " if item.round else "") + _event_line(item.event, item.years) for item in items]
        )
        embed.add_field(name=day_label(day), value=value, inline=False)
    footer_room = 100
    while len(embed) > EMBED_MAX - footer_room and embed.fields:
        embed.remove_field(-1)
    if (left_out := len(answer.by_day) - len(embed.fields)) > 0:
        # say so rather than let the last days vanish
        embed.set_footer(
            text=f"…and {plural(left_out, 'more day')} with anniversaries; "
            "`/onthisday <day>` shows any one of them."
        )
    return embed


# -- curation: history and import results -------------------------------------------------------

HISTORY_PAGE_SIZE = 5
_DONE = {
    AuditAction.ADD: "added",
    AuditAction.IMPORT: "imported",
    AuditAction.EDIT: "edited",
    AuditAction.REMOVE: "removed",
    AuditAction.RESTORE: "restored",
    AuditAction.HIDE: "hidden in this server",
    AuditAction.UNHIDE: "shown again",
    AuditAction.CURATOR_ROLE: "curator role changed",
}


def history_page_count(history: History) -> int:
    return max(1, -(-len(history.entries) // HISTORY_PAGE_SIZE))


def history_embed(history: History, page: int) -> discord.Embed:
    """One page of /events history, newest first; `page` counts from 0."""
    heading = f"History: {history.event.title}" if history.event else "History of this server's chronology"
    embed = discord.Embed(title=user_text(heading, TITLE_MAX), colour=COLOUR)
    if not history.entries:
        embed.description = "No changes recorded yet."
        return embed
    start = page * HISTORY_PAGE_SIZE
    entries = history.entries[start : start + HISTORY_PAGE_SIZE]
    blocks = [_history_block(entry, with_title=history.event is None) for entry in entries]
    embed.description = _join_within(blocks, 3500, "…")
    embed.set_footer(
        text=f"Page {page + 1} of {history_page_count(history)} · newest first · this log is never rewritten"
    )
    return embed


def _history_block(entry: AuditEntry, *, with_title: bool) -> str:
    # an id in <@…> shows the member's name; mentions inside an embed never ping
    who = f"<@{entry.actor_id}>" if entry.actor_id else "the command line"
    head = f"**{_DONE[entry.action]}**"
    snapshot = entry.after or entry.before or {}
    if with_title and snapshot.get("title"):
        head += f" · {user_text(str(snapshot['title']), 80)}"
    return "\n".join([f"{head} · by {who} · {_when(entry.at)}", *_changes(entry)])


def _changes(entry: AuditEntry) -> list[str]:
    """What an edit changed, old value first, and what a curator-role change replaced."""
    if entry.action is AuditAction.CURATOR_ROLE:
        before, after = ((part or {}).get("role") for part in (entry.before, entry.after))
        return [f"> {f'<@&{before}>' if before else 'none'} → {f'<@&{after}>' if after else 'none'}"]
    if entry.action is not AuditAction.EDIT or not entry.before or not entry.after:
        return []
    changed = [name for name, old in entry.before.items() if entry.after.get(name) != old]
    return [
        f"> {name}: {_shown_value(entry.before[name])} → {_shown_value(entry.after.get(name))}"
        for name in changed[:6]
    ]


def _shown_value(value: object) -> str:
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value if value is not None else "")
    return f"“{user_text(text, 80)}”" if text else "(empty)"


def _when(at: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return user_text(at)
    return f"<t:{int(moment.timestamp())}:f>"  # shown in each reader's own time zone


def import_embed(report: ImportReport, filename: str, *, attached: bool = False) -> discord.Embed:
    embed = discord.Embed(
        title=user_text(f"Import: {filename}", TITLE_MAX), colour=COLOUR, description=report.headline()
    )
    for name, notes in (("Rejected rows", report.rejected), ("Duplicates, skipped", report.duplicates)):
        if notes:
            lines = [f"line {note.line}: {user_message(clip(note.text, 200))}" for note in notes]
            embed.add_field(name=f"{name} ({len(notes)})", value=_lines(lines), inline=False)
    if attached:
        embed.set_footer(text="The attached report lists every row.")
    return embed
