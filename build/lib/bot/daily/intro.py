"""The daily post's intro line: a moderator's sentence above the post, with `{date}` and `{count}`
filled in each day ("Good morning! {count} anniversaries today, {date}.").

Checked once, when it is saved, so that filling it in can never fail on the day: at most
INTRO_MAX characters on one line, something visible, and no placeholder but the two. It is shown
through `user_text`, so it can neither ping nor carry markdown or links.
"""

from __future__ import annotations

import string

from bot.i18n.errors import UserError
from bot.i18n.messages import said
from bot.i18n.text import quoted, visible

INTRO_MAX = 200
PLACEHOLDERS = ("date", "count")
_EXAMPLE = "`Good morning! {count} anniversaries today, {date}.`"


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
                    "The intro line can fill in only {date_field} and {count_field}, not `{name}`; for"
                    " example {example}",
                    # not `count=`: that name is said_n's, for plurals
                    date_field="`{date}`",
                    count_field="`{count}`",
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


def filled_intro(intro: str, day: str, count: int) -> str:
    """The stored line with the day and the count of anniversaries put in (checked when saved)."""
    return intro.format(date=day, count=count)
