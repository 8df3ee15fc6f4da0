"""/anniversaries events through simcord: the Events tab filled, kept in step and emptied again.

simcord's clock starts at 2026-01-01 00:00 UTC. The fixture chronology has no day-precise event
from 31 December to 27 February, so the server's own events (and one bundled event added here)
are what each test's window holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.client import create_bot
from bot.config import Settings
from bot.curation.forms import EventForm
from bot.events_tab import service
from bot.events_tab.discord_side import DiscordTab
from bot.events_tab.plan import Spec
from bot.i18n.errors import UserError
from bot.model.event import EventFields
from bot.runtime import Services
from tests.support import AddEvent, Crash, World, live_mentions, restart

MINUTE, HOUR = 60, 3600
UTC = dt.UTC


def events_of(world: World, guild_id: int | None = None) -> list[Any]:
    """The server's scheduled events as simcord holds them, earliest first."""
    guild = world.env.backend.get_guild(guild_id or world.guild.id)
    return sorted(guild.scheduled_events.values(), key=lambda e: (e.scheduled_start_time, e.name))


def ours(world: World, guild_id: int | None = None) -> list[Any]:
    return [event for event in events_of(world, guild_id) if event.creator_id == world.bot.user.id]


def at(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def only_user_errors(world: World) -> bool:
    expected = (UserError, app_commands.CheckFailure)
    return all(isinstance(getattr(e, "original", e), expected) for e in world.env.errors)


@pytest.fixture
def quiet_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Days of simulated time pass in a few steps: the change feed is looked at every 6 hours
    instead of every minute (changes are what other tests are about)."""
    monkeypatch.setattr(service, "FEED_POLL", 6 * HOUR)


@pytest.fixture
def moderator(world: World) -> Any:
    managers = world.guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    return world.guild.add_member(world.env.create_user("mod"), roles=[managers])


@pytest.fixture
async def three_days(world: World, add_event: AddEvent) -> list[Any]:
    """A server event on each of the first three days of January, one outside a 3-day window."""
    return [
        await add_event(
            world.guild.id,
            "1920-01-01",
            "Printers' strike @everyone",
            summary="The **printers** of <@1> stopped work.",
            places=["Petrograd"],
            translations={"ru": {"title": "Забастовка печатников", "summary": "Печатники встали."}},
        ),
        await add_event(world.guild.id, "1905-01-02", "Port Arthur surrenders"),
        await add_event(world.guild.id, "1918-01-03", "A third day's event"),
        await add_event(world.guild.id, "1919-01-04", "The fourth day"),
    ]


@pytest.mark.usefixtures("quiet_feed")
async def test_enable_fills_the_tab_in_the_servers_language_and_zone_and_the_window_moves(
    world: World, moderator: Any, three_days: list[Any]
) -> None:
    await moderator.slash(
        world.channel,
        "anniversaries setup",
        channel=world.channel,
        time="09:00",
        timezone="Europe/Moscow",
        language="ru",
    )
    enabled = await moderator.slash(world.channel, "anniversaries events enable", days=3)
    assert enabled.ephemeral and "next 3 days" in enabled.response.content
    await world.env.advance_time(5)

    made = ours(world)
    assert [event.name for event in made] == [
        "Забастовка печатников (1920)",
        "Port Arthur surrenders (1905)",
        "A third day's event (1918)",
    ]
    first = made[0]
    assert first.description.startswith("106 лет назад · 1 января 1920")
    assert "Печатники встали." in first.description
    assert first.description.endswith(f"Almanac · #{three_days[0].id} · 2026-01-01")
    assert first.entity_type == 3 and first.entity_metadata == {"location": "Petrograd"}
    assert len(first.name) <= 100 and len(first.description) <= 1000
    # 1 January in Moscow began three hours ago: its event starts a few minutes from now
    now = dt.datetime(2026, 1, 1, tzinfo=UTC)
    assert now < at(first.scheduled_start_time) <= now + dt.timedelta(minutes=7)
    assert at(first.scheduled_end_time) == dt.datetime(2026, 1, 1, 21, tzinfo=UTC)  # Moscow midnight
    assert at(made[1].scheduled_start_time) == dt.datetime(2026, 1, 1, 21, tzinfo=UTC)
    assert at(made[1].scheduled_end_time) == dt.datetime(2026, 1, 2, 21, tzinfo=UTC)

    await world.env.advance_time(22 * HOUR)  # 2 January in Moscow: the window is 2-4 January
    assert [event.name for event in ours(world)] == [
        "Port Arthur surrenders (1905)",
        "A third day's event (1918)",
        "The fourth day (1919)",
    ]
    assert only_user_errors(world)


async def test_a_server_without_a_daily_post_gets_its_own_language_and_utc(
    world: World, add_event: AddEvent
) -> None:
    guild = world.env.create_guild("Club allemand", preferred_locale="de")
    chief = guild.add_member(
        world.env.create_user("chef"),
        roles=[guild.create_role("Leitung", permissions=discord.Permissions(manage_guild=True))],
    )
    channel = guild.create_text_channel("allgemein")
    await add_event(guild.id, "1919-01-02", "Spartacist uprising")
    await chief.slash(channel, "anniversaries events enable")
    await world.env.advance_time(5)

    (made,) = ours(world, guild.id)
    assert made.name == "Spartacist uprising (1919)"
    assert made.description.startswith("vor 107 Jahren · 2. Januar 1919")
    assert made.entity_metadata == {"location": "Almanac: ein Jahrestag aus der Chronologie"}
    assert at(made.scheduled_start_time) == dt.datetime(2026, 1, 2, tzinfo=UTC)

    shown = await chief.slash(channel, "anniversaries show")
    fields = {field.name: field.value for field in shown.response.embeds[0].fields}
    # said in the reader's language (simcord's members read English): the default is 14 days
    assert fields["Events tab"] == "On: the anniversaries of the next 14 days"


async def test_an_edit_updates_its_event_in_place_and_a_hide_deletes_it(
    world: World, moderator: Any, services: Services, three_days: list[Any]
) -> None:
    bundled = await services.store.add_event(
        0,
        EventFields.from_mapping({"id": "bundled-jan-2", "date": "1918-01-02", "title": "A bundled day"}),
        None,
    )
    await moderator.slash(world.channel, "anniversaries events enable", days=3)
    await world.env.advance_time(5)
    before = {event.name: event.id for event in ours(world)}
    assert "A bundled day (1918)" in before and len(before) == 4
    requests = len(world.env.http_requests)

    await world.env.advance_time(2 * MINUTE)  # nothing changed: nothing is sent but the list
    sent = [(r.method, r.path) for r in world.env.http_requests[requests:]]
    assert all(method == "GET" for method, _ in sent)

    event = three_days[1]
    await services.curation.edit(world.guild.id, 1, event, EventForm("Port Arthur falls", "1905-01-02"))
    await services.curation.hide(world.guild.id, 1, bundled.id)
    await world.env.advance_time(service.FEED_POLL + 1)  # the next look at the change feed

    after = {event.name: event.id for event in ours(world)}
    assert after["Port Arthur falls (1905)"] == before["Port Arthur surrenders (1905)"]  # edited, not remade
    assert "A bundled day (1918)" not in after and len(after) == 3
    patched = [r for r in world.env.http_requests[requests:] if r.method == "PATCH"]
    assert len(patched) == 1


async def test_with_95_events_people_made_the_bot_fills_only_the_rest(
    world: World, moderator: Any, services: Services
) -> None:
    crowd = [
        EventFields.from_mapping(
            {"id": f"strike-{n}", "date": f"{1850 + n}-01-0{1 + n % 7}", "title": f"Strike {n}"}
        )
        for n in range(30)
    ]
    await services.store.import_events(world.guild.id, crowd, actor=None)
    for n in range(95):
        world.env.backend.create_scheduled_event(
            world.guild.id,
            name=f"Club night {n}",
            entity_type=3,
            scheduled_start_time="2026-02-01T18:00:00+00:00",
            scheduled_end_time="2026-02-01T22:00:00+00:00",
            entity_metadata={"location": "The pub"},
            creator_id=world.alice.id,
        )
    await moderator.slash(world.channel, "anniversaries events enable", days=14)
    await world.env.advance_time(5)

    assert len(events_of(world)) == 100
    made = ours(world)
    assert len(made) == 5
    assert {event.name for event in made} == {
        "Strike 0 (1850)",
        "Strike 7 (1857)",
        "Strike 14 (1864)",
        "Strike 21 (1871)",
        "Strike 28 (1878)",
    }  # all of 1 January

    # people delete three of theirs: the bot takes the room at its next look
    people = [e for e in events_of(world) if e.creator_id == world.alice.id]
    for event in people[:3]:
        world.env.backend.delete_scheduled_event(world.guild.id, event.id)
    await services.events_tab.enable(world.guild.id, 14, None, discord.utils.utcnow())
    await world.env.advance_time(5)
    assert len(events_of(world)) == 100 and len(ours(world)) == 8


@pytest.mark.usefixtures("quiet_feed")
async def test_after_a_crash_between_create_and_record_and_a_restart_nothing_is_made_twice(
    world: World, services: Services, settings: Settings, three_days: list[Any]
) -> None:
    world.bot.events_tab_pass.cancel()  # the passes are driven by hand here

    class CrashAfterCreate(DiscordTab):
        async def create(self, guild_id: int, spec: Spec) -> int:
            await super().create(guild_id, spec)
            raise Crash  # the process dies before recording what it made

    await services.events_tab.enable(world.guild.id, 3, None, discord.utils.utcnow())
    with pytest.raises(Crash):
        await services.events_tab.run_pass(discord.utils.utcnow(), CrashAfterCreate(world.bot))
    assert len(ours(world)) == 1
    (row,) = await services.store.tab_rows(world.guild.id)
    assert row.state == "claimed" and row.discord_id is None

    # another process, at once: the claim may be a live one, so that day waits out the lease
    second = restart(services)
    report = await second.events_tab.run_pass(discord.utils.utcnow(), DiscordTab(world.bot))
    assert report.created == 2 and len(ours(world)) == 3
    assert [row.state for row in await services.store.tab_rows(world.guild.id)].count("claimed") == 1
    await world.env.advance_time(2 * MINUTE)
    # the lease is over: the list shows the event the dead process made, and it is kept
    await second.events_tab.run_pass(discord.utils.utcnow(), DiscordTab(world.bot))
    made = ours(world)
    assert len(made) == 3 and len({event.name for event in made}) == 3
    rows = await services.store.tab_rows(world.guild.id)
    assert {row.discord_id for row in rows} == {event.id for event in made}

    # a whole new bot on the same database: nothing made again
    await world.env.restart_bot(create_bot(restart(services), replace(settings, shard_count=1)))
    await world.env.advance_time(7 * HOUR)
    assert {event.id for event in ours(world)} == {event.id for event in made}


async def test_a_person_deleting_one_keeps_it_deleted_and_disable_removes_only_the_bots(
    world: World, moderator: Any, services: Services, three_days: list[Any]
) -> None:
    theirs = world.env.backend.create_scheduled_event(
        world.guild.id,
        name="Book club",
        entity_type=3,
        scheduled_start_time="2026-01-05T18:00:00+00:00",
        scheduled_end_time="2026-01-05T20:00:00+00:00",
        entity_metadata={"location": "Library"},
        creator_id=world.alice.id,
    )
    await moderator.slash(world.channel, "anniversaries events enable", days=3)
    await world.env.advance_time(5)
    second = ours(world)[1]
    world.env.backend.delete_scheduled_event(world.guild.id, second.id)
    await services.events_tab.enable(world.guild.id, 3, None, discord.utils.utcnow())  # look again now
    await world.env.advance_time(5)
    assert second.name not in {event.name for event in ours(world)} and len(ours(world)) == 2

    done = await moderator.slash(world.channel, "anniversaries events disable")
    assert done.ephemeral and "being removed" in done.response.content
    await world.env.advance_time(5)
    assert [event.id for event in events_of(world)] == [theirs.id]
    assert await services.store.tab_rows(world.guild.id) == []
    shown = await moderator.slash(world.channel, "anniversaries show")
    fields = {field.name: field.value for field in shown.response.embeds[0].fields}
    assert fields["Events tab"].startswith("Off")


async def test_without_manage_events_enable_is_refused_and_a_lost_permission_is_shown(
    world: World, moderator: Any, services: Services, three_days: list[Any]
) -> None:
    backend = world.env.backend
    bot_role = next(role for role in backend.get_guild(world.guild.id).roles.values() if role.managed)
    allowed = discord.Permissions(bot_role.permissions)
    without = discord.Permissions(allowed.value & ~discord.Permissions(manage_events=True).value)

    backend.edit_role(
        world.guild.id,
        bot_role.id,
        {"permissions": without.value},
    )
    await world.env.settle()
    refused = await moderator.slash(world.channel, "anniversaries events enable")
    assert refused.ephemeral and "Manage Events" in refused.response.content
    assert await services.store.events_tab(world.guild.id) is None

    backend.edit_role(world.guild.id, bot_role.id, {"permissions": allowed.value})
    await world.env.settle()
    await moderator.slash(world.channel, "anniversaries events enable", days=3)
    await world.env.advance_time(5)
    assert len(ours(world)) == 3

    backend.edit_role(
        world.guild.id,
        bot_role.id,
        {"permissions": without.value},
    )
    await services.curation.edit(world.guild.id, 1, three_days[1], EventForm("Renamed", "1905-01-02"))
    await world.env.advance_time(service.FEED_POLL + 1)  # the next look at the change feed
    shown = await moderator.slash(world.channel, "anniversaries show")
    fields = {field.name: field.value for field in shown.response.embeds[0].fields}
    assert "Manage Events" in fields["Events tab"] and "Last error" in fields["Events tab"]
    assert len(await services.store.tab_rows(world.guild.id)) == 3  # kept for when it comes back
    assert live_mentions(fields["Events tab"]) == []
