"""Outgoing message pacing for scheduled sends: Telegram's rate limits, 429 flood-waits and network retries.

Telegram allows about 30 messages per second overall and 20 per minute into one group (and asks for about one
per second into one private chat). Every scheduled message (reminders, alerts, digests) goes through one
`Sender`, which waits for a free slot in a sliding window per chat and a global one, then sends. A 429
answer blocks that chat for `retry_after` seconds and the message is tried again; network errors and
Telegram 5xx answers are retried with exponential backoff. Only permanent refusals (bot blocked, chat not
found, bad request) end a send; the caller then keeps its work pending so nothing is lost silently.

The clock and the sleep function are injectable, so tests check the pacing on virtual time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup

log = logging.getLogger(__name__)

Now = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]


class SlidingWindow:
    """At most `limit` acquisitions in any `period` seconds; waiters are served first come, first served."""

    def __init__(
        self, limit: int, period: float, *, now: Now = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("a rate limit needs limit >= 1 and period > 0")
        self.limit = limit
        self.period = period
        self._now = now
        self._sleep = sleep
        self._times: deque[float] = deque()
        self._blocked_until = 0.0
        self._lock = asyncio.Lock()

    def block(self, seconds: float) -> None:
        """Nothing goes out for `seconds` (Telegram said retry_after)."""
        self._blocked_until = max(self._blocked_until, self._now() + seconds)

    @property
    def idle(self) -> bool:
        now = self._now()
        return (
            not self._lock.locked()
            and now >= self._blocked_until
            and (not self._times or self._times[-1] <= now - self.period)
        )

    async def acquire(self) -> None:
        async with self._lock:
            await self.wait_for_room()
            self.take(self._now())

    async def wait_for_room(self) -> None:
        """Sleep until a slot is free (the caller holds `lock`); time only moves on, so it stays free."""
        while True:
            now = self._now()
            if now < self._blocked_until:
                await self._sleep(self._blocked_until - now)
                continue
            while self._times and self._times[0] <= now - self.period:
                self._times.popleft()
            if len(self._times) < self.limit:
                return
            await self._sleep(self._times[0] + self.period - now)

    def take(self, at: float) -> None:
        self._times.append(at)

    @property
    def lock(self) -> asyncio.Lock:
        return self._lock


@dataclass(frozen=True)
class SendResult:
    ok: bool
    chat_id: int
    message_id: int | None = None
    attempts: int = 1
    error: str | None = None
    permanent: bool = False  # the chat refused (blocked, kicked, not found): retrying later will not help


class Sender:
    """Paced, retrying sends for everything the scheduler delivers."""

    def __init__(
        self,
        bot: Bot,
        *,
        messages_per_second: float = 30.0,
        group_messages_per_minute: int = 20,
        private_messages_per_second: float = 1.0,
        max_attempts: int = 10,
        max_backoff: float = 60.0,
        now: Now = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        on_chat_moved: Callable[[int, int], Awaitable[None]] | None = None,
    ) -> None:
        self.bot = bot
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff
        self._now = now
        self._sleep = sleep
        self._global = SlidingWindow(max(1, round(messages_per_second)), 1.0, now=now, sleep=sleep)
        self._group_limit = max(1, group_messages_per_minute)
        self._private_rate = private_messages_per_second
        self._chats: dict[int, SlidingWindow] = {}
        self._moved: dict[int, int] = {}
        self.on_chat_moved = on_chat_moved
        self.sent = 0
        self.retried = 0

    @classmethod
    def from_settings(cls, bot: Bot, scheduler_settings: Any, **kwargs: Any) -> Sender:
        return cls(
            bot,
            messages_per_second=scheduler_settings.messages_per_second,
            group_messages_per_minute=scheduler_settings.group_messages_per_minute,
            **kwargs,
        )

    def _window(self, chat_id: int) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            if len(self._chats) > 10_000:  # forget chats with nothing in flight
                self._chats = {c: w for c, w in self._chats.items() if not w.idle}
            if chat_id < 0:
                window = SlidingWindow(self._group_limit, 60.0, now=self._now, sleep=self._sleep)
            else:
                per = max(1, round(self._private_rate)) if self._private_rate >= 1 else 1
                period = 1.0 if self._private_rate >= 1 else 1.0 / self._private_rate
                window = SlidingWindow(per, period, now=self._now, sleep=self._sleep)
            self._chats[chat_id] = window
        return window

    async def send_message(
        self, chat_id: int, text: str, *, reply_markup: InlineKeyboardMarkup | None = None, **kwargs: Any
    ) -> SendResult:
        async def call(target: int) -> Any:
            return await self.bot.send_message(target, text, reply_markup=reply_markup, **kwargs)

        return await self._deliver(chat_id, call)

    async def send_photo(
        self,
        chat_id: int,
        png: bytes,
        *,
        caption: str | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> SendResult:
        async def call(target: int) -> Any:
            return await self.bot.send_photo(
                target,
                BufferedInputFile(png, filename="chart.png"),
                caption=caption,
                reply_markup=reply_markup,
            )

        return await self._deliver(chat_id, call)

    async def _acquire(self, chat: SlidingWindow) -> None:
        """A slot in the chat's window, then in the global one, both stamped with the moment of sending.

        The chat comes first so a busy group queues on its own lock without holding the global one.
        """
        async with chat.lock:
            await chat.wait_for_room()
            async with self._global.lock:
                await self._global.wait_for_room()
                now = self._now()
                chat.take(now)
                self._global.take(now)

    async def _deliver(self, chat_id: int, call: Callable[[int], Awaitable[Any]]) -> SendResult:
        target = self._moved.get(chat_id, chat_id)
        backoff = 1.0
        attempt = 0
        while True:
            attempt += 1
            window = self._window(target)
            await self._acquire(window)
            try:
                message = await call(target)
            except TelegramRetryAfter as exc:
                self.retried += 1
                log.warning("flood-wait %ss for chat %s (attempt %s)", exc.retry_after, target, attempt)
                window.block(float(exc.retry_after))
                if attempt >= self.max_attempts:
                    return SendResult(False, target, attempts=attempt, error=f"flood-wait {exc.retry_after}s")
                continue
            except TelegramMigrateToChat as exc:
                new = int(exc.migrate_to_chat_id)
                self._moved[chat_id] = new
                if self.on_chat_moved is not None:
                    await self.on_chat_moved(target, new)
                target = new
                continue
            except TelegramEntityTooLarge as exc:
                return SendResult(False, target, attempts=attempt, error=str(exc), permanent=True)
            except (TimeoutError, TelegramNetworkError, TelegramServerError, OSError) as exc:
                self.retried += 1
                if attempt >= self.max_attempts:
                    return SendResult(False, target, attempts=attempt, error=f"{type(exc).__name__}: {exc}")
                log.warning("network error sending to %s (%s); retrying in %.0fs", target, exc, backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            except TelegramAPIError as exc:  # forbidden, chat not found, bad request: not worth repeating
                log.warning("Telegram refused a message to %s: %s", target, exc)
                return SendResult(False, target, attempts=attempt, error=str(exc), permanent=True)
            self.sent += 1
            return SendResult(True, target, message_id=getattr(message, "message_id", None), attempts=attempt)
