"""Daily posts and their settings -> what Discord shows."""

from __future__ import annotations

import datetime as dt

import discord

from bot.anniversaries import SettingsReport
from bot.daily import DailyPost
from bot.render import day_embed


def post_embed(post: DailyPost) -> discord.Embed:
    embed = day_embed(post.answer)
    embed.title = f"On this day: {post.answer.day.label()}"
    footer = post.marker
    if post.late:
        footer += " · posted late: the bot was offline at the usual time"
    embed.set_footer(text=footer)
    return embed


def post_content(post: DailyPost) -> str | None:
    """The line above the embed: the role mention, when the server asked for one."""
    return f"<@&{post.mention_role_id}>" if post.mention_role_id else None


def post_mentions(post: DailyPost) -> discord.AllowedMentions:
    """Only the configured role, only in this post; nothing else can ping."""
    if post.mention_role_id is None:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(post.mention_role_id)])


def _when(instant: dt.datetime | None, zone: str) -> str:
    if instant is None:
        return "—"
    stamp = int(instant.timestamp())
    return f"<t:{stamp}:F> (<t:{stamp}:R>)"


def settings_lines(report: SettingsReport) -> list[tuple[str, str]]:
    settings = report.settings
    rows = [
        ("Status", "on" if settings.enabled else "off"),
        ("Channel", f"<#{settings.channel_id}>" if settings.channel_id else "not set"),
        ("Time", f"{settings.post_time} {settings.timezone}"),
        ("Role to mention", f"<@&{settings.mention_role_id}>" if settings.mention_role_id else "none"),
        ("On a day without anniversaries", settings.empty_day.description),
        ("Next post", _when(report.next_post, settings.timezone)),
    ]
    last = report.last_post
    rows.append(
        ("Last post", f"{last.local_date}" + (" (late)" if last.late else "") if last else "none yet")
    )
    failure = report.last_failure
    if failure is not None:
        rows.append(("Last failure", f"{failure.local_date}: {failure.last_error}"))
    return rows


def settings_embed(report: SettingsReport) -> discord.Embed:
    embed = discord.Embed(title="Daily anniversary posts", colour=discord.Colour.dark_gold())
    for name, value in settings_lines(report):
        embed.add_field(name=name, value=value[:1024], inline=name not in ("Last failure", "Next post"))
    return embed
