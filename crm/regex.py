"""Regular expressions compiled the first time they are used.

Compiling a pattern is Python code in the `re` module (parsing it, then building its program), about 0.2 ms a
pattern and over 1 ms for a class of Chinese characters. The question layer defines about 140 patterns at module
level, and one question uses about half of them: compiled when the modules were imported, the others cost a
`sellermate ask` about 15 ms. `lazy(pattern)` stands in for `re.compile(pattern)` at module level, for a pattern
used through its methods.

A pattern that cannot match a text without a digit, a Chinese character or a Latin letter, or without one of a
few words, can say so (`lazy(pattern, needs=DIGIT)`, `lazy(pattern, needs=("draft", "write"))`, or
`needing(DIGIT, pattern)` for a pattern kept as a string): it is then neither compiled nor run on a text without
one, and gives what it would have given, no match. tests/test_regex_needs.py checks each such claim against the
pattern's syntax.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any, Final

# The classes of character a pattern may need (`needs`): a decimal digit (any character str.isdigit accepts, a
# superset of what \d matches), a Chinese character (U+3400-U+9FFF), a lower-case Latin letter (a-z).
DIGIT: Final = "digit"
CHINESE: Final = "chinese"
LATIN: Final = "latin"
_TESTS: dict[str, Callable[[str], bool]] = {
    DIGIT: str.isdigit,
    CHINESE: lambda c: "\u3400" <= c <= "\u9fff",
    LATIN: lambda c: "a" <= c <= "z",
}


def holds(text: str, needs: str) -> bool:
    """Whether `text` holds a character of the class `needs` (DIGIT, CHINESE or LATIN)."""
    test = _TESTS[needs]
    return any(test(c) for c in text)


# What a pattern needs in a text to match: a class of character, or one of some words.
Needs = str | tuple[str, ...]


def _checked(needs: Needs) -> Needs:
    if isinstance(needs, tuple) and needs and all(needs):
        return needs
    if needs not in _TESTS:
        raise ValueError(f"unknown class of character {needs!r}")
    return needs


def satisfied(needs: Needs, text: str, present: frozenset[str] | None = None) -> bool:
    """Whether `text` holds what a pattern `needs`: one of its words, or a character of its class (`present`:
    the classes `text` holds, when known)."""
    if isinstance(needs, tuple):
        return any(word in text for word in needs)
    return needs in present if present is not None else holds(text, needs)


class Needing(str):
    """A pattern (a str, as `re` functions take it) that cannot match a text without what it `needs`."""

    needs: Needs

    def __new__(cls, needs: Needs, pattern: str) -> Needing:
        self = super().__new__(cls, pattern)
        self.needs = needs
        return self


def needing(needs: Needs, pattern: str) -> Needing:
    """`pattern`, marked as needing a character of a class or one of some words (see the module's docstring)."""
    return Needing(_checked(needs), pattern)


def classes_in(text: str) -> frozenset[str]:
    """The classes of character (DIGIT, CHINESE, LATIN) `text` holds, for `could_match`."""
    return frozenset(needs for needs, test in _TESTS.items() if any(test(c) for c in text))


def could_match(pattern: str, text: str, present: frozenset[str]) -> bool:
    """False when `pattern` is marked (`needing`) as needing what `text` does not hold (`present`: the classes of
    character it holds, `classes_in`): it cannot match there."""
    needs = getattr(pattern, "needs", None)
    return needs is None or satisfied(needs, text, present)


class LazyPattern:
    """`re.compile(pattern, flags)`, compiled when one of its methods is first called; with `needs`, its methods
    give no match on a text without what it needs, without compiling or running it."""

    __slots__ = ("_compiled", "flags", "needs", "pattern")

    def __init__(self, pattern: str, flags: int = 0, needs: Needs | None = None) -> None:
        self.pattern = pattern
        self.flags = flags
        self.needs = None if needs is None else _checked(needs)
        self._compiled: re.Pattern[str] | None = None

    def _hopeless(self, string: str) -> bool:
        return self.needs is not None and not satisfied(self.needs, string)

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if self._hopeless(string):
            return None
        return self.compiled.search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if self._hopeless(string):
            return None
        return self.compiled.match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if self._hopeless(string):
            return None
        return self.compiled.fullmatch(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        if self._hopeless(string):
            return iter(())
        return self.compiled.finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        if self._hopeless(string):
            return []
        return self.compiled.findall(string, pos, endpos)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        if self._hopeless(string):
            return string
        return self.compiled.sub(repl, string, count)

    def subn(
        self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0
    ) -> tuple[str, int]:
        if self._hopeless(string):
            return string, 0
        return self.compiled.subn(repl, string, count)

    def split(self, string: str, maxsplit: int = 0) -> list[str | Any]:
        if self._hopeless(string):
            return [string]
        return self.compiled.split(string, maxsplit)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r})"


def lazy(pattern: str, flags: int = 0, *, needs: Needs | None = None) -> LazyPattern:
    """A pattern compiled on first use, and not even then on a text without a character it `needs` (see the
    module's docstring)."""
    return LazyPattern(pattern, flags, needs)
