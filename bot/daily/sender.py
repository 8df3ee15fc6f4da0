"""The daily post's Discord side: sending a day's post into a channel and reading the channel back.

The scheduler (`bot.daily.scheduler`) knows nothing of Discord; the bot hands it this sender on every pass.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import discord

from bot.daily.digest import DigestPost, DigestProgress, digest_marker, digest_nonce
from bot.daily.embeds import digest_pages, post_content, post_embed, post_mentions
from bot.daily.post import DailyPost, PostFailed, marker_for, post_in
from bot.i18n.languages import language_of
from bot.i18n.text import clip

CHANNEL_GONE = "the channel was deleted; choose another with /anniversaries setup"
READ_BACK = 50  # messages (or a forum's posts) looked through for the day's marker after a crash
THREAD_NAME_MAX = 100  # Discord's most for a forum post's title
# A daily post can go into a text or announcement channel, a thread (one message a day in it) or
# a forum (one post a day, each its own thread).
Postable = discord.TextChannel | discord.Thread | discord.ForumChannel
POSTABLE = (discord.TextChannel, discord.Thread, discord.ForumChannel)


IN_CHANNELS = ("view_channel", "send_messages", "embed_links", "read_message_history")  # and forums
IN_THREADS = ("view_channel", "send_messages_in_threads", "embed_links", "read_message_history")


def needed_permissions(channel: Postable) -> tuple[str, ...]:
    return IN_THREADS if isinstance(channel, discord.Thread) else IN_CHANNELS


def missing_permissions(channel: Postable) -> str:
    """The permissions the daily post needs in `channel` that the bot lacks, readable ("" if none).
    Setup refuses such a channel; the sender records it as the reason a post failed."""
    granted = channel.permissions_for(channel.guild.me)
    missing = [name for name in needed_permissions(channel) if not getattr(granted, name)]
    if isinstance(channel, discord.Thread) and channel.locked and not granted.manage_threads:
        missing.append("manage_threads")  # only that opens a locked thread to the bot
    return ", ".join(name.replace("_", " ").title() for name in missing)


def needs_tags(channel: Postable) -> bool:
    """A forum that takes no post without a tag: the daily post has none to give."""
    return isinstance(channel, discord.ForumChannel) and channel.flags.require_tag


class DiscordSender:
    """Sends a day's post into a channel, turning every Discord refusal into a readable reason."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def _channel(self, channel_id: int) -> Postable:
        channel = self._client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self._client.fetch_channel(channel_id)
            except discord.NotFound:
                raise PostFailed(CHANNEL_GONE) from None
            except discord.HTTPException as error:
                raise PostFailed(f"Discord error {error.status} while finding the channel") from None
        if not isinstance(channel, POSTABLE):
            raise PostFailed("the channel is no longer a text channel, thread or forum")
        if names := missing_permissions(channel):
            raise PostFailed(f"missing permission in #{channel.name}: {names}")
        if needs_tags(channel):
            raise PostFailed(f"#{channel.name} requires a tag on every post; the daily post has none")
        return channel

    async def send(self, channel_id: int, post: DailyPost, nonce: str) -> int:
        channel = await self._channel(channel_id)
        # the language the server chose, else its own (its Community setting); English where none
        language = post.language or language_of(str(channel.guild.preferred_locale))
        post = post_in(post, language)
        embed = post_embed(post, language)
        content, mentions = post_content(post, language), post_mentions(post)
        with _refusals(channel, "post"):
            if isinstance(channel, discord.ForumChannel):
                # Discord takes no nonce for a new forum post; after a crash, find_sent looks for it
                created = await channel.create_thread(
                    name=thread_name(embed, post), content=content, embed=embed, allowed_mentions=mentions
                )
                return int(created.message.id)
            message = await channel.send(
                content=content,
                embed=embed,
                allowed_mentions=mentions,
                nonce=nonce,  # discord.py sends enforce_nonce with it: Discord drops a repeat
            )
        return int(message.id)

    async def find_sent(self, channel_id: int, marker: str) -> int | None:
        return await self._find_in(await self._channel(channel_id), marker)

    async def _find_in(self, channel: Postable, marker: str) -> int | None:
        """The bot's recent message (in a forum, post) whose footer carries `marker`."""
        bot_id = self._client.user.id if self._client.user else None
        try:
            if isinstance(channel, discord.ForumChannel):
                return await _find_forum_post(channel, bot_id, marker)
            async for message in channel.history(limit=READ_BACK):
                if message.author.id == bot_id and _marked(message, marker):
                    return message.id
        except discord.HTTPException as error:
            raise PostFailed(f"could not read back the channel (Discord error {error.status})") from None
        return None

    async def send_digest(self, channel_id: int, digest: DigestPost, progress: DigestProgress) -> None:
        """The digest's pages from the first not yet recorded, one message each; in a forum the
        first opens the digest's own post and the rest follow inside it."""
        channel = await self._channel(channel_id)
        language = digest.language or language_of(str(channel.guild.preferred_locale))
        pages = digest_pages(digest, language)
        for number, page in enumerate(pages[progress.pages_sent :], progress.pages_sent + 1):
            marker = digest_marker(digest.kind, digest.period, number)
            target: Postable = channel
            if progress.thread_id is not None:
                target = await self._channel(progress.thread_id)
            if progress.resuming and (found := await self._find_page(target, marker)) is not None:
                await progress.page_sent(*found)
                continue
            nonce = digest_nonce(digest.guild_id, digest.kind, digest.period, number)
            await progress.page_sent(*await self._send_page(target, page, nonce))

    async def _send_page(self, target: Postable, page: discord.Embed, nonce: str) -> tuple[int, int | None]:
        """(message id, the forum post's thread id) of one page sent; no page pings anyone."""
        quiet = discord.AllowedMentions.none()
        with _refusals(target, "digest"):
            if isinstance(target, discord.ForumChannel):
                name = clip(page.title or "Almanac", THREAD_NAME_MAX)
                created = await target.create_thread(name=name, embed=page, allowed_mentions=quiet)
                return int(created.message.id), int(created.thread.id)
            message = await target.send(embed=page, allowed_mentions=quiet, nonce=nonce)
        return int(message.id), None

    async def _find_page(self, target: Postable, marker: str) -> tuple[int, int | None] | None:
        """A page an earlier attempt may have sent without recording it: (message id, thread id)."""
        found = await self._find_in(target, marker)
        if found is None:
            return None
        # a forum post's first message has its thread's id
        return found, found if isinstance(target, discord.ForumChannel) else None


@contextlib.contextmanager
def _refusals(channel: Postable, what: str) -> Iterator[None]:
    """Discord's refusal of a send, as the reason `/anniversaries show` gives for it."""
    try:
        yield
    except discord.Forbidden:
        raise PostFailed(f"Discord refused the {what} in #{channel.name} (missing permissions)") from None
    except discord.NotFound:
        raise PostFailed(CHANNEL_GONE) from None
    except discord.HTTPException as error:
        raise PostFailed(f"Discord error {error.status}: {error.text[:100]}") from None


def thread_name(embed: discord.Embed, post: DailyPost) -> str:
    """A forum post's title: the day's heading and its year, so each day's post is told apart."""
    return clip(f"{embed.title or marker_for(post.local_date)} · {post.local_date.year}", THREAD_NAME_MAX)


async def _find_forum_post(forum: discord.ForumChannel, bot_id: int | None, marker: str) -> int | None:
    """A forum's posts are threads opened by a first message: the newest of the bot's, open or
    archived, are read for the marker there."""
    threads = {thread.id: thread for thread in forum.threads if thread.owner_id == bot_id}
    async for thread in forum.archived_threads(limit=READ_BACK):
        if thread.owner_id == bot_id:
            threads[thread.id] = thread
    for thread in sorted(threads.values(), key=lambda thread: thread.id, reverse=True)[:READ_BACK]:
        starter = thread.starter_message
        if starter is None:  # not cached: the thread's oldest message is the post
            starter = await anext(aiter(thread.history(limit=1, oldest_first=True)), None)
        if starter is not None and _marked(starter, marker):
            return starter.id
    return None


def _marked(message: discord.Message, marker: str) -> bool:
    return any(embed.footer.text and marker in embed.footer.text for embed in message.embeds)
