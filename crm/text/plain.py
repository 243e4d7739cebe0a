"""A text formatted straight from its Fluent syntax tree, for the forms the catalogues use, without fluent.runtime.

fluent.runtime imports babel's dates and numbers, pytz and attrs (about 45 ms) and loads the language's locale
data for each bundle (about 10 ms more): most of the time a one-shot command such as `sellermate ask` spends on
its texts. The catalogues (crm/text/locales) use few of Fluent's forms: text, `{ $name }`, `{ "literal" }`,
`{ NUMBER($name, useGrouping: 1) }` and selections on an argument whose variants are named by a plural category, a
word or a whole number. `format_plain` formats exactly these, as fluent.runtime does for the arguments `render`
passes (text and whole numbers, numbers without grouping unless NUMBER asks for it), and returns None for
anything else: another function or form, a missing argument, a language whose number rules are not below, a very
long part. The caller then formats the text with fluent.runtime itself, which gives the same result or error as
before. tests/test_texts.py checks every text of every language against fluent.runtime.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fluent.syntax import ast

# Per language: the plural category of a whole number, as babel's locale data gives it to fluent.runtime (its
# Vietnamese counts 0 and 1 as "one"), and the grouping separator of NUMBER(..., useGrouping: 1). Digits are
# Latin, and the minus sign a hyphen, in all of them. tests/test_texts.py compares both with babel's.
_PLURAL: dict[str, Callable[[int], str]] = {
    "en": lambda n: "one" if abs(n) == 1 else "other",
    "zh": lambda n: "other",
    "ms": lambda n: "other",
    "th": lambda n: "other",
    "id": lambda n: "other",
    "vi": lambda n: "one" if abs(n) <= 1 else "other",
}
_GROUPING: dict[str, str] = {"en": ",", "zh": ",", "ms": ",", "th": ",", "id": ".", "vi": "."}
# fluent.runtime reports a part longer than this (resolver.MAX_PART_LENGTH) or more parts than this
# (Pattern.MAX_PARTS) as an error; texts near these limits are left to it.
_MAX_PART_LENGTH = 2500
_MAX_PARTS = 1000


class _Declined(Exception):
    """This text, with these arguments, is left to fluent.runtime."""


def format_plain(pattern: ast.Pattern, args: Mapping[str, str | int], language: str) -> str | None:
    """The text of a message's value (a fluent.syntax Pattern) filled with `args` (text or whole numbers), or None
    when fluent.runtime must format it."""
    if language not in _PLURAL:
        return None
    try:
        return _Format(args, language).pattern(pattern)
    except _Declined:
        return None


class _Format:
    def __init__(self, args: Mapping[str, str | int], language: str) -> None:
        self.args = args
        self.plural = _PLURAL[language]
        self.separator = _GROUPING[language]
        self.parts = 0

    def pattern(self, pattern: ast.Pattern) -> str:
        self.parts += len(pattern.elements)
        if self.parts > _MAX_PARTS // 2:
            raise _Declined
        out = []
        for element in pattern.elements:
            if isinstance(element, ast.TextElement):
                text = element.value
            elif isinstance(element, ast.Placeable):
                text = self.placeable(element.expression)
            else:
                raise _Declined
            if len(text) > _MAX_PART_LENGTH:
                raise _Declined
            out.append(text)
        return "".join(out)

    def placeable(self, expression: Any) -> str:
        if isinstance(expression, ast.VariableReference):
            value = self.argument(expression)
            return value if isinstance(value, str) else str(value)
        if isinstance(expression, ast.StringLiteral):
            return str(expression.parse()["value"])
        if isinstance(expression, ast.FunctionReference):
            return self.number(expression)
        if isinstance(expression, ast.SelectExpression):
            return self.pattern(self.variant(expression).value)
        raise _Declined

    def argument(self, reference: Any) -> str | int:
        value = self.args.get(reference.id.name)
        if value is None or isinstance(value, bool) or not isinstance(value, (str, int)):
            raise _Declined  # missing (fluent.runtime reports it), or not what `render` passes
        return value

    def number(self, call: Any) -> str:
        """NUMBER($n) or NUMBER($n, useGrouping: 0/1) of a whole number."""
        arguments = call.arguments
        if call.id.name != "NUMBER" or len(arguments.positional) != 1:
            raise _Declined
        (reference,) = arguments.positional
        if not isinstance(reference, ast.VariableReference):
            raise _Declined
        value = self.argument(reference)
        if not isinstance(value, int):
            raise _Declined
        grouping = False  # as `render` passes a whole number
        for named in arguments.named:
            literal = named.value
            if named.name.name != "useGrouping" or not isinstance(literal, ast.NumberLiteral):
                raise _Declined
            if not literal.value.lstrip("-").isdigit():
                raise _Declined
            grouping = int(literal.value) != 0
        return f"{value:,}".replace(",", self.separator) if grouping else str(value)

    def variant(self, select: Any) -> Any:
        """The variant a selection on an argument picks, the first in order that matches (a whole number: the
        same number or its plural category; a word: the same word), else the default variant."""
        if not isinstance(select.selector, ast.VariableReference):
            raise _Declined
        value = self.argument(select.selector)
        default = None
        for variant in select.variants:
            if variant.default:
                default = variant
            key = variant.key
            if isinstance(key, ast.NumberLiteral):
                if not key.value.lstrip("-").isdigit():
                    raise _Declined
                number = int(key.value)
                # (fluent.runtime compares a word with a number key's plural category)
                if (value == number) if isinstance(value, int) else (self.plural(number) == value):
                    return variant
            elif isinstance(key, ast.Identifier):
                if (self.plural(value) if isinstance(value, int) else value) == key.name:
                    return variant
            else:
                raise _Declined
        if default is None:
            raise _Declined
        return default
