"""The import's limits (crm.importing.limits): one table of text caps that agrees with the models' columns, and
the cleaning and cutting of text at a safe place."""

from __future__ import annotations

import pytest
from sqlalchemy import String

from crm.importing.limits import (
    AMOUNT_LIMIT,
    QUANTITY_LIMIT,
    TEXT_FIELDS,
    clean_text,
    cut,
    fit,
    identifier,
)
from storage.models import Base, Money

# The text columns an import writes whose values it makes itself (codes, normalised values): no cap needed.
OWN_VALUES = {
    "orders.platform",
    "orders.status",
    "orders.currency",
    "orders.country",
    "orders.customer_country",
    "buyer_identities.platform",
    "buyer_identities.phone_norm",
    "buyer_identities.country",
    "customers.country",
    "customers.language",
    "stores.platform",
    "stores.country",
    "stores.currency",
    "stores.timezone",
    "import_logs.platform",
    "import_logs.status",
    "import_logs.file_sha256",
    "interactions.kind",
    "interactions.channel",
    "behaviour_events.kind",
    "behaviour_events.currency",
    "customer_tags.source",
    "loyalty_ledger.reason",
    "consent_records.purpose",
    "consent_records.channel",
    "consent_records.source",
    "merge_events.reason",
    "merge_events.matched_on",
    "fx_rates.currency",
}
# Text columns of those tables that an import never writes.
NOT_IMPORTED = {"products.category"}
IMPORTED_TABLES = {
    "orders",
    "order_lines",
    "buyer_identities",
    "customers",
    "products",
    "tags",
    "customer_tags",
    "interactions",
    "behaviour_events",
    "import_logs",
    "import_rejections",
    "stores",
    "loyalty_ledger",
    "consent_records",
    "merge_events",
    "fx_rates",
}


def _column(name: str):  # type: ignore[no-untyped-def]
    table, column = name.split(".")
    return Base.metadata.tables[table].c[column]


@pytest.mark.parametrize("field", sorted(TEXT_FIELDS))
def test_each_cap_is_the_length_of_the_shortest_column_it_lands_in(field: str) -> None:
    spec = TEXT_FIELDS[field]
    lengths = [
        c.type.length for c in map(_column, spec.columns) if isinstance(c.type, String) and c.type.length
    ]
    if lengths:
        assert spec.limit == min(lengths), (field, lengths)
    assert spec.over in {"cap", "drop", "reject"}


def test_every_text_column_an_import_writes_has_a_cap_or_holds_the_imports_own_values() -> None:
    capped = {c for spec in TEXT_FIELDS.values() for c in spec.columns}
    for name in IMPORTED_TABLES:
        for column in Base.metadata.tables[name].c:
            if isinstance(column.type, String) and not column.foreign_keys:
                full = f"{name}.{column.name}"
                if column.type.length is None and full not in capped:
                    continue  # Text columns the import never writes (notes, rules) are checked by their writers
                assert full in capped or full in OWN_VALUES or full in NOT_IMPORTED, full


def test_amount_and_quantity_bounds_fit_their_columns() -> None:
    assert 10 ** (Money.precision - Money.scale) >= AMOUNT_LIMIT * 100  # room for sums and conversion
    assert QUANTITY_LIMIT < 2**31


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Ann\x00Lee", "AnnLee"),
        ("\u202eevil\u202c", "evil"),
        ("a\tb\nc\r\nd", "a b c  d"),
        ("  Tan  ", "Tan"),
        ("👩\u200d💻 Ana", "👩\u200d💻 Ana"),
        ("Nguyễn", "Nguyễn"),
        ("\x85x\x9f", " x"[1:]),
    ],
)
def test_clean_text_drops_controls_and_bidi_overrides_only(text: str, expected: str) -> None:
    assert clean_text(text) == expected


def test_multiline_text_keeps_its_line_breaks() -> None:
    assert fit("line 1\r\nline 2\tend\x00", "message") == "line 1\nline 2\tend"


@pytest.mark.parametrize(
    "text,limit,expected",
    [
        ("abcdef", 6, "abcdef"),
        ("abcdefg", 6, "abcde…"),
        ("abcde\u0301f", 6, "abcd…"),  # e + combining acute: cut before the letter, not between
        ("abc👍🏽xy", 5, "abc…"),  # thumbs up + skin tone stay together
        ("ab👩\u200d💻xyz", 5, "ab…"),  # a ZWJ sequence is not cut in its joiner
        ("a🇸🇬🇲🇾xy", 5, "a🇸🇬…"),
        ("🇸🇬🇲🇾xy", 4, "🇸🇬…"),  # a flag's two letters stay together
    ],
)
def test_cut_keeps_letters_and_emoji_whole(text: str, limit: int, expected: str) -> None:
    out = cut(text, limit)
    assert out == expected and len(out) <= limit


def test_fit_caps_free_text_and_drops_contacts_that_do_not_fit() -> None:
    assert fit("N" * 300, "buyer name") == "N" * 199 + "…"
    assert fit("x" * 250 + "@example.com", "email") is None
    assert fit("  ", "buyer name") is None and fit(None, "buyer name") is None
    assert identifier("#1\x00", "order id") == ("#1", None)
    text, problem = identifier("9" * 200, "order id")
    assert len(text) <= 128 and problem is not None and "longer than 128" in problem
