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


def _pieces(seq: Any) -> Iterator[tuple[Any, Any]]:
    """A sequence's items, with each run of consecutive literal characters as one ("text", string)."""
    run = ""
    for op, av in seq:
        if op is sre.LITERAL:
            run += chr(av)
            continue
        if run:
            yield "text", run
            run = ""
        yield op, av
    if run:
        yield "text", run


def _proves(seq: Any, holds: Callable[[Any, Any], bool]) -> bool:
    """Whether every match of the parsed sequence is proved to hold something (a sound, partial proof): by an
    item `holds` accepts (a run of literal text, a class), a group or a repetition (at least once) that
    proves it, or an alternation whose every branch does."""
    for op, av in _pieces(seq):
        if holds(op, av):
            return True
        if op is sre.SUBPATTERN:
            _group, add_flags, _del_flags, body = av
            if not add_flags & re.IGNORECASE and _proves(body, holds):
                return True
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, _high, body = av
            if low >= 1 and _proves(body, holds):
                return True
        if op is sre.ATOMIC_GROUP and _proves(av, holds):
            return True
        if op is sre.BRANCH and all(_proves(branch, holds) for branch in av[1]):
            return True
    return False


def _needs(seq: Any, needs: str) -> bool:
    """Whether every match of the parsed sequence holds a character of the class."""
    inside = _IN_CLASS[needs]
    return _proves(
        seq,
        lambda op, av: (
            (op == "text" and any(inside(ord(ch)) for ch in av)) or (op is sre.IN and _set_needs(av, needs))
        ),
    )


def _holds_word(seq: Any, words: tuple[str, ...]) -> bool:
    """Whether every match of the parsed sequence holds one of `words`: a run of literal characters containing
    one, or a class of such characters."""
    return _proves(
        seq,
        lambda op, av: (
            (op == "text" and any(word in av for word in words))
            or (op is sre.IN and all(o is sre.LITERAL and chr(c) in words for o, c in av))
        ),
    )


def proved(pattern: str, needs: Any, flags: int = 0) -> bool:
    """Whether every match of `pattern` holds what `needs` says: a character of a class, or one of some words."""
    if isinstance(needs, str):
        return needs in needed(pattern, flags)
    parsed = sre_parse.parse(pattern, flags)
    return not parsed.state.flags & re.IGNORECASE and _holds_word(parsed, needs)


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
    assert len(lazy_marked) > 60 and len(string_marked) > 60  # the marks are there: the test is not vacuous
    wrong = [
        (where, p.pattern, p.needs) for where, p in lazy_marked if not proved(p.pattern, p.needs, p.flags)
    ]
    wrong += [
        (where, str(p), getattr(p, "needs", None)) for where, p in string_marked if not proved(p, p.needs)
    ]
    assert wrong == []
    assert any(isinstance(p.needs, tuple) for _, p in lazy_marked)  # words as well as classes


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
    assert proved(r"\bremind me\b|^remind\b|提醒我", ("remind", "提醒"))
    assert proved(r"(?:the\s+)?(?:past|last)\s+fortnight", ("fortnight",))
    assert not proved(r"(?:the\s+)?(?:past|last)\s+fortnight", ("past",))  # "last fortnight"
    assert not proved(r"(?:fortnight)?s", ("fortnight",)) and not proved(r"(?i)fortnight", ("fortnight",))
    assert not proved(r"fort(?:night)?", ("fortnight",)) and proved(r"[年月]", ("年", "月"))


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


def test_a_pattern_marked_with_words_is_tried_only_on_a_text_holding_one() -> None:
    marked = lazy(r"\b(draft|write)\b.*\bmessage", needs=("draft", "write"))
    assert marked.search("revenue last month") is None and marked._compiled is None
    assert marked.search("draft a message")
    assert could_match(needing(("fortnight",), r"last\s+fortnight"), "last fortnight", frozenset())
    assert not could_match(needing(("fortnight",), r"last\s+fortnight"), "last month", frozenset({LATIN}))
    with pytest.raises(ValueError):
        lazy("x", needs=())


def test_a_marked_string_is_skipped_only_without_its_class() -> None:
    pattern = needing(CHINESE, r"上(个)?月")
    assert pattern == r"上(个)?月" and re.search(pattern, "上个月的销售额")
    assert could_match(pattern, "上个月", classes_in("上个月"))
    assert not could_match(pattern, "last month", classes_in("last month"))
    assert classes_in("top 10 上个月") == {DIGIT, CHINESE, LATIN} and classes_in("?") == set()
    assert could_match(r"last month", "上个月", classes_in("上个月"))  # unmarked: always tried
    assert holds("a1", DIGIT) and holds("٣", DIGIT) and not holds("abc", DIGIT)
    with pytest.raises(ValueError):
        needing("greek", "α")
