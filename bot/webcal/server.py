"""The calendar feeds over HTTP (aiohttp, which discord.py already brings): one route,
`GET /calendar/{token}.ics` (HEAD too), and a plain 404 for everything else.

Meant to sit behind a reverse proxy that adds TLS (README, "Calendar link"): it binds
127.0.0.1 unless CALENDAR_HOST says otherwise, and trusts X-Forwarded-For only from the proxy
addresses CALENDAR_TRUSTED_PROXY names. Every address gets a small token bucket, 404s included,
so guessing tokens is as slow as subscribing; a calendar app asks a few times an hour at most.
No access log is written: every request's path is a secret link.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from aiohttp import hdrs, web

from bot.config import ConfigError, Network, Settings
from bot.webcal.feeds import CalendarFeeds

log = logging.getLogger(__name__)

MAX_AGE = 900  # seconds a client may use its copy before asking again (with If-None-Match)
BURST = 20  # requests an address may make at once
PER_MINUTE = 30  # and then, on average, per minute
ADDRESSES = 10_000  # buckets kept; the longest-idle goes first (it would be full again anyway)
SERVER_NAME = "Almanac"  # no versions in the Server header
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class AddressLimit:
    """A token bucket per client address: `burst` requests at once, refilled at `per_minute`."""

    def __init__(
        self,
        burst: int = BURST,
        per_minute: float = PER_MINUTE,
        *,
        addresses: int = ADDRESSES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst, self.rate = burst, per_minute / 60.0
        self._addresses = addresses
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # address: (tokens, at)

    def wait(self, address: str) -> float:
        """0 when `address` may make this request now (and it is counted); else the seconds until
        it may."""
        now = self._clock()
        tokens, at = self._buckets.pop(address, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        waited = 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate
        self._buckets[address] = (tokens - 1.0 if not waited else tokens, now)
        while len(self._buckets) > self._addresses:
            self._buckets.popitem(last=False)
        return waited


def client_address(request: web.Request, trusted: Sequence[Network]) -> str:
    """The peer's address, or, when the peer is a trusted proxy, the last address in
    X-Forwarded-For that is not one of the trusted proxies (earlier ones the client can forge)."""
    peer = request.remote or ""
    if not trusted or not _within(peer, trusted):
        return peer
    hops = [
        hop.strip() for line in request.headers.getall(hdrs.X_FORWARDED_FOR, []) for hop in line.split(",")
    ]
    for hop in reversed(hops):
        if not _within(hop, trusted):
            return hop
    return peer


def _within(address: str, networks: Sequence[Network]) -> bool:
    try:
        found = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(found in network for network in networks)


def calendar_app(
    feeds: CalendarFeeds, *, limit: AddressLimit | None = None, trusted: Sequence[Network] = ()
) -> web.Application:
    """The whole site: the feeds, 404 elsewhere, 429 past an address's limit."""

    @web.middleware
    async def guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
        if limit is not None:
            wait = limit.wait(client_address(request, trusted))
            if wait:
                headers = {hdrs.RETRY_AFTER: str(math.ceil(wait))}
                return web.Response(status=429, text="Too many requests; try again later.\n", headers=headers)
        try:
            return await handler(request)
        except web.HTTPException as error:
            if error.status in (404, 405):  # nothing here but the calendars, and only to read
                return _not_found()
            raise

    async def calendar(request: web.Request) -> web.StreamResponse:
        feed = await feeds.feed(request.match_info["token"])
        if feed is None:
            return _not_found()
        gzipped = "gzip" in request.headers.get(hdrs.ACCEPT_ENCODING, "").lower()
        etag = feed.etag + ("-gzip" if gzipped else "")  # one tag per representation, as HTTP asks
        headers = {
            hdrs.CACHE_CONTROL: f"private, max-age={MAX_AGE}",
            hdrs.VARY: hdrs.ACCEPT_ENCODING,
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        }
        wanted = request.if_none_match or ()
        if any(tag.value in (etag, feed.etag, "*") for tag in wanted):
            response = web.Response(status=304, headers=headers)
        else:
            body = feed.gzipped if gzipped else feed.body
            response = web.Response(body=body, headers=headers, content_type="text/calendar", charset="utf-8")
            if gzipped:
                response.headers[hdrs.CONTENT_ENCODING] = "gzip"
        response.etag = etag
        return response

    async def named(request: web.Request, response: web.StreamResponse) -> None:
        response.headers[hdrs.SERVER] = SERVER_NAME

    app = web.Application(middlewares=[guarded])
    app.router.add_get("/calendar/{token}.ics", calendar)  # HEAD too: the same headers, no body
    app.on_response_prepare.append(named)
    return app


def _not_found() -> web.Response:
    return web.Response(status=404, text="Not found.\n")


class CalendarServer:
    """The app on a port: `await start()`, `await stop()`. Port 0 takes a free one (`port` says)."""

    def __init__(
        self,
        feeds: CalendarFeeds,
        *,
        host: str,
        port: int,
        trusted: Sequence[Network] = (),
        limit: AddressLimit | None = None,
    ) -> None:
        self.host, self.port = host, port
        app = calendar_app(feeds, limit=limit or AddressLimit(), trusted=trusted)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=5.0)

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            raise
        self.port = int(self._runner.addresses[0][1])
        log.info("calendar feeds served on %s port %d", self.host, self.port)

    async def stop(self) -> None:
        await self._runner.cleanup()


@asynccontextmanager
async def calendar_served(
    feeds: CalendarFeeds, settings: Settings, port: int | None = None
) -> AsyncIterator[CalendarServer | None]:
    """The server, on `port` or CALENDAR_PORT, for as long as the block runs; nothing at all
    when neither is set (the calendar link is off). A port it cannot have stops the start with
    one line naming the setting, as a bad setting does."""
    port = settings.calendar_port if port is None else port
    if port is None:
        yield None
        return
    host = settings.calendar_host
    server = CalendarServer(feeds, host=host, port=port, trusted=settings.calendar_trusted_proxies)
    try:
        await server.start()
    except OSError as error:
        raise ConfigError(
            f"cannot serve the calendar on {host} port {port} ({error.strerror or error}): "
            "set CALENDAR_PORT to a free port, or CALENDAR_HOST to an address of this machine."
        ) from None
    try:
        yield server
    finally:
        await server.stop()
