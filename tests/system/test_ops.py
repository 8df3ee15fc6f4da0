"""Running the bot for real: what the Docker image runs, its health check, the invite, start-up.

No Docker engine runs where these tests run, so the image itself is never built here; instead
each thing the image does is run directly: `almanac health`, `almanac run` refusing bad
settings, migrations on start, and the files the image is built from are checked for agreeing
with one another (the same database path, the same health file, only locked packages).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sqlite3
from collections.abc import Iterator
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord
import yaml
from packaging.requirements import Requirement

from bot import health
from bot.__main__ import main
from bot.chronology.reader import DEFAULT_DATA_FILE, load_chronology
from bot.client import SHUTDOWN_GRACE, AlmanacBot, create_bot
from bot.config import Settings
from bot.daily.sender import IN_CHANNELS, IN_THREADS
from bot.runtime import Services, open_services
from cogs.admin import INVITE_PERMISSIONS, invite_url
from tests.support import FIXTURE_CHRONOLOGY, ROOT, highest_migration, run_almanac

NOW = dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC)
SETTINGS_VARIABLES = re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)


# -- almanac health ------------------------------------------------------------------------------


def test_the_health_check_reads_the_last_heartbeat(tmp_path: Path) -> None:
    path = tmp_path / "health.json"
    assert health.check(path, NOW) == (
        False,
        f"{path} does not exist: the bot has not started, or it uses another HEALTH_FILE.",
    )
    health.write_beat(path, health.Beat(NOW, connected=True, database="ok"))
    assert health.check(path, NOW + dt.timedelta(seconds=42)) == (
        True,
        "healthy: connected to Discord, database ok (checked 42 s ago).",
    )
    assert health.check(path, NOW + dt.timedelta(seconds=91)) == (
        False,
        "the last heartbeat is 1 min old: the bot is stopped or stuck.",
    )

    health.write_beat(path, health.Beat(NOW, connected=False, database="ok"))
    assert health.check(path, NOW) == (False, "not connected to Discord (checked 0 s ago).")
    health.write_beat(path, health.Beat(NOW, connected=True, database="OperationalError: disk I/O error"))
    assert health.check(path, NOW)[1] == "database: OperationalError: disk I/O error (checked 0 s ago)."
    path.write_text("{half a heartb", encoding="utf-8")
    assert health.check(path, NOW)[0] is False
    assert health.check(None, NOW)[0] is False


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Only the settings a test sets, as in a container; returns the HEALTH_FILE path."""
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "almanac-health.json"
    monkeypatch.setenv("HEALTH_FILE", str(path))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "data" / "almanac.sqlite3"))
    yield path


def health_exit_code(tmp_path: Path) -> int:
    return main(["--env-file", str(tmp_path / "no.env"), "health"])


def test_almanac_health_exits_0_only_for_a_fresh_healthy_heartbeat(
    clean_environment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert health_exit_code(tmp_path) == 1  # the bot never started
    now = dt.datetime.now(dt.UTC)
    health.write_beat(clean_environment, health.Beat(now, connected=True, database="ok"))
    assert health_exit_code(tmp_path) == 0
    health.write_beat(clean_environment, health.Beat(now - dt.timedelta(minutes=5), True, "ok"))
    assert health_exit_code(tmp_path) == 1
    health.write_beat(clean_environment, health.Beat(now, connected=False, database="ok"))
    assert health_exit_code(tmp_path) == 1
    lines = capsys.readouterr()
    assert lines.out.startswith("healthy: connected to Discord")
    assert lines.err.splitlines()[-1].startswith("not connected to Discord")
    assert not (tmp_path / "data").exists(), "a health check must not create the database"


def test_almanac_health_never_exits_2(
    clean_environment: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Docker reserves exit code 2; a bad setting is simply unhealthy."""
    monkeypatch.setenv("SHARD_COUNT", "two")
    assert health_exit_code(tmp_path) == 1
    assert "SHARD_COUNT" in capsys.readouterr().err
    monkeypatch.delenv("SHARD_COUNT")
    monkeypatch.delenv("HEALTH_FILE")
    assert health_exit_code(tmp_path) == 1


def test_the_installed_almanac_health_command(tmp_path: Path) -> None:
    path = tmp_path / "health.json"
    health.write_beat(path, health.Beat(dt.datetime.now(dt.UTC), connected=True, database="ok"))
    healthy = run_almanac(tmp_path, "health", HEALTH_FILE=str(path))
    unset = run_almanac(tmp_path, "health")
    assert (healthy.returncode, unset.returncode) == (0, 1), healthy.stderr


# -- the heartbeat, written by the bot in simcord --------------------------------------------------


@pytest.fixture
def simcord_bot(services: Services, settings: Settings, tmp_path: Path) -> AlmanacBot:
    """The production bot with HEALTH_FILE set, as the Docker image sets it."""
    return create_bot(
        services, dataclasses.replace(settings, shard_count=1, health_file=tmp_path / "hb.json")
    )


async def test_the_running_bot_keeps_the_health_file_fresh(
    simcord_env: simcord.Env, services: Services, tmp_path: Path
) -> None:
    env, path = simcord_env, tmp_path / "hb.json"
    assert health.check(path, env.now())[0] is True
    await env.advance_time(health.HEARTBEAT_SECONDS - 1)
    assert health.check(path, env.now())[1].endswith("(checked 29 s ago).")
    await env.advance_time(1)
    assert health.check(path, env.now()) == (
        True,
        "healthy: connected to Discord, database ok (checked 0 s ago).",
    )

    shard = env.bot.get_shard(0)
    await shard.disconnect()  # the gateway connection drops
    await env.advance_time(health.HEARTBEAT_SECONDS)
    assert health.check(path, env.now()) == (False, "not connected to Discord (checked 0 s ago).")
    await shard.reconnect()
    await env.advance_time(health.HEARTBEAT_SECONDS)
    assert health.check(path, env.now())[0] is True

    await services.store.close()  # the database goes away under the running bot
    await env.advance_time(health.HEARTBEAT_SECONDS)
    healthy, why = health.check(path, env.now())
    assert not healthy and why.startswith("database: ")

    # no heartbeat for three intervals: stuck or gone, whatever the last one said
    assert not health.check(path, env.now() + health.STALE_AFTER + dt.timedelta(seconds=1))[0]
    await env.bot.remove_cog("Admin")
    assert not path.exists(), "a bot that stops keeping the file removes it"


# -- start-up without a token -------------------------------------------------------------------------


async def test_the_cogs_load_and_the_tree_builds_without_a_token(
    services: Services, settings: Settings
) -> None:
    bot = create_bot(services, settings)
    async with bot:  # no login: any request to Discord (a sync, say) would fail for want of a token
        await bot.setup_hook()
        assert list(bot.cogs) == ["Ask", "Help", "AnniversaryCommands", "Curate", "Admin"]
        group = bot.tree.get_command("almanac")
        assert group is not None
        payload = group.to_dict(bot.tree)
        assert int(payload["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
        assert {option["name"] for option in payload["options"]} == {"status", "sync"}
        assert bot.daily_pass.is_running()
        for name in list(bot.cogs):
            await bot.remove_cog(name)


def test_almanac_run_and_sync_need_a_token_and_say_so_in_one_line(tmp_path: Path) -> None:
    for command in ("run", "sync"):
        result = run_almanac(tmp_path, command)
        assert result.returncode == 2
        [line] = result.stderr.strip().splitlines()
        assert "DISCORD_TOKEN is not set" in line and "Traceback" not in result.stderr


async def test_an_older_database_is_migrated_on_start_and_keeps_its_data(tmp_path: Path) -> None:
    database = tmp_path / "almanac.sqlite3"
    first = next(resources.files("bot.store.migrations").glob("001_*.sql")).read_text(encoding="utf-8")
    with sqlite3.connect(database) as raw:  # a database as the first release left it
        raw.executescript(first)
        raw.execute(
            "INSERT INTO guild_settings (guild_id, timezone, curator_role_id) VALUES (5, 'Europe/Moscow', 77)"
        )
        raw.execute("PRAGMA user_version = 1")
    raw.close()

    async with open_services(database, FIXTURE_CHRONOLOGY) as services:  # what `almanac run` does first
        assert await services.store.schema_version() == highest_migration()
        assert await services.store.curator_role(5) == 77
        assert await services.store.guild_timezone(5) == "Europe/Moscow"
        assert (await services.store.counts())["bundled"] == len(load_chronology(FIXTURE_CHRONOLOGY).events)
        assert await services.store.integrity_check() == "ok"


# -- the invite link ---------------------------------------------------------------------------------


def test_the_invite_asks_for_exactly_what_the_bot_uses() -> None:
    assert INVITE_PERMISSIONS.value == 274878024704
    needed = (*IN_CHANNELS, *IN_THREADS)
    assert all(getattr(INVITE_PERMISSIONS, name) for name in needed), "the daily post would be refused"
    asked = {name for name, granted in INVITE_PERMISSIONS if granted}  # read_messages is View Channel
    assert asked == {
        "read_messages",
        "send_messages",
        "send_messages_in_threads",
        "embed_links",
        "attach_files",
        "read_message_history",
    }
    assert invite_url(1234) == (
        "https://discord.com/oauth2/authorize?client_id=1234&scope=bot+"
        "applications.commands&permissions=274878024704"
    )


# -- the files the image is built from -----------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_image_runs_the_bot_as_a_user_with_its_database_on_the_volume() -> None:
    steps = dockerfile()
    froms = [args for op, args in steps if op == "FROM"]
    assert len(froms) == 2 and all(args.startswith("python:3.11-slim") for args in froms)
    final = steps[max(i for i, (op, _) in enumerate(steps) if op == "FROM") :]
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(args for op, args in final if op == "ENV")))
    assert env["DATABASE_PATH"].startswith("/data/")
    assert ("VOLUME", '["/data"]') in final
    users = [args for op, args in final if op == "USER"]
    assert users and users[-1] == "almanac:almanac"  # a named user and group, both 10001
    setup = " ".join(args for op, args in final if op == "RUN")
    assert "groupadd --system --gid 10001 almanac" in setup
    assert "useradd --system --uid 10001 --gid almanac --home-dir /home/almanac --create-home" in setup
    assert env["HOME"] == "/home/almanac"
    # nothing installs into a running container: the base image's pip goes, and the venv's
    assert "pip uninstall --yes pip setuptools wheel" in setup
    assert "pip uninstall --yes setuptools pip" in " ".join(
        args for op, args in steps[: steps.index(final[0])]
    )
    assert ("HEALTHCHECK", 'CMD ["almanac", "health"]') in [
        (op, args[args.index("CMD") :]) for op, args in final if op == "HEALTHCHECK"
    ]
    # tini as PID 1 hands SIGTERM on to the bot (which also handles it first thing, as PID 1 or not)
    assert [args for op, args in final if op in ("ENTRYPOINT", "CMD")] == [
        '["tini", "--", "almanac"]',
        '["run"]',
    ]
    # the image's settings are valid ones (with the chronology where this checkout has it)
    image = Settings.from_values(env | {"DATA_FILE": str(DEFAULT_DATA_FILE)})
    assert image.health_file is not None and str(image.database_path) == env["DATABASE_PATH"]


def test_compose_keeps_the_database_on_a_named_volume_whatever_env_says() -> None:
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(a for op, a in dockerfile() if op == "ENV")))
    assert "env_file" not in compose  # each service is given only what it uses, by name
    assert re.search(r"^\s+- almanac-data:/data$", compose, re.MULTILINE)
    assert re.search(r"^volumes:\n  almanac-data:", compose, re.MULTILINE)
    for name in ("DATABASE_PATH", "DATA_FILE", "HEALTH_FILE"):  # .env.example's paths are for checkouts
        assert f"      {name}: {env[name]}\n" in compose
    grace = re.search(r"stop_grace_period: (\d+)s", compose)
    assert grace is not None and int(grace[1]) > SHUTDOWN_GRACE, "docker would kill a post in flight"


TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE." + "x" * 38
ENV_FILE = {"POSTGRES_PASSWORD": "s3cret", "DISCORD_TOKEN": TOKEN, "LOG_LEVEL": "", "OWNER_IDS": "7"}


def compose_services(env: dict[str, str] = ENV_FILE) -> dict[str, dict[str, Any]]:
    """compose.yaml's services, with `${NAME:-default}` filled in as compose would from .env."""
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    text = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: env.get(m[1]) or m[2], text)
    assert "${" not in text, "a variable the test does not fill in"
    services: dict[str, dict[str, Any]] = yaml.safe_load(text)["services"]
    return services


def settings_of(service: dict[str, Any]) -> Settings:
    """The settings a compose service's process starts with (the chronology where this checkout
    has it: the image's path exists only in the image)."""
    # an empty value (`DEV_GUILD_ID: ${DEV_GUILD_ID:-}`) is an empty variable, as compose sets it
    environment = {key: "" if value is None else str(value) for key, value in service["environment"].items()}
    assert environment["DATA_FILE"] == "/app/data/chronology.toml"
    return Settings.from_values(environment | {"DATA_FILE": str(DEFAULT_DATA_FILE)})


def test_compose_starts_one_sqlite_bot_unless_the_postgres_profile_is_asked_for() -> None:
    services = compose_services()
    assert [name for name, service in services.items() if "profiles" not in service] == ["almanac"]
    single = settings_of(services["almanac"])
    assert single.database_url is None and single.shard_ids is None


def test_the_postgres_profile_splits_every_shard_between_processes_on_one_server() -> None:
    services = compose_services()
    database = services["postgres"]
    shards = {
        name: s for name, s in services.items() if s.get("profiles") == ["postgres"] and name != "postgres"
    }
    assert len(shards) >= 2
    taken: list[int] = []
    counts = set()
    for name, service in shards.items():
        assert service["depends_on"] == {"postgres": {"condition": "service_healthy"}}, name
        for key in ("read_only", "stop_grace_period", "image"):
            assert service[key] == services["almanac"][key], (name, key)
        settings = settings_of(service)
        assert settings.database_url == (
            f"postgresql://{database['environment']['POSTGRES_USER']}:s3cret@postgres:5432/"
            f"{database['environment']['POSTGRES_DB']}"
        )
        assert settings.shard_ids is not None and settings.shard_count is not None
        taken += settings.shard_ids
        counts.add(settings.shard_count)
    assert len(counts) == 1, "every process must name the same SHARD_COUNT"
    assert sorted(taken) == list(range(counts.pop())), "each shard in exactly one process"
    assert "pg_isready --host=127.0.0.1" in " ".join(database["healthcheck"]["test"])  # over TCP
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in database["volumes"])


def test_compose_gives_each_service_only_the_settings_it_uses() -> None:
    services = compose_services()
    for name, service in services.items():
        environment = service.get("environment", {})
        if name == "postgres":
            assert "DISCORD_TOKEN" not in environment
            continue
        assert "POSTGRES_PASSWORD" not in environment, name
        assert environment["DISCORD_TOKEN"] == TOKEN and str(environment["OWNER_IDS"]) == "7", name
        assert environment["LOG_LEVEL"] == "INFO", name  # unset in .env: the default


def test_the_build_context_leaves_out_secrets_and_local_data() -> None:
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "*" in ignore, "everything is left out unless named"
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert not allowed & {".env", ".venv", "var", ".git"}
    copies = [args.split()[:-1] for op, args in dockerfile() if op == "COPY" and "--from" not in args]
    copied = {source.rstrip("/") for sources in copies for source in sources}
    assert copied <= allowed, f"the Dockerfile copies files the build context leaves out: {copied - allowed}"


def lock(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", text, re.MULTILINE)
    return {re.sub(r"[-_.]+", "-", package).lower(): version for package, version in pins}


def test_the_runtime_lock_is_exactly_the_runtime_dependencies_at_the_full_locks_versions() -> None:
    runtime, full = lock("requirements-runtime.lock"), lock("requirements.lock")
    assert {name: full.get(name) for name in runtime} == runtime
    needed: set[str] = set()
    todo = [Requirement(text) for text in metadata.requires("almanac") or [] if "extra ==" not in text]
    while todo:
        requirement = todo.pop()
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        if name in needed or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        needed.add(name)
        todo += [Requirement(text) for text in metadata.requires(requirement.name) or []]
    assert set(runtime) == needed
