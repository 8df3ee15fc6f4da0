"""Which bundled events each server has hidden: read once per server, then kept in step by curation."""

from __future__ import annotations

from collections.abc import Set

from bot.model.event import BUNDLED_SCOPE
from bot.store import Store


class HiddenEvents:
    """A per-server cache of hidden event ids, shared by the questions and the curation service.

    Questions read it on every search and autocomplete keystroke, so it must not cost a query each
    time; curation changes it in place the moment a hide or unhide is written.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._by_server: dict[int, set[int]] = {}

    async def ids(self, guild_id: int) -> Set[int]:
        """The live set, typed read-only: copying it on every keystroke would cost more than it saves."""
        if guild_id == BUNDLED_SCOPE:
            return frozenset()  # outside any server nothing is hidden
        if guild_id not in self._by_server:
            self._by_server[guild_id] = await self._store.hidden_event_ids(guild_id)
        return self._by_server[guild_id]

    def changed(self, guild_id: int, event_id: int, hidden: bool) -> None:
        """A server hid or unhid an event: change a cached set in place (an unread one loads later)."""
        cached = self._by_server.get(guild_id)
        if cached is not None:
            (cached.add if hidden else cached.discard)(event_id)

    def forget_all(self) -> None:
        """Changes were missed: every server's set is read afresh when next asked."""
        self._by_server.clear()

    def forget(self, guild_id: int) -> None:
        """Another process changed this server's hidden set: read it afresh when next asked."""
        self._by_server.pop(guild_id, None)
