"""The `almanac` command, run as a user runs it: a separate process (bot/__main__.py)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from bot.chronology import DEFAULT_DATA_FILE, load_chronology
from tests.support import BAD_CHRONOLOGY, ROOT, highest_migration, run_almanac


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
