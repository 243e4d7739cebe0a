"""A pattern marked as needing a digit, a Chinese character or a Latin letter (crm.regex: `lazy(..., needs=)`,
`needing(...)`) is skipped on a text without one, uncompiled: each mark is checked here against the pattern's
syntax tree, so that skipping never loses a match."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from re import _constants as sre
from re import _parser as sre_parse
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crm.regex import CHINESE, DIGIT, LATIN, LazyPattern, classes_in, could_match, holds, lazy, needing

# What a pattern's own characters must be for it to need a class: every character the class's test in
# crm.regex accepts (DIGIT there is str.isdigit, which also holds for every character \d matches).
_IN_CLASS: dict[str, Callable[[int], bool]] = {
    DIGIT: lambda c: "0" <= chr(c) <= "9",
    CHINESE: lambda c: 0x3400 <= c <= 0x9FFF,
    LATIN: lambda c: ord("a") <= c <= ord("z"),
}


def _set_needs(items: Any, needs: str) -> bool:
    """Whether a character set ([...]) matches only characters of the class."""
    inside = _IN_CLASS[needs]
    for op, av in items:
        if op is sre.LITERAL:
            if not inside(av):
                return False
        elif op is sre.RANGE:
            if not (inside(av[0]) and inside(av[1])):  # (each class is one contiguous range)
                return False
        elif op is sre.CATEGORY:
            if not (needs == DIGIT and av is sre.CATEGORY_DIGIT):
                return False
        else:  # NEGATE, other categories
            return False
    return True


def _needs(seq: Any, needs: str) -> bool:
    """Whether every match of the parsed sequence holds a character of the class (a sound, partial proof)."""
    for op, av in seq:
        if op is sre.LITERAL and _IN_CLASS[needs](av):
            return True
        if op is sre.IN and _set_needs(av, needs):
            return True
        if op is sre.SUBPATTERN:
            _group, add_flags, _del_flags, body = av
            if not add_flags & re.IGNORECASE and _needs(body, needs):
                return True
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, _high, body = av
            if low >= 1 and _needs(body, needs):
                return True
        if op is sre.ATOMIC_GROUP and _needs(av, needs):
            return True
        if op is sre.BRANCH and all(_needs(branch, needs) for branch in av[1]):
            return True
    return False


def needed(pattern: str, flags: int = 0) -> set[str]:
    """The classes of character every match of `pattern` holds one of (provably; empty when none is proved)."""
    parsed = sre_parse.parse(pattern, flags)
    if parsed.state.flags & re.IGNORECASE:
        return set()
    return {needs for needs in _IN_CLASS if _needs(parsed, needs)}


def _marked_lazy() -> Iterator[tuple[str, LazyPattern]]:
    """Every LazyPattern with `needs` defined at module level (or in a module-level tuple, list or dict) in the
    question layer and the offer reader."""
    import importlib
    import pkgutil

    import crm.query

    names = ["crm.outreach.offer"] + [
        m.name for m in pkgutil.walk_packages(crm.query.__path__, "crm.query.") if not m.name.endswith(".llm")
    ]
    seen: set[int] = set()

    def walk(value: Any, where: str) -> Iterator[tuple[str, LazyPattern]]:
        if isinstance(value, LazyPattern):
            if value.needs is not None and id(value) not in seen:
                seen.add(id(value))
                yield where, value
        elif isinstance(value, (tuple, list)):
            for item in value:
                yield from walk(item, where)
        elif isinstance(value, dict):
            for item in value.values():
                yield from walk(item, where)

    for name in names:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            yield from walk(value, f"{name}.{attr}")


def _marked_strings() -> Iterator[tuple[str, str]]:
    """Every pattern kept as a string and marked with `needing`: the periods and the breakdown and top-N words."""
    from crm.query.parsing import lexicon
    from crm.query.periods import _Periods

    periods = _Periods(date(2026, 11, 23), datetime(2026, 11, 23, tzinfo=ZoneInfo("Asia/Singapore")))
    candidates = [p for p, _ in periods.patterns()]
    candidates += [p for p, _ in lexicon._GROUP_PATTERNS] + list(lexicon._TOP_N_PATTERNS)
    for pattern in candidates:
        if getattr(pattern, "needs", None) is not None:
            yield "periods/lexicon", pattern


def test_every_marked_pattern_needs_what_it_is_marked_with() -> None:
    lazy_marked = list(_marked_lazy())
    string_marked = list(_marked_strings())
    assert (
        len(lazy_marked) > 30 and len(string_marked) > 40
    )  # the marks are there, so the test is not vacuous
    wrong = [
        (where, p.pattern, p.needs) for where, p in lazy_marked if p.needs not in needed(p.pattern, p.flags)
    ]
    wrong += [(where, str(p), p.needs) for where, p in string_marked if p.needs not in needed(p)]
    assert wrong == []


def test_the_proof_is_sound_on_examples() -> None:
    """The analysis proves what each pattern needs, and refuses where a match can do without."""
    assert needed(r"(\d{4})年") == {DIGIT, CHINESE}
    assert needed(r"last\s+(?:month|week)") == {LATIN}
    assert needed(r"q([1-4])") == {LATIN, DIGIT}
    assert needed(r"(?:\d+)?\s*days") == {LATIN}
    assert needed(r"this year|今年") == set()  # either branch alone
    assert needed(r"[a-z0-9]+") == set()  # a letter or a digit
    assert needed(r"(?i)month") == needed(r"(?i:month)") == set()  # "MONTH" too
    assert needed(r"(?=\d)") == needed(r"x*") == needed(r".") == set()


@pytest.mark.parametrize(
    "method", ["search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"]
)
def test_a_pattern_that_cannot_match_gives_what_re_gives(method: str) -> None:
    marked = lazy(r"(\d+)\s*天", needs=DIGIT)
    plain = re.compile(r"(\d+)\s*天")
    for text in ("最近天", "最近 7 天", ""):
        args: tuple[Any, ...] = ("x", text) if method in ("sub", "subn") else (text,)
        got, expected = getattr(marked, method)(*args), getattr(plain, method)(*args)
        if method in ("search", "match", "fullmatch"):
            got, expected = got and got.group(0), expected and expected.group(0)
        if method == "finditer":
            got, expected = [m.group(0) for m in got], [m.group(0) for m in expected]
        assert got == expected, (method, text)
    assert marked._compiled is not None  # compiled for the text that could match, not before


def test_a_marked_string_is_skipped_only_without_its_class() -> None:
    pattern = needing(CHINESE, r"上(个)?月")
    assert pattern == r"上(个)?月" and re.search(pattern, "上个月的销售额")
    assert could_match(pattern, classes_in("上个月")) and not could_match(pattern, classes_in("last month"))
    assert classes_in("top 10 上个月") == {DIGIT, CHINESE, LATIN} and classes_in("?") == set()
    assert could_match(r"last month", classes_in("上个月"))  # unmarked: always tried
    assert holds("a1", DIGIT) and holds("٣", DIGIT) and not holds("abc", DIGIT)
    with pytest.raises(ValueError):
        needing("greek", "α")
