"""Discord's documented limits, checked on the requests the bot actually sent.

Written from Discord's developer documentation and its OpenAPI description
(discord/discord-api-spec: `RichEmbed`, `TextInputComponentForModalRequest`,
`StringSelectOptionForRequest`, `ApplicationCommandOptionStringChoice`, …), independently of
the bot's own constants, so that a limit the bot gets wrong shows up as a finding here. simcord
checks some of these itself; it does not check, for one, that a text box's pre-filled `value`
fits the box's `max_length`, which Discord refuses.

`findings(method, path, body)` takes one request from simcord's log (`env.http_requests`) and
returns what in it passes a limit, as short sentences naming where; an empty list means Discord
would take it. `request_findings(request)` adds everything else Discord checks on a request: its
shape against Discord's OpenAPI spec (tests/limits_spec.py), the command sync body
(tests/limits_commands.py), and that every file uploaded has its `attachments` entry.
`record_requests` captures requests with their file parts, which simcord's own log leaves out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import simcord.http.router

from tests.limits_commands import is_sync, sync_findings, valid_name
from tests.limits_spec import shape_findings

__all__ = ["Request", "findings", "is_sync", "record_requests", "request_findings", "valid_name"]

CONTENT_MAX = 2000  # a bot's message content
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000  # title, description, field names and values, footer text, author name
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
BUTTON_LABEL_MAX = 80
URL_MAX = 512
CUSTOM_ID_MAX = 100
SELECT_OPTIONS_MAX = 25
OPTION_TEXT_MAX = 100  # an option's label, value and description
SELECT_PLACEHOLDER_MAX = 150
MODAL_TITLE_MAX = 45
MODAL_ROWS_MAX = 5
INPUT_LABEL_MAX = 45
INPUT_PLACEHOLDER_MAX = 100
INPUT_LENGTH_MAX = 4000  # a text box's value and its max_length
LABEL_DESCRIPTION_MAX = 100
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100
THREAD_NAME_MAX = 100
ATTACHMENTS_MAX = 10
ATTACHMENT_DESCRIPTION_MAX = 1024  # an attachment's alt text
ATTACHMENT_NAME_MAX = 1024

ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT, LABEL = 1, 2, 3, 4, 18
LINK_BUTTON = 5
MESSAGE_REPLY, UPDATE_MESSAGE, AUTOCOMPLETE_RESULT, MODAL = 4, 7, 8, 9

_CALLBACK = re.compile(r"^/interactions/\d+/[^/]+/callback$")
_WEBHOOK_MESSAGE = re.compile(r"^/webhooks/\d+/[^/]+(/messages/[^/]+)?$")
_CHANNEL_MESSAGE = re.compile(r"^/channels/\d+/messages(/\d+)?$")
_THREADS = re.compile(r"^/channels/\d+/threads$")


def kind_of(method: str, path: str, body: Any) -> str | None:
    """What a request carries that has limits: a message, a modal, autocomplete choices, a
    forum post; None for anything else (reads, reactions, command registration)."""
    if method not in ("POST", "PATCH") or not isinstance(body, dict):
        return None
    if _CALLBACK.match(path):
        return {
            MESSAGE_REPLY: "message",
            UPDATE_MESSAGE: "message",
            AUTOCOMPLETE_RESULT: "choices",
            MODAL: "modal",
        }.get(body.get("type", 0))
    if _WEBHOOK_MESSAGE.match(path) or _CHANNEL_MESSAGE.match(path):
        return "message"
    if _THREADS.match(path):
        return "forum post"
    return None


def findings(method: str, path: str, body: Any) -> list[str]:
    kind = kind_of(method, path, body)
    where = f"{method} {path}"
    if kind is None:
        return []
    data = body.get("data") or {} if _CALLBACK.match(path) else body
    found = {
        "message": lambda: list(message_findings(data)),
        "modal": lambda: list(modal_findings(data)),
        "choices": lambda: list(choice_findings(data)),
        "forum post": lambda: list(thread_findings(data)),
    }[kind]()
    return [f"{where}: {finding}" for finding in found]


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _too_long(value: Any, most: int, name: str, *, least: int = 0) -> Iterator[str]:
    if value is None and least == 0:
        return
    if not isinstance(value, str):
        yield f"{name} is not text: {value!r}"[:200]
    elif not least <= len(value) <= most:
        yield f"{name} has {len(value)} characters (allowed {least}..{most})"


def message_findings(message: dict[str, Any]) -> Iterator[str]:
    yield from _too_long(message.get("content"), CONTENT_MAX, "content")
    embeds = message.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        yield f"{len(embeds)} embeds (most {EMBEDS_MAX})"
    total = 0
    for number, embed in enumerate(embeds):
        yield from embed_findings(embed, f"embeds[{number}]")
        total += embed_size(embed)
    if total > EMBED_TOTAL_MAX:
        yield f"embeds hold {total} characters together (most {EMBED_TOTAL_MAX})"
    yield from component_findings(message.get("components") or [])
    attachments = message.get("attachments") or []
    if len(attachments) > ATTACHMENTS_MAX:
        yield f"more than {ATTACHMENTS_MAX} attachments"
    for number, attachment in enumerate(attachments):
        where = f"attachments[{number}]"
        alt_text = attachment.get("description")
        yield from _too_long(alt_text, ATTACHMENT_DESCRIPTION_MAX, f"{where}.description")
        yield from _too_long(attachment.get("filename"), ATTACHMENT_NAME_MAX, f"{where}.filename")
    yield from mention_findings(message)


def embed_size(embed: dict[str, Any]) -> int:
    fields = embed.get("fields") or []
    return (
        _length(embed.get("title"))
        + _length(embed.get("description"))
        + sum(_length(field.get("name")) + _length(field.get("value")) for field in fields)
        + _length((embed.get("footer") or {}).get("text"))
        + _length((embed.get("author") or {}).get("name"))
    )


def embed_findings(embed: dict[str, Any], at: str) -> Iterator[str]:
    yield from _too_long(embed.get("title"), EMBED_TITLE_MAX, f"{at}.title")
    yield from _too_long(embed.get("description"), EMBED_DESCRIPTION_MAX, f"{at}.description")
    yield from _too_long((embed.get("footer") or {}).get("text"), FOOTER_MAX, f"{at}.footer.text")
    yield from _too_long((embed.get("author") or {}).get("name"), AUTHOR_MAX, f"{at}.author.name")
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS_MAX:
        yield f"{at} has {len(fields)} fields (most {EMBED_FIELDS_MAX})"
    for number, field in enumerate(fields):
        yield from _too_long(field.get("name"), FIELD_NAME_MAX, f"{at}.fields[{number}].name", least=1)
        yield from _too_long(field.get("value"), FIELD_VALUE_MAX, f"{at}.fields[{number}].value", least=1)


def component_findings(rows: list[dict[str, Any]]) -> Iterator[str]:
    if len(rows) > ACTION_ROWS_MAX:
        yield f"{len(rows)} action rows (most {ACTION_ROWS_MAX})"
    custom_ids: list[str] = []
    for number, row in enumerate(rows):
        at = f"components[{number}]"
        if row.get("type") != ACTION_ROW:
            yield f"{at} is not an action row"
            continue
        items = row.get("components") or []
        if not 1 <= len(items) <= ROW_BUTTONS_MAX:
            yield f"{at} holds {len(items)} components (allowed 1..{ROW_BUTTONS_MAX})"
        if any(item.get("type") == STRING_SELECT for item in items) and len(items) > 1:
            yield f"{at}: a select menu shares its row"
        for place, item in enumerate(items):
            if item.get("type") == BUTTON:
                yield from button_findings(item, f"{at}.components[{place}]")
            elif item.get("type") == STRING_SELECT:
                yield from select_findings(item, f"{at}.components[{place}]")
            else:
                yield f"{at}.components[{place}] has type {item.get('type')} in a message"
            if "custom_id" in item:
                custom_ids.append(item["custom_id"])
    if len(custom_ids) != len(set(custom_ids)):
        yield f"custom ids repeat: {sorted(custom_ids)}"


def button_findings(button: dict[str, Any], at: str) -> Iterator[str]:
    yield from _too_long(button.get("label"), BUTTON_LABEL_MAX, f"{at}.label")
    if button.get("style") == LINK_BUTTON:
        yield from _too_long(button.get("url"), URL_MAX, f"{at}.url", least=1)
    else:
        yield from _too_long(button.get("custom_id"), CUSTOM_ID_MAX, f"{at}.custom_id", least=1)


def select_findings(select: dict[str, Any], at: str) -> Iterator[str]:
    yield from _too_long(select.get("custom_id"), CUSTOM_ID_MAX, f"{at}.custom_id", least=1)
    yield from _too_long(select.get("placeholder"), SELECT_PLACEHOLDER_MAX, f"{at}.placeholder")
    options = select.get("options") or []
    if not 1 <= len(options) <= SELECT_OPTIONS_MAX:
        yield f"{at} has {len(options)} options (allowed 1..{SELECT_OPTIONS_MAX})"
    lowest, highest = select.get("min_values", 1), select.get("max_values", 1)
    if not (0 <= lowest <= highest <= min(len(options), SELECT_OPTIONS_MAX) and highest >= 1):
        yield f"{at} asks for {lowest}..{highest} of {len(options)} options"
    values = []
    for number, option in enumerate(options):
        yield from _too_long(option.get("label"), OPTION_TEXT_MAX, f"{at}.options[{number}].label", least=1)
        yield from _too_long(option.get("value"), OPTION_TEXT_MAX, f"{at}.options[{number}].value", least=1)
        yield from _too_long(
            option.get("description"), OPTION_TEXT_MAX, f"{at}.options[{number}].description"
        )
        values.append(option.get("value"))
    if len(values) != len(set(values)):
        yield f"{at}: option values repeat"


def mention_findings(message: dict[str, Any]) -> Iterator[str]:
    """Nothing the bot sends may ping @everyone, @here or a member; a role only where it is named
    explicitly (the daily post's configured role)."""
    if not (message.get("content") or message.get("embeds")):
        return
    allowed = message.get("allowed_mentions")
    if allowed is None:
        yield "no allowed_mentions: whatever the text mentions would ping"
        return
    if parse := allowed.get("parse") or []:
        yield f"allowed_mentions parses {parse}"
    if allowed.get("users"):
        yield f"allowed_mentions pings users {allowed['users']}"


def modal_findings(modal: dict[str, Any]) -> Iterator[str]:
    yield from _too_long(modal.get("custom_id"), CUSTOM_ID_MAX, "custom_id", least=1)
    yield from _too_long(modal.get("title"), MODAL_TITLE_MAX, "title", least=1)
    rows = modal.get("components") or []
    if not 1 <= len(rows) <= MODAL_ROWS_MAX:
        yield f"{len(rows)} rows (allowed 1..{MODAL_ROWS_MAX})"
    custom_ids = []
    for number, row in enumerate(rows):
        at = f"components[{number}]"
        if row.get("type") == LABEL:
            yield from _too_long(row.get("label"), INPUT_LABEL_MAX, f"{at}.label", least=1)
            yield from _too_long(row.get("description"), LABEL_DESCRIPTION_MAX, f"{at}.description")
            inputs = [row.get("component") or {}]
        elif row.get("type") == ACTION_ROW:
            inputs = row.get("components") or []
            if len(inputs) != 1:
                yield f"{at} holds {len(inputs)} text inputs (a modal row holds one)"
        else:
            yield f"{at} has type {row.get('type')} in a modal"
            continue
        for box in inputs:
            yield from text_input_findings(
                box, f"{at}.{box.get('custom_id', '?')}", labelled=row.get("type") == LABEL
            )
            custom_ids.append(box.get("custom_id"))
    if len(custom_ids) != len(set(custom_ids)):
        yield f"custom ids repeat: {custom_ids}"


def text_input_findings(box: dict[str, Any], at: str, *, labelled: bool) -> Iterator[str]:
    if box.get("type") != TEXT_INPUT:
        yield f"{at} is not a text input"
        return
    yield from _too_long(box.get("custom_id"), CUSTOM_ID_MAX, f"{at}.custom_id", least=1)
    if not labelled:  # inside a Label component the box's own label goes
        yield from _too_long(box.get("label"), INPUT_LABEL_MAX, f"{at}.label", least=1)
    yield from _too_long(box.get("placeholder"), INPUT_PLACEHOLDER_MAX, f"{at}.placeholder")
    lowest, highest = box.get("min_length", 0), box.get("max_length", INPUT_LENGTH_MAX)
    if not (0 <= lowest <= highest and 1 <= highest <= INPUT_LENGTH_MAX):
        yield f"{at}: min_length {lowest} and max_length {highest} (0 <= min <= max <= {INPUT_LENGTH_MAX})"
    yield from _too_long(box.get("value"), min(highest, INPUT_LENGTH_MAX), f"{at}.value")


def choice_findings(data: dict[str, Any]) -> Iterator[str]:
    choices = data.get("choices") or []
    if len(choices) > CHOICES_MAX:
        yield f"{len(choices)} choices (most {CHOICES_MAX})"
    for number, choice in enumerate(choices):
        yield from _too_long(choice.get("name"), CHOICE_NAME_MAX, f"choices[{number}].name", least=1)
        if isinstance(choice.get("value"), str):
            yield from _too_long(choice["value"], CHOICE_VALUE_MAX, f"choices[{number}].value", least=1)


def thread_findings(post: dict[str, Any]) -> Iterator[str]:
    yield from _too_long(post.get("name"), THREAD_NAME_MAX, "name", least=1)
    if not isinstance(post.get("message"), dict):  # a forum post is a thread and its first message
        yield "a forum post without a message"
    yield from message_findings(post.get("message") or {})


@dataclass(frozen=True)
class Request:
    """One request as Discord receives it: the JSON body (a multipart request's `payload_json`),
    the query, and the names of the multipart file parts (`files[0]`, …)."""

    method: str
    path: str
    body: Any
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    files: tuple[str, ...] = ()


def request_findings(request: Request) -> list[str]:
    """Everything Discord would refuse in one request: its limits, its shape, the command sync."""
    method, path, body = request.method, request.path, request.body
    found = findings(method, path, body) + shape_findings(method, path, body, request.params)
    if is_sync(method, path):
        found += [f"{method} {path}: {finding}" for finding in sync_findings(body)]
    found += [f"{method} {path}: {finding}" for finding in file_findings(request)]
    return found


_FILE_PART = re.compile(r"^files\[(\d+)\]$")


def file_findings(request: Request) -> Iterator[str]:
    """Every file part is announced by an `attachments` entry with its number, or Discord drops it."""
    if not request.files:
        return
    body = request.body if isinstance(request.body, dict) else {}
    message = body.get("data") if _CALLBACK.match(request.path) else body.get("message", body)
    attachments = (message or {}).get("attachments") or []
    announced = {str(attachment.get("id")) for attachment in attachments}
    for part in request.files:
        number = _FILE_PART.match(part)
        if number is None:
            yield f"file part {part!r} is not named files[n]"
        elif number.group(1) not in announced:
            yield f"file part {part} has no attachments entry"


def record_requests(monkeypatch: Any, env: Any) -> Callable[[], list[Request]]:
    """From now on, note each multipart request's file parts beside simcord's log; the function
    returned reads the whole log back as Requests. simcord parses a form and dispatches it in one
    synchronous step, so the parts noted belong to the next request it logs."""
    router = simcord.http.router
    parse_form, dispatch = router.parse_form, router.dispatch
    pending: list[str] = []
    parts: dict[int, tuple[str, ...]] = {}

    def noting_parse_form(form: list[dict[str, Any]], files: list[Any]) -> Any:
        pending[:] = [str(part.get("name")) for part in form if "filename" in part]
        return parse_form(form, files)

    def noting_dispatch(backend: Any, method: str, path: str, **options: Any) -> Any:
        parts[len(backend.http_requests)] = tuple(pending)
        pending.clear()
        return dispatch(backend, method, path, **options)

    monkeypatch.setattr(router, "parse_form", noting_parse_form)
    monkeypatch.setattr(router, "dispatch", noting_dispatch)

    def requests() -> list[Request]:
        return [
            Request(entry.method, entry.path, entry.json, entry.params or {}, parts.get(number, ()))
            for number, entry in enumerate(env.http_requests)
        ]

    return requests
