"""Every sentence a person reads, one Fluent catalogue folder per language (`locales/<lang>/*.ftl`).

A text is named by a dotted key ("start.welcome"); its Fluent id is the key with dots as hyphens
("start-welcome"), the one mapping rule. The domain returns `Msg(key, args)` where it builds a text; the bot and
the CLI render it in the reader's language with `render(language, key, **args)`.

Arguments keep the output str.format gave: whole numbers print without grouping (`{ $n }` -> 12345) unless the
catalogue asks for it (`{ NUMBER($n, useGrouping: 1) }` -> 12,345); every other value is passed as its str().
No Unicode isolation marks are added around arguments (Telegram would show them). fluent.runtime (with babel)
takes about 50 ms to import and 10 ms more to load a language's locale data: the forms the catalogues use are
formatted from the syntax tree (crm/text/plain.py), and fluent.runtime formats only what that declines (a missing
argument, a form the catalogues do not use yet), so a one-shot command usually never imports it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fluent.runtime import FluentBundle

BOT_LANGUAGES: tuple[str, ...] = ("en", "zh")  # what the bot and the answers speak
OUTREACH_LANGUAGES: tuple[str, ...] = ("en", "zh", "ms", "th", "id", "vi")  # what outreach templates speak
DEFAULT_LANGUAGE = "en"
LOCALES = Path(__file__).parent / "locales"


@dataclass(frozen=True)
class Msg:
    """A text to show, not yet in a language: its key and the arguments it is filled with."""

    key: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: str) -> str:
        return render(language, self.key, **self.args)

    def to_json(self) -> dict[str, Any]:
        """How a stored record keeps it (a draft's notes): {"key": ..., "args": {...}}."""
        return {"key": self.key, "args": dict(self.args)}

    @staticmethod
    def from_json(value: Any) -> str | Msg:
        """A stored note back: a text written before notes were messages stays the text it was."""
        if isinstance(value, Mapping) and isinstance(value.get("key"), str):
            return Msg(value["key"], dict(value.get("args") or {}))
        return str(value)


def text_of(language: str, item: str | Msg) -> str:
    """A text that may still be a message: rendered in `language`; a plain string is already a text."""
    return item.render(language) if isinstance(item, Msg) else item


def message_id(key: str) -> str:
    """The Fluent id of a dotted key: "help.ability.ask" -> "help-ability-ask"."""
    return key.replace(".", "-")


# A message starts a line with its id and "=" (its other lines are indented, and no catalogue uses terms or
# references to other messages), so the files a text needs, and the lines of each text, are known from their
# lines without parsing them.
_MESSAGE_START = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)[ \t]*=", re.MULTILINE)


class _Catalogue:
    """One language's catalogue files, and fluent.runtime's bundle of them once it formats one of their texts.
    A text's own lines are parsed the first time it is rendered (the lines from its id to the next message's):
    Fluent's parser takes about 15 ms for the answers' file alone, and one answer needs a few of its texts. A
    message is read the same alone as within its file (no catalogue uses terms or references to other
    messages); `everything` parses whole files, checking each as a whole."""

    def __init__(self, language: str) -> None:
        folder = LOCALES / language
        if not folder.is_dir():
            raise KeyError(f"no text catalogue for language {language!r}")
        self.language = language
        self.resources: list[Any] = []  # what was parsed, in order (a bundle made later gets it all)
        self._bundle: FluentBundle | None = None
        self.messages: dict[str, Any] = {}  # syntax trees by id, of the texts parsed so far
        self.files: dict[str, Path] = {}  # the file that defines each id
        self.lines: dict[str, str] = {}  # each id's own lines, until it is parsed
        self.unread: set[Path] = set()
        for path in sorted(folder.glob("*.ftl")):
            text = path.read_text(encoding="utf-8")
            starts = list(_MESSAGE_START.finditer(text))
            found = [m[1] for m in starts]
            twice = sorted(set(found) & self.files.keys())
            if twice:  # the bundle would keep the first silently
                raise ValueError(f"{path.name} ({language}): {twice} defined in another file too")
            self.files.update(dict.fromkeys(found, path))
            ends = [m.start() for m in starts[1:]] + [len(text)]
            self.lines.update((m[1], text[m.start() : end]) for m, end in zip(starts, ends, strict=True))
            self.unread.add(path)

    def has(self, mid: str) -> bool:
        return mid in self.files

    @property
    def bundle(self) -> FluentBundle:
        """fluent.runtime's bundle of every text parsed so far (and of those parsed later)."""
        if self._bundle is None:
            from fluent.runtime import FluentBundle

            self._bundle = FluentBundle([self.language], use_isolating=False)
            for resource in self.resources:
                self._bundle.add_resource(resource)
        return self._bundle

    def _add(self, path: Path, text: str, expected: set[str]) -> None:
        """Parse `text` (a file of this catalogue or the lines of some of its texts)."""
        from fluent.syntax import FluentParser, ast

        resource = FluentParser().parse(text)  # what fluent.runtime's FluentResource does
        junk = [entry for entry in resource.body if isinstance(entry, ast.Junk)]
        if junk:
            raise ValueError(f"{path.name} ({self.language}): cannot read {(junk[0].content or '')[:80]!r}")
        found = {e.id.name: e for e in resource.body if isinstance(e, ast.Message)}
        if found.keys() != expected:  # pragma: no cover
            raise ValueError(f"{path.name} ({self.language}): its messages do not start lines as expected")
        self.resources.append(resource)
        if self._bundle is not None:
            self._bundle.add_resource(resource)  # (a text already added from its own lines is kept as it is)
        for mid, entry in found.items():
            self.messages.setdefault(mid, entry)
            self.lines.pop(mid, None)

    def read(self, path: Path) -> None:
        """Parse a whole file (every text of it not parsed yet)."""
        if path not in self.unread:
            return
        expected = {mid for mid, where in self.files.items() if where == path}
        self._add(path, path.read_text(encoding="utf-8"), expected)
        self.unread.discard(path)

    def message(self, mid: str) -> Any:
        """The syntax tree of the text `mid`, parsed now if it was not yet (the id must exist: `has`)."""
        lines = self.lines.get(mid)
        if lines is not None:
            self._add(self.files[mid], lines, {mid})
        return self.messages[mid]

    def everything(self) -> _Catalogue:
        for path in sorted(self.unread):
            self.read(path)
        return self


@cache
def _catalogue(language: str) -> _Catalogue:
    return _Catalogue(language)


def bundle(language: str) -> FluentBundle:
    """Every text of one language in one bundle."""
    return _catalogue(language).everything().bundle


def message_ids(language: str) -> set[str]:
    """The Fluent ids one language defines (for the completeness tests)."""
    return set(_catalogue(language).everything().messages)


@cache
def _has_catalogue(language: str) -> bool:
    """Whether `language` has a catalogue folder (asked on every text: looked up once per language)."""
    return (LOCALES / language).is_dir()


def has(language: str, key: str) -> bool:
    return _has_catalogue(language) and _catalogue(language).has(message_id(key))


def _plain_argument(value: Any) -> str | int:
    """An argument as a text is filled with: text, a whole number, or any other value's str()."""
    if isinstance(value, Msg):
        raise TypeError("render a nested Msg before passing it as an argument")
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return str(value)


def _argument(value: Any) -> Any:
    """An argument for fluent.runtime: a whole number prints without grouping unless NUMBER asks for it."""
    value = _plain_argument(value)
    if isinstance(value, int):
        from fluent.runtime.types import fluent_number

        return fluent_number(value, useGrouping=False)
    return value


def render(language: str, key: str, /, **args: Any) -> str:
    """The text of `key` in `language` (English when that language lacks it), filled with `args`.

    A key missing in English raises KeyError; a Fluent error (a missing argument, an unknown function) raises
    ValueError, as str.format raised on a missing placeholder.
    """
    mid = message_id(key)
    catalogue = _catalogue(language if _has_catalogue(language) else DEFAULT_LANGUAGE)
    if not catalogue.has(mid):
        catalogue = _catalogue(DEFAULT_LANGUAGE)
        if not catalogue.has(mid):
            raise KeyError(f"missing text {key!r}")
    value = catalogue.message(mid).value
    if value is None:
        raise KeyError(f"text {key!r} has no value")
    from crm.text.plain import format_plain

    plain = format_plain(value, {k: _plain_argument(v) for k, v in args.items()}, catalogue.language)
    if plain is not None:
        return plain
    texts = catalogue.bundle
    text, errors = texts.format_pattern(
        texts.get_message(mid).value,  # type: ignore[arg-type]  # (not None: checked above)
        {k: _argument(v) for k, v in args.items()},
    )
    if errors:
        raise ValueError(f"text {key!r} ({language}): {errors}")
    return str(text)


def variables(language: str, key: str) -> set[str]:
    """The argument names a text uses (`{ $name }`), for the tests that compare languages."""
    from fluent.syntax import ast, visitor

    message = _catalogue(language).everything().messages[message_id(key)]
    names: set[str] = set()

    class _Collect(visitor.Visitor):
        def visit_VariableReference(self, node: ast.VariableReference) -> None:
            names.add(node.id.name)

    _Collect().visit(message)
    return names
