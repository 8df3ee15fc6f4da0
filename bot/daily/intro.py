"""The daily post's intro line: a moderator's sentence above the post, with `{date}`, `{count}` and
`{anniversaries}` filled in each day ("Good morning! {anniversaries} today, {date}.").

Checked once, when it is saved, so that filling it in can never fail on the day: at most
INTRO_MAX characters on one line, something visible, and no placeholder but the two. It is shown
through `user_text`, so it can neither ping nor carry markdown or links.
"""

from __future__ import annotations

import string

from bot.i18n.errors import UserError
from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.messages import said, said_n
from bot.i18n.text import quoted, visible

INTRO_MAX = 200
PLACEHOLDERS = ("date", "count", "anniversaries")
_EXAMPLE = "`Good morning! {anniversaries} today, {date}.`"


def check_intro(text: str | None) -> str | None:
    """The line as it will be stored (None for no line), or a UserError saying what to change."""
    if text is None or not text.strip():
        return None
    line = " ".join(text.split())  # one line: a post's intro is a sentence, not a layout
    if len(line) > INTRO_MAX:
        raise UserError(
            said(
                "The intro line can be at most {most} characters; this one has {length}.",
                most=INTRO_MAX,
                length=len(line),
            )
        )
    if not visible(line):
        raise UserError(said("The intro line has no visible characters; write words, or leave it out."))
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(line)]
    except ValueError:
        raise UserError(
            said(
                "The intro line has a brace that opens or closes nothing; for example {example}",
                example=_EXAMPLE,
            )
        ) from None
    for name, spec, conversion in fields:
        if name is not None and (name not in PLACEHOLDERS or spec or conversion):
            raise UserError(
                said(
                    "The intro line can fill in only {fields}, not `{name}`; for example {example}",
                    fields="`{date}`, `{count}`, `{anniversaries}`",
                    name=quoted(
                        "{"
                        + name
                        + (f"!{conversion}" if conversion else "")
                        + (f":{spec}" if spec else "")
                        + "}",
                        30,
                    ),
                    example=_EXAMPLE,
                )
            )
    return line


def filled_intro(intro: str, day: str, count: int, language: str = SOURCE_LANGUAGE) -> str:
    """The stored line with the day and the count of anniversaries put in (checked when saved):
    `{count}` the number alone, `{anniversaries}` the number with its noun in the post's language
    and that number's plural form (`1 anniversary`, `3 годовщины`, `5 годовщин`)."""
    anniversaries = said_n("{count} anniversary", "{count} anniversaries", count).in_language(language)
    return intro.format(date=day, count=count, anniversaries=anniversaries)
