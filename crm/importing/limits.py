"""What an import accepts and stores at most: text caps, amount, quantity and date bounds, and text cleaning.

SQLite stores any text and number it is given; PostgreSQL refuses a NUL byte, a text longer than its column
and a number its column cannot hold, and fails the whole file. So every value an import writes is made to fit
here, before either database sees it, and both store the same thing: text loses its control characters and is
capped at its column's length (free text) or rejects its row (identifiers, which a cut would make another's);
an amount, quantity or date out of its bounds rejects its row (and so its whole order). Pure Python: the
importer's worker process imports it too (no database code).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache


@dataclass(frozen=True)
class TextField:
    """A text an import writes: at most `limit` characters, the length of the `columns` it lands in
    (storage.models; tests check they agree). Over the limit it is cut ("cap", marked with "…"), left out
    ("drop": a contact detail that long is not a real one) or rejects its row ("reject": an identifier)."""

    limit: int
    columns: tuple[str, ...]
    over: str  # cap | drop | reject
    multiline: bool = False  # keeps line breaks and tabs (else they become spaces)


TEXT_FIELDS: dict[str, TextField] = {
    "order id": TextField(128, ("orders.platform_order_id", "import_rejections.order_ref"), "reject"),
    "buyer id": TextField(255, ("buyer_identities.buyer_key",), "reject"),
    "SKU": TextField(128, ("order_lines.sku", "products.sku", "behaviour_events.sku"), "reject"),
    "status": TextField(64, ("orders.raw_status",), "cap"),
    "product name": TextField(
        500,
        (
            "order_lines.product_name",
            "products.name",
            "behaviour_events.product_name",
            "interactions.product",
        ),
        "cap",
    ),
    "variation": TextField(255, ("order_lines.variation",), "cap"),
    "category": TextField(200, ("products.category",), "cap"),
    # A buyer's name or username also names the customer (customers.display_name, the shorter column).
    "buyer name": TextField(200, ("buyer_identities.name", "customers.display_name"), "cap"),
    "username": TextField(200, ("buyer_identities.username", "customers.display_name"), "cap"),
    "email": TextField(255, ("buyer_identities.email", "buyer_identities.email_norm"), "drop"),
    "phone": TextField(64, ("buyer_identities.phone",), "drop"),
    "tag": TextField(64, ("tags.name",), "cap"),
    "language": TextField(8, ("interactions.language",), "drop"),
    "reason": TextField(64, ("interactions.reason",), "cap"),
    # Text columns without a length: capped so that one cell cannot fill the database or a chat.
    "message": TextField(4000, ("interactions.body",), "cap", multiline=True),
    "rejection reason": TextField(500, ("import_rejections.reason",), "cap"),
    "file name": TextField(500, ("import_logs.file_name",), "cap"),
    "store name": TextField(200, ("stores.name", "import_logs.store_name"), "reject"),
}
ORDER_ID = TEXT_FIELDS["order id"].limit
BUYER_ID = TEXT_FIELDS["buyer id"].limit
SKU = TEXT_FIELDS["SKU"].limit
STATUS = TEXT_FIELDS["status"].limit
PRODUCT_NAME = TEXT_FIELDS["product name"].limit
VARIATION = TEXT_FIELDS["variation"].limit
CATEGORY = TEXT_FIELDS["category"].limit

# Amounts (prices, totals, fees, an order's value, also in the base currency) must lie strictly between
# -AMOUNT_LIMIT and AMOUNT_LIMIT. Money columns are Numeric(18, 4): they hold 14 digits before the point; a
# trillion leaves a hundredfold room for sums and is beyond any real order in any currency.
AMOUNT_LIMIT = 10**12
# Quantities: 0 to QUANTITY_LIMIT units a line (order_lines.quantity is a 32-bit integer).
QUANTITY_LIMIT = 1_000_000
# Loyalty points an order earns at most (loyalty_ledger.points is a 32-bit integer).
POINTS_LIMIT = 2**31 - 1
# Dates (order, payment, interaction and event times): from EARLIEST_DATE to DATE_MARGIN after the import.
EARLIEST_DATE = datetime(2000, 1, 1, tzinfo=UTC)
DATE_MARGIN = timedelta(days=2)


def latest_date(now: datetime | None = None) -> datetime:
    """The latest date an import accepts (time zones and slow clocks: a little after now)."""
    return (now or datetime.now(UTC)) + DATE_MARGIN


def date_problem(dt: datetime, what: str, latest: datetime) -> str | None:
    """Why `dt` (aware) is out of bounds, or None."""
    if EARLIEST_DATE <= dt <= latest:
        return None
    return (
        f"{what} {dt.date().isoformat()} is out of range (dates from {EARLIEST_DATE:%Y-%m-%d} to "
        f"{latest:%Y-%m-%d} are accepted)"
    )


def amount_problem(value: float) -> str | None:
    """Why an amount cannot be stored (not finite, or out of bounds), or None."""
    if -AMOUNT_LIMIT < value < AMOUNT_LIMIT:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return "not a finite amount"
    return f"amount {value:.6g} is out of range (amounts must be below {AMOUNT_LIMIT:,} in size)"


def quantity_problem(quantity: int) -> str | None:
    if 0 <= quantity <= QUANTITY_LIMIT:
        return None
    if quantity < 0:
        return f"negative quantity {quantity}"
    return f"quantity {shown(str(quantity))} is out of range (at most {QUANTITY_LIMIT:,} a line)"


# ---------------------------------------------------------------- text
# Bidirectional embeddings, overrides and isolates: they reorder how text displays (a name that reads
# backwards, a spoofed amount) and never belong in a name.
_BIDI_CONTROLS: dict[int, str | None] = dict.fromkeys((*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
# C0 and C1 control characters (NUL included; PostgreSQL text cannot hold it) go; line breaks and tabs turn
# into a space in one-line fields.
_SPACES: dict[int, str | None] = dict.fromkeys((0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029), " ")
_ONE_LINE: dict[int, str | None] = {
    **dict.fromkeys((*range(0x20), *range(0x7F, 0xA0))),
    **_SPACES,
    **_BIDI_CONTROLS,
}
_MULTILINE: dict[int, str | None] = {
    **_ONE_LINE,
    0x09: "\t",
    0x0A: "\n",
    0x0D: None,
    0x2028: "\n",
    0x2029: "\n",
}
ELLIPSIS = "…"


def clean_text(value: str, multiline: bool = False) -> str:
    """`value` without control and bidirectional-override characters, trimmed (printable text as it is)."""
    if value.isprintable():
        return value.strip()
    return _clean(value, multiline)


@lru_cache(maxsize=4096)
def _clean(value: str, multiline: bool) -> str:
    return value.translate(_MULTILINE if multiline else _ONE_LINE).strip()


def _joins(ch: str) -> bool:
    """Whether `ch` belongs to the character before it (a combining mark, a joiner, a variation selector or
    an emoji modifier): a cut must not fall just before it."""
    return (
        unicodedata.combining(ch) != 0
        or ch in "\u200c\u200d"
        or "\ufe00" <= ch <= "\ufe0f"
        or "\U0001f3fb" <= ch <= "\U0001f3ff"
        or unicodedata.category(ch) in ("Mn", "Me")
    )


def cut(value: str, limit: int) -> str:
    """`value` cut to at most `limit` characters, at a character boundary that splits no letter with its
    accents or emoji sequence, marked with "…"."""
    if len(value) <= limit:
        return value
    end = limit - 1
    floor = max(end - 16, 1)  # a longer cluster is not a letter: cut it
    while end > floor and (_joins(value[end]) or value[end - 1] == "\u200d"):
        end -= 1
    if _is_flag_half(value, end):
        end -= 1
    return value[:end].rstrip() + ELLIPSIS


def _is_flag_half(value: str, end: int) -> bool:
    """A cut at `end` between the two regional indicators of a flag."""

    def regional(ch: str) -> bool:
        return "\U0001f1e6" <= ch <= "\U0001f1ff"

    if end <= 0 or not regional(value[end]) or not regional(value[end - 1]):
        return False
    run = 0
    while end - run > 0 and regional(value[end - run - 1]):
        run += 1
    return run % 2 == 1


def fit(value: str | None, field: str) -> str | None:
    """A free-text value as stored: cleaned, then capped (or left out) per TEXT_FIELDS; None when empty."""
    if value is None:
        return None
    spec = TEXT_FIELDS[field]
    if len(value) <= spec.limit and value.isprintable():
        return value.strip() or None
    text = clean_text(value, spec.multiline)
    if len(text) > spec.limit:
        if spec.over != "cap":  # drop (an identifier that long is refused where it is read: `identifier`)
            return None
        text = cut(text, spec.limit)
    return text or None


def identifier(value: str, field: str) -> tuple[str, str | None]:
    """An identifier as stored (cleaned, never cut: a cut one could be another's) and why its row is rejected
    (longer than its column), or None."""
    text = clean_text(value)
    if len(text) <= TEXT_FIELDS[field].limit:
        return text, None
    return cut(text, TEXT_FIELDS[field].limit), too_long(field, text)


def shown(value: str, limit: int = 40) -> str:
    """A value quoted in a message: cut to a readable length."""
    return value if len(value) <= limit else value[: limit - 1] + ELLIPSIS


def too_long(field: str, value: str) -> str:
    """The reason a row is rejected for an identifier over its column's length."""
    return f"{field} {shown(value)!r} is longer than {TEXT_FIELDS[field].limit} characters"
