"""Which bundled events each server has hidden: read for every server as the bot starts (or once
per server, when there are very many), then kept in step by curation and the change feed."""

from __future__ import annotations

from collections.abc import Set

from bot.model.event import BUNDLED_SCOPE
from bot.store import Store

READ_AT_ONCE_MAX = 200_000  # hidden events kept for every server from the start, at most


class HiddenEvents:
    """A per-server cache of hidden event ids, shared by the questions and the curation service.

    Questions read it on every search and autocomplete keystroke, so it must not cost a query each
    time; curation changes it in place the moment a hide or unhide is written.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._by_server: dict[int, set[int]] = {}
        # every server's set was read at once (`read_all`): one not kept hides nothing, unless
        # it was forgotten since
        self._all_read = False
        self._forgotten: set[int] = set()

    async def read_all(self, most: int = READ_AT_ONCE_MAX) -> None:
        """Read every server's set in one go (as the bot starts), so that no server's first
        question waits for a read of its own; unless there are more than `most` in all."""
        found = await self._store.every_hidden_event(most)
        if found is not None:
            self._by_server, self._all_read, self._forgotten = found, True, set()

    async def ids(self, guild_id: int) -> Set[int]:
        """The live set, typed read-only: copying it on every keystroke would cost more than it saves."""
        if guild_id == BUNDLED_SCOPE:
            return frozenset()  # outside any server nothing is hidden
        if guild_id not in self._by_server:
            if self._all_read and guild_id not in self._forgotten:
                self._by_server[guild_id] = set()
            else:
                self._by_server[guild_id] = await self._store.hidden_event_ids(guild_id)
                self._forgotten.discard(guild_id)
        return self._by_server[guild_id]

    def changed(self, guild_id: int, event_id: int, hidden: bool) -> None:
        """A server hid or unhid an event: change a cached set in place (an unread one loads later)."""
        cached = self._by_server.get(guild_id)
        if cached is None and self._all_read and guild_id not in self._forgotten:
            cached = self._by_server[guild_id] = set()  # it hid nothing until now
        if cached is not None:
            (cached.add if hidden else cached.discard)(event_id)

    def forget_all(self) -> None:
        """Changes were missed: every server's set is read afresh when next asked."""
        self._by_server.clear()
        self._all_read = False

    def forget(self, guild_id: int) -> None:
        """Another process changed this server's hidden set: read it afresh when next asked."""
        self._by_server.pop(guild_id, None)
        self._forgotten.add(guild_id)
