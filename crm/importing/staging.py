"""Turning an export's rows into staged order lines: the per-row work of an order import.

The same code runs in the importing process and, for the second part of a large file, in a worker process
(`crm.importing.part_worker`), so it imports nothing from the database layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TypeVar

from crm.importing.limits import (
    AMOUNT_LIMIT,
    BUYER_ID,
    CATEGORY,
    EARLIEST_DATE,
    ORDER_ID,
    PRODUCT_NAME,
    QUANTITY_LIMIT,
    SKU,
    STATUS,
    VARIATION,
    amount_problem,
    date_problem,
    fit,
    identifier,
    latest_date,
    quantity_problem,
    shown,
)
from crm.importing.normalise import ValueProblem
from crm.importing.platforms import Buyer, Line
from crm.importing.reader import CUT_ROW_REASON, CutRow, cell_text
from storage.stage_layout import STAGE_TIME_FORMAT, BadRow

# Platforms whose item price is a catalogue price: never negative (discounts, refunds and promotions have
# their own columns there). WooCommerce and generic files may carry fee or discount lines with a negative
# amount, so they are not checked.
CATALOGUE_PRICE_PLATFORMS = frozenset({"shopee", "lazada", "tiktok", "amazon", "ebay", "shopify"})


def utc_text(dt: datetime | None) -> str | None:
    """A timestamp as staged: UTC, in STAGE_TIME_FORMAT."""
    if dt is None:
        return None
    return _staged(_naive_utc(dt))


def _naive_utc(dt: datetime) -> datetime:
    """`dt` in UTC, without its time zone (OverflowError past year 1 or 9999)."""
    offset = dt.utcoffset()
    if offset is None:  # naive: local time, as astimezone reads it
        return dt.astimezone(UTC).replace(tzinfo=None)
    return dt.replace(tzinfo=None) - offset  # the same as astimezone(UTC), without building the aware result


def _staged(utc: datetime) -> str:
    if utc.year < 1000:  # isoformat pads the year, strftime's %Y does not
        return utc.strftime(STAGE_TIME_FORMAT)
    return utc.isoformat(" ", "microseconds")  # = STAGE_TIME_FORMAT, 5x faster


# Order dates are compared in naive UTC: comparing aware times of two zones costs 30 times more.
_EARLIEST = EARLIEST_DATE.replace(tzinfo=None)


@lru_cache(maxsize=1)
def _iso_currencies() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies)


def line_problem(line: Line, check_price: bool) -> str | None:
    """Why a line (and so its whole order) cannot be imported, or None."""
    q, lt, lv, price, cur = line.quantity, line.line_total, line.line_value, line.unit_price, line.currency
    if (
        (q is None or 0 <= q <= QUANTITY_LIMIT)
        and (lt is None or -AMOUNT_LIMIT < lt < AMOUNT_LIMIT)
        and (lv is None or -AMOUNT_LIMIT < lv < AMOUNT_LIMIT)
        and not (check_price and price is not None and price < 0)
        and (not cur or cur in _iso_currencies())
    ):
        return None  # the common case, in one test
    problems: list[str] = []
    if q is not None and (why := quantity_problem(q)):
        problems.append(why)
    if check_price and price is not None and price < 0:
        problems.append(
            f"negative item price {price:g} (in this export discounts and refunds have "
            "their own columns; an item price is never below 0)"
        )
    for what, amount in (("line total", lt), ("line value", lv)):
        if amount is not None and (why := amount_problem(amount)):
            problems.append(f"{what}: {why}")
    if cur and cur not in _iso_currencies():
        problems.append(f"unknown currency code {shown(cur)!r} (expected an ISO 4217 code such as USD)")
    return "; ".join(problems) + "; the whole order is rejected"


_Mapped = TypeVar("_Mapped")  # what a row mapper makes of a row


def rejecting_cut_rows(
    mapper: Callable[[int, Sequence[object]], _Mapped], columns: int = 0
) -> Callable[[int, Sequence[object]], _Mapped]:
    """The mapper, with the last row of a file that was cut short rejected (and so its whole order), and a row
    that is one cell holding separators where the header has `columns` cells (a file whose rows are separated
    otherwise than its header) rejected with the reason, not read as empty columns."""

    def checked(line_no: int, cells: Sequence[object]) -> _Mapped:
        if type(cells) is CutRow:
            raise ValueProblem(CUT_ROW_REASON)
        if len(cells) == 1 and columns > 1 and type(cells[0]) is str and _SEPARATORS.search(cells[0]):
            raise ValueProblem(
                f"this row is one cell where the header has {columns}: its values are not separated "
                "like the header's (export the file again)"
            )
        return mapper(line_no, cells)

    checked.order_col = getattr(mapper, "order_col", None)  # type: ignore[attr-defined]
    return checked


_SEPARATORS = re.compile(r"[,;\t|]")


def merge_buyer(buyers: dict[str, Buyer], buyer: Buyer) -> None:
    """Add a buyer seen on a row; for one seen before keep the latest non-empty details (a later row wins)."""
    prev = buyers.get(buyer.key)
    if prev is None:
        buyers[buyer.key] = buyer
    elif prev is not buyer:  # lines of one order share one Buyer
        prev.name = buyer.name or prev.name
        prev.email = buyer.email or prev.email
        prev.phone = buyer.phone or prev.phone
        prev.country = buyer.country or prev.country
        prev.username = buyer.username or prev.username
        if buyer.accepts_marketing is not None:
            prev.accepts_marketing = buyer.accepts_marketing


class RowStager:
    """Maps rows to staged tuples (STAGE_COLUMNS order), collecting the buyers and the rows rejected."""

    def __init__(
        self,
        mapper: Callable[[int, Sequence[object]], Line | None],
        platform: str,
        erased: Callable[[Buyer], bool] | None = None,
    ) -> None:
        self.mapper = mapper
        # Buyers who were erased (storage.repositories.erased): their rows are skipped, whole orders at a time.
        self.erased = erased
        self.erased_rows = 0
        self._erased_refs: set[str] = set()
        self.order_col: int | None = getattr(mapper, "order_col", None)
        self.check_price = platform in CATALOGUE_PRICE_PLATFORMS
        self.buyers: dict[str, Buyer] = {}
        self.bad_rows: list[BadRow] = []
        self.rows = 0  # rows read
        self.skipped = 0  # report trailers, description rows
        self.latest = latest_date()  # the latest order date accepted
        self.latest_utc = self.latest.replace(tzinfo=None)
        # The previous line's times and their staged text: the lines of an order share their time objects.
        self._times: tuple[object, object, str | None, str | None] = (None, None, None, None)

    def stage(self, line_no: int, cells: Sequence[object]) -> tuple[object, ...] | None:
        """The staged tuple of one row, or None when the row is rejected or skipped. Every check comes before
        the row's buyer is taken in: a rejected row brings in nothing."""
        self.rows += 1
        try:
            line = self.mapper(line_no, cells)
        except ValueProblem as exc:
            col = self.order_col
            ref = cell_text(cells[col]) if col is not None and col < len(cells) else ""
            if len(ref) > ORDER_ID or not ref.isprintable():
                ref = identifier(ref, "order id")[0]
            self.bad_rows.append((line_no, ref or None, fit(str(exc), "rejection reason") or "unreadable"))
            return None
        if line is None:
            self.skipped += 1
            return None
        ref = line.order_ref
        if len(ref) > ORDER_ID or not ref.isprintable():
            ref, problem = identifier(ref, "order id")
            if problem:
                self._reject(line_no, ref, problem)
                return None
        if not ref:
            self._reject(line_no, None, "no order id")
            return None
        if self.erased is not None and (
            ref in self._erased_refs or (line.buyer is not None and self.erased(line.buyer))
        ):
            self._erased_refs.add(ref)
            self.erased_rows += 1
            return None
        problem = line_problem(line, self.check_price)
        if problem:
            self._reject(line_no, ref, problem)
            return None
        created, paid = line.created_at, line.paid_at
        times = self._times
        if times[0] is not created or times[1] is not paid:  # (once an order: its lines share their times)
            try:
                c_utc = None if created is None else _naive_utc(created)
                p_utc = None if paid is None else _naive_utc(paid)
            except OverflowError:  # past year 1 or 9999 in UTC
                self._reject(line_no, ref, self._time_problem(created, paid))
                return None
            latest = self.latest_utc
            if not (
                (c_utc is None or _EARLIEST <= c_utc <= latest)
                and (p_utc is None or _EARLIEST <= p_utc <= latest)
            ):
                self._reject(line_no, ref, self._time_problem(created, paid))
                return None
            times = self._times = (
                created,
                paid,
                None if c_utc is None else _staged(c_utc),
                None if p_utc is None else _staged(p_utc),
            )
        sku, product, variation, raw_status = line.sku, line.product_name, line.variation, line.raw_status
        if sku is not None and (len(sku) > SKU or not sku.isprintable()):
            sku, problem = identifier(sku, "SKU")
            if problem:
                self._reject(line_no, ref, problem + "; the whole order is rejected")
                return None
            sku = sku or None
        if product is not None and (len(product) > PRODUCT_NAME or not product.isprintable()):
            product = fit(product, "product name")
        if variation is not None and (len(variation) > VARIATION or not variation.isprintable()):
            variation = fit(variation, "variation")
        category = line.category
        if category is not None and (len(category) > CATEGORY or not category.isprintable()):
            category = fit(category, "category")
        if raw_status and (len(raw_status) > STATUS or not raw_status.isprintable()):
            raw_status = fit(raw_status, "status")
        buyer = line.buyer
        if buyer is not None:
            key = buyer.key
            if len(key) > BUYER_ID or not key.isprintable():
                key, problem = identifier(key, "buyer id")
                if problem:
                    self._reject(line_no, ref, problem + "; the whole order is rejected")
                    return None
                buyer.key = key
            if key:
                merge_buyer(self.buyers, buyer)
            else:
                buyer = None
        return (
            line_no,
            ref,
            line.status,
            raw_status or None,
            times[2],
            times[3],
            line.currency,
            line.order_total,
            line.line_value,
            1 if line.item_valid else 0,
            line.country,
            buyer.key if buyer is not None else None,
            sku,
            product,
            variation,
            line.quantity,
            line.unit_price,
            line.line_discount,
            line.line_total,
            category,
        )

    def _reject(self, line_no: int, ref: str | None, reason: str) -> None:
        self.bad_rows.append((line_no, ref, reason))
        return None

    def _time_problem(self, created: datetime | None, paid: datetime | None) -> str:
        """Why an order's or its payment's time cannot be imported (out of bounds)."""
        for what, dt in (("order date", created), ("payment date", paid)):
            if dt is not None and (why := date_problem(dt, what, self.latest)):
                return why
        return "a date is out of range"

    def absorb(self, later: RowStager | PartResult) -> None:
        """Take in what the stager of the file's next part collected (its buyers count as later rows)."""
        for buyer in later.buyers.values():
            merge_buyer(self.buyers, buyer)
        self.bad_rows.extend(later.bad_rows)
        self.rows += later.rows
        self.skipped += later.skipped


@dataclass
class PartResult:
    """What a worker's stager collected, as the importing process reads it back (its staged rows aside)."""

    rows: int
    skipped: int
    bad_rows: list[BadRow]
    buyers: dict[str, Buyer]
