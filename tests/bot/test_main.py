"""The `almanac` command, run as a user runs it: a separate process (bot/__main__.py)."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.chronology.reader import DEFAULT_DATA_FILE, load_chronology
from tests.support import ALMANAC, BAD_CHRONOLOGY, FIXTURE_CHRONOLOGY, ROOT, highest_migration, run_almanac


def test_data_validate_accepts_the_bundled_file(tmp_path: Path) -> None:
    result = run_almanac(tmp_path, "data", "validate", data_file=DEFAULT_DATA_FILE)
    assert result.returncode == 0, result.stderr
    assert f"{len(load_chronology(DEFAULT_DATA_FILE).events)} events, all valid" in result.stdout


def test_data_validate_names_each_problem_in_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_CHRONOLOGY, encoding="utf-8")
    result = run_almanac(tmp_path, "data", "validate", str(bad))
    assert result.returncode != 0
    assert "5 problem(s)" in result.stderr
    for where in ("(bad-date): date:", "(good): id:", "(long-title): title:", "(no-title): title:"):
        assert where in result.stderr


def test_db_migrate_and_check_print_one_line(tmp_path: Path) -> None:
    lines = []
    for command in ("migrate", "check"):
        result = run_almanac(tmp_path, "db", command)
        assert result.returncode == 0, result.stderr
        lines += result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(f"schema version {highest_migration()}")
    assert "integrity ok" in lines[1]
    assert (tmp_path / "var" / "almanac.sqlite3").is_file()


def test_ask_on_this_day_as_json(tmp_path: Path) -> None:
    result = run_almanac(tmp_path, "ask", "/onthisday 16 March", "--json", "--today", "2026-11-26")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["error"] is None
    putilov = next(event for event in answer["events"] if event["id"] == "putilov-works-assault")
    assert (putilov["title"], putilov["years_ago"]) == ("Cheka storms the Putilov works", "107 years ago")


def test_a_date_question_from_the_command_line_loads_no_search_index(tmp_path: Path) -> None:
    """A one-shot `ask` pays for what its command needs: a day needs neither the search index
    nor numpy, whose import alone is most of a quick command's start."""
    script = (
        "import sys\n"
        "from bot.__main__ import main\n"
        "code = main(['--env-file', 'no.env', 'ask', '/onthisday 16 March'])\n"
        "loaded = ('numpy', 'bot.search.index', 'bot.postings.segments')\n"
        "print(sorted(name for name in loaded if name in sys.modules))\n"
        "sys.exit(code)\n"
    )
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_PATH": str(tmp_path / "var" / "almanac.sqlite3"),
        "DATA_FILE": str(FIXTURE_CHRONOLOGY),
    }
    result = subprocess.run(
        [str(ALMANAC.parent / "python"), "-c", script],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Cheka storms the Putilov works" in result.stdout
    assert result.stdout.rstrip().endswith("[]")  # none of them imported
    searched = run_almanac(tmp_path, "ask", "/search kronstat")
    assert searched.returncode == 0 and "Kronstadt rebellion" in searched.stdout  # made when asked


def test_ask_an_impossible_day_is_a_json_error(tmp_path: Path) -> None:
    result = run_almanac(tmp_path, "ask", "/onthisday 30 February", "--json")
    assert result.returncode != 0
    answer = json.loads(result.stdout)
    assert "30 February" in answer["error"] and answer["events"] == []


@pytest.mark.parametrize("command", [("db", "check"), ("data", "validate")])
def test_a_bad_setting_stops_any_command_with_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    result = run_almanac(tmp_path, *command, DEV_GUILD_ID="my-server")
    assert result.returncode != 0
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert "DEV_GUILD_ID" in line
    assert not (tmp_path / "var").exists()


def test_version_is_the_one_pyproject_gives(tmp_path: Path) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    result = run_almanac(tmp_path, "--version")
    assert result.returncode == 0 and result.stdout.strip() == f"almanac {pyproject['project']['version']}"


def test_almanac_alone_prints_its_help(tmp_path: Path) -> None:
    result = run_almanac(tmp_path)

    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("usage: almanac") and "shell" in result.stdout and "ask" in result.stdout


def test_output_to_a_full_device_ends_with_one_line(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [str(ALMANAC), "--env-file", str(tmp_path / "no.env"), "ask", "/timeline 1900 to 2000"],
            cwd=tmp_path,
            env={
                "PATH": os.environ.get("PATH", ""),
                "HOME": str(tmp_path),
                "DATA_FILE": str(FIXTURE_CHRONOLOGY),
            },
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )

    assert result.returncode == 1
    assert result.stderr == "almanac: cannot write the output: No space left on device\n"


def test_output_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    command = [str(ALMANAC), "--env-file", str(tmp_path / "no.env"), "ask", "/timeline 1900 to 2000"]
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATA_FILE": str(FIXTURE_CHRONOLOGY),
    }
    almanac = subprocess.Popen(
        command, cwd=tmp_path, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert almanac.stdout is not None and almanac.stderr is not None
    first = almanac.stdout.readline()  # `| head -1`: one line read, then the pipe is closed
    almanac.stdout.close()
    errors = almanac.stderr.read()
    almanac.wait(timeout=60)

    assert first.startswith(b"Timeline: 1900 to 2000")
    assert errors == b"" and almanac.returncode in (0, 1)


def test_ask_draws_a_timeline_picture_to_a_file(tmp_path: Path) -> None:
    from PIL import Image

    picture = tmp_path / "timeline.png"
    result = run_almanac(tmp_path, "ask", "/timeline 1918 to 1921", "--png", str(picture), "--theme", "dark")
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(f"picture: {picture} (") and "events" in last
    with Image.open(picture) as image:
        assert image.format == "PNG" and image.width == 1200
        assert image.convert("RGB").getpixel((2, 2)) == (0x1A, 0x1B, 0x1E)
    again = tmp_path / "again.png"
    run_almanac(tmp_path, "ask", "/timeline 1918 to 1921", "--png", str(again), "--theme", "dark")
    assert again.read_bytes() == picture.read_bytes()


def test_ask_picture_of_an_event_in_json_says_where_it_went(tmp_path: Path) -> None:
    picture = tmp_path / "kronstadt.png"
    result = run_almanac(tmp_path, "ask", "/event Kronstadt rebellion", "--png", str(picture), "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["events"][0]["title"] == "Kronstadt rebellion"
    assert answer["picture"].startswith(f"picture: {picture} (")
    assert picture.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("line", "where", "status", "said"),
    [
        ("/search makhno", "p.png", 2, "error: Only `/timeline` and `/event` draw a picture"),
        ("/timeline 1950", "p.png", 1, "no picture: there are no events to draw"),
        ("/event zzqqxxv", "p.png", 1, "no picture: no one event was found to draw"),
        ("/timeline 1921", "missing/p.png", 1, "no picture: cannot write"),
    ],
)
def test_ask_without_a_picture_to_draw_or_a_place_to_put_it_says_so(
    tmp_path: Path, line: str, where: str, status: int, said: str
) -> None:
    result = run_almanac(tmp_path, "ask", line, "--png", str(tmp_path / where))
    assert result.returncode == status
    assert said in result.stdout and "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / where).exists()


def test_the_command_line_runs_on_postgresql_when_database_url_names_a_server(
    tmp_path: Path, postgres_server: Any
) -> None:
    import uuid

    schema = f"cli_{uuid.uuid4().hex[:12]}"
    postgres_server.psql(f"CREATE SCHEMA {schema};")
    url = f"{postgres_server.get_uri()}&search_path={schema}"
    migrated = run_almanac(tmp_path, "db", "migrate", DATABASE_URL=url)
    assert migrated.returncode == 0, migrated.stderr
    assert f"schema version {highest_migration()}" in migrated.stdout
    asked = run_almanac(tmp_path, "ask", "/search kronstat", "--json", DATABASE_URL=url)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["events"][0]["title"].startswith("Kronstadt")
    assert not (tmp_path / "var").exists()  # no SQLite file was made beside it
    refused = run_almanac(tmp_path, "db", "backup", str(tmp_path / "b.sqlite3"), DATABASE_URL=url)
    assert refused.returncode == 2 and "pg_dump" in refused.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["/onthisday 9999-12-31"], "`9999-12-31` has a year out of range."),
        (["/timeline 1918 to 9999"], "`9999` is after 9998, the last year a date can have."),
        (["/random 9999"], "Give a year between 1 and 9998"),
        (["/upcoming 30", "--today", "9999-12-30"], "is not between the years 1 and 9998"),
    ],
)
def test_a_date_past_the_supported_years_gets_one_line_not_a_traceback(
    tmp_path: Path, args: list[str], said: str
) -> None:
    result = run_almanac(tmp_path, "ask", *args)
    shown = result.stdout + result.stderr
    assert result.returncode != 0
    assert said in shown and "Traceback" not in shown
    assert len([line for line in shown.splitlines() if "error" in line]) == 1
