"""The event record, and the validation every event passes: from the data file, a modal or an import."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.dates.partial import DateError, EventDate
from bot.i18n.languages import SOURCE_LANGUAGE, TRANSLATED
from bot.i18n.messages import Sayable, said, said_n, shown
from bot.i18n.text import visible

BUNDLED_SCOPE = 0  # the scope of the bundled chronology; servers use their guild id

TITLE_MAX = 100
SUMMARY_MAX = 600
SOURCE_MAX = 300
NOTE_MAX = 600
LIST_MAX_ITEMS = 20
LIST_ITEM_MAX = 100
SLUG_MAX = 80
LABELS_TEXT_MAX = 4000  # Discord's most for one text box: the edit form's "tags: …\nalso: …" box

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LIST_FIELDS = ("people", "places", "tags", "aliases")
_TEXT_FIELDS = {"title": TITLE_MAX, "summary": SUMMARY_MAX, "source": SOURCE_MAX, "note": NOTE_MAX}
_TRANSLATED_TEXTS = ("note", "source")  # besides the title and summary
_TRANSLATED_LISTS = ("aliases", "people", "places", "tags")
KNOWN_FIELDS = frozenset({"id", "date", "russia", "translations", *_LIST_FIELDS, *_TEXT_FIELDS})
# A problem with one field: its name and what is wrong, a catalog message said in the reader's
# language (or plain English text, which is shown as it is).
Problem = tuple[str, str | Sayable]


@dataclass(frozen=True)
class Translation:
    """An event in one more language, written by whoever wrote the event: its title and summary,
    the other names readers of that language know it by, its note, and its people, places and
    tags as that language spells them (the bundled chronology's come from its gazetteer)."""

    language: str
    title: str
    summary: str = ""
    aliases: tuple[str, ...] = ()
    note: str = ""
    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class EventFields:
    """Everything about an event that a person writes; validated on construction by `from_mapping`."""

    slug: str
    date: EventDate
    title: str
    summary: str = ""
    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    source: str = ""
    note: str = ""
    russian: bool = False
    translations: tuple[Translation, ...] = ()  # one per language, in TRANSLATED's order
    # data file only: ids the event had before, so a rename keeps its row (and servers' hides)
    old_ids: tuple[str, ...] = field(default=(), compare=False)

    def translation(self, language: str) -> Translation | None:
        return next((t for t in self.translations if t.language == language), None)

    def title_in(self, language: str) -> str:
        """The title in `language`, or the original where it has no translation."""
        return next((t.title for t in self.translations if t.language == language), self.title)

    def summary_in(self, language: str) -> str:
        found = next((t for t in self.translations if t.language == language), None)
        return found.summary if found is not None and found.summary else self.summary

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> EventFields:
        """Build from a data-file entry or import row; raises FieldErrors listing every problem."""
        problems: list[Problem] = []
        for name in sorted(set(raw) - KNOWN_FIELDS):
            problems.append((name, said("is not a known field")))
        slug = _text(raw, "id", problems, SLUG_MAX, required=True)
        if slug and not _SLUG.fullmatch(slug):
            problems.append(("id", said("must be lowercase letters, digits and single hyphens")))
        date = None
        date_text = _text(raw, "date", problems, 40, required=True)
        if date_text:
            try:
                date = EventDate.parse(date_text)
            except DateError as error:
                problems.append(("date", error.message))
        texts = {
            name: _text(raw, name, problems, limit, required=name == "title")
            for name, limit in _TEXT_FIELDS.items()
        }
        if texts["title"] and not visible(texts["title"]):
            # zero-width spaces, U+3164, U+2800 or bare bidi controls: a title no one can see or pick
            problems.append(("title", said("has no visible characters; give it words people can read")))
        lists = {name: _string_list(raw, name, problems) for name in _LIST_FIELDS}
        if (length := len(labels_text(lists["tags"], lists["aliases"]))) > LABELS_TEXT_MAX:
            # the edit form shows both in one box, which Discord caps: an event it cannot hold could
            # never be edited again, so none is saved, from a form, a file or the data file alike
            problems.append(
                (
                    "aliases",
                    said(
                        "and tags together take {length} characters, more than the {most} the edit form"
                        " holds; shorten or drop some",
                        length=length,
                        most=LABELS_TEXT_MAX,
                    ),
                )
            )
        russian = raw.get("russia", False)
        if not isinstance(russian, bool):
            problems.append(("russia", said("must be true or false")))
        translations = _translations(raw.get("translations"), problems)
        if problems or date is None:
            raise FieldErrors(problems)
        return cls(
            slug=slug,
            date=date,
            title=texts["title"],
            summary=texts["summary"],
            source=texts["source"],
            note=texts["note"],
            people=lists["people"],
            places=lists["places"],
            tags=lists["tags"],
            aliases=lists["aliases"],
            russian=bool(russian),
            translations=translations,
        )

    def as_mapping(self) -> dict[str, Any]:
        """The data-file / export form; `from_mapping(as_mapping())` gives the same fields back."""
        mapping: dict[str, Any] = {
            "id": self.slug,
            "date": self.date.edtf(),
            "title": self.title,
            "summary": self.summary,
            "people": list(self.people),
            "places": list(self.places),
            "tags": list(self.tags),
            "aliases": list(self.aliases),
            "source": self.source,
            "note": self.note,
            "russia": self.russian,
        }
        if self.translations:  # left out when there are none, so older exports read the same
            mapping["translations"] = translations_mapping(self.translations)
        return mapping


@dataclass(frozen=True)
class Event:
    """An event as stored: its fields plus where it lives and its bookkeeping."""

    id: int
    scope: int
    fields: EventFields
    version: int = 1
    deleted: bool = False

    @property
    def slug(self) -> str:
        return self.fields.slug

    @property
    def title(self) -> str:
        return self.fields.title

    @property
    def date(self) -> EventDate:
        return self.fields.date

    @property
    def is_bundled(self) -> bool:
        return self.scope == BUNDLED_SCOPE

    def old_style(self) -> str | None:
        return self.fields.date.old_style(russian=self.fields.russian)


class FieldErrors(ValueError):
    """Every problem found in one entry, as (field, message) pairs.

    `messages` keeps each message as said, for the modal to show in the member's language;
    `problems` and `str()` give the English (the data file's checks, the command line, logs)."""

    def __init__(self, problems: Iterable[Problem] = ()) -> None:
        self.messages: list[Problem] = list(problems)
        super().__init__(self.messages)

    @property
    def problems(self) -> list[tuple[str, str]]:
        return [(name, shown(message, SOURCE_LANGUAGE)) for name, message in self.messages]

    def in_language(self, language: str) -> str:
        return "; ".join(f"{name}: {shown(message, language)}" for name, message in self.messages)

    def __str__(self) -> str:
        return self.in_language(SOURCE_LANGUAGE)


def _text(
    raw: Mapping[str, Any], name: str, problems: list[Problem], limit: int, *, required: bool = False
) -> str:
    value = raw.get(name, "")
    if value is None:
        value = ""  # `title = null` in a JSON import is as missing as no title at all
    if not isinstance(value, str):
        # TOML reads an unquoted `date = 1919-03-16` as a date and `date = 1919` as a number
        quoted = said('must be text in quotes, like "1919-03-16"')
        problems.append((name, quoted if name == "date" else said("must be text")))
        return ""
    text: str = " ".join(value.split()) if name in ("id", "date", "title") else value.strip()
    if required and not text:
        problems.append((name, said("is missing")))
    elif len(text) > limit:
        too_long = said_n(
            "is {count} character long; the limit is {limit}",
            "is {count} characters long; the limit is {limit}",
            len(text),
            limit=limit,
        )
        problems.append((name, too_long))
    return text


def _string_list(raw: Mapping[str, Any], name: str, problems: list[Problem]) -> tuple[str, ...]:
    value = raw.get(name, [])
    if isinstance(value, list) and not value:
        return ()  # as most lists of most events are: the checks below cost a data file seconds
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        problems.append((name, said("must be a list of text")))
        return ()
    # `;` separates entries in a CSV cell and in the modal, so it separates them everywhere:
    # an entry holding one would come back from a CSV export as two
    parts = [part for item in value for part in item.split(";")]
    items = tuple(dict.fromkeys(" ".join(part.split()) for part in parts if part.strip()))
    if len(items) > LIST_MAX_ITEMS:
        too_many = said_n(
            "has {count} entry; the limit is {limit}",
            "has {count} entries; the limit is {limit}",
            len(items),
            limit=LIST_MAX_ITEMS,
        )
        problems.append((name, too_many))
    for item in items:
        if len(item) > LIST_ITEM_MAX:
            too_long = said_n(
                "has an entry over {count} character", "has an entry over {count} characters", LIST_ITEM_MAX
            )
            problems.append((name, too_long))
            break
    return items


def translations_mapping(translations: Iterable[Translation]) -> dict[str, dict[str, Any]]:
    """`{"ca": {"title": …, "summary": …, "aliases": […]}, …}`: how the data file, JSON files and
    the store write them; a field left empty is left out."""
    mapping: dict[str, dict[str, Any]] = {}
    for t in translations:
        texts: dict[str, Any] = {"title": t.title, "summary": t.summary}
        texts |= {name: value for name in _TRANSLATED_TEXTS if (value := getattr(t, name))}
        texts |= {name: list(value) for name in _TRANSLATED_LISTS if (value := getattr(t, name))}
        mapping[t.language] = texts
    return mapping


def _translations(value: Any, problems: list[Problem]) -> tuple[Translation, ...]:
    """`{"ca": {"title": …, "summary": …}, …}`: the shipped languages only, each checked like
    the original (a title is required, the same length limits), each problem naming its language."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        example = '{ca = {title = "…"}}'
        problem = said("must be a table of languages, like {example}", example=example)
        problems.append(("translations", problem))
        return ()
    found: dict[str, Translation] = {}
    for language, texts in value.items():
        where = f"translations.{str(language)[:10]}"
        if language not in TRANSLATED:
            shipped = ", ".join(TRANSLATED)
            problem = said(
                "is not a language Almanac ships ({shipped}; {original} is the original)",
                shipped=shipped,
                original=SOURCE_LANGUAGE,
            )
            problems.append((where, problem))
            continue
        if not isinstance(texts, Mapping):
            problems.append((where, said("must hold a title and a summary")))
            continue
        for name in sorted(set(texts) - {"title", "summary", *_TRANSLATED_TEXTS, *_TRANSLATED_LISTS}):
            problems.append((f"{where}.{str(name)[:20]}", said("is not a known field")))
        own: list[Problem] = []
        title = _text(texts, "title", own, TITLE_MAX, required=True)
        summary = _text(texts, "summary", own, SUMMARY_MAX)
        note = _text(texts, "note", own, NOTE_MAX)
        source = _text(texts, "source", own, SOURCE_MAX)
        lists = {name: _string_list(texts, name, own) for name in _TRANSLATED_LISTS}
        if title and not visible(title):
            own.append(("title", said("has no visible characters; give it words people can read")))
        problems.extend((f"{where}.{name}", message) for name, message in own)
        if not own:
            found[language] = Translation(language, title, summary, note=note, source=source, **lists)
    return tuple(found[language] for language in TRANSLATED if language in found)


def labels_text(tags: Sequence[str], aliases: Sequence[str]) -> str:
    """Tags and other names as the edit form's one box holds them (`bot.curation.forms.split_labels` reads
    it back): `tags: strike; navy` and `also: Kronstadt uprising`, one line each."""
    lines = []
    if tags:
        lines.append("tags: " + "; ".join(tags))
    if aliases:
        lines.append("also: " + "; ".join(aliases))
    return "\n".join(lines)
