"""The `almanac` command, run as a user runs it: a separate process (bot/__main__.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.chronology import DEFAULT_DATA_FILE
from tests.test_chronology import BAD
from tests.test_store import highest_migration

ALMANAC = Path(sys.executable).parent / "almanac"


def almanac(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `almanac` in tmp_path with only the settings given here (no .env, no inherited token)."""
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_PATH": str(tmp_path / "var" / "almanac.sqlite3"),
        "DATA_FILE": str(DEFAULT_DATA_FILE),
        **env,
    }
    return subprocess.run(
        [str(ALMANAC), "--env-file", str(tmp_path / "no.env"), *args],
        cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_data_validate_accepts_the_bundled_file(tmp_path: Path) -> None:
    result = almanac(tmp_path, "data", "validate")
    assert result.returncode == 0, result.stderr
    assert "70 events, all valid" in result.stdout


def test_data_validate_names_each_problem_in_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    result = almanac(tmp_path, "data", "validate", str(bad))
    assert result.returncode != 0
    assert "5 problem(s)" in result.stderr
    for where in ("(bad-date): date:", "(good): id:", "(long-title): title:", "(no-title): title:"):
        assert where in result.stderr


def test_db_migrate_and_check_print_one_line(tmp_path: Path) -> None:
    lines = []
    for command in ("migrate", "check"):
        result = almanac(tmp_path, "db", command)
        assert result.returncode == 0, result.stderr
        lines += result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(f"schema version {highest_migration()}")
    assert "integrity ok" in lines[1]
    assert (tmp_path / "var" / "almanac.sqlite3").is_file()


def test_ask_on_this_day_as_json(tmp_path: Path) -> None:
    result = almanac(tmp_path, "ask", "/onthisday 16 March", "--json", "--today", "2026-11-26")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["error"] is None
    putilov = next(event for event in answer["events"] if event["id"] == "putilov-works-assault")
    assert (putilov["title"], putilov["years_ago"]) == ("Cheka storms the Putilov works", "107 years ago")


def test_ask_an_impossible_day_is_a_json_error(tmp_path: Path) -> None:
    result = almanac(tmp_path, "ask", "/onthisday 30 February", "--json")
    assert result.returncode != 0
    answer = json.loads(result.stdout)
    assert "30 February" in answer["error"] and answer["events"] == []


@pytest.mark.parametrize("command", [("db", "check"), ("data", "validate")])
def test_a_bad_setting_stops_any_command_with_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    result = almanac(tmp_path, *command, DEV_GUILD_ID="my-server")
    assert result.returncode != 0
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert "DEV_GUILD_ID" in line
    assert not (tmp_path / "var").exists()
