"""Telegram's size limits, kept in one place: every text, caption and button the bot sends fits them.

Telegram refuses a message over 4,096 characters and a caption over 1,024, counted on the text after HTML
parsing, and a callback answer over 200. `FitToTelegram` is a Bot API request middleware (installed by
`bot.app.build_bot`), so every call passes through it whoever makes it (handlers, the scheduler's Sender, the
error handler): a long text is split into several messages at a paragraph, line or word break, never inside a
tag or an entity (tags open at a cut are closed and opened again in the next part); an edit or a callback answer,
which cannot be split, is shortened with an ellipsis; a long caption keeps what fits and the rest follows as
text. Button labels are cleaned and shortened, and no text carries control or bidi-override characters.

aiogram has no splitter of its own; `aiogram.utils.formatting.Text` can be sliced, but it slices plain strings by
UTF-16 offsets as if they were code points (wrong after an emoji) and knows nothing of safe boundaries.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageCaption,
    EditMessageText,
    SendAnimation,
    SendAudio,
    SendDocument,
    SendMessage,
    SendPhoto,
    SendVideo,
    SendVoice,
    TelegramMethod,
)
from aiogram.types import InlineKeyboardMarkup

from crm.display import BUTTON_LENGTH, ELLIPSIS, clean, joins_previous, shorten, without_hidden

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
# A text that would need more messages than this is cut after the last one (a chat flooded with dozens of
# parts helps nobody, and each costs a rate-limit slot).
MAX_PARTS = 8

MEDIA_METHODS = (SendPhoto, SendDocument, SendVideo, SendAnimation, SendAudio, SendVoice)
_TOKEN = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)>|&(#[0-9]+|#[xX][0-9A-Fa-f]+|lt|gt|amp|quot);"
    r"|[^<&]+|[<&]"
)
# Telegram's HTML tags; anything else that looks like a tag is shown as text.
_TAGS = frozenset(
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


def units(text: str) -> int:
    """A text's length as the limits are checked here: UTF-16 code units (an emoji counts two). Never less than
    the characters Telegram counts, so what fits here fits there."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Tag:
    at: int  # position in the visible text
    name: str
    opening: str  # the opening tag as written (attributes included); "" for a closing tag


def _parse(text: str, *, markup: bool) -> tuple[str, list[_Tag]]:
    """The visible text and the tags at their positions in it. Lenient: what Telegram would not read as a tag is
    kept as text, closing tags without an opening one are dropped, tags left open are closed at the end."""
    if not markup:
        return text, []
    visible: list[str] = []
    size = 0
    tags: list[_Tag] = []
    stack: list[str] = []
    for m in _TOKEN.finditer(text):
        name = (m.group(2) or "").lower()
        if name in _TAGS:
            if not m.group(1):
                stack.append(name)
                tags.append(_Tag(size, name, m.group(0)))
            elif name in stack:
                while stack:  # closing an outer tag closes what is still open inside it
                    inner = stack.pop()
                    tags.append(_Tag(size, inner, ""))
                    if inner == name:
                        break
            continue
        piece = html.unescape(m.group(0)) if m.group(4) else m.group(0)
        visible.append(piece)
        size += len(piece)
    for name in reversed(stack):
        tags.append(_Tag(size, name, ""))
    return "".join(visible), tags


def _fits(visible: str, start: int, limit: int) -> int:
    """The largest end such that visible[start:end] is at most `limit` units long."""
    end = min(len(visible), start + limit)
    while True:
        over = units(visible[start:end]) - limit
        if over <= 0:
            return end
        end -= max(1, (over + 1) // 2)


def _next_part(visible: str, start: int, limit: int) -> tuple[int, int]:
    """Where the part beginning at `start` stops and where the next one begins: the end of the text when it
    fits; else at a paragraph break, else a line break, else a space in the second half of the part; else a hard
    cut between two characters (never between a character and the accent or joiner that belongs to it)."""
    end = _fits(visible, start, limit)
    if end >= len(visible):
        return len(visible), len(visible)
    half = start + (end - start) // 2
    for sep in ("\n\n", "\n", " "):
        at = visible.rfind(sep, half, end)
        if at > start:
            return at, at + len(sep)
    cut = end
    while cut > half and (joins_previous(visible[cut]) or visible[cut - 1] == "\u200d"):
        cut -= 1
    return cut, cut


def _render(
    visible: str, tags: Sequence[_Tag], start: int, end: int, *, markup: bool, suffix: str = ""
) -> str:
    """visible[start:end] as HTML: the tags open at `start` opened again, those still open at `end` closed."""
    if not markup:
        return visible[start:end] + suffix
    out: list[str] = []
    stack: list[_Tag] = []
    i = 0
    # What is open where this part begins (closing tags at `start` belong to the part before).
    while i < len(tags) and (tags[i].at < start or (tags[i].at == start and not tags[i].opening)):
        if tags[i].opening:
            stack.append(tags[i])
        elif stack:
            stack.pop()
        i += 1
    out.extend(t.opening for t in stack)
    pos = start
    # Opening tags at `end` belong to the part after.
    while i < len(tags) and (tags[i].at < end or (tags[i].at == end and not tags[i].opening)):
        tag = tags[i]
        if tag.at > pos:
            out.append(html.escape(visible[pos : tag.at], quote=False))
            pos = tag.at
        if tag.opening:
            stack.append(tag)
            out.append(tag.opening)
        elif stack:
            out.append(f"</{stack.pop().name}>")
        i += 1
    out.append(html.escape(visible[pos:end] + suffix, quote=False))
    out.extend(f"</{t.name}>" for t in reversed(stack))
    return "".join(out)


def _parts(
    visible: str, tags: Sequence[_Tag], limits: Sequence[int], *, markup: bool, start: int = 0
) -> list[str]:
    """Parts of visible[start:], the n-th at most limits[n] long (the last limit repeats up to MAX_PARTS parts
    in all); the last possible part ends with an ellipsis when text was left over."""
    parts: list[str] = []
    while start < len(visible):
        n = len(parts)
        last = n >= MAX_PARTS - 1
        limit = limits[min(n, len(limits) - 1)]
        stop, after = _next_part(visible, start, limit - 1 if last else limit)
        more = last and after < len(visible)
        if visible[start:stop].strip():
            parts.append(_render(visible, tags, start, stop, markup=markup, suffix=ELLIPSIS if more else ""))
        elif more:
            parts.append(ELLIPSIS)
        if more:
            break
        start = after
        while start < len(visible) and visible[start] == "\n":  # leading spaces may align a table: they stay
            start += 1
    return parts


def split_text(text: str, limit: int = MAX_TEXT, *, markup: bool = True) -> list[str]:
    """`text` as at most MAX_PARTS parts of at most `limit` characters each after HTML parsing (`markup`), every
    part valid HTML on its own. A text that fits comes back unchanged."""
    if units(text) <= limit:  # parsing never makes a text longer
        return [text]
    visible, tags = _parse(text, markup=markup)
    if units(visible) <= limit:
        return [text]
    return _parts(visible, tags, [limit], markup=markup) or [ELLIPSIS]


def shorten_text(text: str, limit: int = MAX_TEXT, *, markup: bool = True) -> str:
    """`text` cut to `limit` characters after HTML parsing, at a safe boundary, with an ellipsis."""
    if units(text) <= limit:
        return text
    visible, tags = _parse(text, markup=markup)
    if units(visible) <= limit:
        return text
    stop, _ = _next_part(visible, 0, limit - 1)
    return _render(visible, tags, 0, stop, markup=markup, suffix=ELLIPSIS)


def split_caption(caption: str, *, markup: bool = True) -> tuple[str, list[str]]:
    """A caption that fits (MAX_CAPTION) and the rest of it as text messages (none when it all fits)."""
    if units(caption) <= MAX_CAPTION:
        return caption, []
    visible, tags = _parse(caption, markup=markup)
    if units(visible) <= MAX_CAPTION:
        return caption, []
    parts = _parts(visible, tags, [MAX_CAPTION, MAX_TEXT], markup=markup)
    return parts[0], parts[1:]


def fit_button_text(text: str) -> str:
    return shorten(clean(text), BUTTON_LENGTH) or "…"


def _fit_markup(markup: Any) -> Any:
    if not isinstance(markup, InlineKeyboardMarkup):
        return markup
    rows = []
    changed = False
    for row in markup.inline_keyboard:
        new_row = []
        for button in row:
            label = fit_button_text(button.text)
            if label != button.text:
                changed = True
                button = button.model_copy(update={"text": label})
            new_row.append(button)
        rows.append(new_row)
    return InlineKeyboardMarkup(inline_keyboard=rows) if changed else markup


def _is_html(method: TelegramMethod[Any], bot: Bot) -> bool:
    mode = getattr(method, "parse_mode", None)
    if isinstance(mode, Default):  # the bot's own setting
        mode = bot.default[mode.name] if bot.default else None
    return str(getattr(mode, "value", mode) or "").lower() == "html"  # ParseMode.HTML or "HTML"


class FitToTelegram(BaseRequestMiddleware):
    """Request middleware: texts, captions and buttons within Telegram's limits (see the module docstring)."""

    async def __call__(
        self, make_request: NextRequestMiddlewareType[Any], bot: Bot, method: TelegramMethod[Any]
    ) -> Any:
        if (
            isinstance(method, (SendMessage, EditMessageText, *MEDIA_METHODS, EditMessageCaption))
            and getattr(method, "reply_markup", None) is not None
        ):
            method = method.model_copy(update={"reply_markup": _fit_markup(method.reply_markup)})
        if isinstance(method, SendMessage) and not method.entities:
            return await self._send_text(make_request, bot, method)
        if isinstance(method, EditMessageText) and not method.entities:
            text = shorten_text(without_hidden(method.text), MAX_TEXT, markup=_is_html(method, bot))
            if text != method.text:
                method = method.model_copy(update={"text": text})
        elif isinstance(method, MEDIA_METHODS) and method.caption and not method.caption_entities:
            return await self._send_media(make_request, bot, method)
        elif isinstance(method, EditMessageCaption) and method.caption and not method.caption_entities:
            caption = shorten_text(without_hidden(method.caption), MAX_CAPTION, markup=_is_html(method, bot))
            if caption != method.caption:
                method = method.model_copy(update={"caption": caption})
        elif isinstance(method, AnswerCallbackQuery) and method.text:
            text = shorten(without_hidden(method.text), MAX_CALLBACK_ANSWER)
            if text != method.text:
                method = method.model_copy(update={"text": text})
        return await make_request(bot, method)

    async def _send_text(
        self, make_request: NextRequestMiddlewareType[Any], bot: Bot, method: SendMessage
    ) -> Any:
        text = without_hidden(method.text)
        parts = split_text(text, MAX_TEXT, markup=_is_html(method, bot))
        if parts == [method.text]:
            return await make_request(bot, method)
        if len(parts) > 1:
            log.info("a message of %s characters goes as %s parts", len(method.text), len(parts))
        result = None
        for i, part in enumerate(parts):
            update: dict[str, Any] = {"text": part}
            if i < len(parts) - 1:  # the buttons go under the last part, which is the message returned
                update["reply_markup"] = None
            if i > 0:  # only the first part replies to anything
                update["reply_parameters"] = None
                update["reply_to_message_id"] = None
            result = await make_request(bot, method.model_copy(update=update))
        return result

    async def _send_media(self, make_request: NextRequestMiddlewareType[Any], bot: Bot, method: Any) -> Any:
        caption, rest = split_caption(without_hidden(method.caption), markup=_is_html(method, bot))
        if caption == method.caption:
            return await make_request(bot, method)
        sent = await make_request(bot, method.model_copy(update={"caption": caption}))
        for part in rest:  # the rest of a long caption follows as text, right under the media
            await make_request(
                bot,
                SendMessage(
                    chat_id=method.chat_id,
                    text=part,
                    message_thread_id=method.message_thread_id,
                    parse_mode=method.parse_mode,
                ),
            )
        return sent


__all__ = [
    "MAX_CALLBACK_ANSWER",
    "MAX_CAPTION",
    "MAX_PARTS",
    "MAX_TEXT",
    "FitToTelegram",
    "fit_button_text",
    "shorten_text",
    "split_caption",
    "split_text",
    "units",
    "without_hidden",
]
