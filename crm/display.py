"""Making text that customers, platforms or teammates wrote safe to show: one helper for every renderer.

Anything typed by someone else (a buyer's name from an export, a note, a tag, a product title) may be a
million characters long or carry control characters and bidirectional overrides (U+202E turns "gpj.exe" into
"exe.jpg" on screen, and the rest of the message with it). `displayable` removes what should never be shown
and shortens what is too long with an ellipsis; the stored value is never changed. The entry limits below are
what a teammate may type for each free-text field (the handlers refuse longer input with the limit).
"""

from __future__ import annotations

import re
import unicodedata

# Display lengths, in characters: a name in a heading or a list line, a button label, a note on the card.
NAME_LENGTH = 64
BUTTON_LENGTH = 64
NOTE_LENGTH = 300
# A table cell when the caller gives no width of its own (the command line; Telegram tables use less).
CELL_LENGTH = 100

# What a teammate may type for each free-text field (characters after trimming).
NOTE_MAX = 2000
TAG_MAX = 64
TAGS_PER_ENTRY = 5
REMINDER_TEXT_MAX = 500
BRIEF_MAX = 500
DRAFT_TEXT_MAX = 2000

ELLIPSIS = "…"

# C0 controls except tab and newline, DEL, C1 controls; bidi embeddings, overrides (U+202A-U+202E) and isolates
# (U+2066-U+2069); the interlinear annotation marks. Zero-width joiners and the plain LRM/RLM marks stay: emoji
# sequences and mixed-script names need them and they cannot reorder the text around them.
_NEVER_SHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb]+")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"[ \t]*\n(?:[ \t]*\n){2,}")  # three or more line breaks (blank lines around them)
_JOINING = {"\u200d", "\u200c", "\u20e3"}


def without_hidden(text: str) -> str:
    """`text` with nothing removed but the characters that are never shown (line breaks become "\\n")."""
    return _NEVER_SHOWN.sub("", _LINE_BREAKS.sub("\n", text))


def clean(text: str | None, *, multiline: bool = False) -> str:
    """`text` without control and bidi-override characters; on one line unless `multiline` (then with at most
    one blank line in a row). Leading and trailing white space is dropped."""
    if not text:
        return ""
    text = _LINE_BREAKS.sub("\n", text)
    text = _NEVER_SHOWN.sub("", text.replace("\t", " "))
    if not multiline:
        return _SPACES.sub(" ", text).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def joins_previous(ch: str) -> bool:
    """A character that belongs to the one before it: never the first character after a cut."""
    return (
        ch in _JOINING
        or unicodedata.combining(ch) > 0
        or "\ufe00" <= ch <= "\ufe0f"
        or "\U0001f3fb" <= ch <= "\U0001f3ff"
    )  # variation selectors and skin tones belong to the emoji before


def shorten(text: str, limit: int, *, more: bool = False) -> str:
    """At most `limit` characters: cut with an ellipsis, at a word break near the end when there is one, and
    never between a character and the accent, joiner or variation selector that belongs to it. `more` says the
    text was already cut before: it gets the ellipsis even when it fits."""
    if len(text) <= limit and not more:
        return text
    if len(text) < limit:
        return text.rstrip() + ELLIPSIS
    if limit <= 1:
        return ELLIPSIS[:limit]
    cut = limit - 1
    while cut > 0 and (joins_previous(text[cut]) or text[cut - 1] == "\u200d"):
        cut -= 1
    space = text.rfind(" ", 0, cut + 1)
    if space > cut * 3 // 4:  # a word break in the last quarter reads better than half a word
        cut = space
    return text[:cut].rstrip() + ELLIPSIS


def displayable(text: str | None, limit: int = NAME_LENGTH, *, multiline: bool = False) -> str:
    """What to show for a user-supplied string: cleaned (see `clean`) and at most `limit` characters."""
    if not text:
        return ""
    # A value far longer than anything shown is cut before it is scanned: a million-character name costs the
    # same as a short one. The margin keeps what cleaning would remove from leaving too little to show.
    head = text[: limit * 4 + 256]
    return shorten(clean(head, multiline=multiline), limit, more=len(head) < len(text))


def customer_number(text: str) -> int | None:
    """A customer's number as a teammate types it, "12" or "#12" as cards show it (None for anything else)."""
    text = text.strip().lstrip("#")
    return int(text) if text.isdigit() and len(text) <= 12 else None
