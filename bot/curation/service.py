"""Curating a server's own chronology: add, edit, remove, restore, hide, history, import, export.

Plain async methods on plain values, like `Almanac`'s questions. Every change goes through the
store (which writes the audit row in the same transaction) and then into the search index and
the hidden-event cache, so the next /search, /event or autocomplete already sees it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Iterable
from enum import Enum
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.almanac.freshness import IndexFeed
from bot.almanac.hidden import HiddenEvents
from bot.curation import formats
from bot.curation.forms import EventForm, fields_from_form
from bot.curation.ics import write_ics
from bot.curation.import_plan import RowNote, plan_import, same_title, slug_for, title_key
from bot.curation.results import ExportFile, History, ImportReport
from bot.dates.words import DateWords
from bot.i18n.errors import UserError
from bot.i18n.languages import TRANSLATED
from bot.i18n.messages import Text, said
from bot.i18n.text import quoted
from bot.model.event import BUNDLED_SCOPE, Event, EventFields, FieldErrors
from bot.relevance.scoring import Hit
from bot.store import ConflictError, Store

if TYPE_CHECKING:  # numpy, through the index's module: loaded by whoever makes the index
    from bot.search.index import SearchIndex

HISTORY_MAX = 100  # the most recent audit entries /events history shows


# -- the curation service -----------------------------------------------------------------------


class Target(Enum):
    """Which events a command may name: (the scopes it looks in, the state they must be in)."""

    OWN = "a live event of this server"  # edit, remove
    REMOVED = "a removed event of this server"  # restore
    BUNDLED = "a bundled event"  # hide, unhide
    LOGGED = "any event this server changed"  # history: its own in any state, and bundled ones


# target: (its own events, bundled events, the deleted state they must be in; None: any)
_TARGETS: dict[Target, tuple[bool, bool, bool | None]] = {
    Target.OWN: (True, False, False),
    Target.REMOVED: (True, False, True),
    Target.BUNDLED: (False, True, False),
    Target.LOGGED: (True, True, None),
}


class Curation:
    def __init__(self, store: Store, index: SearchIndex, hidden: HiddenEvents, feed: IndexFeed) -> None:
        self._store = store
        self._index = index
        self._hidden = hidden
        self._feed = feed  # asked before the index is: writes elsewhere, and a first fill
        # One add or import at a time per server: each picks ids and spots twins from what is stored.
        self._writing: dict[int, asyncio.Lock] = {}

    async def curator_role(self, guild_id: int) -> int | None:
        """The role whose members may curate this server (None: Manage Server only)."""
        return await self._store.curator_role(guild_id)

    async def find(self, guild_id: int, name: str, target: Target) -> int:
        """The id of the event a typed id or exact title names, among those `target` allows."""
        _need_server(guild_id)
        event = await self._find_by_name(guild_id, name, target)
        return event.id

    async def own_event(self, guild_id: int, event_id: int) -> Event:
        """A live event of this server, for /events edit to pre-fill its modal."""
        _need_server(guild_id)
        return await self._checked(guild_id, event_id, Target.OWN)

    async def add(self, guild_id: int, actor: int | None, form: EventForm) -> Event:
        _need_server(guild_id)
        async with self._writing.setdefault(guild_id, asyncio.Lock()):
            own = await self._store.scope_events(guild_id)
            slug = slug_for(form.title, {e.slug for e in own})
            fields = fields_from_form(form, {"id": slug, "russia": False})
            visible = await self._store.visible_events(guild_id)
            if (twin := _twin(fields, visible)) is not None:
                twice = said(
                    "“{title}” is already on {date}; edit that one or change the title",
                    title=twin.title,
                    date=DateWords(twin.date),
                )
                raise FieldErrors([("title", twice)])
            event = await self._store.add_event(guild_id, fields, actor)
            self._index.add(event)
        return event

    async def edit(self, guild_id: int, actor: int | None, event: Event, form: EventForm) -> Event:
        """Save the modal over `event` as it was when the modal opened; refuses if it changed since."""
        _need_server(guild_id)
        if event.scope != guild_id:
            raise UserError(said("Only this server's own events can be edited here."))
        fields = fields_from_form(form, event.fields.as_mapping())
        return await self._saved_edit(event, fields, actor)

    async def translate(
        self, guild_id: int, actor: int | None, event: Event, language: str, title: str, summary: str
    ) -> Event:
        """Set (or, with both empty, drop) one language's title and summary of a server's event,
        validated as a file's translation is, and logged like any edit."""
        _need_server(guild_id)
        if event.scope != guild_id:
            raise UserError(said("Only this server's own events can be edited here."))
        if language not in TRANSLATED:
            raise UserError(
                said("Pick a language from the list: {languages}.", languages=", ".join(TRANSLATED))
            )
        mapping = event.fields.as_mapping()
        translations = dict(mapping.get("translations", {}))
        if title.strip() or summary.strip():
            translations[language] = {"title": title, "summary": summary}
        else:
            translations.pop(language, None)
        mapping["translations"] = translations
        fields = EventFields.from_mapping(mapping)
        return await self._saved_edit(event, fields, actor)

    async def remove(self, guild_id: int, actor: int | None, event_id: int) -> Event:
        _need_server(guild_id)
        event = await self._checked(guild_id, event_id, Target.OWN)
        await self._store.set_deleted(event, True, actor)
        self._index.remove(event.id)
        return event

    async def restore(self, guild_id: int, actor: int | None, event_id: int) -> Event:
        _need_server(guild_id)
        event = await self._checked(guild_id, event_id, Target.REMOVED)
        await self._store.set_deleted(event, False, actor)
        restored = await self._store.get_event(event.id)
        self._index.add(restored or event)
        return restored or event

    async def hide(self, guild_id: int, actor: int | None, event_id: int) -> Event:
        _need_server(guild_id)
        event = await self._checked(guild_id, event_id, Target.BUNDLED)
        if event.id in await self._store.hidden_event_ids(guild_id):
            raise UserError(
                said("“{title}” is already hidden here; `/events unhide` shows it again.", title=event.title)
            )
        await self._store.set_hidden(guild_id, event, True, actor)
        self._hidden.changed(guild_id, event.id, True)
        return event

    async def unhide(self, guild_id: int, actor: int | None, event_id: int) -> Event:
        _need_server(guild_id)
        event = await self._checked(guild_id, event_id, Target.BUNDLED)
        if event.id not in await self._store.hidden_event_ids(guild_id):
            raise UserError(said("“{title}” is not hidden in this server.", title=event.title))
        await self._store.set_hidden(guild_id, event, False, actor)
        self._hidden.changed(guild_id, event.id, False)
        return event

    async def history(self, guild_id: int, event_id: int | None) -> History:
        """The server's whole log, newest first, or one event's part of it."""
        _need_server(guild_id)
        if event_id is None:
            return History(None, await self._store.audit_entries(guild_id, None, HISTORY_MAX))
        event = await self._checked(guild_id, event_id, Target.LOGGED)
        return History(event, await self._store.audit_entries(guild_id, event.id, HISTORY_MAX))

    async def set_curator_role(self, guild_id: int, role_id: int | None, actor: int | None) -> int | None:
        """Name the role whose members may curate (None: Manage Server only); returns the old one."""
        _need_server(guild_id)
        return await self._store.change_curator_role(guild_id, role_id, actor)

    # -- files ------------------------------------------------------------------------------

    async def import_file(
        self, guild_id: int, actor: int | None, filename: str, data: bytes, max_rows: int = formats.MAX_ROWS
    ) -> ImportReport:
        """Validate every row, then add all the new ones in one transaction, or none if any is bad.

        Reading and judging the rows run in a worker thread, so a large or hostile file never
        holds up the answers to other servers; the judging happens inside the write transaction,
        against what the database holds at that moment, so two imports at once (from the bot and
        `almanac import`, say) store each event once."""
        _need_server(guild_id)
        rows = await asyncio.to_thread(formats.read_rows, filename, data, max_rows)
        verdict: list[tuple[list[RowNote], list[RowNote]]] = []

        async def plan(own: list[Event], visible: list[Event]) -> list[EventFields]:
            accepted, duplicates, rejected = await asyncio.to_thread(plan_import, rows, own, visible)
            verdict.append((duplicates, rejected))
            return [] if rejected else accepted

        async with self._writing.setdefault(guild_id, asyncio.Lock()):
            try:
                added = await self._store.import_planned(guild_id, plan, actor)
            except ConflictError as error:
                message = said("Nothing was imported: {reason}. Send the file again.", reason=str(error))
                raise UserError(message) from None
            self._index.add_all(added)
        duplicates, rejected = verdict[-1]
        return ImportReport(len(rows), added, duplicates, rejected)

    async def export(
        self,
        guild_id: int,
        kind: str,
        *,
        with_bundled: bool = False,
        title: str = "Almanac chronology",
        made_by: Offload | None = None,
    ) -> ExportFile:
        """The server's events as a file. Writing thousands of them takes CPU: `made_by` runs that
        part elsewhere (the bot's pool for heavy replies); without it, it runs here."""
        _need_server(guild_id)
        if kind not in formats.FORMATS:
            raise UserError(said("Export as one of {formats}.", formats=", ".join(formats.FORMATS)))
        events = await self.chronology(guild_id, with_bundled=with_bundled)
        if not events:
            raise UserError(
                said(
                    "This server has no events of its own yet; add some with `/events add`, "
                    "or export with the bundled ones too."
                )
            )
        make = functools.partial(export_file, guild_id, kind, events, title, dt.datetime.now(dt.UTC))
        return await made_by(make) if made_by is not None else make()

    async def chronology(self, guild_id: int, *, with_bundled: bool) -> list[Event]:
        """What an export and the calendar link hold: the server's live events and, `with_bundled`,
        the bundled ones it has not hidden."""
        if with_bundled:
            return await self._store.visible_events(guild_id)
        return await self._store.scope_events(guild_id, deleted=False)

    # -- autocomplete -----------------------------------------------------------------------

    async def complete_removed(self, guild_id: int, text: str) -> list[Hit]:
        return best_titles(await self._store.scope_events(guild_id, deleted=True), text)

    async def complete_bundled(self, guild_id: int, text: str, *, hidden: bool) -> list[Hit]:
        """Bundled events this server still shows (to hide) or has hidden (to unhide)."""
        hidden_ids = await self._store.hidden_event_ids(guild_id)
        if hidden:
            events = [e for i in sorted(hidden_ids) if (e := await self._store.get_event(i)) is not None]
            return best_titles(events, text)
        if text.strip():
            await self._feed.fresh()
            return self._index.complete(text[:200], (BUNDLED_SCOPE,), hidden_ids, limit=25)
        bundled = await self._store.scope_events(BUNDLED_SCOPE, deleted=False)
        return best_titles([e for e in bundled if e.id not in hidden_ids], text)

    async def complete_history(self, guild_id: int, text: str) -> list[Hit]:
        """This server's events, removed ones too, and the bundled ones it has hidden."""
        own = await self._store.scope_events(guild_id)
        hidden = [
            e
            for i in sorted(await self._store.hidden_event_ids(guild_id))
            if (e := await self._store.get_event(i)) is not None
        ]
        return best_titles([*own, *hidden], text)

    # -- finding the event a command names ------------------------------------------------------

    async def _saved_edit(self, event: Event, fields: EventFields, actor: int | None) -> Event:
        """`event` with its new `fields`, unless someone saved it first since it was read."""
        try:
            edited = await self._store.edit_event(event, fields, actor)
        except ConflictError:
            message = said(
                "“{title}” changed while you were editing it; run `/events edit` again.", title=event.title
            )
            raise UserError(message) from None
        self._index.add(edited)
        return edited

    def _scopes(self, guild_id: int, target: Target) -> tuple[set[int], bool | None]:
        own, bundled, deleted = _TARGETS[target]
        scopes = ({guild_id} if own else set()) | ({BUNDLED_SCOPE} if bundled else set())
        return scopes, deleted

    async def _checked(self, guild_id: int, event_id: int, target: Target) -> Event:
        """The event with this id, refused with a reason unless `target` allows it here."""
        scopes, deleted = self._scopes(guild_id, target)
        event = await self._store.get_event(event_id)
        if event is not None and event.is_bundled and BUNDLED_SCOPE not in scopes:
            raise UserError(
                said(
                    "“{title}” is a bundled event: servers cannot change it, "
                    "but `/events hide` hides it here.",
                    title=event.title,
                )
            )
        if event is None or event.scope not in scopes:
            raise UserError(_not_found(f"#{event_id}", target))
        return _in_state(event, deleted)

    async def _find_by_name(self, guild_id: int, name: str, target: Target) -> Event:
        """The event an exact id (slug) or title names; one in the wanted state wins over others."""
        scopes, deleted = self._scopes(guild_id, target)
        ref = " ".join(name.split())
        wanted = title_key(ref)
        candidates = [event for s in sorted(scopes) for event in await self._store.scope_events(s)]
        matches = [e for e in candidates if e.slug == ref.lower() or title_key(e.title) == wanted]
        live = [e for e in matches if deleted is None or e.deleted == deleted]
        if len(live) > 1:
            raise UserError(
                said(
                    "Several events are called “{name}”; pick one from the list as you type.",
                    name=quoted(ref),
                )
            )
        if not live:
            if matches:
                return _in_state(matches[0], deleted)
            raise UserError(_not_found(ref, target))
        return live[0]


def best_titles(events: Iterable[Event], text: str, limit: int = 25) -> list[Hit]:
    """Autocomplete over a short list (removed or hidden events) that the search index does not hold."""
    pool = {event.id: event for event in events}
    if not text.strip():
        return [Hit(event.id, event.title, 0.0) for event in pool.values()][:limit]
    choices = {event_id: title_key(event.title) for event_id, event in pool.items()}
    found = process.extract(title_key(text[:200]), choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=50)
    return [Hit(event_id, pool[event_id].title, score) for _, score, event_id in found]


def _twin(fields: EventFields, events: Iterable[Event]) -> Event | None:
    key = title_key(fields.title)
    return next(
        (
            event
            for event in events
            if event.date.edtf() == fields.date.edtf() and same_title(key, title_key(event.title))
        ),
        None,
    )


def _need_server(guild_id: int) -> None:
    """Scope 0 is the bundled chronology, which no server may change."""
    if guild_id <= 0:
        raise UserError(said("That works on one server's own chronology; give the server's id."))


def _in_state(event: Event, deleted: bool | None) -> Event:
    if deleted is None or event.deleted == deleted:
        return event
    if event.deleted:
        raise UserError(
            said("“{title}” was removed; `/events restore` brings it back first.", title=event.title)
        )
    raise UserError(said("“{title}” is not removed; there is nothing to restore.", title=event.title))


def _not_found(ref: str, target: Target) -> Text:
    if target is Target.BUNDLED:
        return said(
            "No bundled event is called “{name}”; pick one from the list as you type.", name=quoted(ref)
        )
    return said(
        "This server has no event called “{name}”; pick one from the list as you type.", name=quoted(ref)
    )


Offload = Callable[[Callable[[], ExportFile]], Awaitable[ExportFile]]


def export_file(guild_id: int, kind: str, events: list[Event], title: str, now: dt.datetime) -> ExportFile:
    """The file itself: plain CPU work on plain values, safe on any thread."""
    if kind == "ics":
        feed = write_ics(events, title, now)
        return ExportFile(formats.export_filename(guild_id, kind), feed.data, feed.included, feed.left_out)
    fields = [event.fields for event in events]
    if kind == "json":
        data = formats.write_json(fields)
    elif kind == "csv":
        data = formats.write_csv(fields)
    else:
        data = formats.write_timelinejs(fields, title)
    return ExportFile(formats.export_filename(guild_id, kind), data, len(events))
