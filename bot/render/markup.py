"""User-written text -> Discord markdown that shows exactly that text and nothing else.

Every reply, error and daily post that shows stored or typed text passes it through `user_text`
(or, for a sentence of ours quoting such text, `user_message`, which hands everything outside its
code spans to `user_text`). discord.py's `escape_markdown` is not enough: it escapes the first of
two masked links only (`[a](https://ok)[Official source](https://evil)` keeps the second live)
and its `escape_mentions` lets `<@123>` through. What comes out here:

* no markdown: backslash, `*`, `_`, `~`, `|`, backtick, `[`, `]`, `<` and `>` are escaped with
  a backslash everywhere, and a heading or list marker at the start of a line too; with no
  unescaped `[` left, no masked link can form;
* no mention: `@everyone`, `@here` and `@123…` get a zero-width space after the `@`, and `<` is
  escaped, so neither `<@123>` nor `<@&1>`, `<#1>` or `<t:1>` are parsed;
* no preview: a URL is wrapped in `<…>` (still a visible, clickable link, but Discord shows no
  embed for it) unless `source=True`, the one field meant to be a link;
* no layout: line breaks become spaces (so text after `> ` stays in its quote block) unless
  `lines=True`, where each line is escaped on its own;
* no bidi spill: every left-open embedding, override or isolate (U+202A–U+202E, U+2066–U+2069)
  is closed at the end of its line, so a right-to-left override cannot reverse what follows it.

No discord import: it is plain string work (the shell's plain text needs none of it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.i18n.text import clip

ZWSP = "\u200b"
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE, RLE, LRO, RLO: closed by PDF
_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI: closed by PDI
PDF, PDI = "\u202c", "\u2069"
_INVISIBLE = "\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
# a URL runs to whitespace, an angle or square bracket, a backtick or an invisible character
# (a bidi control inside one would let it display as another address)
_URL = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*://[^\s<>\[\]`{_INVISIBLE}]+")
_URL_TAIL = ".,:;!?'\""  # sentence punctuation after a URL is not part of it, as Discord reads it
_WEB = re.compile(r"https?://", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_SPECIAL = re.compile(r"[\\*_~|`\[\]<>]")
# a heading, `-#` subtext or list item; `1.` is escaped as `1\.`, as `\1` would show its backslash
# (Discord escapes punctuation only)
_LINE_START = re.compile(r"^(\s*\d*)([#+\-]|(?<=\d)\.)")
_PING = re.compile(r"@(?=everyone|here|[!&]?\d)")
_CODE_SPAN = re.compile(r"(`+)([\s\S]*?[^`])\1(?!`)")  # Discord's own inline-code rule


def user_text(text: str, limit: int | None = None, *, lines: bool = False, source: bool = False) -> str:
    """`text` as Discord should show it, at most `limit` characters long."""
    return _fit(lambda part: _render(part, lines=lines, source=source), text, limit)


def user_message(message: str, limit: int | None = None) -> str:
    """A sentence of ours that quotes user text, such as a UserError's: its code spans stay code
    (markdown is inert inside them; only mentions and bidi controls are defused there), and all
    the rest, titles quoted in “…” included, goes through `user_text`. Spans are found as Discord
    finds them, so a backtick inside a quoted title cannot open a hole for a link."""
    return _fit(_render_message, message, limit)


def _fit(render: Callable[[str], str], text: str, limit: int | None) -> str:
    """`render(text)`, or when that is over `limit`, the rendering of `text` clipped until it fits:
    clipped before escaping, never after, which could split `\\[` or leave a `<` without its `>`."""
    shown = render(text)
    if limit is None or len(shown) <= limit:
        return shown
    budget = min(limit, len(text))
    while budget > 1:
        shown = render(clip(text, budget))
        if len(shown) <= limit:
            return shown
        budget -= len(shown) - limit
    return "…"[:limit]


def _render_message(message: str) -> str:
    parts: list[str] = []
    end = 0
    for span in _CODE_SPAN.finditer(message):
        parts.append(_render(message[end : span.start()], lines=True, source=False))
        fence, inside = span.group(1), span.group(2)
        parts.append(fence + _close_bidi(_PING.sub("@" + ZWSP, inside)) + fence)
        end = span.end()
    parts.append(_render(message[end:], lines=True, source=False))
    return "".join(parts)


def _render(text: str, *, lines: bool, source: bool) -> str:
    if not lines:
        return _line(re.sub(r"\s+", " ", text), source)
    return "\n".join(_line(line, source) for line in _LINE_BREAK.sub("\n", text).split("\n"))


def _line(line: str, source: bool) -> str:
    shown: list[str] = []
    end = 0
    while match := _URL.search(line, end):
        url = _trim_url(match.group())
        after = match.start() + len(url)
        shown.append(_escape(line[end : match.start()], at_start=end == 0))
        # bare only where Discord's own autolink would end it too (and so show its target)
        bare = source and _WEB.match(url) and (after == len(line) or line[after].isspace())
        url = _PING.sub("@" + ZWSP, url)  # `https://x/@everyone` must not read as a mention either
        shown.append(url if bare else f"<{url}>")
        end = after
    shown.append(_escape(line[end:], at_start=end == 0))
    return _close_bidi("".join(shown))


def _trim_url(url: str) -> str:
    """The URL as Discord would link it: without trailing punctuation, and ending before a `)` it
    did not open (`[a](https://ok)` holds the URL `https://ok`)."""
    depth = 0
    for index, char in enumerate(url):
        depth += (char == "(") - (char == ")")
        if depth < 0:
            url = url[:index]
            break
    return url.rstrip(_URL_TAIL)


def _escape(part: str, *, at_start: bool) -> str:
    part = _SPECIAL.sub(r"\\\g<0>", part)
    if at_start:
        part = _LINE_START.sub(r"\1\\\2", part, count=1)
    return _PING.sub("@" + ZWSP, part)


def _close_bidi(text: str) -> str:
    """`text` with a PDF or PDI appended for each embedding or isolate it leaves open, innermost
    first, as the Unicode bidi algorithm pairs them (a PDI also closes embeddings inside it)."""
    open_: list[str] = []
    for char in text:
        if char in _EMBEDDINGS:
            open_.append(PDF)
        elif char in _ISOLATES:
            open_.append(PDI)
        elif char == PDF and open_ and open_[-1] == PDF:
            open_.pop()
        elif char == PDI and PDI in open_:
            while open_.pop() != PDI:
                pass
    return text + "".join(reversed(open_))
