"""Answers shared between people asking the same question: a short-lived cache with single flight.

A seller team asks the same handful of KPIs all day ("revenue last month", "上个月的复购率"). An answer is
reused only while nothing it depends on can have changed:

- the same parsed question (the IR, not the wording: "AOV this year" and "今年的客单价" in the same language
  share it), language, workspace and local as-of date;
- the same data: no committed write to customer data in this process (`Database.data_version`) and no import
  or merge finished by another process (the newest import log and merge event);
- at most `ttl` seconds old, so windows that end "now" (last 30 days, this year) move on.

Concurrent askers of a question being computed wait for that one computation instead of starting their own.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from crm.query.result import Result

UNCACHED = frozenset({"clarify", "draft", "reminder"})


class ResultCache:
    def __init__(
        self, *, ttl: float = 60.0, size: int = 512, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._entries: OrderedDict[tuple[Any, ...], tuple[float, Result]] = OrderedDict()
        self._flights: dict[tuple[Any, ...], asyncio.Future[Result]] = {}
        self.hits = 0
        self.misses = 0

    async def get_or_compute(self, key: tuple[Any, ...], compute: Callable[[], Awaitable[Result]]) -> Result:
        now = self.clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry[0] <= self.ttl:
            self.hits += 1
            self._entries.move_to_end(key)
            return entry[1].model_copy(deep=True)
        flight = self._flights.get(key)
        if flight is not None:
            self.hits += 1
            return (await asyncio.shield(flight)).model_copy(deep=True)
        self.misses += 1
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._flights[key] = future
        try:
            result = await compute()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        finally:
            self._flights.pop(key, None)
        future.set_result(result)
        if result.intent not in UNCACHED:
            self._entries[key] = (now, result)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return result.model_copy(deep=True)
