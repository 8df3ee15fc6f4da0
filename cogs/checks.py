"""Who may change a server's chronology and settings: Manage Server, or the server's curator role.

`default_permissions(manage_guild=True)` on a command only hides it; server admins can grant it to
anyone in Integrations, so the real decision is made here, on every invocation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

Interaction = discord.Interaction[Any]
T = TypeVar("T")

NOT_IN_SERVER = "This command works only inside a server."
NOT_CURATOR = "Only members with Manage Server or this server's curator role can do that."


async def is_curator(interaction: Interaction) -> bool:
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        raise app_commands.CheckFailure(NOT_IN_SERVER)
    if interaction.permissions.manage_guild:
        return True
    almanac = getattr(interaction.client, "almanac")  # noqa: B009 - the bot subclass carries it
    role_id = await almanac.store.curator_role(interaction.guild_id)
    if role_id is not None and any(role.id == role_id for role in interaction.user.roles):
        return True
    raise app_commands.CheckFailure(NOT_CURATOR)


def curator_only() -> Callable[[T], T]:
    """Decorator for commands that change a server's data."""
    return app_commands.check(is_curator)
