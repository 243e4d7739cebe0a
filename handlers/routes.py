"""The handlers of one conversation area, declared once when the module is imported, and a fresh aiogram Router
with them for each Dispatcher that is built (the bot, each test, the bench).

aiogram lets a Router be included in one parent only, so a module-level Router cannot serve a second Dispatcher
in the same process without undoing aiogram's private bookkeeping. A module declares its handlers on a
`Routes` with the same decorators as on a Router (`@routes.message(Command("kpi"), flags=...)`), and
bot/app.py includes `routes.router()` for each area.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject

Handler = TypeVar("Handler", bound=Callable[..., Any])


@dataclass(frozen=True)
class _Registration:
    observer: str  # "message", "callback_query", "errors", ...
    callback: Callable[..., Any]
    filters: tuple[Any, ...]
    flags: dict[str, Any] | None
    kwargs: dict[str, Any]


class Routes:
    """Handlers by event type, in the order they were declared (the order aiogram tries them)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._registrations: list[_Registration] = []

    def message(
        self, *filters: Any, flags: dict[str, Any] | None = None, **kwargs: Any
    ) -> Callable[[Handler], Handler]:
        return self._on("message", filters, flags, kwargs)

    def callback_query(
        self, *filters: Any, flags: dict[str, Any] | None = None, **kwargs: Any
    ) -> Callable[[Handler], Handler]:
        return self._on("callback_query", filters, flags, kwargs)

    def errors(
        self, *filters: Any, flags: dict[str, Any] | None = None, **kwargs: Any
    ) -> Callable[[Handler], Handler]:
        return self._on("errors", filters, flags, kwargs)

    def _on(
        self, observer: str, filters: tuple[Any, ...], flags: dict[str, Any] | None, kwargs: dict[str, Any]
    ) -> Callable[[Handler], Handler]:
        def register(callback: Handler) -> Handler:
            self._registrations.append(_Registration(observer, callback, filters, flags, kwargs))
            return callback

        return register

    def router(self) -> Router:
        """A new Router with every handler declared here (filters are shared: they hold no state)."""
        router = Router(name=self.name)
        for r in self._registrations:
            observer = getattr(router, r.observer)
            observer.register(r.callback, *r.filters, flags=r.flags, **r.kwargs)
            for event_filter in observer.handlers[-1].filters or ():
                run_inline(event_filter)
        return router


def run_inline(event_filter: FilterObject) -> None:
    """Make a plain (not async) filter run on the event loop. aiogram runs every plain callable in a worker
    thread (`asyncio.to_thread`), meant for blocking handlers; but `F.text`, `F.chat.type == "private"`, a
    `State` and the reading filters are a few attribute reads each, so a private text passing the ≈ 20 plain
    filters before the question handler cost ≈ 20 thread hand-offs (each a lock, a wake-up of the loop and
    the GIL passed back and forth): several ms of CPU per message. The filter's parameters are unchanged."""
    if event_filter.awaitable:
        return
    plain = event_filter.callback

    async def inline(*args: Any, **kwargs: Any) -> Any:
        return plain(*args, **kwargs)

    event_filter.callback = inline
    event_filter.awaitable = True
