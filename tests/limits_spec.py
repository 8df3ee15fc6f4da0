"""Every request's shape, checked against Discord's own OpenAPI description of its API.

`tests/fixtures/discord-openapi.json` is a pinned copy of discord/discord-api-spec's
`specs/openapi.json` (tests/fixtures/README.md says which commit). Each request simcord logged is
matched to the spec's operation by method and route; its body is validated with `jsonschema`
against that operation's request body, its query against the operation's query parameters, and
a route the spec gives no request body must carry none.

The spec leaves objects open (no `additionalProperties`); here every object that lists its
properties is closed, so a misspelt or invented field is found rather than silently dropped by
Discord. A union (`anyOf`/`oneOf`) is judged by its closest branch, so a finding names the field
that is wrong ("nonce: … is too long") rather than "not valid under any of the given schemas".

`ALLOWED` names, each with its reason, the few shapes discord.py itself sends that the spec lags
behind on; anything else the spec refuses is a finding.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker, ValidationError  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parent / "fixtures" / "discord-openapi.json"
_URI = "urn:discord-api-spec"


@dataclass(frozen=True)
class Allowance:
    """A shape the spec refuses that Discord takes, as discord.py itself sends it."""

    operation: str  # a pattern for `METHOD /route/{template}`
    where: str  # a pattern for the refused value's JSON path (`$.…`), or `?name` for a query
    excuses: Callable[[Any], bool]  # given the refused value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_SYNC = r"^PUT /applications/\{application_id\}(/guilds/\{guild_id\})?/commands$"
_FORUM_POST = r"^POST /channels/\{channel_id\}/threads$"
ALLOWED = (
    # discord.py sends role ids as JSON integers; the spec types every snowflake as a string
    Allowance(".", r"\.allowed_mentions\.roles\[\d+\]$", _is_int),
    # discord.py names a new file's attachment by its part number (0, 1, …), an integer
    Allowance(".", r"\.attachments\[\d+\]\.id$", _is_int),
    # GUILD_MEDIA (16), a channel type Discord documents, is missing from the spec's ChannelTypes
    Allowance(_SYNC, r"\.channel_types\[\d+\]$", lambda value: value == 16),
    # discord.py asks for a forum post's message nested under `message`; the spec lacks the query
    Allowance(_FORUM_POST, r"^\?use_nested_fields$", lambda value: str(value) in ("1", "true")),
    # discord.py names a forum post a public thread (11); the spec's forum post has no `type`
    Allowance(_FORUM_POST, r"^\$\.type$", lambda value: value == 11),
    # discord.py sends every command's age restriction, `nsfw`, which the spec omits
    Allowance(_SYNC, r"^\$\[\d+\]\.nsfw$", lambda value: isinstance(value, bool)),
    # discord.py sends an embed's `flags` (none set); the spec's RichEmbed has no flags
    Allowance(".", r"\.embeds\[\d+\]\.flags$", lambda value: _is_int(value) and value == 0),
    # discord.py sends `tts: false` with every message it builds, edits and forum posts included,
    # where the spec's edit and forum message shapes have no tts
    Allowance(".", r"^\$(\.data|\.message)?\.tts$", lambda value: value is False),
)


@functools.cache
def spec() -> dict[str, Any]:
    """The pinned spec, with every object that lists its properties closed to any others."""
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    closed = copy.deepcopy(loaded)
    _close(closed)
    return closed


def _close(node: Any) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict) and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close(value)
    elif isinstance(node, list):
        for value in node:
            _close(value)


@functools.cache
def discord_locales() -> frozenset[str]:
    """The locales Discord takes in `*_localizations`, as the spec lists them."""
    values = spec()["components"]["schemas"]["AvailableLocalesEnum"]["oneOf"]
    return frozenset(value["const"] for value in values)


@functools.cache
def _registry() -> Registry[Any]:
    resource: Resource[Any] = Resource.from_contents(spec(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(_URI, resource)
    return registry


_FORMATS = FormatChecker(formats=())
_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")


def _date_time(value: object) -> bool:
    """RFC 3339, as the spec's `format: date-time` means: a date, a time and an offset."""
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


def _uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme)


_FORMATS.checks("date-time")(_date_time)
_FORMATS.checks("uri")(_uri)


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pointer: str  # where in the spec the operation is

    @property
    def node(self) -> dict[str, Any]:
        found: dict[str, Any] = spec()["paths"][self.template][self.method.lower()]
        return found


@functools.cache
def _templates() -> list[tuple[str, list[str]]]:
    return [(template, template.strip("/").split("/")) for template in spec()["paths"]]


def operation(method: str, path: str) -> Operation | None:
    """The spec's operation for a request, the most literal route winning (`/messages/pins`
    over `/messages/{message_id}`), as Discord's router matches."""
    segments = path.split("?", 1)[0].strip("/").split("/")
    best: tuple[int, str] | None = None
    for template, parts in _templates():
        if len(parts) != len(segments) or method.lower() not in spec()["paths"][template]:
            continue
        literal = 0
        for part, segment in zip(parts, segments, strict=True):
            if part.startswith("{") and part.endswith("}"):
                continue
            if part != segment:
                break
            literal += 1
        else:
            if best is None or literal > best[0]:
                best = (literal, template)
    if best is None:
        return None
    escaped = best[1].replace("~", "~0").replace("/", "~1")
    return Operation(method, best[1], f"/paths/{escaped}/{method.lower()}")


def shape_findings(method: str, path: str, body: Any, params: Mapping[str, Any] | None = None) -> list[str]:
    """What in one request Discord's spec refuses, as short sentences naming where."""
    found = operation(method, path)
    if found is None:
        return [f"{method} {path}: no such operation in Discord's API"]
    where = f"{method} {found.template}"
    problems = list(_query_findings(found, params or {}, where))
    request_body = found.node.get("requestBody")
    if request_body is None:
        if body is not None:
            problems.append("carries a body, and the operation takes none")
    elif body is None:
        if request_body.get("required"):
            problems.append("carries no body, and the operation needs one")
    else:
        media = "application/json" if "application/json" in request_body["content"] else None
        media = media or next(iter(request_body["content"]))
        escaped = media.replace("~", "~0").replace("/", "~1")
        pointer = f"{found.pointer}/requestBody/content/{escaped}/schema"
        problems += list(schema_findings(pointer, body, where))
    return [f"{where}: {problem}" for problem in problems]


def _query_findings(found: Operation, params: Mapping[str, Any], op: str) -> Iterator[str]:
    path_node = spec()["paths"][found.template]
    declared = {
        parameter["name"]: parameter
        for parameter in [*path_node.get("parameters", []), *found.node.get("parameters", [])]
        if parameter.get("in") == "query"
    }
    for name, value in params.items():
        if name not in declared:
            if not _allowed(op, f"?{name}", value):
                yield f"query ?{name}={value!r} is not a parameter of this operation"
            continue
        schema = declared[name].get("schema", {})
        for error in _validator(schema).iter_errors(_from_query(value, schema)):
            for leaf in _leaves(error, op):
                yield f"query ?{name}: {leaf.message}"[:300]


def _from_query(value: Any, schema: Mapping[str, Any]) -> Any:
    """A query string carries text; read it as the type the parameter declares. Discord reads a
    boolean from `True`, `true` or `1` and `False`, `false` or `0`."""
    kinds = schema.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    text = str(value)
    if "boolean" in kinds and text in ("True", "true", "1", "False", "false", "0"):
        return text in ("True", "true", "1")
    if "integer" in kinds and re.fullmatch(r"-?\d+", text):
        return int(text)
    return text if "string" in kinds else value


@functools.cache
def _pointer_validator(pointer: str) -> Draft202012Validator:
    return _validator({"$ref": f"{_URI}#{pointer}"})


def _validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, registry=_registry(), format_checker=_FORMATS)


def schema_findings(pointer: str, instance: Any, op: str = "") -> Iterator[str]:
    """What of `instance` the schema at `pointer` (a JSON pointer into the spec) refuses, but for
    what ALLOWED excuses on the operation `op` (`POST /channels/{channel_id}/messages`)."""
    for error in _pointer_validator(pointer).iter_errors(instance):
        for leaf in _leaves(error, op):
            yield f"{leaf.where}: {leaf.message}"[:300]


@dataclass(frozen=True)
class Refusal:
    where: str  # a JSON path, `$.data.embeds[0].timestamp`
    message: str
    wrong_kind: bool  # the value is not even the kind of thing asked for (a type, a discriminator)


def _leaves(error: ValidationError, op: str) -> Iterator[Refusal]:
    """The refusals that count: an allowed shape is none, an unknown property is one apiece, and
    a failed union stands for the refusals of its closest branch: one of the kind asked for
    (not a type or `type` discriminator mismatch), then the one with the fewest."""
    where = error.json_path
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        for key in error.instance:
            if key not in known and not _allowed(op, f"{where}.{key}", error.instance[key]):
                yield Refusal(f"{where}.{key}", "unknown property", False)
        return
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        if not _allowed(op, where, error.instance):
            discriminator = error.validator in ("enum", "const") and where.endswith(".type")
            yield Refusal(where, error.message, error.validator == "type" or discriminator)
        return
    branches: dict[Any, list[Refusal]] = {index: [] for index in range(len(error.validator_value))}
    for sub in error.context:
        branches[sub.relative_schema_path[0]] += list(_leaves(sub, op))
    if any(not refusals for refusals in branches.values()):
        return  # a branch passes but for what ALLOWED excuses
    yield from min(branches.values(), key=lambda refusals: (_off_kind(refusals, where), len(refusals)))


def _off_kind(refusals: list[Refusal], where: str) -> bool:
    return any(r.wrong_kind and r.where in (where, f"{where}.type") for r in refusals)


def _allowed(op: str, where: str, value: Any) -> bool:
    return any(
        re.search(allowance.operation, op) and re.search(allowance.where, where) and allowance.excuses(value)
        for allowance in ALLOWED
    )
