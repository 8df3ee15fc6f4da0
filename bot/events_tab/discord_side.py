"""The Events tab's Discord side: listing, creating, editing and deleting a server's scheduled events.

The sync (`bot.events_tab.sync`) knows nothing of Discord; the bot hands it this tab on every pass.
Every refusal becomes a `TabFailed` whose message `/anniversaries show` gives as the last error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import discord

from bot.events_tab.plan import Listed, Spec, listed
from bot.events_tab.sync import TabFailed, TabGone
from bot.i18n.languages import SOURCE_LANGUAGE, language_of

EXTERNAL = 3  # entity_type: somewhere outside Discord, with a location and an end
GUILD_ONLY = 2  # privacy_level: the only one there is
REASON = "Almanac: the anniversaries of the coming days (/anniversaries events)"
NEEDS_MANAGE_EVENTS = "Discord refused: the bot needs the Manage Events permission in this server"


def lacks_manage_events(guild: discord.Guild) -> bool:
    """Whether the bot may not make scheduled events in `guild`."""
    return not guild.me.guild_permissions.manage_events


class DiscordTab:
    """A server's Events tab through Discord's HTTP API."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    def language(self, guild_id: int) -> str:
        """The server's own language (its Community setting); English where it has none we ship."""
        guild = self._client.get_guild(guild_id)
        return SOURCE_LANGUAGE if guild is None else language_of(str(guild.preferred_locale))

    async def listed(self, guild_id: int) -> list[Listed]:
        try:
            found = await self._client.http.get_scheduled_events(guild_id, False)
        except discord.NotFound:
            raise TabFailed("the bot is no longer in this server", forbidden=True) from None
        except (discord.HTTPException, OSError) as error:
            raise _failed(error, "list") from None
        bot_id = self._client.user.id if self._client.user else 0
        return [_listed(dict(item), bot_id) for item in found]

    async def create(self, guild_id: int, spec: Spec) -> int:
        payload = _payload(spec, move=True) | {"entity_type": EXTERNAL, "privacy_level": GUILD_ONLY}
        try:
            made = await self._client.http.create_guild_scheduled_event(guild_id, reason=REASON, **payload)
        except (discord.HTTPException, OSError) as error:
            raise _failed(error, "create") from None
        return int(made["id"])

    async def edit(self, guild_id: int, discord_id: int, spec: Spec, *, move: bool) -> None:
        try:
            await self._client.http.edit_scheduled_event(
                guild_id, discord_id, reason=REASON, **_payload(spec, move=move)
            )
        except (discord.HTTPException, OSError) as error:
            raise _failed(error, "edit") from None

    async def delete(self, guild_id: int, discord_id: int) -> None:
        try:
            await self._client.http.delete_scheduled_event(guild_id, discord_id, reason=REASON)
        except discord.NotFound:
            return  # already gone: what was wanted
        except (discord.HTTPException, OSError) as error:
            raise _failed(error, "delete") from None


def _payload(spec: Spec, *, move: bool) -> dict[str, Any]:
    """The fields of a create or an edit; the start only when it moves (a started event's cannot)."""
    payload: dict[str, Any] = {
        "name": spec.name,
        "description": spec.description,
        "entity_metadata": {"location": spec.location},
        "scheduled_end_time": spec.end.isoformat(),
    }
    if move:
        payload["scheduled_start_time"] = spec.start.isoformat()
    return payload


def _listed(item: dict[str, Any], bot_id: int) -> Listed:
    start = _instant(item.get("scheduled_start_time")) or dt.datetime.min.replace(tzinfo=dt.UTC)
    return listed(
        int(item["id"]),
        by_bot=int(item.get("creator_id") or 0) == bot_id,
        name=str(item.get("name") or ""),
        description=item.get("description"),
        location=(item.get("entity_metadata") or {}).get("location"),
        start=start,
        end=_instant(item.get("scheduled_end_time")),
        status=int(item.get("status") or 1),
    )


def _instant(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _failed(error: discord.HTTPException | OSError, doing: str) -> TabFailed:
    if isinstance(error, discord.Forbidden):
        return TabFailed(NEEDS_MANAGE_EVENTS, forbidden=True)
    if isinstance(error, discord.NotFound):
        return TabGone(f"the scheduled event to {doing} was deleted")
    if isinstance(error, discord.HTTPException):
        # a 4xx other than a rate limit is a refusal: nothing was made
        refused = 400 <= error.status < 500 and error.status != 429
        detail = f"Discord error {error.status} while trying to {doing} a scheduled event: {error.text[:100]}"
        return TabFailed(detail, made_nothing=refused)
    return TabFailed(f"could not reach Discord to {doing} a scheduled event ({error})")
