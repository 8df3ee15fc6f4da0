"""The calendar link over real HTTP on loopback: a calendar app's requests, and a guesser's."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from ipaddress import ip_network

import aiohttp
import icalendar
import pytest

from bot.runtime import Services
from bot.webcal.server import AddressLimit, CalendarServer
from tests.support import AddEvent

GUILD = 1 << 40
BASE = "https://calendar.example.org"


async def serve(services: Services, **options: object) -> CalendarServer:
    server = CalendarServer(services.calendars, host="127.0.0.1", port=0, **options)  # type: ignore[arg-type]
    await server.start()
    return server


@pytest.fixture
async def server(services: Services) -> AsyncIterator[CalendarServer]:
    served = await serve(services, limit=AddressLimit(burst=1000))
    yield served
    await served.stop()


def local(server: CalendarServer, https_link: str) -> str:
    """The link as the server on loopback answers it (the proxy in front is left out)."""
    return https_link.replace(BASE, f"http://127.0.0.1:{server.port}")


async def test_a_calendar_app_subscribes_and_asks_again_with_the_etag(
    server: CalendarServer, services: Services, add_event: AddEvent
) -> None:
    await add_event(GUILD, "1921-03-02", "Strike at the Putilov works")
    link = await services.calendars.link(GUILD, BASE, title="Chronology Club: chronology")
    assert link.https.startswith(f"{BASE}/calendar/") and link.webcal.startswith(
        "webcal://calendar.example.org/"
    )
    async with aiohttp.ClientSession() as http:
        async with http.get(local(server, link.https)) as first:
            body = await first.read()
            assert first.status == 200 and first.content_type == "text/calendar"
            etag = first.headers["ETag"]
            assert "max-age=" in first.headers["Cache-Control"]
            assert first.headers["Server"] == "Almanac"  # no versions
        calendar = icalendar.Calendar.from_ical(body)
        assert str(calendar["x-wr-calname"]) == "Chronology Club: chronology"
        summaries = [str(entry["summary"]) for entry in calendar.walk("VEVENT")]
        assert "Strike at the Putilov works (1921)" in summaries
        assert any("Petrograd" in summary for summary in summaries)  # the bundled ones too
        async with http.get(local(server, link.https), headers={"If-None-Match": etag}) as again:
            assert again.status == 304 and await again.read() == b"" and again.headers["ETag"] == etag
        async with http.head(local(server, link.https)) as head:
            assert head.status == 200 and await head.read() == b"" and head.headers["ETag"] == etag

        await add_event(GUILD, "1921-03-07", "Kronstadt's first bombardment")
        async with http.get(local(server, link.https), headers={"If-None-Match": etag}) as changed:
            assert changed.status == 200 and changed.headers["ETag"] != etag
            assert b"Kronstadt's first bombardment (1921)" in await changed.read()


async def test_a_wrong_token_and_everything_else_is_a_plain_404(
    server: CalendarServer, services: Services
) -> None:
    link = await services.calendars.link(GUILD, BASE)
    token = link.https.rsplit("/", 1)[1].removesuffix(".ics")
    root = f"http://127.0.0.1:{server.port}"
    async with aiohttp.ClientSession() as http:
        for path in (
            f"/calendar/{token[:-1]}x.ics",
            f"/calendar/{token}",
            "/calendar/",
            "/",
            "/calendar/../etc/passwd",
            f"/calendar/{token}.ics/",
        ):
            async with http.get(root + path) as response:
                assert response.status == 404, path
                assert await response.text() == "Not found.\n"
                assert "aiohttp" not in response.headers.get("Server", "")
        async with http.post(local(server, link.https)) as posted:
            assert posted.status == 404
        async with http.get(local(server, link.https)) as right:
            assert right.status == 200


async def test_a_reset_ends_the_old_link_and_the_new_one_works(
    server: CalendarServer, services: Services
) -> None:
    old = await services.calendars.link(GUILD, BASE)
    assert await services.calendars.link(GUILD, BASE) == old  # asked again: the same link
    new = await services.calendars.link(GUILD, BASE, reset=True)
    assert new.https != old.https
    async with aiohttp.ClientSession() as http:
        async with http.get(local(server, old.https)) as gone:
            assert gone.status == 404
        async with http.get(local(server, new.https)) as works:
            assert works.status == 200


async def test_past_the_limit_an_address_is_told_when_to_come_back(services: Services) -> None:
    server = await serve(services, limit=AddressLimit(burst=3, per_minute=6))
    link = await services.calendars.link(GUILD, BASE)
    try:
        async with aiohttp.ClientSession() as http:
            statuses = []
            for _ in range(3):
                async with http.get(local(server, link.https)) as response:
                    statuses.append(response.status)
            async with http.get(f"http://127.0.0.1:{server.port}/calendar/guessing.ics") as refused:
                assert refused.status == 429 and refused.headers["Retry-After"] == "10"
            # without a trusted proxy, X-Forwarded-For is anyone's to write: it changes nothing
            async with http.get(
                local(server, link.https), headers={"X-Forwarded-For": "203.0.113.9"}
            ) as forged:
                assert forged.status == 429
        assert statuses == [200, 200, 200]
    finally:
        await server.stop()


async def test_behind_a_trusted_proxy_each_client_has_its_own_limit(services: Services) -> None:
    limit = AddressLimit(burst=1, per_minute=1)
    server = await serve(services, limit=limit, trusted=[ip_network("127.0.0.1/32")])
    link = await services.calendars.link(GUILD, BASE)
    try:
        async with aiohttp.ClientSession() as http:

            async def status(forwarded: str) -> int:
                headers = {"X-Forwarded-For": forwarded}
                async with http.get(local(server, link.https), headers=headers) as response:
                    return response.status

            # the proxy appends the address it saw; what the client wrote before it is not believed
            assert await status("203.0.113.9") == 200
            assert await status("203.0.113.9") == 429
            assert await status("203.0.113.9, 198.51.100.7") == 200
            assert await status("198.51.100.7, 127.0.0.1") == 429  # the proxy itself is skipped
    finally:
        await server.stop()


def test_a_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    limit = AddressLimit(burst=2, per_minute=60, clock=lambda: now[0])
    assert [limit.wait("a"), limit.wait("a"), limit.wait("b")] == [0.0, 0.0, 0.0]
    assert limit.wait("a") == pytest.approx(1.0)
    now[0] = 0.5
    assert limit.wait("a") == pytest.approx(0.5)  # a refused request takes nothing
    now[0] = 1.0
    assert limit.wait("a") == 0.0


async def test_the_calendar_speaks_the_servers_post_language(
    server: CalendarServer, services: Services, add_event: AddEvent
) -> None:
    await add_event(
        GUILD,
        "1921-03-02",
        "Strike at the Putilov works",
        translations={"ca": {"title": "Vaga a la Putílov"}},
    )
    link = await services.calendars.link(GUILD, BASE)
    async with aiohttp.ClientSession() as http:
        async with http.get(local(server, link.https)) as english:
            assert "Strike at the Putilov works (1921)" in (await english.read()).decode()
        await services.anniversaries.setup(
            GUILD,
            channel_id=5,
            post_time="09:00",
            timezone="UTC",
            mention_role_id=None,
            empty_day="nothing",
            actor=None,
            now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
            language="ca",
        )
        async with http.get(local(server, link.https)) as catalan:
            assert "Vaga a la Putílov (1921)" in (await catalan.read()).decode()
