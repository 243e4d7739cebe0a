"""Unbounded text: the display helper (crm.display) and Telegram's limits (bot.limits), checked against the fake
Bot API's own HTML parser (tests/fakes/telegram_server.parse_html), which refuses what Telegram refuses."""

from __future__ import annotations

import html

import pytest

from bot.limits import MAX_CAPTION, MAX_PARTS, MAX_TEXT, shorten_text, split_caption, split_text, units
from crm.display import NAME_LENGTH, clean, displayable, shorten
from tests.fakes.telegram_server import parse_html

HOSTILE = "Ev\u202eil\u2066 \x00Bob\x07\x1b[31m\u2069\u202a\u0085 Tan\r\nWei"


# --- the display helper --------------------------------------------------------------------------------------
def test_displayable_strips_controls_and_bidi_overrides_and_keeps_one_line() -> None:
    shown = displayable(HOSTILE)
    assert shown == "Evil Bob[31m Tan Wei"
    assert not any(ch in shown for ch in "\u202e\u2066\u2069\u202a\x00\x07\x1b\n\r\x85")
    # A note keeps its lines (at most one blank line in a row) but loses the rest.
    assert clean("a\u202e b\n\n\n\n c\x00d\u2028e", multiline=True) == "a b\n\ncd\ne"


def test_displayable_shortens_a_million_characters_with_an_ellipsis_quickly() -> None:
    name = "Tan " + "Wei Ling " * 111_112  # about a million characters
    shown = displayable(name)
    assert len(shown) <= NAME_LENGTH and shown.endswith("…") and shown.startswith("Tan Wei Ling")
    assert not shown[:-1].endswith(" ")
    # Cut before cleaning, the shown part still says that more follows.
    assert displayable("\x00" * 400 + "Bob" + "\x00" * 1_000_000) == "Bob…"
    assert displayable(None) == displayable("\u202e\x00") == ""


def test_shorten_never_separates_a_character_from_what_belongs_to_it() -> None:
    family = "👨\u200d👩\u200d👧"
    text = "x" * 10 + family * 5
    for limit in range(11, 20):
        out = shorten(text, limit)
        assert len(out) <= limit and out.endswith("…")
        body = out[:-1]
        assert not body.endswith("\u200d") and not (body[-1:] and text[len(body)] == "\u200d")
    assert shorten("Nguyễn" + "\u0301" * 3 + "abc", 7)[:-1] in ("Nguyễn", "Nguyễ")


# --- Telegram's limits -------------------------------------------------------------------------------------------
def _long_list(n: int) -> str:
    lines = [
        f"{i:4d}. <b>{html.escape('Tan & Sons <wholesale>')} #{i}</b> · 1,234.00 SGD 😀" for i in range(n)
    ]
    return "<b>Top customers</b>\n\n" + "\n".join(lines)


def test_a_long_list_splits_into_valid_parts_at_line_breaks() -> None:
    text = _long_list(300)
    parts = split_text(text)
    assert 1 < len(parts) <= MAX_PARTS
    shown = [parse_html(p) for p in parts]  # every part is valid HTML on its own (raises otherwise)
    assert all(units(s) <= MAX_TEXT for s in shown)
    assert "\n".join(shown) == parse_html(text)  # nothing lost, nothing added, cut at line breaks only
    assert all(p.count("<b>") == p.count("</b>") for p in parts)


def test_a_split_inside_a_pre_block_closes_and_reopens_it() -> None:
    table = "\n".join(f"{i:3d} | {'Lim Mei Hua':<20} | {i * 3.5:>10.2f}" for i in range(400))
    text = f"<b>Revenue by customer</b>\n\n<pre>{html.escape(table)}</pre>"
    parts = split_text(text)
    assert len(parts) > 1
    for part in parts[1:]:
        assert part.startswith("<pre>") and part.endswith("</pre>")
        parse_html(part)
    assert "\n".join(parse_html(p) for p in parts) == parse_html(text)


def test_text_without_any_break_is_cut_between_entities_and_emoji_not_inside_them() -> None:
    for unit in ("&lt;", "😀", "&amp;b"):
        text = f"<i>{unit * 6000}</i>"
        parts = split_text(text)
        for part in parts:
            assert units(parse_html(part)) <= MAX_TEXT
        assert "".join(parse_html(p) for p in parts) == parse_html(text)


def test_a_million_characters_become_at_most_max_parts_messages_ending_with_an_ellipsis() -> None:
    parts = split_text("<b>" + "word " * 200_000 + "</b>")
    assert len(parts) == MAX_PARTS and parse_html(parts[-1]).endswith("…")
    assert all(units(parse_html(p)) <= MAX_TEXT for p in parts)


def test_what_fits_is_left_alone_and_edits_are_shortened() -> None:
    fits = "<b>a</b> &amp; " + "x" * 4000
    assert split_text(fits) == [fits] and shorten_text(fits) == fits
    long = "<pre>" + "line\n" * 2000 + "</pre>"
    short = shorten_text(long)
    assert units(parse_html(short)) <= MAX_TEXT and short.endswith("…</pre>")


def test_a_long_caption_keeps_what_fits_and_the_rest_follows_as_text() -> None:
    caption = "<b>Cohort retention</b> " + "month " * 1000
    first, rest = split_caption(caption)
    assert units(parse_html(first)) <= MAX_CAPTION and rest
    assert " ".join(parse_html(p) for p in [first, *rest]).rstrip() == parse_html(caption).rstrip()
    assert split_caption("<b>short</b>") == ("<b>short</b>", [])


@pytest.mark.parametrize("bad", ["<b>x", "x</b>", "<phone>", "a < b", "<b><i>x</b></i>"])
def test_the_fake_server_refuses_html_telegram_refuses(bad: str) -> None:
    with pytest.raises(ValueError, match="can't parse entities"):
        parse_html(bad)
