"""What the curation service returns: an import's report, an export's file, an event's history."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.curation.formats import Number
from bot.curation.import_plan import RowNote
from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.messages import said, said_n
from bot.model.event import Event
from bot.store import AuditEntry


@dataclass(frozen=True)
class ImportReport:
    rows: int
    added: list[Event] = field(default_factory=list)
    duplicates: list[RowNote] = field(default_factory=list)
    rejected: list[RowNote] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.rejected

    def headline(self, language: str = SOURCE_LANGUAGE) -> str:
        """What the import did, in one or two sentences in `language` (English: the command line)."""
        rows = said_n("{number} row", "{number} rows", self.rows, number=Number(self.rows))
        if self.rejected:
            count = len(self.rejected)
            return said_n(
                "Nothing was imported: {number} of {rows} has a problem. "
                "Fix them and send the whole file again.",
                "Nothing was imported: {number} of {rows} have problems. "
                "Fix them and send the whole file again.",
                count,
                number=Number(count),
                rows=rows,
            ).in_language(language)
        added = len(self.added)
        text = said_n(
            "Imported {number} event from {rows}.",
            "Imported {number} events from {rows}.",
            added,
            number=Number(added),
            rows=rows,
        ).in_language(language)
        if self.duplicates:
            count = len(self.duplicates)
            skipped = said_n(
                "{number} duplicate skipped, not doubled.",
                "{number} duplicates skipped, not doubled.",
                count,
                number=Number(count),
            )
            text += " " + skipped.in_language(language)
        return text

    def lines(self, language: str = SOURCE_LANGUAGE) -> list[str]:
        """Every rejected and duplicate row, for the command line and the attached report."""
        rejected = [
            said("line {line}: rejected: {reason}", line=n.line, reason=n.reason) for n in self.rejected
        ]
        duplicates = [
            said("line {line}: duplicate: {reason}", line=n.line, reason=n.reason) for n in self.duplicates
        ]
        return [line.in_language(language) for line in rejected + duplicates]


@dataclass(frozen=True)
class ExportFile:
    filename: str
    data: bytes
    count: int
    left_out: int = 0  # events a calendar file cannot hold: dated to a month or a year only


@dataclass(frozen=True)
class History:
    event: Event | None  # None: the whole server's log
    entries: list[AuditEntry]
