"""The local shell: `almanac ask` and `almanac shell`, text and JSON, as a script or a person uses them."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.chronology.reader import DEFAULT_DATA_FILE
from bot.i18n.languages import SHIPPED
from bot.render.help import SHELL_COMMANDS
from bot.runtime import Services
from bot.shell import COMMANDS, ShellContext, ask, name_in
from tests.support import FIXTURE_CHRONOLOGY, ROOT, AddEvent, run_almanac

TODAY = dt.date(2026, 3, 10)
SERVER = 111
EVENT_KEYS = {"id", "date", "display_date", "title", "summary", "old_style_date", "people", "places", "tags"}


@pytest.fixture
def ctx(services: Services) -> ShellContext:
    return ShellContext(services.almanac, services.anniversaries, guild_id=0, fixed_today=TODAY)


async def ask_json(ctx: ShellContext, line: str) -> tuple[dict[str, Any], int]:
    output, status = await ask(ctx, line, as_json=True)
    return json.loads(output), status


async def test_onthisday_as_json(ctx: ShellContext) -> None:
    answer, status = await ask_json(ctx, "/onthisday 16 March")

    assert status == 0
    assert set(answer) == {"command", "events", "related", "message", "error"}
    assert (answer["command"], answer["error"]) == ("onthisday", None)
    assert answer["message"] == "1 event happened on 16 March."
    (kronstadt,) = answer["related"]
    assert (kronstadt["relation"], kronstadt["ongoing_day"], kronstadt["ongoing_of"]) == ("ongoing", 17, 20)
    putilov = answer["events"][0]
    assert set(putilov) >= EVENT_KEYS
    assert putilov["id"] == "putilov-works-assault"
    assert (putilov["date"], putilov["display_date"]) == ("1919-03-16", "16 March 1919")
    assert putilov["title"] == "Cheka storms the Putilov works"
    assert putilov["summary"].startswith("In Petrograd the Cheka attacked the Putilov factory")
    assert (putilov["years_ago"], putilov["round_anniversary"]) == ("107 years ago", False)


async def test_a_quiet_day_keeps_events_for_true_anniversaries_only(ctx: ShellContext) -> None:
    answer, status = await ask_json(ctx, "/onthisday 26 November")

    assert status == 0 and answer["events"] == []
    assert answer["message"].endswith("The next anniversary is 5 December.")
    relations = {(item["title"], item["relation"]) for item in answer["related"]}
    assert ("Cheka founded", "next_anniversary") in relations
    assert ("Second All-Russian Congress of Soviets", "same_month") in relations
    cheka = next(item for item in answer["related"] if item["title"] == "Cheka founded")
    assert (cheka["display_date"], cheka["old_style_date"]) == ("5 December 1917", "22 November 1917 O.S.")


async def test_an_ongoing_event_is_related_not_an_anniversary(
    services: Services, add_event: AddEvent
) -> None:
    await add_event(SERVER, "1919-04-01/1919-05-20", "Spring strike wave in the Urals")
    ctx = ShellContext(services.almanac, services.anniversaries, guild_id=SERVER, fixed_today=TODAY)

    answer, _ = await ask_json(ctx, "/onthisday 20 April")

    assert "Spring strike wave in the Urals" not in [item["title"] for item in answer["events"]]
    (ongoing,) = [item for item in answer["related"] if item["relation"] == "ongoing"]
    assert (ongoing["ongoing_day"], ongoing["ongoing_of"]) == (20, 50)


async def test_today_can_be_fixed_like_calendars_t(services: Services) -> None:
    ctx = ShellContext(services.almanac, services.anniversaries, guild_id=0, fixed_today=dt.date(2044, 3, 16))

    answer, _ = await ask_json(ctx, "/onthisday")
    upcoming, _ = await ask_json(ctx, "/upcoming 4")

    putilov = next(item for item in answer["events"] if item["title"] == "Cheka storms the Putilov works")
    assert (putilov["years_ago"], putilov["round_anniversary"]) == ("125 years ago", True)
    # Kronstadt (28 February – 19 March) is remembered on its last day, not on the days before it
    assert {item["on"] for item in upcoming["events"]} == {"2044-03-16", "2044-03-19"}
    ended = next(item for item in upcoming["events"] if item["id"] == "kronstadt-rebellion")
    assert (ended["on"], ended["years_ago"], ended["boundary"]) == (
        "2044-03-19",
        "ended 123 years ago",
        "ended",
    )


async def test_event_and_its_suggestions_as_json(ctx: ShellContext) -> None:
    found, _ = await ask_json(ctx, '/event "Brest-Litovsk"')
    missing, status = await ask_json(ctx, "/event Petrograd soviet elections")

    assert [item["title"] for item in found["events"]] == ["Treaty of Brest-Litovsk signed with Germany"]
    assert found["events"][0]["display_date"] == "March 1918"
    assert status == 0 and missing["events"] == []
    assert [item["relation"] for item in missing["related"]] == ["suggestion"] * 3


async def test_search_and_timeline_as_json(ctx: ShellContext) -> None:
    search, _ = await ask_json(ctx, "/search tambof")
    timeline, _ = await ask_json(ctx, "/timeline March 1921")

    assert "Tambov" in search["events"][0]["title"]
    assert search["message"].startswith("Search: tambof")
    dates = [item["date"] for item in timeline["events"]]
    assert "1921-02-28/1921-03-19" in dates and "1921-03" in dates


async def test_a_partial_match_says_so_in_text_and_json(ctx: ShellContext) -> None:
    text, _ = await ask(ctx, "/search kronstadt sailors strike", as_json=False)
    found, _ = await ask_json(ctx, "/search kronstadt sailors strike")

    assert any(line.endswith("— Kronstadt rebellion (partial match)") for line in text.splitlines())
    assert "declare solidarity with Petrograd strikers (partial match)" not in text
    partial = {item["title"] for item in found["events"] if item.get("partial")}
    assert "Kronstadt rebellion" in partial and len(partial) < len(found["events"])


@pytest.mark.parametrize("language", SHIPPED)
async def test_every_example_the_shells_help_shows_runs_as_shown(services: Services, language: str) -> None:
    ctx = ShellContext(services.almanac, services.anniversaries, 0, TODAY, language=language)
    help_text, _ = await ask(ctx, f"/{name_in(language, 'help')}", as_json=False)
    examples = [line.strip() for line in help_text.splitlines()[1:-1]]

    assert help_text.splitlines()[-1] == "  help, quit" and len(examples) == len(SHELL_COMMANDS)
    for typed in examples:
        output, status = await ask(ctx, typed, as_json=False)
        assert status == 0 and not output.startswith("error"), (typed, output)


def test_no_two_commands_share_a_name_in_any_language() -> None:
    spellings: dict[str, str] = {}
    for language in SHIPPED:
        for command in [*COMMANDS, "preview"]:
            name = name_in(language, command).lower()
            assert spellings.setdefault(name, command) == command, (language, name)


async def test_an_unknown_command_lists_the_names_of_the_shells_language(services: Services) -> None:
    ctx = ShellContext(services.almanac, services.anniversaries, 0, TODAY, language="pl")
    output, status = await ask(ctx, "/szukajj kronsztadt", as_json=False)

    assert status == 2
    assert output.startswith("error: Nie ma polecenia `/szukajj`") and "/szukaj, " in output


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/onthisday 30 February", "February has 29 days"),
        ("/upcoming 32", "between 1 and 31"),
        ("/upcoming soon", "number of days"),
        ("/search", "empty"),
        ("/timeline 1921 to 1918", "ends before it starts"),
        ("/frobnicate now", "no command `/frobnicate`"),
    ],
)
async def test_errors_set_error_and_a_failing_status(ctx: ShellContext, line: str, expected: str) -> None:
    answer, status = await ask_json(ctx, line)
    text, text_status = await ask(ctx, line, as_json=False)

    assert status == text_status == 2
    assert expected in answer["error"]
    assert (answer["events"], answer["related"], answer["message"]) == ([], [], None)
    assert text == f"error: {answer['error']}"


async def test_text_answers_read_like_the_embeds(ctx: ShellContext) -> None:
    text, status = await ask(ctx, "/onthisday 7 November", as_json=False)

    assert status == 0
    assert text.splitlines() == [
        "On this day: 7 November",
        "1 event happened on 7 November.",
        "  • 7 November 1917 (25 October 1917 O.S.) — Bolshevik seizure of power begins in Petrograd"
        " (109 years ago)",
    ]


def test_the_interactive_shell_answers_typed_lines(tmp_path: Path) -> None:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_PATH": str(tmp_path / "shell.sqlite3"),
        "DATA_FILE": str(FIXTURE_CHRONOLOGY),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "--env-file",
            str(tmp_path / "no.env"),
            "shell",
            "--today",
            "2044-03-16",
        ],
        input="/onthisday 16 March\nhelp\nquit\n",
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Almanac shell: ")
    putilov = "  • 16 March 1919 — Cheka storms the Putilov works (125 years ago · round anniversary)"
    assert putilov in result.stdout
    assert result.stdout.count("/timeline 1918 to 1921") == 2  # the help shown at start and when asked
    assert "Traceback" not in result.stderr


async def test_anniversaries_preview_shows_the_daily_post_for_a_server(services: Services) -> None:
    ctx = ShellContext(services.almanac, services.anniversaries, guild_id=1, fixed_today=TODAY)
    answer, status = await ask_json(ctx, "/anniversaries preview 7 November")
    assert status == 0 and answer["command"] == "anniversaries"
    assert [event["date"] for event in answer["events"]] == ["1917-11-07"]
    assert answer["events"][0]["old_style_date"] == "25 October 1917 O.S."
    refused, status = await ask_json(ctx, "/anniversaries setup")
    assert status != 0 and "preview" in refused["error"]


def test_ask_shows_the_events_in_the_locale_asked_for(tmp_path: Path) -> None:
    """The promise README makes of the bundled chronology's translations, through the real command."""
    russian = run_almanac(
        tmp_path, "ask", "/event Kronstadt rebellion", "--locale", "ru", data_file=DEFAULT_DATA_FILE
    )
    catalan = run_almanac(
        tmp_path, "ask", "/onthisday 28 de febrer", "--locale", "ca", "--json", data_file=DEFAULT_DATA_FILE
    )
    unknown = run_almanac(tmp_path, "ask", "/event Kronstadt", "--locale", "xx", data_file=DEFAULT_DATA_FILE)

    assert russian.returncode == 0 and russian.stdout.startswith("Кронштадтское восстание\n")
    assert "Троцкий" in russian.stdout
    titles = [event["title"] for event in json.loads(catalan.stdout)["events"]]
    assert "Rebel·lió de Kronstadt" in titles
    assert unknown.returncode == 2 and "invalid choice: 'xx'" in unknown.stderr
