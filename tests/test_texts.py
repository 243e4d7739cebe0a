"""The one text system (crm/text): every language has every text, and every text the code names exists and
renders with the arguments the code passes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.i18n import I18n
from crm.text import BOT_LANGUAGES, LOCALES, Msg, message_id, message_ids, render, variables

ROOT = Path(__file__).resolve().parents[1]


def _ids_of_file(language: str, name: str) -> set[str]:
    from fluent.syntax import FluentParser
    from fluent.syntax import ast as fast

    path = LOCALES / language / name
    body = FluentParser().parse(path.read_text(encoding="utf-8")).body
    return {e.id.name for e in body if isinstance(e, fast.Message)}


def _files(language: str) -> set[str]:
    return {p.name for p in (LOCALES / language).glob("*.ftl")}


def test_the_bot_languages_have_the_same_files_texts_and_arguments() -> None:
    assert _files("zh") == _files("en")
    for name in _files("en"):
        assert _ids_of_file("zh", name) == _ids_of_file("en", name), name
    for name in ("bot.ftl", "answers.ftl"):  # query.ftl: a language may leave out an argument (by, dim)
        for key in _ids_of_file("en", name):
            assert variables("zh", key) == variables("en", key), key


def test_a_text_missing_in_one_language_is_found() -> None:
    """The comparison above is not vacuous: the catalogues are not empty and a made-up id is absent."""
    assert len(message_ids("en")) > 200
    assert message_id("start.welcome_back") in message_ids("zh")
    assert "no-such-text" not in message_ids("zh")


# --- every literal key in the code ---------------------------------------------------------------------------
# Calls whose first string argument (or second, after the language) names a text.
_KEY_FIRST = {"i18n", "Msg"}
_KEY_SECOND = {"render", "t"}
_KEY_THIRD = {"_clarify"}


def _literal_calls() -> list[tuple[str, str, frozenset[str], bool]]:
    """(where, key, keyword names, has **kwargs) for each call that names a text with a string literal."""
    found = []
    for folder in ("bot", "handlers", "crm"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = (
                    func.id
                    if isinstance(func, ast.Name)
                    else func.attr
                    if isinstance(func, ast.Attribute)
                    else ""
                )
                if name in _KEY_FIRST:
                    index = 0
                elif name in _KEY_SECOND:
                    index = 1
                elif name in _KEY_THIRD:
                    index = 2
                else:
                    continue
                if len(node.args) <= index:
                    continue
                arg = node.args[index]
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    continue
                keywords = frozenset(k.arg for k in node.keywords if k.arg)
                double_star = any(k.arg is None for k in node.keywords)
                if name == "Msg" and len(node.args) > 1 and isinstance(node.args[1], ast.Dict):
                    keywords = frozenset(k.value for k in node.args[1].keys if isinstance(k, ast.Constant))
                elif name == "Msg" and len(node.args) > 1:
                    double_star = True
                prefix = "answer." if name == "t" else ""
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append((where, prefix + arg.value, keywords, double_star))
    return found


CALLS = _literal_calls()


def test_the_code_names_texts() -> None:
    assert len(CALLS) > 150


@pytest.mark.parametrize("language", BOT_LANGUAGES)
def test_every_text_the_code_names_exists_and_renders_with_its_arguments(language: str) -> None:
    problems = []
    for where, key, keywords, double_star in CALLS:
        if message_id(key) not in message_ids(language):
            problems.append(f"{where}: {key} is not in {language}")
            continue
        needed = variables(language, key)
        if double_star:
            continue
        if needed - keywords:
            problems.append(f"{where}: {key} needs {sorted(needed - keywords)}")
            continue
        try:
            render(language, key, **dict.fromkeys(keywords, 1))
        except (KeyError, ValueError) as error:
            problems.append(f"{where}: {key}: {error}")
    assert not problems, "\n".join(problems)


def test_numbers_keep_their_old_format() -> None:
    en = I18n("en")
    assert en("limits.note", limit=4000, length=12345) == (
        "A note can be at most 4,000 characters; this one has 12,345. Please send a shorter one (/cancel to stop)."
    )
    assert en("ask.open_card", id=12345) == "👤 Open the card of #12345"
    assert en("alerts.p_alive", p="42%") == " · P(alive) 42%"  # the leading space is kept
    assert "{first_name}" in en(
        "draft.segment_title", intent="a", segment="b", where="", count=1, languages=1, skipped=0
    )
    assert "\u2068" not in en("start.welcome_back", name="Tan")  # no Unicode isolation marks


def test_a_message_renders_in_the_reader_language() -> None:
    msg = Msg("start.welcome_back", {"name": "Tan"})
    assert I18n("en")(msg) == "Welcome back, Tan!"
    assert I18n("zh")(msg) == render("zh", "start.welcome_back", name="Tan") != I18n("en")(msg)


def test_a_missing_argument_fails_loudly() -> None:
    with pytest.raises(ValueError):
        render("en", "start.welcome_back")
    with pytest.raises(KeyError):
        render("en", "no.such.key")


# What crm/outreach/templates.py fills in (offer_sentence, render, localised_sign_off).
_TEMPLATE_ARGUMENTS = {"first_name", "brand", "item", "offer", "points_line", "festival", "brief", "coupon"}
_TEMPLATE_ARGUMENTS |= {"discount", "expires", "points", "y", "m", "d", "expiring", "date"}


def test_every_outreach_language_has_every_template_text() -> None:
    from crm.outreach.intents import INTENTS
    from crm.text import OUTREACH_LANGUAGES

    en = _ids_of_file("en", "outreach.ftl")
    assert {f"outreach-body-{intent}" for intent in INTENTS} <= en
    for language in OUTREACH_LANGUAGES:
        assert _ids_of_file(language, "outreach.ftl") == en, language
        for key in en:  # a language may leave an argument out ("The team" names no brand), never add one
            assert variables(language, key) <= _TEMPLATE_ARGUMENTS, (language, key)


def test_the_outreach_packs_read_the_catalogues() -> None:
    from crm.outreach.templates import PACKS, neutral_name

    assert PACKS["th"].greeting == "สวัสดีค่ะ คุณ{first_name}"
    assert PACKS["zh"].date_format == "{y}年{m}月{d}日"
    assert PACKS["en"].bodies["custom_brief"] == "{brief}\n{offer}"
    assert "xx" not in PACKS and set(PACKS) == {"en", "zh", "ms", "th", "id", "vi"}
    assert neutral_name("vi") == "bạn"


def test_the_why_this_number_explanation_is_in_the_reader_language() -> None:
    """The filters of a "why this number" explanation were named in English in a Chinese answer."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from crm.query.compiler import _Ctx
    from crm.query.ir import Filters

    settings = SimpleNamespace(timezone="Asia/Singapore", base_currency="SGD")
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    filters = Filters(platform="shopee", country="TH")
    zh = _Ctx(None, 1, settings, end, "zh").explain(None, start, end, filters)
    assert "筛选：平台=shopee, 国家=TH。" in zh and "platform" not in zh
    en = _Ctx(None, 1, settings, end, "en").explain(None, start, end, filters)
    assert en.endswith("Filters: platform=shopee, country=TH.")


@pytest.mark.parametrize("language", ["en", "zh", "ms", "th", "id", "vi"])
def test_every_text_renders_as_fluent_runtime_renders_it_from_its_whole_file(language: str) -> None:
    """render parses only the lines of the text it needs and formats the catalogues' forms itself
    (crm.text.plain): each text gives what fluent.runtime gives from the whole file, for numbers that pick each
    plural form and variant, with and without grouping, and for words; and the plain formatter declines none."""
    from fluent.runtime import FluentBundle, FluentResource

    from crm.text import _argument, _Catalogue, _plain_argument
    from crm.text.plain import format_plain

    whole = FluentBundle([language], use_isolating=False)
    for path in sorted((LOCALES / language).glob("*.ftl")):
        whole.add_resource(FluentResource(path.read_text(encoding="utf-8")))
    alone = _Catalogue(language)  # a fresh one: nothing parsed yet
    for mid in sorted(alone.files):
        names = variables(language, mid)
        message = alone.message(mid)
        assert mid not in alone.lines and alone.unread  # its own lines were parsed, not its file
        for value in (0, 1, 2, 5, 21, 1000, 12345, -1, -1234567, "Tan", "one", "other", "0"):
            args = dict.fromkeys(names, value)
            expected, errors = whole.format_pattern(
                whole.get_message(mid).value, {k: _argument(v) for k, v in args.items()}
            )
            got = format_plain(message.value, {k: _plain_argument(v) for k, v in args.items()}, language)
            if errors:  # NUMBER() of a word: left to fluent.runtime, which reports it
                assert got is None and isinstance(value, str), (mid, value)
            else:
                assert got == expected, (mid, value)
    assert alone.lines == {} and alone.everything().unread == set()
    assert alone._bundle is None  # fluent.runtime was never needed


@pytest.mark.parametrize("language", ["en", "zh", "ms", "th", "id", "vi"])
def test_the_plain_number_rules_are_babels(language: str) -> None:
    """crm.text.plain's plural categories and grouping separators, per language, are what fluent.runtime uses."""
    from fluent.runtime import FluentBundle
    from fluent.runtime.types import fluent_number

    from crm.text.plain import _GROUPING, _PLURAL

    bundle = FluentBundle([language])
    for n in [*range(-30, 2100), 10**6, 10**6 + 1, 10**9, -(10**7)]:
        assert _PLURAL[language](n) == bundle._plural_form(n), n
    for n in (999, 1000, -1000, 1234567, 10**12):
        assert f"{n:,}".replace(",", _GROUPING[language]) == fluent_number(n).format(bundle._babel_locale)


def test_what_the_plain_formatter_declines_fluent_runtime_formats() -> None:
    """A missing argument still fails loudly (fluent.runtime reports it), and a form the catalogues do not use
    is formatted by fluent.runtime, not dropped."""
    from fluent.syntax import FluentParser

    from crm.text.plain import format_plain

    pattern = FluentParser().parse("x = { $n } { DATETIME($d) } { -term }\n").body[0].value
    assert format_plain(pattern, {"n": 1}, "en") is None
    assert format_plain(pattern, {"n": 1}, "xx") is None
    with pytest.raises(ValueError, match="Unknown external: name"):
        render("en", "start.welcome_back")
    with pytest.raises(TypeError):
        render("en", "start.welcome_back", name=Msg("start.welcome_back"))
