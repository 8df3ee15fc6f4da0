"""Sleeping until a due moment, woken early when something changes: what the daily posts' loop
and the Events tab's loop each wait on between their passes."""

from __future__ import annotations

import asyncio


class Alarm:
    """`await sleep(delay)` ends after `delay` seconds or at `wake()`, whichever is first. A wake
    that comes while nobody sleeps ends the next sleep at once, so a change made during a pass is
    never slept through."""

    def __init__(self) -> None:
        self._sleeper: asyncio.Task[None] | None = None
        self._woken = False

    def wake(self) -> None:
        self._woken = True
        if self._sleeper is not None:
            self._sleeper.cancel()

    async def sleep(self, delay: float) -> None:
        if self._woken:
            self._woken = False
            return
        self._sleeper = asyncio.ensure_future(asyncio.sleep(delay))
        try:
            await self._sleeper
        except asyncio.CancelledError:
            # wake() cancelled the sleep: go on. If we ourselves are being cancelled, stop.
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
        finally:
            self._sleeper = None
            self._woken = False
