# syntax=docker/dockerfile:1
# The bot in a container: `docker compose up -d --build` (see compose.yaml and README.md).

# -- build: a virtualenv holding the pinned runtime dependencies and the bot itself ------------
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/almanac/bin:$PATH

RUN python -m venv /opt/almanac

WORKDIR /src
# Dependencies first, so editing the bot does not reinstall them; the build backend is locked
# too (requirements-build.lock), and used in place rather than fetched afresh by pip.
COPY requirements-runtime.lock requirements-build.lock ./
RUN pip install --no-cache-dir -r requirements-runtime.lock -r requirements-build.lock

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install --no-cache-dir --no-deps --no-build-isolation . \
    && pip uninstall --yes setuptools pip

# -- run: no compiler, no pip, no source tree; a user that owns nothing but /data and its home ---
FROM python:3.11-slim

# tini is PID 1: it hands SIGTERM to the bot and reaps what it starts. The base image's own pip,
# setuptools and wheel go: nothing is installed into a running container.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/* \
    && python -m pip uninstall --yes pip setuptools wheel \
    && groupadd --system --gid 10001 almanac \
    && useradd --system --uid 10001 --gid almanac --home-dir /home/almanac --create-home \
        --shell /usr/sbin/nologin almanac \
    && mkdir /data \
    && chown almanac:almanac /data

COPY --from=build /opt/almanac /opt/almanac
WORKDIR /app
COPY data/chronology.toml ./data/chronology.toml

# The database lives on the volume; migrations run on every start. The health file is
# rewritten by the running bot and read by the HEALTHCHECK below. The calendar server, when
# CALENDAR_PORT is set, binds every address of the container: its loopback is unreachable from
# outside, and compose publishes the port on the host's loopback only.
ENV PATH=/opt/almanac/bin:$PATH \
    HOME=/home/almanac \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_PATH=/data/almanac.sqlite3 \
    DATA_FILE=/app/data/chronology.toml \
    HEALTH_FILE=/tmp/almanac-health.json \
    CALENDAR_HOST=0.0.0.0

VOLUME ["/data"]
USER almanac:almanac

# The search index's compiled loops (numba), compiled once here into the image, as the user
# that runs the bot: a container's first question then loads them instead of compiling them.
ENV NUMBA_CACHE_DIR=/home/almanac/.cache/numba
RUN python -c "from bot.search.warming import warm_up; warm_up()"

# Healthy while the bot is connected to Discord and its database answers (bot/health.py).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["almanac", "health"]

# SIGTERM (docker stop) lets a daily post in flight finish, then closes the database.
STOPSIGNAL SIGTERM
ENTRYPOINT ["tini", "--", "almanac"]
CMD ["run"]
