"""Changing the workspace's base currency: every stored amount re-priced with cross rates, or nothing changed.

Rates on file say what 1 unit of a currency is worth in the base currency. Moving the base from OLD to NEW
re-expresses each of them through NEW's own rate: rate_new(c) = rate_old(c) / rate_old(NEW), OLD itself
becoming 1 / rate_old(NEW). Dated rates stay dated: on every date where either rate changes, the cross rate
is taken from the two rates in force that day, so an order is priced as it was, only in another unit.
Without a rate for NEW the amounts cannot be converted, and the change is refused.

Loyalty points are not re-priced: they were earned under the rules of their day and the ledger is history.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from crm.importing.service import _rate_periods
from storage.db import Database
from storage.repositories import currency as repo
from storage.repositories.imports import load_rates

RATE_PLACES = Decimal("1e-12")  # the precision fx_rates.rate keeps
Rates = dict[str, list[tuple[date | None, float]]]


class CurrencyChangeRefused(ValueError):
    """The base currency cannot be changed; `reason` is "invalid_code" or "missing_rate"."""

    def __init__(self, reason: str, currency: str, base: str) -> None:
        self.reason, self.currency, self.base = reason, currency, base
        if reason == "invalid_code":
            text = f"{currency!r} is not a currency code (three letters, e.g. MYR)"
        else:
            text = (
                f"there is no exchange rate for {currency} (into {base}), so the amounts cannot be converted; "
                f'add one first (a rates.csv with the columns currency,rate, e.g. "{currency},0.30": '
                f"1 {currency} = 0.30 {base}), then change the currency"
            )
        super().__init__(text)


@dataclass(frozen=True)
class BaseCurrencyChange:
    old: str
    new: str
    rates: int = 0  # rate rows on file after the change
    orders: int = 0  # orders re-priced
    unpriced: int = 0  # orders still without a rate

    @property
    def changed(self) -> bool:
        return self.old != self.new


async def workspace_currency(db: Database, workspace_id: int, default: str) -> str:
    """The currency the workspace's amounts are stored in, read from its row: the one source of truth once the
    workspace exists (configuration only seeds a new one), which any process may change while another runs.
    Whatever labels amounts (an answer, a card, an alert, a digest) reads it when it runs, not at start."""
    async with db.sessions() as session:
        return await repo.base_currency(session, workspace_id) or default


def rate_on(options: list[tuple[date | None, float]], day: date | None) -> float:
    """The rate in force on `day` (None: before every dated rate), as the importer applies them: before the
    first dated rate the undated one (else the earliest dated), then each dated rate from its date on."""
    dated = sorted((d, r) for d, r in options if d is not None)
    undated = [r for d, r in options if d is None]
    rate = undated[-1] if undated else dated[0][1]
    for d, r in dated:
        if day is None or d > day:
            break
        rate = r
    return rate


def cross_rates(rates: Rates, old: str, new: str) -> list[tuple[str, Decimal, date | None]]:
    """`rates` (into `old`) re-expressed into `new`: one undated row per currency, plus one on every date where
    the currency's rate or `new`'s changes. `new` itself is 1. `rates` must hold a rate for `new`."""
    rates = {**rates}
    rates.setdefault(old, [(None, 1.0)])
    pivot = rates[new]
    pivot_days = {d for d, _ in pivot if d is not None}

    def ratio(a: float, b: float) -> Decimal:
        return (Decimal(repr(a)) / Decimal(repr(b))).quantize(RATE_PLACES)

    rows: list[tuple[str, Decimal, date | None]] = [(new, Decimal(1), None)]
    for cur, options in sorted(rates.items()):
        if cur == new:
            continue
        days = sorted({d for d, _ in options if d is not None} | pivot_days)
        rows.append((cur, ratio(rate_on(options, None), rate_on(pivot, None)), None))
        rows.extend((cur, ratio(rate_on(options, d), rate_on(pivot, d)), d) for d in days)
    return rows


async def change_base_currency(
    db: Database, workspace_id: int, new_code: str, *, fx_rates: Mapping[str, float] | None = None
) -> BaseCurrencyChange:
    """Make `new_code` the base currency in one transaction: the rates on file (imported ones, else those of
    the settings, `fx_rates`) re-expressed into it, every order re-priced, the customer statistics refreshed.
    Refused (CurrencyChangeRefused, nothing changed) for a code that is not three letters, or when there is
    something to convert and no rate for `new_code`."""
    new = new_code.strip().upper()
    async with db.sessions() as session:
        old = await repo.lock_base_currency(session, workspace_id)
        if not re.fullmatch(r"[A-Z]{3}", new):
            raise CurrencyChangeRefused("invalid_code", new_code.strip(), old)
        if new == old:
            orders, priced = await repo.count_orders(session, workspace_id)
            return BaseCurrencyChange(old, new, orders=0, unpriced=orders - priced)
        rates: Rates = {cur.upper(): [(None, float(r))] for cur, r in (fx_rates or {}).items()}
        rates.update(await load_rates(session, workspace_id))
        rates.pop(old, None)  # the old base is worth 1 of itself, whatever a file said
        orders, _ = await repo.count_orders(session, workspace_id)
        if new not in rates:
            if orders or rates:
                raise CurrencyChangeRefused("missing_rate", new, old)
            await repo.set_base_currency(session, workspace_id, new)  # nothing priced yet: nothing to convert
            await session.commit()
            return BaseCurrencyChange(old, new)
        rows = cross_rates(rates, old, new)
        await repo.replace_rates(session, workspace_id, rows)
        by_currency: Rates = {}
        for cur, rate, day in rows:
            by_currency.setdefault(cur, []).append((day, float(rate)))
        await repo.reprice_all_orders(
            session, workspace_id, {cur: _rate_periods(options) for cur, options in by_currency.items()}
        )
        await repo.set_base_currency(session, workspace_id, new)
        orders, priced = await repo.count_orders(session, workspace_id)
        await session.commit()
    return BaseCurrencyChange(old, new, rates=len(rows), orders=priced, unpriced=orders - priced)
