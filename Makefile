# The two commands a newcomer needs are `make run` and `make test`; both build .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The locking tool, used only by `make lock`; installing for `make run`/`make test` needs only pip.
UV_VERSION := 0.13.9
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --python $(BIN)/python \
	--python-version 3.11 --python-platform linux --custom-compile-command "make lock"

.PHONY: run test lint bench clean lock image

# Two pip steps: the lock files carry hashes (pip checks them), and the project itself has no
# single file to hash, so it goes in separately.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/almanac start

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

# `make bench SIZES=1000,10000,100000,1000000` adds sizes to the default three (see README).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(if $(SIZES),--sizes $(SIZES))
	$(BIN)/python -m benchmarks.daily_posts
	$(BIN)/python -m benchmarks.pictures
	$(BIN)/python -m benchmarks.engines
	$(BIN)/python -m benchmarks.command_line
	$(BIN)/python -m benchmarks.feed

# Regenerates the lock files from pyproject.toml, with hashes (requirements-build.lock: what the
# Docker image builds the project with, its [build-system] requires). Pins already in the lock files
# are kept unless pyproject.toml rules them out; the runtime lock takes the full lock's versions.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV_COMPILE) --extra dev -o requirements.lock
	$(UV_COMPILE) --constraint requirements.lock -o requirements-runtime.lock
	$(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' \
		| $(UV_COMPILE:pyproject.toml=-) -o requirements-build.lock

# The container image, with podman (Docker's format: the OCI format has no HEALTHCHECK). Where
# Docker runs: `docker compose build`. README, "Running with Docker", says what was run here.
image:
	podman build --format docker -t almanac .

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
