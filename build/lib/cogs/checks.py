"""Who may change a server's chronology and settings: Manage Server, or the server's curator role.

`default_permissions(manage_guild=True)` on a command only hides it; server admins can grant it to
anyone in Integrations, so the real decision is made here, on every invocation: the curating cogs
run `CuratorGate.require` as their `interaction_check`, and their forms and buttons run it again
when they write, so a member whose role was taken away meanwhile cannot finish a change.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.curation.service import Curation
from bot.i18n.messages import said
from cogs.errors import Refused

Interaction = discord.Interaction[Any]

NOT_IN_SERVER = said("This command works only inside a server.")
NOT_CURATOR = said("Only members with Manage Server or this server's curator role can do that.")


class CuratorGate:
    def __init__(self, curation: Curation) -> None:
        self._curation = curation

    async def require(self, interaction: Interaction) -> bool:
        """True, or Refused (a CheckFailure) with the sentence the member sees."""
        if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
            raise Refused(NOT_IN_SERVER)
        if interaction.permissions.manage_guild:
            return True
        role_id = await self._curation.curator_role(interaction.guild_id)
        if role_id is not None and any(role.id == role_id for role in interaction.user.roles):
            return True
        raise Refused(NOT_CURATOR)

    async def allows(self, interaction: Interaction) -> bool:
        """For autocomplete, which skips checks: removed titles and the log go only to curators."""
        try:
            return await self.require(interaction)
        except app_commands.CheckFailure:
            return False
