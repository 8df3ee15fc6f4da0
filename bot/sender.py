"""The daily post's Discord side: sending a day's post into a channel and reading the channel back.

The scheduler (`bot.daily`) knows nothing of Discord; the bot hands it this sender on every pass.
"""

from __future__ import annotations

import discord

from bot.daily import DailyPost, PostFailed
from bot.languages import language_of
from bot.localize import localized
from bot.render_daily import post_content, post_embed, post_mentions

CHANNEL_GONE = "the channel was deleted; choose another with /anniversaries setup"
NEEDED = ("view_channel", "send_messages", "embed_links", "read_message_history")
READ_BACK = 50  # messages looked through for the day's marker after a crash


def missing_permissions(channel: discord.TextChannel) -> str:
    """The permissions the daily post needs in `channel` that the bot lacks, readable ("" if none).
    Setup refuses such a channel; the sender records it as the reason a post failed."""
    granted = channel.permissions_for(channel.guild.me)
    return ", ".join(name.replace("_", " ").title() for name in NEEDED if not getattr(granted, name))


class DiscordSender:
    """Sends a day's post into a channel, turning every Discord refusal into a readable reason."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def _channel(self, channel_id: int) -> discord.TextChannel:
        channel = self._client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self._client.fetch_channel(channel_id)
            except discord.NotFound:
                raise PostFailed(CHANNEL_GONE) from None
            except discord.HTTPException as error:
                raise PostFailed(f"Discord error {error.status} while finding the channel") from None
        if not isinstance(channel, discord.TextChannel):
            raise PostFailed("the channel is not a text channel")
        if names := missing_permissions(channel):
            raise PostFailed(f"missing permission in #{channel.name}: {names}")
        return channel

    async def send(self, channel_id: int, post: DailyPost, nonce: str) -> int:
        channel = await self._channel(channel_id)
        # the language the server chose, else its own (its Community setting); English where none
        language = post.language or language_of(str(channel.guild.preferred_locale))
        post = localized(post, language)
        try:
            message = await channel.send(
                content=post_content(post),
                embed=post_embed(post, language),
                allowed_mentions=post_mentions(post),
                nonce=nonce,  # discord.py sends enforce_nonce with it: Discord drops a repeat
            )
        except discord.Forbidden:
            raise PostFailed(f"Discord refused the post in #{channel.name} (missing permissions)") from None
        except discord.NotFound:
            raise PostFailed(CHANNEL_GONE) from None
        except discord.HTTPException as error:
            raise PostFailed(f"Discord error {error.status}: {error.text[:100]}") from None
        return int(message.id)

    async def find_sent(self, channel_id: int, marker: str) -> int | None:
        channel = await self._channel(channel_id)
        bot_id = self._client.user.id if self._client.user else None
        try:
            async for message in channel.history(limit=READ_BACK):
                if message.author.id != bot_id:
                    continue
                if any(embed.footer.text and marker in embed.footer.text for embed in message.embeds):
                    return message.id
        except discord.HTTPException as error:
            raise PostFailed(f"could not read back the channel (Discord error {error.status})") from None
        return None
