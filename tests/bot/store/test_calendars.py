"""Calendar tokens (migration 012), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from bot.runtime import Services
from bot.store.calendars import DEFAULT_TITLE, token_digest

GUILD, OTHER = 1 << 40, 2 << 40


async def test_a_token_is_made_once_kept_and_found_only_by_itself(services: Services) -> None:
    store = services.store
    assert await store.calendar_token(GUILD) is None
    made = await store.keep_calendar_token(GUILD, "first-token-aaaaaaaaaaaa", actor=7)
    again = await store.keep_calendar_token(GUILD, "second-token-bbbbbbbbbbb", title="Club: chronology")
    assert made.token == again.token == "first-token-aaaaaaaaaaaa"
    assert made.title == DEFAULT_TITLE and again.title == "Club: chronology" and again.with_bundled
    assert await store.calendar_by_token("first-token-aaaaaaaaaaaa") == again
    assert await store.calendar_by_token("second-token-bbbbbbbbbbb") is None
    assert await store.calendar_by_token("first-token-aaaaaaaaaaab") is None
    # looked up by its digest, never compared as text
    rows = await store._all("SELECT token_hash FROM calendar_tokens WHERE guild_id = ?", (GUILD,))
    assert rows == [(token_digest("first-token-aaaaaaaaaaaa"),)]


async def test_a_reset_replaces_the_token_and_keeps_the_choices(services: Services) -> None:
    store = services.store
    await store.keep_calendar_token(GUILD, "old-token-aaaaaaaaaaaaaaa", title="Club", with_bundled=False)
    await store.keep_calendar_token(OTHER, "other-token-aaaaaaaaaaaaa")
    reset = await store.keep_calendar_token(GUILD, "new-token-aaaaaaaaaaaaaaa", replace=True)
    assert (reset.token, reset.title, reset.with_bundled) == ("new-token-aaaaaaaaaaaaaaa", "Club", False)
    assert await store.calendar_by_token("old-token-aaaaaaaaaaaaaaa") is None
    assert (await store.calendar_by_token("other-token-aaaaaaaaaaaaa") or reset).guild_id == OTHER
    turned = await store.keep_calendar_token(GUILD, "unused-token-aaaaaaaaaaaa", with_bundled=True)
    assert turned.with_bundled and turned.token == "new-token-aaaaaaaaaaaaaaa"
