"""One frozen settings object, read from the environment and `.env`, checked before anything starts."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.chronology.reader import DEFAULT_DATA_FILE
from bot.store.engines.common import is_server_url

# A bot token is three base64url parts joined by dots; checking the shape catches pasted secrets
# that are obviously wrong (a client secret, a quoted value) before we ever dial Discord.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")
_DIGITS = re.compile(r"[0-9]+")  # not str.isdigit: that also takes `²`, which int() then refuses
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_DATABASE = Path("var") / "almanac.sqlite3"
DEFAULT_CALENDAR_HOST = "127.0.0.1"  # this machine only: a reverse proxy in front adds TLS (README)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigError(Exception):
    """One bad setting; the message names the variable and says what it should be."""


@dataclass(frozen=True)
class Settings:
    discord_token: str | None = None
    database_path: Path = DEFAULT_DATABASE
    data_file: Path = DEFAULT_DATA_FILE
    log_level: str = "INFO"
    dev_guild_id: int | None = None
    owner_ids: frozenset[int] = frozenset()
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    health_file: Path | None = None
    database_url: str | None = None  # a PostgreSQL server (postgresql://…); None: the SQLite file
    calendar_port: int | None = None  # the calendar feeds' HTTP port; None: no server
    calendar_host: str = DEFAULT_CALENDAR_HOST
    calendar_base_url: str | None = None  # the public address in links; None: http://localhost:PORT
    calendar_trusted_proxies: tuple[Network, ...] = ()  # whose X-Forwarded-For names the client

    @property
    def database(self) -> str:
        """What the store opens: the PostgreSQL URL when there is one, else the SQLite file."""
        return self.database_url or str(self.database_path)

    @property
    def calendar_base(self) -> str | None:
        """The start of every calendar link, or None while the calendar server is off."""
        if self.calendar_port is None:
            return None
        return self.calendar_base_url or f"http://localhost:{self.calendar_port}"

    @property
    def log_level_number(self) -> int:
        return int(getattr(logging, self.log_level))

    @classmethod
    def load(cls, env_file: Path | None = Path(".env"), environ: Mapping[str, str] | None = None) -> Settings:
        """Environment variables win over `.env`, so a deployment can override a checked-out file."""
        values: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            try:
                found = dotenv_values(env_file, encoding="utf-8")
            except UnicodeDecodeError as error:
                raise ConfigError(
                    f"{env_file} is not UTF-8 text (byte {error.start + 1}); save it as UTF-8."
                ) from None
            except OSError as error:
                raise ConfigError(f"{env_file} cannot be read: {error.strerror or error}.") from None
            values.update({k: v for k, v in found.items() if v is not None})
        values.update(os.environ if environ is None else environ)
        return cls.from_values(values)

    @classmethod
    def from_values(cls, values: Mapping[str, str]) -> Settings:
        def get(name: str) -> str | None:
            value = values.get(name, "").strip()
            return value or None

        token = get("DISCORD_TOKEN")
        if token is not None and not _TOKEN_SHAPE.fullmatch(token):
            raise ConfigError(
                "DISCORD_TOKEN does not look like a bot token (three dot-separated parts); "
                "copy it again from the Bot page of the developer portal."
            )
        level = (get("LOG_LEVEL") or "INFO").upper()
        if level not in _LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, not {level!r}.")
        shard_ids = _id_list(get("SHARD_IDS"), "SHARD_IDS")
        shard_count = _number(get("SHARD_COUNT"), "SHARD_COUNT")
        if shard_count == 0:
            raise ConfigError("SHARD_COUNT must be at least 1 (or unset to let Discord choose).")
        if shard_ids is not None and shard_count is None:
            raise ConfigError("SHARD_IDS needs SHARD_COUNT too: the total number of shards.")
        if shard_ids is not None and shard_count is not None and max(shard_ids) >= shard_count:
            raise ConfigError(f"SHARD_IDS must each be below SHARD_COUNT ({shard_count}).")
        database = Path(get("DATABASE_PATH") or DEFAULT_DATABASE)
        url = get("DATABASE_URL")
        if url is not None and url.startswith("sqlite:///"):  # the SQLite file, written as a URL
            database, url = Path(url.removeprefix("sqlite:///")), None
        elif url is not None and not is_server_url(url):
            raise ConfigError(
                "DATABASE_URL must start with postgresql:// (a PostgreSQL server) or sqlite:/// (a file),"
                " for example sqlite:///var/almanac.sqlite3."
            )
        data_file = Path(get("DATA_FILE") or DEFAULT_DATA_FILE)
        if not data_file.is_file():
            raise ConfigError(f"DATA_FILE {data_file} does not exist; point it at a chronology .toml file.")
        health = get("HEALTH_FILE")
        return cls(
            discord_token=token,
            database_path=database,
            data_file=data_file,
            log_level=level,
            dev_guild_id=_number(get("DEV_GUILD_ID"), "DEV_GUILD_ID"),
            owner_ids=frozenset(_id_list(get("OWNER_IDS"), "OWNER_IDS") or ()),
            shard_count=shard_count,
            shard_ids=shard_ids,
            health_file=Path(health) if health else None,
            database_url=url,
            **_calendar(get),
        )

    def check_database_path(self) -> None:
        """Fail early, naming the variable, when the database cannot be created or written."""
        if self.database_url is not None:
            return  # a server: whether it answers is known only when the store connects
        folder = self.database_path.parent
        if self.database_path.is_dir():
            raise ConfigError(f"DATABASE_PATH {self.database_path} is a folder; give a file name in it.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(
                f"DATABASE_PATH {self.database_path}: cannot create {folder} ({error.strerror})."
            ) from None
        target = self.database_path if self.database_path.exists() else folder
        if not os.access(target, os.W_OK):
            raise ConfigError(f"DATABASE_PATH {self.database_path} is not writable by this user.")
        if not os.access(folder, os.W_OK):
            raise ConfigError(
                f"DATABASE_PATH {self.database_path}: its folder is not writable by this user, "
                "and SQLite keeps its -wal and -shm files beside the database."
            )


def _calendar(get: Callable[[str], str | None]) -> dict[str, Any]:
    """CALENDAR_PORT, CALENDAR_HOST, CALENDAR_BASE_URL and CALENDAR_TRUSTED_PROXY, checked."""
    port = _number(get("CALENDAR_PORT"), "CALENDAR_PORT")
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError(f"CALENDAR_PORT must be a port number from 1 to 65535, not {port}.")
    base = get("CALENDAR_BASE_URL")
    if base is not None:
        base = calendar_base_url(base, "CALENDAR_BASE_URL")
    proxies = []
    for part in (get("CALENDAR_TRUSTED_PROXY") or "").split(","):
        if part.strip():
            try:
                proxies.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise ConfigError(
                    "CALENDAR_TRUSTED_PROXY must be comma-separated IP addresses or networks "
                    f"(like 127.0.0.1 or 172.16.0.0/12), not {part.strip()!r}."
                ) from None
    return {
        "calendar_port": port,
        "calendar_host": get("CALENDAR_HOST") or DEFAULT_CALENDAR_HOST,
        "calendar_base_url": base,
        "calendar_trusted_proxies": tuple(proxies),
    }


def calendar_base_url(text: str, name: str) -> str:
    """An http(s) address that calendar links start with (a path is fine: a proxy's prefix)."""
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"{name} must be the calendar server's public address, like https://calendar.example.org,"
            f" not {text!r}."
        )
    return text.rstrip("/")


def _number(text: str | None, name: str) -> int | None:
    if text is None:
        return None
    if not _DIGITS.fullmatch(text):
        raise ConfigError(f"{name} must be a whole number, not {text!r}.")
    return int(text)


def _id_list(text: str | None, name: str) -> tuple[int, ...] | None:
    if text is None:
        return None
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts or not all(_DIGITS.fullmatch(part) for part in parts):
        raise ConfigError(f"{name} must be comma-separated numbers, not {text!r}.")
    return tuple(int(part) for part in parts)
