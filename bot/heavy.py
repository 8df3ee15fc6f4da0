"""Heavy replies off the event loop: a timeline picture or an export file takes a second or more
of CPU, during which the loop would answer no one else, not even Discord's heartbeat.

They run on a small pool of threads of their own, not asyncio's default executor, which the
store and file reading share: a burst of pictures then waits its turn instead of starving
those. Each member has one heavy reply in the making at a time; a second is refused at once.
"""

from __future__ import annotations

import asyncio
import functools
import gc
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from bot.i18n.errors import UserError
from bot.i18n.messages import said

HEAVY_WORKERS = 2  # the machine's cores: more threads would only take turns holding the GIL
PER_MEMBER = 1

Made = TypeVar("Made")

STILL_MAKING = said("Your last picture or file is still being made; ask again once it is here.")


class HeavyWork:
    def __init__(self, workers: int = HEAVY_WORKERS, per_member: int = PER_MEMBER) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="heavy reply")
        self._per_member = per_member
        self._making: Counter[int] = Counter()

    async def run(self, member: int, make: Callable[..., Made], *args: object) -> Made:
        """`make(*args)` on the pool, for `member`; refused while their last one is unfinished."""
        if self._making[member] >= self._per_member:
            raise UserError(STILL_MAKING)
        self._making[member] += 1
        # What the work reads (20,000 events, say) leaves the cyclic collector's care first: else
        # the job's own allocations set off full collections that walk it all while holding the
        # interpreter, a tenth of a second at a time that the loop cannot answer anyone.
        # (They are freed as usual by reference counting once no one holds them.)
        gc.freeze()
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, functools.partial(make, *args))
        finally:
            self._making[member] -= 1
            if not self._making[member]:
                del self._making[member]

    def close(self) -> None:
        """Drop what has not started; what is running finishes on its own thread."""
        self._pool.shutdown(wait=False, cancel_futures=True)
