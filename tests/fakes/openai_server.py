"""A scripted OpenAI-compatible HTTP server on loopback, for testing the real LLM client over real HTTP.

Tests queue replies (text, JSON, tool calls, malformed bodies, slow answers, HTTP errors); every request
body is recorded so tests can assert on exactly what left the process (e.g. that no PII did).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Reply:
    content: str | None = None
    tool_call: dict[str, Any] | None = None  # {"name": ..., "arguments": {...}}
    status: int = 200
    raw_body: str | None = None  # sent as-is (malformed replies)
    delay: float = 0.0


@dataclass
class ScriptedOpenAI:
    """Start with `await server.start()`; base_url ends with /v1 like real providers."""

    replies: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    responder: Callable[[dict[str, Any]], Reply] | None = None
    default: Reply = field(default_factory=lambda: Reply(content="OK"))
    host: str = "127.0.0.1"
    port: int = 0
    _runner: web.AppRunner | None = None

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def queue_json(self, obj: Any) -> None:
        self.replies.append(Reply(content=json.dumps(obj, ensure_ascii=False)))

    def queue_tool(self, name: str, arguments: dict[str, Any]) -> None:
        self.replies.append(Reply(tool_call={"name": name, "arguments": arguments}))

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    async def start(self) -> ScriptedOpenAI:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "scripted", "object": "model"}]})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        if self.responder is not None:
            reply = self.responder(body)
        elif self.replies:
            reply = self.replies.popleft()
        else:
            reply = self.default
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.raw_body is not None:
            return web.Response(status=reply.status, text=reply.raw_body, content_type="application/json")
        if reply.status != 200:
            return web.json_response(
                {"error": {"message": "scripted error", "type": "server_error"}}, status=reply.status
            )
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        finish = "stop"
        if reply.tool_call is not None:
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"call_{len(self.requests)}",
                        "type": "function",
                        "function": {
                            "name": reply.tool_call["name"],
                            "arguments": json.dumps(reply.tool_call["arguments"], ensure_ascii=False),
                        },
                    }
                ],
            }
            finish = "tool_calls"
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "scripted"),
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )

    def request_text(self) -> str:
        """Everything the client sent, as one string, for leak checks."""
        return json.dumps(self.requests, ensure_ascii=False)
