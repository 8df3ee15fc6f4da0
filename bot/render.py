"""Result objects -> discord.Embed, always inside Discord's limits and never able to ping anyone."""

from __future__ import annotations

import discord

from bot.almanac import Anniversary, DayAnswer, EventAnswer, EventList, UpcomingAnswer
from bot.dates import MONTHS
from bot.model import Event
from bot.render_text import (
    anniversary_note,
    date_line,
    day_label,
    day_message,
    event_details,
    upcoming_heading,
)

COLOUR = discord.Colour.from_rgb(178, 34, 34)
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
EMBED_MAX = 6000
CHOICE_NAME_MAX = 100
PAGE_SIZE = 5
SUMMARY_PREVIEW = 180


def safe(text: str) -> str:
    """User-written text made inert: no markdown tricks, no mentions (a zero-width space breaks them)."""
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def choice_name(title: str) -> str:
    """Autocomplete choice names are plain text, 1–100 characters."""
    return clip(" ".join(title.split()), CHOICE_NAME_MAX) or "untitled"


def _event_line(event: Event, note: str | None = None) -> str:
    line = f"**{safe(date_line(event))}** — {safe(event.title)}"
    return f"{line} · *{note}*" if note else line


def _anniversary_block(item: Anniversary) -> str:
    marker = "🎉 " if item.round else ""
    text = f"{marker}{_event_line(item.event, anniversary_note(item))}"
    if item.event.fields.summary and not item.ongoing:
        text += "\n> " + safe(clip(item.event.fields.summary, SUMMARY_PREVIEW))
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
        embed.add_field(name="Still under way", value=_lines(
            [_event_line(item.event, anniversary_note(item)) for item in answer.ongoing]))  # fmt: skip
    if answer.next_anniversaries and answer.next_day:
        embed.add_field(name=f"Next anniversary: {answer.next_day.label()}", value=_lines(
            [_event_line(item.event, item.years) for item in answer.next_anniversaries]))  # fmt: skip
    if answer.month_events:
        embed.add_field(name=f"Known only to the month: {MONTHS[answer.day.month - 1]}",
                        value=_lines([_event_line(event) for event in answer.month_events]))  # fmt: skip
    return embed


def _lines(lines: list[str]) -> str:
    return _join_within(lines, FIELD_VALUE_MAX, "…and {count} more").replace("\n\n", "\n")


def event_embed(event: Event) -> discord.Embed:
    embed = discord.Embed(
        title=clip(safe(event.title), TITLE_MAX),
        description=safe(event.fields.summary) or None,
        colour=COLOUR,
    )
    for label, value in event_details(event):
        embed.add_field(name=label, value=clip(safe(value), FIELD_VALUE_MAX), inline=label != "Note")
    return embed


def not_found_message(answer: EventAnswer) -> str:
    text = f"No event is called “{safe(clip(answer.query, 80))}”."
    if answer.suggestions:
        text += " Closest: " + "; ".join(f"**{safe(title)}**" for title in answer.suggestions) + "."
    return text


def page_count(answer: EventList) -> int:
    return max(1, -(-len(answer.events) // PAGE_SIZE))


def list_page_embed(answer: EventList, page: int) -> discord.Embed:
    """One page of a /search or /timeline answer; `page` counts from 0."""
    embed = discord.Embed(title=clip(safe(answer.heading), TITLE_MAX), colour=COLOUR)
    if not answer.events:
        embed.description = answer.empty_message
        return embed
    start = page * PAGE_SIZE
    blocks = []
    for event in answer.events[start : start + PAGE_SIZE]:
        block = _event_line(event)
        if event.fields.summary:
            block += "\n> " + safe(clip(event.fields.summary, SUMMARY_PREVIEW))
        blocks.append(block)
    embed.description = _join_within(blocks, 3500, "…")
    total = len(answer.events)
    embed.set_footer(
        text=f"Page {page + 1} of {page_count(answer)} · {total} event{'s' if total != 1 else ''}"
    )
    return embed


def upcoming_embed(answer: UpcomingAnswer) -> discord.Embed:
    embed = discord.Embed(title=upcoming_heading(answer), colour=COLOUR)
    if not answer.by_day:
        embed.description = f"No anniversaries in the next {answer.days} days."
        return embed
    for day, items in answer.by_day[:FIELDS_MAX]:
        value = _lines(
            [("🎉 " if item.round else "") + _event_line(item.event, item.years) for item in items]
        )
        embed.add_field(name=day_label(day), value=value, inline=False)
    while len(embed) > EMBED_MAX and embed.fields:
        embed.remove_field(-1)
    return embed
