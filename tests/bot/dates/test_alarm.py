"""The alarm the posting loops sleep on (bot/dates/alarm.py)."""

from __future__ import annotations

import asyncio

import pytest

from bot.dates.alarm import Alarm


async def test_a_wake_ends_a_sleep_and_one_before_it_skips_the_next() -> None:
    alarm = Alarm()
    sleeping = asyncio.create_task(alarm.sleep(3600))
    await asyncio.sleep(0)
    alarm.wake()
    await asyncio.wait_for(sleeping, 1)

    alarm.wake()  # while nobody sleeps: the next sleep ends at once, and only that one
    await asyncio.wait_for(alarm.sleep(3600), 1)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(alarm.sleep(3600), 0.05)


async def test_cancelling_the_sleeper_itself_still_cancels_it() -> None:
    sleeping = asyncio.create_task(Alarm().sleep(3600))
    await asyncio.sleep(0)
    sleeping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sleeping
