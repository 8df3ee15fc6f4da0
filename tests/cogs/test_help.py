"""/help and /random through simcord (cogs/help.py, cogs/ask.py), and their shell forms."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.client import AlmanacBot
from bot.render.help import EXAMPLES
from bot.runtime import Services
from bot.shell import ShellContext, ask
from cogs.help import leaves
from tests.support import World, speak


def commands_of(bot: AlmanacBot) -> list[str]:
    return [command.qualified_name for command in leaves(bot.slash_commands())]


async def test_help_lists_every_command_with_an_example(world: World) -> None:
    names = commands_of(world.bot)
    assert len(names) > 20 and set(names) <= set(EXAMPLES)  # no command without an example

    shown = await world.alice.slash(world.channel, "help")

    (embed,) = shown.response.embeds
    text = embed.description or ""
    assert shown.ephemeral and len(text) <= 4096
    for name in names:
        assert f"`/{name}` — " in text, name
    assert "`/onthisday 16 March`" in text and "`/events export format:ics with_bundled:true`" in text


async def test_help_names_the_commands_as_a_russian_member_sees_them(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    speak(monkeypatch, {world.alice.id: "ru"})
    shown = await world.alice.slash(world.channel, "help")
    text = shown.response.embeds[0].description or ""
    assert "`/поиск`" in text and "/search" not in text
    # the examples too: the words and the option names a Russian member types
    assert "`/в-этот-день 16 марта`" in text and "16 March" not in text
    assert "канал:#история время:09:00" in text


async def test_random_draws_from_the_year_or_tag_asked_for(world: World, services: Services) -> None:
    of_1921 = {
        event.title for event in (await services.almanac.timeline(world.guild.id, "1921", None)).events
    }
    for _ in range(5):
        drawn = await world.alice.slash(world.channel, "random", year=1921)
        assert drawn.response.embeds[0].title in of_1921

    tagged = await world.alice.slash(world.channel, "random", tag="KRONSTADT")
    assert "Kronstadt" in (tagged.response.embeds[0].title or "")


async def test_random_with_nothing_to_draw_says_so(world: World) -> None:
    refused = await world.alice.slash(world.channel, "random", year=1850)
    assert refused.ephemeral and refused.response.content == "No event in the chronology falls in 1850."
    assert [type(error.original).__name__ for error in world.env.errors] == ["UserError"]  # acknowledged


async def test_the_shell_has_help_and_random(services: Services) -> None:
    ctx = ShellContext(services.almanac, services.anniversaries, guild_id=0, fixed_today=dt.date(2026, 3, 1))

    listed, status = await ask(ctx, "/help", as_json=False)
    drawn, _ = await ask(ctx, "/random 1919", as_json=False)
    nothing, refused = await ask(ctx, "/random 1919 no-such-tag", as_json=False)

    assert status == 0 and "/onthisday 16 March" in listed and "/random 1921" in listed
    assert "1919" in drawn
    assert refused == 2 and nothing == "error: No event of 1919 has the tag `no-such-tag`."


async def test_help_keeps_the_english_names_a_catalan_member_types(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    speak(monkeypatch, {world.alice.id: "ca"})  # Discord has no Catalan client: its names are English
    shown = await world.alice.slash(world.channel, "help")
    text = shown.response.embeds[0].description or ""
    assert "`/search` — " in text and "`/onthisday 16 de març`" in text  # English names, Catalan words
    assert "Cerca" in text or "cerca" in text  # the descriptions are Catalan


def test_the_asking_commands_can_be_installed_by_a_person_and_used_anywhere(world: World) -> None:
    tree = world.bot.tree
    for name in ("onthisday", "event", "search", "timeline", "random", "upcoming", "help"):
        command = tree.get_command(name)
        assert command is not None
        payload = command.to_dict(tree)
        assert sorted(payload["integration_types"]) == [0, 1], name  # a server's, and a member's own
        assert sorted(payload["contexts"]) == [0, 1, 2], name  # servers, DMs with the bot, group chats
    for name in ("events", "anniversaries", "almanac"):  # curating and running stay in servers
        group = tree.get_command(name)
        assert group is not None and group.to_dict(tree).get("integration_types") in (None, [0])
        assert group.to_dict(tree).get("contexts") == [0], name  # never offered in a DM
