"""Daily posts and their settings -> what Discord shows."""

from __future__ import annotations

import datetime as dt

import discord

from bot.daily.digest import DigestPost, digest_marker
from bot.daily.intro import filled_intro
from bot.daily.post import DailyPost
from bot.daily.settings import SettingsReport
from bot.dates.words import day_in, month_in
from bot.i18n.languages import NAMES, SOURCE_LANGUAGE
from bot.i18n.messages import Text, said, translate
from bot.model.kinds import Digest, PostState
from bot.render.embeds import day_embed, upcoming_pages
from bot.render.localize import localized
from bot.render.markup import user_text


def post_embed(post: DailyPost, language: str = SOURCE_LANGUAGE) -> discord.Embed:
    embed = day_embed(post.answer, language)
    footer = post.marker  # found again by this exact text after a restart: never translated
    if post.late:
        late = said("posted late: the bot was offline at the usual time").in_language(language)
        footer += f" · {late}"
    embed.set_footer(text=footer)
    return embed


def digest_heading(digest: DigestPost, language: str = SOURCE_LANGUAGE) -> str:
    """`This week's anniversaries: 7 December – 13 December`, or `…this month's: December 2026`."""
    first = digest.period
    if digest.kind is Digest.MONTHLY:
        month = f"{month_in(first.month, language)} {first.year}"
        return said("This month's anniversaries: {month}", month=month).in_language(language)
    last = first + dt.timedelta(days=digest.answer.days - 1)
    start, end = (day_in(day.month, day.day, None, language) for day in (first, last))
    return said("This week's anniversaries: {start} – {end}", start=start, end=end).in_language(language)


def digest_pages(digest: DigestPost, language: str = SOURCE_LANGUAGE) -> list[discord.Embed]:
    """The digest as /upcoming pages it (whole days, within Discord's limits), one message each,
    under the digest's heading; every page's footer carries its marker, and its number of all."""
    pages = upcoming_pages(localized(digest.answer, language), language, digest_heading(digest, language))
    for number, page in enumerate(pages, 1):
        page.set_footer(text=f"{digest_marker(digest.kind, digest.period, number)}{len(pages)}")
    return pages


def post_content(post: DailyPost, language: str = SOURCE_LANGUAGE) -> str | None:
    """The line above the embed: the role mention and the intro line, where the server set them."""
    parts = [f"<@&{post.mention_role_id}>"] if post.mention_role_id else []
    if post.intro:
        day = day_in(post.local_date.month, post.local_date.day, None, language)
        parts.append(user_text(filled_intro(post.intro, day, post.answer.anniversary_count, language)))
    return " ".join(parts) or None


def post_mentions(post: DailyPost) -> discord.AllowedMentions:
    """Only the configured role, only in this post; nothing else can ping."""
    if post.mention_role_id is None:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(post.mention_role_id)])


def _when(instant: dt.datetime | None) -> str:
    if instant is None:
        return "—"
    stamp = int(instant.timestamp())
    return f"<t:{stamp}:F> (<t:{stamp}:R>)"  # shown in each reader's own time zone and language


def _language_name(language: str | None, reader: str) -> str:
    if language is None:
        return said("the server's own language").in_language(reader)
    return NAMES.get(language, language)  # as the choice list names it: Català, Русский


def settings_lines(report: SettingsReport, language: str = SOURCE_LANGUAGE) -> list[tuple[str, str]]:
    """(label, value) rows of `/anniversaries show`, in the moderator's `language`."""

    def say(text: Text) -> str:
        return text.in_language(language)

    settings = report.settings
    none = say(said("none"))
    empty_day = translate(language, "choice", settings.empty_day.description)  # as the option shows it
    rows = [
        (said("Status"), say(said("on")) if settings.enabled else say(said("off"))),
        (said("Channel"), f"<#{settings.channel_id}>" if settings.channel_id else say(said("not set"))),
        (said("Time"), f"{settings.post_time} {settings.timezone}"),
        (said("Language"), _language_name(settings.language, language)),
        (said("Role to mention"), f"<@&{settings.mention_role_id}>" if settings.mention_role_id else none),
        (said("Intro line"), user_text(settings.intro) if settings.intro else none),
        (said("On a day without anniversaries"), empty_day),
        (said("Next post"), _when(report.next_post)),
    ]
    last = report.last_post
    if last is None:
        rows.append((said("Last post"), say(said("none yet"))))
    else:
        late_label = said("late")
        late = f" ({say(late_label)})" if last.late else ""
        # when it left, as a Discord timestamp like the next post's, in the reader's zone and
        # words: the message's id says when Discord made it
        sent = discord.utils.snowflake_time(last.message_id) if last.message_id else None
        rows.append((said("Last post"), f"{_when(sent) if sent else last.local_date}{late}"))
    failure = report.last_failure
    if failure is not None:
        # the reason is recorded once, in English, when the post fails
        rows.append((said("Last failure"), f"{failure.local_date}: {failure.last_error}"))
    rows += _digest_rows(report, language)
    return [(say(name), value) for name, value in rows]


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _digest_rows(report: SettingsReport, language: str) -> list[tuple[Text, str]]:
    settings = report.settings
    if settings.digest is Digest.OFF:
        return [(said("Digest"), said("off").in_language(language))]
    if settings.digest is Digest.WEEKLY:
        weekday = translate(language, "choice", WEEKDAYS[settings.digest_weekday])
        how = said("weekly ({weekday})", weekday=weekday)
    else:
        how = said("monthly, on the 1st")
    shown = how.in_language(language)
    if not settings.enabled:
        shown += " · " + said("instead of the daily posts").in_language(language)
    rows = [(said("Digest"), shown), (said("Next digest"), _when(report.next_digest))]
    last = report.last_digest
    if last is not None and last.state is PostState.SENT:
        rows.append((said("Last digest"), last.period))
    elif last is not None:  # failed or missed: the reason, recorded in English
        rows.append((said("Last digest"), f"{last.period}: {last.last_error or last.state}"))
    return rows


WIDE_ROWS = (
    "Last failure",
    "Next digest",
    "Last digest",
    "Next post",
    "Last post",
    "Intro line",
)  # English labels of the rows that take a whole line


def settings_embed(report: SettingsReport, language: str = SOURCE_LANGUAGE) -> discord.Embed:
    title = said("Daily anniversary posts").in_language(language)
    embed = discord.Embed(title=title, colour=discord.Colour.dark_gold())
    wide = {said(name).in_language(language) for name in WIDE_ROWS}
    for name, value in settings_lines(report, language):
        embed.add_field(name=name, value=value[:1024], inline=name not in wide)
    return embed
