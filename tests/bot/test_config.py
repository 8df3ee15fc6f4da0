"""Settings from the environment and `.env` (bot/config.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.chronology.reader import DEFAULT_DATA_FILE
from bot.config import DEFAULT_DATABASE, ConfigError, Settings
from tests.support import run_almanac

TOKEN = "M" + "x" * 25 + ".Gabcde." + "y" * 30


def test_nothing_set_gives_the_defaults() -> None:
    settings = Settings.from_values({})
    assert settings.discord_token is None
    assert (settings.database_path, settings.data_file) == (DEFAULT_DATABASE, DEFAULT_DATA_FILE)
    assert (settings.log_level, settings.log_level_number) == ("INFO", logging.INFO)
    assert (settings.dev_guild_id, settings.owner_ids, settings.shard_count) == (None, frozenset(), None)


def test_every_setting_is_read(tmp_path: Path) -> None:
    settings = Settings.from_values(
        {
            "DISCORD_TOKEN": f"  {TOKEN} ",
            "DATABASE_PATH": str(tmp_path / "a.sqlite3"),
            "DATA_FILE": str(DEFAULT_DATA_FILE),
            "LOG_LEVEL": "debug",
            "DEV_GUILD_ID": "123456789012345678",
            "OWNER_IDS": "1, 2,3",
            "SHARD_COUNT": "4",
            "SHARD_IDS": "0,3",
            "HEALTH_FILE": str(tmp_path / "h"),
        }
    )
    assert settings.discord_token == TOKEN
    assert settings.database_path == tmp_path / "a.sqlite3"
    assert settings.log_level_number == logging.DEBUG
    assert settings.dev_guild_id == 123456789012345678
    assert settings.owner_ids == {1, 2, 3}
    assert (settings.shard_count, settings.shard_ids) == (4, (0, 3))
    assert settings.health_file == tmp_path / "h"


def test_empty_values_count_as_unset() -> None:
    assert Settings.from_values({"DISCORD_TOKEN": "", "DEV_GUILD_ID": "  "}) == Settings.from_values({})


@pytest.mark.parametrize(
    ("values", "variable"),
    [
        ({"DISCORD_TOKEN": "not-a-token"}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": f'"{TOKEN}"'}, "DISCORD_TOKEN"),
        ({"DEV_GUILD_ID": "my server"}, "DEV_GUILD_ID"),
        ({"DEV_GUILD_ID": "-5"}, "DEV_GUILD_ID"),
        ({"DEV_GUILD_ID": "²"}, "DEV_GUILD_ID"),
        ({"OWNER_IDS": "1,two"}, "OWNER_IDS"),
        ({"OWNER_IDS": ","}, "OWNER_IDS"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT"),
        ({"SHARD_IDS": "0,1"}, "SHARD_COUNT"),
        ({"SHARD_IDS": "0,4", "SHARD_COUNT": "4"}, "SHARD_IDS"),
        ({"SHARD_IDS": "zero", "SHARD_COUNT": "4"}, "SHARD_IDS"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"DATA_FILE": "/nowhere/chronology.toml"}, "DATA_FILE"),
        ({"CALENDAR_PORT": "http"}, "CALENDAR_PORT"),
        ({"CALENDAR_PORT": "0"}, "CALENDAR_PORT"),
        ({"CALENDAR_PORT": "65536"}, "CALENDAR_PORT"),
        ({"CALENDAR_BASE_URL": "calendar.example.org"}, "CALENDAR_BASE_URL"),
        ({"CALENDAR_BASE_URL": "ftp://calendar.example.org"}, "CALENDAR_BASE_URL"),
        ({"CALENDAR_BASE_URL": "https://calendar.example.org/?x=1"}, "CALENDAR_BASE_URL"),
        ({"CALENDAR_TRUSTED_PROXY": "127.0.0.1, proxy.local"}, "CALENDAR_TRUSTED_PROXY"),
    ],
)
def test_each_bad_variable_gets_one_line_naming_it(values: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_values(values)
    message = str(caught.value)
    assert variable in message
    assert "\n" not in message and len(message) < 200


def test_a_bad_token_is_not_repeated_back() -> None:
    secret = "abcdefghijklmnopqrstuvwxyz0123456789"
    with pytest.raises(ConfigError) as caught:
        Settings.from_values({"DISCORD_TOKEN": secret})
    assert secret not in str(caught.value)


def test_the_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DEV_GUILD_ID=42\nOWNER_IDS=7\n# a comment\nLOG_LEVEL=warning\n")
    settings = Settings.load(env_file, environ={"OWNER_IDS": "8"})
    assert (settings.dev_guild_id, settings.owner_ids, settings.log_level) == (42, frozenset({8}), "WARNING")


def test_a_missing_env_file_is_no_error(tmp_path: Path) -> None:
    assert Settings.load(tmp_path / "no.env", environ={}) == Settings.from_values({})


def test_a_bad_value_in_the_env_file_is_named(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DEV_GUILD_ID=abc\n")
    with pytest.raises(ConfigError, match="DEV_GUILD_ID"):
        Settings.load(env_file, environ={})


# -- the database path ---------------------------------------------------------------------------


def test_a_writable_database_path_has_its_folder_made(tmp_path: Path) -> None:
    settings = Settings.from_values({"DATABASE_PATH": str(tmp_path / "new" / "db.sqlite3")})
    settings.check_database_path()
    assert (tmp_path / "new").is_dir()


@pytest.mark.parametrize("below", ["db.sqlite3", "deeper/db.sqlite3"])
def test_a_database_path_under_a_file_is_named(tmp_path: Path, below: str) -> None:
    (tmp_path / "file.txt").write_text("a file, not a folder")
    settings = Settings.from_values({"DATABASE_PATH": str(tmp_path / "file.txt" / below)})
    with pytest.raises(ConfigError) as caught:
        settings.check_database_path()
    assert str(caught.value).startswith("DATABASE_PATH")
    assert "\n" not in str(caught.value)


def test_a_database_path_that_is_a_folder_is_named(tmp_path: Path) -> None:
    settings = Settings.from_values({"DATABASE_PATH": str(tmp_path)})
    with pytest.raises(ConfigError, match=r"DATABASE_PATH .* is a folder"):
        settings.check_database_path()


def test_database_url_names_a_postgresql_server_or_the_sqlite_file(tmp_path: Path) -> None:
    server = Settings.from_values({"DATABASE_URL": "postgresql://bot:secret@db.example/almanac"})
    assert server.database == "postgresql://bot:secret@db.example/almanac"
    assert server.database_url is not None
    as_file = Settings.from_values({"DATABASE_URL": "sqlite:///var/other.sqlite3"})
    assert (as_file.database_url, as_file.database_path) == (None, Path("var/other.sqlite3"))
    assert Settings.from_values({}).database == str(Path("var") / "almanac.sqlite3")
    with pytest.raises(ConfigError, match="DATABASE_URL must start with postgresql://"):
        Settings.from_values({"DATABASE_URL": "mysql://db/almanac"})


def test_an_env_file_that_is_not_utf8_gets_one_line_naming_it(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_bytes(b"DISCORD_TOKEN=\xff\xfeabc\nLOG_LEVEL=INFO\n")
    with pytest.raises(ConfigError) as caught:
        Settings.load(env, environ={})
    assert str(caught.value) == f"{env} is not UTF-8 text (byte 15); save it as UTF-8."
    result = run_almanac(tmp_path, "--env-file", str(env), "ask", "/onthisday 16 March")
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_the_calendar_link_is_off_until_a_port_is_set_and_then_names_its_address() -> None:
    off = Settings.from_values({"CALENDAR_BASE_URL": "https://calendar.example.org"})
    assert off.calendar_port is None and off.calendar_base is None and off.calendar_host == "127.0.0.1"
    local = Settings.from_values({"CALENDAR_PORT": "8080"})
    assert local.calendar_base == "http://localhost:8080" and local.calendar_trusted_proxies == ()
    public = Settings.from_values(
        {
            "CALENDAR_PORT": "8080",
            "CALENDAR_HOST": "0.0.0.0",
            "CALENDAR_BASE_URL": "https://example.org/almanac/",
            "CALENDAR_TRUSTED_PROXY": "127.0.0.1, 172.16.0.0/12",
        }
    )
    assert public.calendar_base == "https://example.org/almanac" and public.calendar_host == "0.0.0.0"
    assert [str(network) for network in public.calendar_trusted_proxies] == ["127.0.0.1/32", "172.16.0.0/12"]
