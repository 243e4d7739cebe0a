"""A fake Telegram Bot API HTTP server on loopback, for end-to-end tests with the real aiogram client.

It speaks the Bot API wire format (form or multipart requests to `/bot<token>/<method>`, `{"ok": ..}` JSON
answers, file downloads from `/file/bot<token>/<path>`), records every call, keeps the text and buttons of
every message the bot sent (edits included), and lets a test drive the bot like a user would.

Usage::

    server = await FakeTelegramServer().start()
    bot = Bot(token=TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(server.base_url)))
    # ... or settings.telegram.api_url = server.base_url and bot.app.build_bot(settings)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
    mark = server.mark()                                  # remember where the call log stands
    server.send_text(user_id=1, text="/start")            # a user writes to the bot
    call = await server.wait_call("sendMessage", chat_id=1, after=mark)
    assert "Welcome" in call.params["text"]
    server.press(user_id=1, message=call.message_id, data="onb:lang:en")   # press an inline button
    server.send_document(user_id=1, file_name="orders.csv", content=b"...")
    server.fail_next("sendMessage", times=1, retry_after=1)                # inject a 429 flood-wait
    ...
    await dp.stop_polling(); await server.stop()

Polling answers `getUpdates` from a queue the test fills (`push_update`, `send_text`, `press`,
`send_document`); a long poll waits until an update arrives or the requested timeout passes.
Other areas (reminders, alerts) reuse it: `calls`, `calls_of(method)`, `wait_call(...)`, `sent_texts(chat_id)`.

It refuses what Telegram refuses, with Telegram's 400 descriptions, so a regression shows up as a failed call:
HTML that does not parse (parse_mode HTML: only Telegram's tags, every tag closed in order, `<` only as a tag),
a text over 4,096 or a caption over 1,024 characters after entity parsing, a callback answer over 200, and
inline buttons without text or with callback_data outside 1-64 bytes. `parse_html` gives the text a user sees.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 700000001
BOT_USERNAME = "sellermate_test_bot"
TEXT_METHODS = ("sendMessage", "editMessageText")

# Telegram's limits (Bot API documentation), counted in characters of the text after entity parsing.
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_CALLBACK_DATA_BYTES = 64
# The tags Telegram's HTML parse mode knows (https://core.telegram.org/bots/api#html-style).
HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_HTML_TOKEN = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>|<"
    r"|&(#[0-9]+|#[xX][0-9A-Fa-f]+|lt|gt|amp|quot);|[^<&]+|&"
)


def parse_html(text: str) -> str:
    """The text a user sees for an HTML-mode message; raises ValueError (Telegram's description) when Telegram
    would refuse to parse it."""
    out: list[str] = []
    open_tags: list[str] = []
    for m in _HTML_TOKEN.finditer(text):
        token = m.group(0)
        if m.group(2) is not None:
            name = m.group(2).lower()
            if name not in HTML_TAGS:
                raise ValueError(
                    f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" '
                    f"at byte offset {len(text[: m.start()].encode())}"
                )
            if m.group(1):
                if not open_tags or open_tags[-1] != name:
                    expected = open_tags[-1] if open_tags else ""
                    raise ValueError(
                        f"Bad Request: can't parse entities: Unmatched end tag at byte offset "
                        f'{len(text[: m.start()].encode())}, expected "</{expected}>", '
                        f'found "</{name}>"'
                    )
                open_tags.pop()
            else:
                open_tags.append(name)
        elif token == "<":
            raise ValueError(
                "Bad Request: can't parse entities: Unexpected end of name token at byte offset "
                f"{len(text[: m.start()].encode())}"
            )
        elif m.group(4) is not None:
            out.append(html.unescape(token))
        else:
            out.append(token)
    if open_tags:
        raise ValueError(
            f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{open_tags[-1]}"'
        )
    return "".join(out)


@dataclass
class Call:
    """One request the bot made: the method, its parameters (JSON values decoded) and uploaded files."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    result: Any = None
    status: int = 200
    at: float = field(default_factory=time.monotonic)  # when the server received it (benchmarks)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None and str(value).lstrip("-").isdigit() else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def message_id(self) -> int | None:
        if isinstance(self.result, dict) and "message_id" in self.result:
            return int(self.result["message_id"])
        value = self.params.get("message_id")
        return int(value) if value is not None else None

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data or url) of every inline button, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [
            (b.get("text", ""), b.get("callback_data") or b.get("url") or "")
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]


@dataclass
class SentMessage:
    chat_id: int
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None
    kind: str = "text"  # text | photo | document


def _decode(value: str) -> Any:
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeTelegramServer:
    """Start with `await server.start()`; `base_url` is what `TelegramAPIServer.from_base` wants."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self.chat_member_status: dict[tuple[int, int], str] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] | None = None
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._incoming_ids = itertools.count(1)
        self._failures: dict[str, list[tuple[int, int]]] = {}
        self._changed: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.handlers: dict[str, Callable[[dict[str, Any]], Any]] = {}
        # Called with every recorded call (benchmarks use it instead of scanning `calls`).
        self.listeners: list[Callable[[Call], None]] = []

    # --- life cycle ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> FakeTelegramServer:
        self._changed = asyncio.Condition()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._closing = True  # ends pending long polls at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- what a test drives ------------------------------------------------------------------------
    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (an update_id is added when missing); returns it."""
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._notify()
        return update

    @staticmethod
    def user(
        user_id: int, *, language_code: str = "en", username: str | None = None, first_name: str | None = None
    ) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or f"User{user_id}",
            "username": username or f"user{user_id}",
            "language_code": language_code,
        }

    @staticmethod
    def chat(chat_id: int, chat_type: str = "private", title: str | None = None) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"User{chat_id}"
        else:
            chat["title"] = title or f"Group {chat_id}"
        return chat

    def _incoming(
        self,
        user_id: int,
        chat_id: int | None,
        chat_type: str,
        language_code: str,
        title: str | None,
        **content: Any,
    ) -> dict[str, Any]:
        chat_id = user_id if chat_id is None else chat_id
        return {
            "message_id": next(self._incoming_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type, title),
            "from": self.user(user_id, language_code=language_code),
            **content,
        }

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "en",
        title: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """A user writes `text` (commands get their bot_command entity, as Telegram does), optionally as a
        reply to the bot's message `reply_to`."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.send_message(
            user_id,
            chat_id=chat_id,
            chat_type=chat_type,
            language_code=language_code,
            title=title,
            reply_to=reply_to,
            **content,
        )

    def send_message(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "en",
        title: str | None = None,
        reply_to: int | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A user sends a message of any kind: `content` is its Bot API fields (`sticker={...}`, `photo=[...]`)."""
        if reply_to is not None:
            target = user_id if chat_id is None else chat_id
            sent = self.messages.get((target, reply_to))
            content["reply_to_message"] = {
                "message_id": reply_to,
                "date": int(time.time()),
                "chat": self.chat(target, chat_type),
                "from": self._bot_user(),
                "text": sent.text if sent else "",
            }
        message = self._incoming(user_id, chat_id, chat_type, language_code, title, **content)
        return self.push_update({"message": message})

    def send_document(
        self,
        user_id: int,
        file_name: str,
        content: bytes,
        *,
        caption: str | None = None,
        chat_id: int | None = None,
        language_code: str = "en",
        file_size: int | None = None,
        mime_type: str = "text/csv",
    ) -> dict[str, Any]:
        """A user uploads a file; `file_size` may claim a bigger size than the content (oversize tests)."""
        file_id = f"doc{len(self.files) + 1}"
        self.files[file_id] = (f"documents/{file_id}_{file_name}", content)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": file_size if file_size is not None else len(content),
        }
        extra: dict[str, Any] = {"document": document}
        if caption:
            extra["caption"] = caption
        message = self._incoming(user_id, chat_id, "private", language_code, None, **extra)
        return self.push_update({"message": message})

    def press(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "en",
    ) -> dict[str, Any]:
        """A user presses an inline button with `data` under the bot's message `message_id`."""
        chat_id = user_id if chat_id is None else chat_id
        sent = self.messages.get((chat_id, message_id))
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type),
            "from": self._bot_user(),
            "text": sent.text if sent else "",
        }
        if sent is not None and sent.reply_markup:  # as Telegram does: the message comes with its buttons
            message["reply_markup"] = sent.reply_markup
        query = {
            "id": str(next(self._update_ids) * 7),
            "from": self.user(user_id, language_code=language_code),
            "chat_instance": str(chat_id),
            "data": data,
            "message": message,
        }
        return self.push_update({"callback_query": query})

    def fail_next(self, method: str, *, times: int = 1, retry_after: int = 1, status: int = 429) -> None:
        """The next `times` calls of `method` fail: a flood-wait (HTTP 429 with retry_after) or, with another
        `status` (e.g. 400), a plain API error."""
        self._failures.setdefault(method.lower(), []).extend([(status, retry_after)] * times)

    # --- what a test inspects ----------------------------------------------------------------------
    def mark(self) -> int:
        return len(self.calls)

    def calls_of(self, method: str, *, after: int = 0) -> list[Call]:
        return [c for c in self.calls[after:] if c.method.lower() == method.lower()]

    def sent_texts(self, chat_id: int, *, after: int = 0) -> list[str]:
        return [
            c.text
            for c in self.calls[after:]
            if c.method in TEXT_METHODS and c.chat_id == chat_id and c.status == 200
        ]

    async def wait_call(
        self,
        method: str | tuple[str, ...],
        *,
        chat_id: int | None = None,
        after: int = 0,
        where: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
    ) -> Call:
        """The first successful call of `method` after index `after` matching the filters (waits for it)."""
        methods = {m.lower() for m in ((method,) if isinstance(method, str) else method)}

        def find() -> Call | None:
            for call in self.calls[after:]:
                if (
                    call.method.lower() in methods
                    and call.status == 200
                    and (chat_id is None or call.chat_id == chat_id)
                    and (where is None or where(call))
                ):
                    return call
            return None

        assert self._changed is not None
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: find() is not None), timeout)
            except TimeoutError:
                seen = [(c.method, c.chat_id, c.text[:80]) for c in self.calls[after:]]
                raise AssertionError(
                    f"no {sorted(methods)} call for chat {chat_id} within {timeout}s; "
                    f"calls since mark: {seen}"
                ) from None
        found = find()
        assert found is not None
        return found

    async def wait_idle(self, *, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until the bot has made no call for `quiet` seconds (used before asserting nothing was sent)."""
        deadline = time.monotonic() + timeout
        last = -1
        while time.monotonic() < deadline:
            if len(self.calls) == last and not self._pending_updates():
                return
            last = len(self.calls)
            await asyncio.sleep(quiet)
        raise AssertionError("the bot never went idle")

    def _pending_updates(self) -> bool:
        return bool(self._updates)

    # --- the Bot API ---------------------------------------------------------------------------------
    def _record(self, call: Call) -> None:
        self.calls.append(call)
        for listener in self.listeners:
            listener(call)
        self._notify()

    def _notify(self) -> None:
        cond = self._changed
        if cond is None:
            return

        async def wake() -> None:
            async with cond:
                cond.notify_all()

        try:  # noqa: SIM105
            asyncio.get_running_loop().create_task(wake())
        except RuntimeError:  # called outside the loop: waiters poll on their next wake-up
            pass

    @staticmethod
    def _bot_user() -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "SellerMate", "username": BOT_USERNAME}

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes]] = {}
        if request.content_type == "application/json":
            params = await request.json() if request.can_read_body else {}
            return params, files
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.filename:
                    files[part.name or ""] = (part.filename, bytes(await part.read()))
                else:
                    params[part.name or ""] = _decode(await part.text())
            return params, files
        form = await request.post()
        for key, value in form.items():
            params[key] = _decode(value) if isinstance(value, str) else value
        return params, files

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params, files = await self._read_params(request)
        call = Call(method=method, params=params, files=files)
        failures = self._failures.get(method.lower())
        if failures and method.lower() != "getupdates":
            status, retry_after = failures.pop(0)
            call.status = status
            self._record(call)
            body: dict[str, Any] = {"ok": False, "error_code": status}
            if status == 429:
                body.update(
                    description=f"Too Many Requests: retry after {retry_after}",
                    parameters={"retry_after": retry_after},
                )
            else:
                body["description"] = f"Bad Request: injected failure {status}"
            return web.json_response(body, status=status)
        if method.lower() == "getupdates":
            result: Any = await self._get_updates(params)
            if not result:
                return web.json_response({"ok": True, "result": []})  # empty polls are not recorded
        else:
            handler = getattr(self, f"_m_{method.lower()}", None)
            custom = self.handlers.get(method)
            try:
                _check_limits(method.lower(), params)
                result = custom(params) if custom else (handler(params, files) if handler else True)
            except _APIError as exc:
                call.status = exc.code
                self._record(call)
                return web.json_response(
                    {"ok": False, "error_code": exc.code, "description": exc.description}, status=exc.code
                )
        call.result = result
        self._record(call)
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while not self._updates and time.monotonic() < deadline and not self._closing:
            await asyncio.sleep(0.01)
        limit = int(params.get("limit") or 100)
        return self._updates[:limit]

    async def _download(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        for file_path, content in self.files.values():
            if file_path == path:
                return web.Response(body=content, content_type="application/octet-stream")
        return web.Response(status=404, text="file not found")

    # --- method implementations ------------------------------------------------------------------------
    def _message(
        self, chat_id: Any, text: str, markup: Any, kind: str = "text", extra: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        chat_id = int(chat_id)
        message_id = next(self._message_ids)
        self.messages[(chat_id, message_id)] = SentMessage(
            chat_id, message_id, text, markup if isinstance(markup, dict) else None, kind
        )
        out: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat(chat_id, "private" if chat_id > 0 else "supergroup"),
            "from": self._bot_user(),
        }
        if kind == "text":
            out["text"] = text
        elif text:
            out["caption"] = text
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            out["reply_markup"] = markup
        out.update(extra or {})
        return out

    def _m_getme(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_sendmessage(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        text = str(params.get("text") or "")
        return self._message(params["chat_id"], text, params.get("reply_markup"))

    def _edit(self, params: dict[str, Any], *, text: str | None) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        sent = self.messages.get(key)
        if sent is None:
            raise _APIError(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if text is not None and text == sent.text and (markup or None) == sent.reply_markup:
            raise _APIError(400, "Bad Request: message is not modified")
        if text is not None:
            sent.text = text
        sent.reply_markup = markup if isinstance(markup, dict) else None
        out = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self.chat(sent.chat_id, "private" if sent.chat_id > 0 else "supergroup"),
            "from": self._bot_user(),
            "text": sent.text,
        }
        if sent.reply_markup:
            out["reply_markup"] = sent.reply_markup
        return out

    def _m_editmessagetext(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        return self._edit(params, text=str(params.get("text") or ""))

    def _m_editmessagereplymarkup(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        return self._edit(params, text=None)

    def _m_sendphoto(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
        size = len(next(iter(files.values()))[1]) if files else 0
        photo = [
            {
                "file_id": f"photo{len(self.calls)}",
                "file_unique_id": f"p{len(self.calls)}",
                "width": 800,
                "height": 600,
                "file_size": size,
            }
        ]
        return self._message(
            params["chat_id"],
            str(params.get("caption") or ""),
            params.get("reply_markup"),
            kind="photo",
            extra={"photo": photo},
        )

    def _m_senddocument(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
        name, content = next(iter(files.values())) if files else ("file", b"")
        document = {
            "file_id": f"sent{len(self.calls)}",
            "file_unique_id": f"s{len(self.calls)}",
            "file_name": name,
            "file_size": len(content),
        }
        return self._message(
            params["chat_id"],
            str(params.get("caption") or ""),
            params.get("reply_markup"),
            kind="document",
            extra={"document": document},
        )

    def _m_getfile(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            raise _APIError(400, "Bad Request: invalid file_id")
        path, content = self.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(content),
            "file_path": path,
        }

    def _m_answercallbackquery(self, params: dict[str, Any], files: Any) -> bool:
        return True

    def _m_setmycommands(self, params: dict[str, Any], files: Any) -> bool:
        self.commands[str(params.get("language_code") or "")] = list(params.get("commands") or [])
        return True

    def _m_deletewebhook(self, params: dict[str, Any], files: Any) -> bool:
        self.webhook = None
        return True

    def _m_setwebhook(self, params: dict[str, Any], files: Any) -> bool:
        self.webhook = dict(params)
        return True

    def _m_getchat(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        return self.chat(chat_id, "private" if chat_id > 0 else "supergroup")

    def _m_getchatmember(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        status = self.chat_member_status.get((chat_id, user_id), "member")
        member: dict[str, Any] = {"status": status, "user": self.user(user_id)}
        if status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
            )
        return member

    def _m_deletemessage(self, params: dict[str, Any], files: Any) -> bool:
        self.messages.pop((int(params["chat_id"]), int(params["message_id"])), None)
        return True

    def _m_sendchataction(self, params: dict[str, Any], files: Any) -> bool:
        return True


def _visible(params: dict[str, Any], key: str) -> str:
    value = str(params.get(key) or "")
    if str(params.get("parse_mode") or "").lower() != "html":
        return value
    try:
        return parse_html(value)
    except ValueError as exc:
        raise _APIError(400, str(exc)) from None


def _check_limits(method: str, params: dict[str, Any]) -> None:
    """Refuse a call as Telegram would: unparsable HTML, over-long texts and captions, bad inline buttons."""
    if method in ("sendmessage", "editmessagetext"):
        text = _visible(params, "text")
        if not text.strip():
            raise _APIError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise _APIError(400, "Bad Request: message is too long")
    elif "caption" in params and method in (
        "sendphoto",
        "senddocument",
        "sendvideo",
        "sendaudio",
        "sendanimation",
        "editmessagecaption",
    ):
        if len(_visible(params, "caption")) > MAX_CAPTION:
            raise _APIError(400, "Bad Request: message caption is too long")
    elif method == "answercallbackquery" and len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
        raise _APIError(400, "Bad Request: MESSAGE_TOO_LONG")
    markup = params.get("reply_markup")
    if isinstance(markup, dict):
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                if not str(button.get("text") or "").strip():
                    raise _APIError(400, "Bad Request: BUTTON_TEXT_INVALID")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                    raise _APIError(400, "Bad Request: BUTTON_DATA_INVALID")


class _APIError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


async def close_bot_session(bot: Any) -> None:
    """Close a bot's HTTP session to a server on 127.0.0.1 at once. aiogram's AiohttpSession.close() waits
    250 ms after closing, for SSL connections to finish closing (aiohttp's graceful-shutdown advice); plain
    HTTP on loopback has none to wait for. Any other session closes as aiogram closes it."""
    session = bot.session
    client = getattr(session, "_session", None)  # aiogram's aiohttp.ClientSession, opened by the first call
    api = getattr(getattr(session, "api", None), "base", "")
    if client is None or not api.startswith("http://127.0.0.1:"):
        await session.close()
        return
    if not client.closed:
        await client.close()
        await asyncio.sleep(0)  # the closed sockets' last callbacks run before the test's loop ends


async def finish_polling(dp: Any, polling: asyncio.Task[None], bot: Any) -> None:
    """Stop a dispatcher polling this server (started with close_bot_session=False): polling stops, the updates
    still being handled finish (aiogram's stop does not wait for them), then the bot's session closes."""
    await dp.stop_polling()
    await polling
    handling = set(getattr(dp, "_handle_update_tasks", ()))  # where aiogram keeps its handler tasks
    if handling:
        await asyncio.wait(handling, timeout=10)
    await close_bot_session(bot)
