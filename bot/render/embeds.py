"""Result objects -> discord.Embed, always inside Discord's limits and never able to ping anyone.

Every stored or typed text goes through `bot.render.markup.user_text` (sentences quoting it through
`user_message`), clipped by it to the room it has: it cannot be a link, a mention or a layout.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import discord

from bot.almanac.answers import Anniversary, DayAnswer, EventAnswer, EventList, UpcomingAnswer
from bot.curation.results import History, ImportReport
from bot.dates.words import month_in
from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.messages import said, said_n
from bot.i18n.text import clip
from bot.model.event import Event
from bot.model.kinds import AuditAction
from bot.render.localize import label as label_in
from bot.render.markup import user_message, user_text
from bot.render.picture import FILE_NAME as PICTURE_FILE
from bot.render.text import (
    ONLY_PARTIAL,
    and_more,
    anniversary_note,
    date_line,
    day_label,
    day_message,
    event_details,
    not_found_text,
    partial_note,
    upcoming_empty,
    upcoming_heading,
)
from bot.store import AuditEntry

COLOUR = discord.Colour.from_rgb(178, 34, 34)
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
EMBED_MAX = 6000
PAGE_SIZE = 5
SUMMARY_PREVIEW = 180
PICTURE_DESCRIPTION_MAX = 1024  # Discord's most for an attachment's alt text


def _event_line(event: Event, language: str, note: str | None = None) -> str:
    line = f"**{user_text(date_line(event, language))}** — {user_text(event.title)}"
    return f"{line} · *{note}*" if note else line


def _anniversary_block(item: Anniversary, language: str) -> str:
    marker = "🎉 " if item.round else ""
    text = f"{marker}{_event_line(item.event, language, anniversary_note(item, language))}"
    if item.event.fields.summary and not item.ongoing:
        # on one line, so that nothing after a line break can leave the quote block
        text += "\n> " + user_text(item.event.fields.summary, SUMMARY_PREVIEW)
    return text


def _join_within(blocks: list[str], limit: int, more: Callable[[int], str], unlisted: int = 0) -> str:
    """As many whole blocks as fit, then a line saying how many were left out: those that did not
    fit and the `unlisted` ones the answer only counted."""
    shown: list[str] = []
    used = 0
    for number, block in enumerate(blocks):
        remaining = len(blocks) - number + unlisted
        reserve = len(more(remaining)) + 2 if remaining > 1 else 0  # room for the "…and N more" line
        if used + len(block) + reserve > limit:
            shown.append(more(remaining))
            return "\n\n".join(shown)
        shown.append(block)
        used += len(block) + 2
    if unlisted:
        shown.append(more(unlisted))
    return "\n\n".join(shown)


def _more(language: str, *, hint: bool = False) -> Callable[[int], str]:
    """The line that stands for what did not fit: `…and 3 more`."""
    if hint:
        return lambda count: said_n(
            "…and {count} more; try `/timeline` or `/search`.",
            "…and {count} more; try `/timeline` or `/search`.",
            count,
        ).in_language(language)
    return lambda count: and_more(count, language)


def day_embed(answer: DayAnswer, language: str = SOURCE_LANGUAGE) -> discord.Embed:
    title = said("On this day: {day}", day=answer.day).in_language(language)
    embed = discord.Embed(title=title, colour=COLOUR)
    blocks = [_anniversary_block(item, language) for item in answer.anniversaries]
    if not blocks:
        blocks.append(day_message(answer, language))
    embed.description = _join_within(blocks, 3500, _more(language, hint=True), answer.more_anniversaries)
    if answer.ongoing:
        lines = [
            _event_line(item.event, language, anniversary_note(item, language)) for item in answer.ongoing
        ]
        embed.add_field(
            name=said("Still under way").in_language(language),
            inline=False,
            value=_lines(lines, language, answer.more_ongoing),
        )
    if answer.next_anniversaries and answer.next_day:
        lines = [
            _event_line(item.event, language, item.years.in_language(language))
            for item in answer.next_anniversaries
        ]
        name = said("Next anniversary: {day}", day=answer.next_day).in_language(language)
        embed.add_field(name=name, inline=False, value=_lines(lines, language, answer.more_next))
    if answer.month_events:
        month = month_in(answer.day.month, language)
        name = said("Known only to the month: {month}", month=month).in_language(language)
        lines = [_event_line(event, language) for event in answer.month_events]
        embed.add_field(name=name, inline=False, value=_lines(lines, language))
    return embed


def _lines(lines: list[str], language: str = SOURCE_LANGUAGE, unlisted: int = 0) -> str:
    return _join_within(lines, FIELD_VALUE_MAX, _more(language), unlisted).replace("\n\n", "\n")


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


def not_found_message(answer: EventAnswer, language: str = SOURCE_LANGUAGE) -> str:
    return not_found_text(
        answer, language, quote=lambda text: user_text(text, 80), title=lambda text: f"**{user_text(text)}**"
    )


def page_events(answer: EventList, page: int) -> list[Event]:
    """The events one page of a /search or /timeline answer shows; `page` counts from 0. Those
    still unread are not among them: the caller reads a page (`Almanac.read_listed`) before it."""
    return answer.events[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]


def page_count(answer: EventList) -> int:
    return max(1, -(-answer.listed // PAGE_SIZE))


def list_page_embed(answer: EventList, page: int, language: str = SOURCE_LANGUAGE) -> discord.Embed:
    """One page of a /search or /timeline answer; `page` counts from 0."""
    embed = discord.Embed(title=user_text(answer.heading.in_language(language), TITLE_MAX), colour=COLOUR)
    if not answer.events:
        embed.description = user_message(
            answer.empty_message.in_language(language)
        )  # it quotes the query back
        return embed
    blocks = [f"*{ONLY_PARTIAL.in_language(language)}*"] if answer.only_partial else []
    for event in page_events(answer, page):
        block = _event_line(event, language, partial_note(answer, event, language))
        if event.fields.summary:
            block += "\n> " + user_text(event.fields.summary, SUMMARY_PREVIEW)
        blocks.append(block)
    # a page can come up empty when its events were removed after the list was made
    embed.description = _join_within(blocks, 3500, lambda _: "…") or "…"
    footer = said_n(
        "Page {page} of {pages} · {count} event",
        "Page {page} of {pages} · {count} events",
        answer.listed,
        page=page + 1,
        pages=page_count(answer),
    )
    embed.set_footer(text=footer.in_language(language))
    return embed


def upcoming_pages(
    answer: UpcomingAnswer, language: str = SOURCE_LANGUAGE, heading: str | None = None
) -> list[discord.Embed]:
    """/upcoming as pages: each holds as many whole days as fit Discord's limits, so no day is
    ever left out however crowded the month (every page says which of how many it is). The
    digest gives its own `heading`."""
    heading = user_text(heading or upcoming_heading(answer, language), TITLE_MAX)
    if not answer.by_day:
        return [discord.Embed(title=heading, colour=COLOUR, description=upcoming_empty(answer, language))]
    footer_room = 100
    pages = [discord.Embed(title=heading, colour=COLOUR)]
    for day, items in answer.by_day:
        lines = [
            ("🎉 " if item.round else "")
            + _event_line(item.event, language, item.years.in_language(language))
            for item in items
        ]
        name, value = day_label(day, language), _lines(lines, language)
        page = pages[-1]
        if page.fields and (
            len(page.fields) >= FIELDS_MAX or len(page) + len(name) + len(value) > EMBED_MAX - footer_room
        ):
            page = discord.Embed(title=heading, colour=COLOUR)
            pages.append(page)
        page.add_field(name=name, value=value, inline=False)
    if len(pages) > 1:
        for number, page in enumerate(pages, 1):
            footer = said("Page {page} of {pages}", page=number, pages=len(pages))
            page.set_footer(text=footer.in_language(language))
    return pages


def upcoming_embed(answer: UpcomingAnswer, language: str = SOURCE_LANGUAGE) -> discord.Embed:
    """The first page of /upcoming."""
    return upcoming_pages(answer, language)[0]


# -- curation: history and import results -------------------------------------------------------

HISTORY_PAGE_SIZE = 5
_DONE = {
    AuditAction.ADD: said("added"),
    AuditAction.IMPORT: said("imported"),
    AuditAction.EDIT: said("edited"),
    AuditAction.REMOVE: said("removed"),
    AuditAction.RESTORE: said("restored"),
    AuditAction.HIDE: said("hidden in this server"),
    AuditAction.UNHIDE: said("shown again"),
    AuditAction.CURATOR_ROLE: said("curator role changed"),
}


def history_page_count(history: History) -> int:
    return max(1, -(-len(history.entries) // HISTORY_PAGE_SIZE))


def history_embed(history: History, page: int, language: str = SOURCE_LANGUAGE) -> discord.Embed:
    """One page of /events history, newest first; `page` counts from 0."""
    if history.event:
        heading = said("History: {title}", title=history.event.title)
    else:
        heading = said("History of this server's chronology")
    embed = discord.Embed(title=user_text(heading.in_language(language), TITLE_MAX), colour=COLOUR)
    if not history.entries:
        embed.description = said("No changes recorded yet.").in_language(language)
        return embed
    start = page * HISTORY_PAGE_SIZE
    entries = history.entries[start : start + HISTORY_PAGE_SIZE]
    blocks = [_history_block(entry, language, with_title=history.event is None) for entry in entries]
    embed.description = _join_within(blocks, 3500, lambda _: "…")
    footer = said(
        "Page {page} of {pages} · newest first · this log is never rewritten",
        page=page + 1,
        pages=history_page_count(history),
    )
    embed.set_footer(text=footer.in_language(language))
    return embed


def _history_block(entry: AuditEntry, language: str, *, with_title: bool) -> str:
    # an id in <@…> shows the member's name; mentions inside an embed never ping
    who = f"<@{entry.actor_id}>" if entry.actor_id else said("the command line").in_language(language)
    head = f"**{_DONE[entry.action].in_language(language)}**"
    snapshot = entry.after or entry.before or {}
    if with_title and snapshot.get("title"):
        head += f" · {user_text(str(snapshot['title']), 80)}"
    line = said("{change} · by {who} · {when}", change=head, who=who, when=_when(entry.at))
    return "\n".join([line.in_language(language), *_changes(entry, language)])


def _changes(entry: AuditEntry, language: str) -> list[str]:
    """What an edit changed, old value first, and what a curator-role change replaced."""
    if entry.action is AuditAction.CURATOR_ROLE:
        none = said("none").in_language(language)
        before, after = ((part or {}).get("role") for part in (entry.before, entry.after))
        return [f"> {f'<@&{before}>' if before else none} → {f'<@&{after}>' if after else none}"]
    if entry.action is not AuditAction.EDIT or not entry.before or not entry.after:
        return []
    changed = [name for name, old in entry.before.items() if entry.after.get(name) != old]
    # the field's own name (`title`, `summary`), as the data file and the import files spell it
    return [
        f"> {name}: {_shown_value(entry.before[name], language)} → "
        f"{_shown_value(entry.after.get(name), language)}"
        for name in changed[:6]
    ]


def _shown_value(value: object, language: str) -> str:
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value if value is not None else "")
    return f"“{user_text(text, 80)}”" if text else said("(empty)").in_language(language)


def _when(at: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return user_text(at)
    return f"<t:{int(moment.timestamp())}:f>"  # shown in each reader's own time zone


def import_embed(
    report: ImportReport, filename: str, *, attached: bool = False, language: str = SOURCE_LANGUAGE
) -> discord.Embed:
    title = said("Import: {filename}", filename=filename).in_language(language)
    embed = discord.Embed(
        title=user_text(title, TITLE_MAX), colour=COLOUR, description=report.headline(language)
    )
    sections = (
        (said("Rejected rows ({number})", number=len(report.rejected)), report.rejected),
        (said("Duplicates, skipped ({number})", number=len(report.duplicates)), report.duplicates),
    )
    for name, notes in sections:
        if notes:
            lines = [
                said(
                    "line {line}: {reason}",
                    line=note.line,
                    reason=user_message(clip(note.in_language(language), 200)),
                ).in_language(language)
                for note in notes
            ]
            embed.add_field(name=name.in_language(language), value=_lines(lines, language), inline=False)
    if attached:
        embed.set_footer(text=said("The attached report lists every row.").in_language(language))
    return embed


def picture_file(png: bytes, answer: EventList, language: str) -> discord.File:
    """A timeline picture as an attachment, with alt text saying what it shows."""
    described = said_n(
        "{heading}: {count} event on a time axis",
        "{heading}: {count} events on a time axis",
        len(answer.events),
        heading=answer.heading,
    )
    alt = clip(described.in_language(language), PICTURE_DESCRIPTION_MAX)
    return discord.File(io.BytesIO(png), filename=PICTURE_FILE, description=alt)
