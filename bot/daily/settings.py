"""/anniversaries setup | show | preview | disable: a server's daily post and digest, as plain async
methods."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, replace

from bot.daily.digest import first_period, period_after
from bot.daily.intro import check_intro
from bot.daily.post import DailyPost
from bot.daily.scheduler import Scheduler
from bot.dates.post_times import check_timezone, first_due, iso, parse_post_time, post_instant
from bot.dates.when import parse_day
from bot.i18n.errors import UserError
from bot.i18n.languages import SHIPPED
from bot.i18n.messages import said
from bot.model.kinds import Digest, EmptyDay, PostState
from bot.store import DigestRecord, PostRecord, PostSettings, Store

NOT_SET_UP = said("Daily posts are not set up here yet; use `/anniversaries setup` first.")

# `/anniversaries setup digest:` -> (how often, whether the daily posts go on beside it)
DIGEST_CHOICES: dict[str, tuple[Digest, bool]] = {
    "off": (Digest.OFF, True),
    "weekly": (Digest.WEEKLY, True),
    "monthly": (Digest.MONTHLY, True),
    "weekly-only": (Digest.WEEKLY, False),
    "monthly-only": (Digest.MONTHLY, False),
}


@dataclass(frozen=True)
class SettingsReport:
    """What `/anniversaries show` tells a moderator."""

    settings: PostSettings
    next_post: dt.datetime | None
    last_post: PostRecord | None
    last_failure: PostRecord | None
    next_digest: dt.datetime | None = None
    last_digest: DigestRecord | None = None


def skipped_days(
    previous: PostSettings | None, closed: str | None, first: dt.date, now: dt.datetime
) -> list[dt.date]:
    """The local days the old settings still had to post but the new ones start after (moving
    from UTC-11 to UTC+14 after a post, say): recorded as missed, never skipped silently. Days
    that were already over under the old settings were lost to downtime, not to this change."""
    if previous is None or not previous.enabled or previous.due_local_date is None:
        return []
    old_zone = zoneinfo.ZoneInfo(previous.timezone)
    day = max(
        dt.date.fromisoformat(previous.due_local_date),
        now.astimezone(old_zone).date(),
        dt.date.fromisoformat(closed) + dt.timedelta(days=1) if closed else dt.date.min,
    )
    days = []
    while day < first:
        days.append(day)
        day += dt.timedelta(days=1)
    return days


class Anniversaries:
    def __init__(self, store: Store, scheduler: Scheduler) -> None:
        self._store = store
        self._scheduler = scheduler

    async def setup(
        self,
        guild_id: int,
        *,
        channel_id: int,
        post_time: str,
        timezone: str,
        mention_role_id: int | None,
        empty_day: str,
        actor: int | None,
        now: dt.datetime,
        language: str | None = None,
        intro: str | None = None,
        digest: str = "off",
        digest_weekday: int = 0,
    ) -> SettingsReport:
        """Validate everything first; only a wholly valid setup is saved. `language` is the posts'
        language, None for the server's own; `intro` the line above each post, None for none;
        `digest` one of DIGEST_CHOICES, sent on `digest_weekday` (0 Monday) when weekly."""
        hhmm = parse_post_time(post_time)
        if digest not in DIGEST_CHOICES or not 0 <= digest_weekday <= 6:
            raise UserError(said("Choose the digest and its day from the lists."))
        kind, daily = DIGEST_CHOICES[digest]
        intro = check_intro(intro)
        zone = check_timezone(timezone)
        if empty_day not in {mode.value for mode in EmptyDay}:
            raise UserError(said("For a day without anniversaries choose `nothing`, `month` or `next`."))
        if language is not None and language not in SHIPPED:
            raise UserError(
                said("Choose the posts' language from the list: {languages}.", languages=", ".join(SHIPPED))
            )
        local_date, instant = first_due(now, hhmm, zone)
        closed = await self._store.last_closed_day(guild_id)
        if closed is not None and local_date <= (last := dt.date.fromisoformat(closed)):
            # A new zone can make a day already posted (or being posted) come round again: the
            # next post is always for a later day than the last one.
            local_date = last + dt.timedelta(days=1)
            instant = post_instant(local_date, hhmm, zone)
        previous = await self._store.post_settings(guild_id)
        missed = skipped_days(previous, closed, local_date, now)
        settings = PostSettings(
            guild_id=guild_id,
            channel_id=channel_id,
            post_time=hhmm,
            timezone=zone.key,
            mention_role_id=mention_role_id,
            empty_day=EmptyDay(empty_day),
            enabled=daily,
            due_local_date=local_date.isoformat(),
            next_due_utc=iso(instant),
            language=language,
            intro=intro,
            digest=kind,
            digest_weekday=digest_weekday,
        )
        if kind is not Digest.OFF:
            period = first_period(kind, digest_weekday, now.astimezone(zone).date())
            while (digest_at := post_instant(period, hhmm, zone)) <= now:
                period = period_after(kind, period)
            settings = replace(settings, digest_period=period.isoformat(), digest_next_utc=iso(digest_at))
        await self._store.save_post_settings(
            settings,
            actor,
            missed_days=[day.isoformat() for day in missed],
            missed_reason=(
                f"not posted: the settings changed to {hhmm} {zone.key} after {hhmm} had passed"
                " there that day"
            ),
        )
        self._scheduler.wake()
        return await self.show(guild_id)

    async def show(self, guild_id: int) -> SettingsReport:
        settings = await self._store.post_settings(guild_id)
        if settings is None or settings.post_time is None:
            raise UserError(NOT_SET_UP)
        next_post = dt.datetime.fromisoformat(settings.next_due_utc) if settings.next_due_utc else None
        next_digest = None
        if settings.digest is not Digest.OFF and settings.digest_next_utc:
            next_digest = dt.datetime.fromisoformat(settings.digest_next_utc)
        return SettingsReport(
            settings=settings,
            next_post=next_post if settings.enabled else None,
            last_post=await self._store.last_post(guild_id, (PostState.SENT,)),
            last_failure=await self._store.last_failure(guild_id),
            next_digest=next_digest,
            last_digest=await self._store.last_digest(guild_id),
        )

    async def disable(self, guild_id: int, actor: int | None) -> None:
        settings = await self._store.post_settings(guild_id)
        if settings is None or not (settings.enabled or settings.digest is not Digest.OFF):
            raise UserError(said("Daily posts are already off here."))
        await self._store.save_post_settings(replace(settings, enabled=False, digest=Digest.OFF), actor)
        self._scheduler.wake()

    async def preview(self, guild_id: int, date_text: str | None, now: dt.datetime) -> DailyPost | None:
        """Exactly what would be posted for that day (today in the server's zone by default)."""
        settings = await self._store.post_settings(guild_id)
        if settings is None or settings.post_time is None:
            # Preview works before setup too: as it would look with the defaults.
            settings = PostSettings(
                guild_id,
                None,
                "09:00",
                await self._store.guild_timezone(guild_id),
                None,
                EmptyDay.NEXT,
                False,
                None,
                None,
            )
        zone = zoneinfo.ZoneInfo(settings.timezone)
        today = now.astimezone(zone).date()
        asked = parse_day(date_text or "", today)
        day = asked.on_year(asked.year or today.year)
        return await self._scheduler.build_post(settings, day, None, zone)
