"""`almanac import` and `almanac export`: the same files, rules and all-or-nothing as /events."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import icalendar
import pytest

from bot.__main__ import main
from bot.chronology.reader import load_chronology
from bot.model.event import EventFields
from tests.support import FIXTURE_CHRONOLOGY, ROOT

EXAMPLES = ROOT / "data" / "examples"
GUILD = "123456789012345678"


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """`run("import", ...)` -> (exit status, stdout, stderr), against a temp database."""
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    monkeypatch.setenv("DATA_FILE", str(FIXTURE_CHRONOLOGY))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        status = main(["--env-file", str(tmp_path / "no.env"), *args])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


def test_import_adds_the_example_file_and_a_second_run_doubles_nothing(run: Run) -> None:
    status, out, err = run("import", str(EXAMPLES / "events.csv"), "--guild", GUILD)
    again, out_again, _ = run("import", str(EXAMPLES / "events.json"), "--guild", GUILD)

    assert status == 0 and out.splitlines() == ["Imported 4 events from 4 rows."]
    assert "within two seconds" in err
    assert again == 0
    assert out_again.splitlines() == [
        "Imported 0 events from 4 rows. 4 duplicates skipped, not doubled.",
        "  line 5: duplicate: same id as “Paris Commune begins”",
        "  line 15: duplicate: same id as “Haymarket affair”",
        "  line 24: duplicate: same date and title as “Tragic Week in Barcelona”",
        "  line 33: duplicate: same id as “Seattle General Strike”",
    ]


def test_one_bad_row_fails_the_whole_import_and_is_named(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("date,title\n1921,Fine\n1921-13,Thirteenth month\n1922,Also fine\n", encoding="utf-8")

    status, out, _ = run("import", str(bad), "--guild", GUILD)
    exported, _, err = run("export", "--guild", GUILD)

    assert status == 1
    assert (
        out.splitlines()[0]
        == "Nothing was imported: 1 of 3 rows has a problem. Fix them and send the whole file again."
    )
    assert out.splitlines()[1].startswith("  line 3: rejected: date:")
    assert exported == 1 and "no events of its own yet" in err


def test_export_writes_each_format_to_a_file_and_json_round_trips(run: Run, tmp_path: Path) -> None:
    run("import", str(EXAMPLES / "events.json"), "--guild", GUILD)
    for kind in ("json", "csv", "timelinejs"):
        status, _, err = run("export", "--guild", GUILD, "--format", kind, "--output", str(tmp_path / kind))
        assert status == 0 and err.strip() == f"{tmp_path / kind}: 4 events as {kind}"

    status, out, _ = run("import", str(tmp_path / "json"), "--guild", "42")
    run("export", "--guild", "42", "--output", str(tmp_path / "copy.json"))

    assert status == 0 and out.startswith("Imported 4 events")
    assert json.loads((tmp_path / "copy.json").read_text()) == json.loads((tmp_path / "json").read_text())
    assert (tmp_path / "csv").read_text().startswith("id,date,title,summary,people,places,tags,aliases,")
    assert len(json.loads((tmp_path / "timelinejs").read_text())["events"]) == 4
    status, _, _ = run("export", "--guild", GUILD, "--with-bundled", "--output", str(tmp_path / "all.json"))
    bundled = len(load_chronology(FIXTURE_CHRONOLOGY).events)
    assert len(json.loads((tmp_path / "all.json").read_text())["events"]) == 4 + bundled


def test_export_as_a_calendar_with_the_bundled_events_says_what_it_left_out(run: Run, tmp_path: Path) -> None:
    run("import", str(EXAMPLES / "events.json"), "--guild", GUILD)
    target = tmp_path / "calendar.ics"
    status, _, err = run(
        "export", "--guild", GUILD, "--format", "ics", "--with-bundled", "--output", str(target)
    )

    run("export", "--guild", GUILD, "--with-bundled", "--output", str(tmp_path / "all.json"))
    everything = [
        EventFields.from_mapping(raw) for raw in json.loads((tmp_path / "all.json").read_text())["events"]
    ]
    day_precise = [fields for fields in everything if fields.date.is_day_precise()]
    left_out = len(everything) - len(day_precise)
    assert status == 0 and f"{left_out} events left out: their dates are months or years" in err
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    titles = {
        str(entry["summary"]).rsplit(" (", 1)[0].split(": began")[0].split(": ended")[0]
        for entry in calendar.walk("VEVENT")
    }
    assert titles == {fields.title for fields in day_precise}
    assert all(
        str(entry["rrule"].to_ical().decode()).startswith("FREQ=YEARLY") for entry in calendar.walk("VEVENT")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import", "missing.csv", "--guild", GUILD), "cannot read missing.csv"),
        (("import", "{examples}/events.csv", "--guild", "0"), "--guild must be a server's id"),
        (("export", "--guild", "-5"), "--guild must be a server's id"),
    ],
)
def test_bad_arguments_are_refused_with_the_reason(run: Run, args: tuple[str, ...], message: str) -> None:
    status, _, err = run(*(arg.format(examples=EXAMPLES) for arg in args))

    assert status != 0 and message in err


def test_the_installed_command_exports_to_standard_output(tmp_path: Path) -> None:
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATA_FILE": str(FIXTURE_CHRONOLOGY),
        "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
    }
    almanac = [str(Path(sys.executable).parent / "almanac"), "--env-file", str(tmp_path / "no.env")]

    def call(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [*almanac, *args], env=environ, cwd=tmp_path, capture_output=True, timeout=60, check=False
        )

    imported = call("import", str(EXAMPLES / "events.csv"), "--guild", GUILD)
    exported = call("export", "--guild", GUILD, "--format", "csv")

    assert imported.returncode == 0, imported.stderr
    assert exported.returncode == 0 and exported.stdout.decode().count("\r\n") == 5


# A title that would set the terminal's title, write the clipboard (OSC 52), open a link and ring
# the bell; a summary that would return to the line's start, erase it and reverse what follows.
TERMINAL_TRAPS = {
    "title": "Trap \x1b]0;owned\x07 \x1b]52;c;cm0gLXJmIH4=\x07 \x1b]8;;https://e.com\x1b\\link\x1b]8;;\x1b\\",
    "summary": "Looks fine\r\x08\x08\x1b[2K\u202egnirts\u202c \x9b31m end",
}


def test_what_a_curator_stored_reaches_a_terminal_shown_never_obeyed(run: Run, tmp_path: Path) -> None:
    file = tmp_path / "traps.json"
    file.write_text(json.dumps([{"date": "1921-03-16", "id": "trap"} | TERMINAL_TRAPS]), encoding="utf-8")
    status, imported, _ = run("import", str(file), "--guild", GUILD)
    assert status == 0

    asked = [run("ask", "--guild", GUILD, line)[1] for line in ("/onthisday 16 March", "/event Trap owned")]
    as_json = run("ask", "--guild", GUILD, "--json", "/event Trap owned")[1]
    for out in (imported, *asked, as_json):
        assert not any(char in out for char in "\x1b\x07\x08\r\x9b\u202e\u202c"), repr(out)
    assert "\\u001b]0;owned\\u0007" in asked[1]  # shown, escaped, for the reader to see
    assert json.loads(as_json)["events"][0]["title"] == TERMINAL_TRAPS["title"]  # the same text still
