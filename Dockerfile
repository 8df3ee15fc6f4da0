# syntax=docker/dockerfile:1
# The bot in a container: `docker compose up -d --build` (see compose.yaml and README.md).

# -- build: a virtualenv holding the pinned runtime dependencies and the bot itself ------------
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/almanac/bin:$PATH

RUN python -m venv /opt/almanac

WORKDIR /src
# Dependencies first, so editing the bot does not reinstall them.
COPY requirements-runtime.lock ./
RUN pip install --no-cache-dir -r requirements-runtime.lock

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install --no-cache-dir --no-deps .

# -- run: no compiler, no pip cache, no source tree; a user that owns nothing but /data ---------
FROM python:3.11-slim

RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin almanac \
    && mkdir /data \
    && chown almanac:almanac /data

COPY --from=build /opt/almanac /opt/almanac
WORKDIR /app
COPY data/chronology.toml ./data/chronology.toml

# The database lives on the volume; migrations run on every start. The health file is
# rewritten by the running bot and read by the HEALTHCHECK below.
ENV PATH=/opt/almanac/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_PATH=/data/almanac.sqlite3 \
    DATA_FILE=/app/data/chronology.toml \
    HEALTH_FILE=/tmp/almanac-health.json

VOLUME ["/data"]
USER 10001:10001

# Healthy while the bot is connected to Discord and its database answers (bot/health.py).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["almanac", "health"]

# SIGTERM (docker stop) lets a daily post in flight finish, then closes the database.
STOPSIGNAL SIGTERM
ENTRYPOINT ["almanac"]
CMD ["run"]
