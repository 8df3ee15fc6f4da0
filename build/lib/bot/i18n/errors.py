"""The one exception type whose message is shown to users as it is."""

from __future__ import annotations

from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.messages import Text, shown


class UserError(Exception):
    """Bad input or a refused action: the message is one short sentence saying what to do instead.

    Raised with a catalog message (`said(…)`), it is shown in the reader's language; `str()` is
    the English, for the command line and logs."""

    def __init__(self, message: str | Text) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return shown(self.message, SOURCE_LANGUAGE)

    def in_language(self, language: str) -> str:
        return shown(self.message, language)
