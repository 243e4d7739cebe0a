"""Loyalty points: the ledger replayed into lots (FIFO), expiry, redemptions and adjustments.

The ledger (storage.models.LoyaltyEntry) is the only truth; a balance is always the sum of its rows. What a
bare sum cannot tell — which points are left of which order, when they expire, what expiry is due — comes
from `position()`, one pure function that replays the rows in time order:

- an `earn` row, or a positive `adjust`, is a lot: points earned on a day (in the shop's time zone) that
  expire `expiry_days` later (never when expiry is off);
- `redeem`, a negative `adjust` and `expire` consume lots oldest first (FIFO): first lots still valid at
  that moment, then lots past their expiry that had not been expired yet; a `reverse` row (and an `expire`
  row that names an order) first takes its own order's lot;
- what cannot be taken from any lot is a deficit (a negative balance) that the next points earned pay first.

So sum(remaining of lots) − deficit == sum(points) after every row, and the expiry job writes exactly the
remaining of the lots whose expiry day has come: running it again finds nothing more to expire.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from storage.repositories import audit
from storage.repositories import loyalty as repo

REASONS = ("earn", "reverse", "redeem", "adjust", "expire")
_UTC = ZoneInfo("UTC")
NOTE_MAX = 200  # characters of a redemption's or adjustment's reason
POINTS_MAX = 2**31 - 1  # loyalty_ledger.points is a 32-bit integer


@dataclass(frozen=True)
class Entry:
    """One ledger row, as the arithmetic needs it."""

    id: int
    points: int
    reason: str
    at: datetime
    order_id: int | None = None


@dataclass
class Lot:
    """Points earned by one row (an order's earn, or a positive adjustment), and what is left of them."""

    entry_id: int
    order_id: int | None
    earned_on: date
    expires_on: date | None
    points: int
    remaining: int


@dataclass(frozen=True)
class Expiry:
    """Points of one lot that are due to expire (an `expire` row to write)."""

    entry_id: int
    order_id: int | None
    expires_on: date
    points: int


@dataclass(frozen=True)
class Position:
    balance: int  # the sum of the ledger (may be negative after reversals)
    lots: tuple[Lot, ...]  # lots with points left, oldest first
    due: tuple[Expiry, ...]  # points whose expiry day has come and that no `expire` row took yet
    upcoming: tuple[tuple[date, int], ...] = ()  # points left per future expiry day, soonest first
    totals: dict[str, int] = field(default_factory=dict)  # points per reason (negative for consumption)

    @property
    def available(self) -> int:
        """What may be redeemed now: the balance less what is due to expire."""
        return self.balance - sum(d.points for d in self.due)

    def next_expiry(self) -> tuple[date, int] | None:
        return self.upcoming[0] if self.upcoming else None


def local_day(at: datetime, tz: ZoneInfo) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(tz).date()


def position(
    entries: Iterable[Entry], *, expiry_days: int | None, today: date, tz: ZoneInfo = _UTC
) -> Position:
    """Replay one customer's ledger (any order; sorted here by time, then id) as of the shop-local `today`."""
    rows = sorted(entries, key=lambda e: (e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC), e.id))
    lots: list[Lot] = []
    deficit = 0
    totals: dict[str, int] = {}

    def take(amount: int, on: date, own: int | None, expired_only: bool = False) -> None:
        nonlocal deficit
        order: list[Lot] = []
        if own is not None:
            order += [lot for lot in lots if lot.order_id == own]
        valid = [lot for lot in lots if lot.expires_on is None or lot.expires_on > on]
        past = [lot for lot in lots if lot.expires_on is not None and lot.expires_on <= on]
        order += past if expired_only else valid + past
        if expired_only:
            order += valid
        for lot in order:
            if amount <= 0:
                break
            used = min(lot.remaining, amount)
            lot.remaining -= used
            amount -= used
        deficit += amount

    for e in rows:
        totals[e.reason] = totals.get(e.reason, 0) + e.points
        on = local_day(e.at, tz)
        if e.points > 0:
            expires = on + timedelta(days=expiry_days) if expiry_days else None
            paid = min(deficit, e.points)
            deficit -= paid
            lots.append(Lot(e.id, e.order_id, on, expires, e.points, e.points - paid))
        elif e.points < 0:
            own = e.order_id if e.reason in ("reverse", "expire") else None
            take(-e.points, on, own, expired_only=e.reason == "expire")
    left = tuple(lot for lot in lots if lot.remaining > 0)
    due = tuple(
        Expiry(lot.entry_id, lot.order_id, lot.expires_on, lot.remaining)
        for lot in left
        if lot.expires_on is not None and lot.expires_on <= today
    )
    days: dict[date, int] = {}
    for lot in left:
        if lot.expires_on is not None and lot.expires_on > today:
            days[lot.expires_on] = days.get(lot.expires_on, 0) + lot.remaining
    balance = sum(lot.remaining for lot in left) - deficit
    return Position(balance=balance, lots=left, due=due, upcoming=tuple(sorted(days.items())), totals=totals)


# ------------------------------------------------------------------ the ledger in the database
class LoyaltyError(ValueError):
    """A redemption or adjustment refused: `key` names the message, `args_` its arguments."""

    def __init__(self, key: str, **args: Any) -> None:
        super().__init__(key)
        self.key = key
        self.args_ = args


@dataclass(frozen=True)
class Account:
    customer_id: int
    position: Position
    recent: tuple[repo.LedgerRow, ...]  # newest first

    @property
    def balance(self) -> int:
        return self.position.balance


def _entries(rows: Sequence[repo.LedgerRow]) -> list[Entry]:
    return [Entry(r.id, r.points, r.reason, r.created_at, r.order_id) for r in rows]


async def account(
    session: Any,
    workspace_id: int,
    customer_id: int,
    *,
    expiry_days: int | None,
    tz: str,
    now: datetime,
    recent: int = 5,
) -> Account:
    rows = await repo.ledger(session, workspace_id, customer_id)
    zone = ZoneInfo(tz)
    pos = position(_entries(rows), expiry_days=expiry_days, today=local_day(now, zone), tz=zone)
    newest = sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)[:recent]
    return Account(customer_id, pos, tuple(newest))


async def _write_expiry(
    session: Any, workspace_id: int, customer_id: int, pos: Position, now: datetime
) -> int:
    for d in pos.due:
        await repo.add_entry(
            session,
            workspace_id,
            customer_id,
            -d.points,
            "expire",
            order_id=d.order_id,
            note=f"earned before {d.expires_on.isoformat()}",
            at=now,
        )
    return sum(d.points for d in pos.due)


async def expire_due(
    session: Any, workspace_id: int, *, expiry_days: int | None, tz: str, now: datetime
) -> tuple[int, int]:
    """Write `expire` rows for every customer's points whose expiry day has come (the caller commits).
    Returns (customers, points). Idempotent: a second run as of the same day writes nothing."""
    if not expiry_days:
        return 0, 0
    zone = ZoneInfo(tz)
    today = local_day(now, zone)
    customers = points = 0
    # Only customers with points left and earned long enough ago can have any due (a day of margin for the
    # shop's time zone).
    cutoff = now - timedelta(days=expiry_days - 1)
    for customer_id, rows in (await repo.ledgers_due(session, workspace_id, cutoff)).items():
        pos = position(_entries(rows), expiry_days=expiry_days, today=today, tz=zone)
        if pos.due:
            customers += 1
            points += await _write_expiry(session, workspace_id, customer_id, pos, now)
    return customers, points


async def change(
    session: Any,
    workspace_id: int,
    customer_id: int,
    points: int,
    reason: str,
    note: str,
    *,
    expiry_days: int | None,
    tz: str,
    now: datetime,
    member_id: int | None,
    actor: str,
) -> Account:
    """Redeem (`reason` "redeem", `points` > 0 taken off) or adjust (`points` signed) a customer's points,
    with a reason, in the ledger and the audit trail (the caller commits). Due expiry is written first, so a
    redemption never spends points past their day. Raises LoyaltyError when refused."""
    note = " ".join(note.split())
    if reason not in ("redeem", "adjust"):
        raise ValueError(reason)
    if not note:
        raise LoyaltyError("points.no_reason")
    if len(note) > NOTE_MAX:
        raise LoyaltyError("points.reason_too_long", limit=NOTE_MAX)
    if points == 0 or abs(points) > POINTS_MAX or (reason == "redeem" and points < 0):
        raise LoyaltyError("points.bad_amount")
    if not await repo.customer_exists(session, workspace_id, customer_id):
        raise LoyaltyError("points.no_customer", id=customer_id)
    await repo.lock_customer(session, workspace_id, customer_id)
    before = await account(session, workspace_id, customer_id, expiry_days=expiry_days, tz=tz, now=now)
    await _write_expiry(session, workspace_id, customer_id, before.position, now)
    available = before.position.available
    delta = -points if reason == "redeem" else points
    if delta < 0 and -delta > available and reason == "redeem":
        raise LoyaltyError("points.too_many", balance=max(available, 0), asked=points)
    if delta < 0 and reason == "adjust" and -delta > max(available, 0):
        raise LoyaltyError("points.too_many", balance=max(available, 0), asked=-delta)
    await repo.add_entry(
        session, workspace_id, customer_id, delta, reason, note=note, member_id=member_id, at=now
    )
    await audit.record(
        session,
        workspace_id,
        "redeemed" if reason == "redeem" else "adjusted",
        actor=actor,
        member_id=member_id,
        subject=f"customer:{customer_id}",
        detail={"points": delta},
    )
    await session.flush()
    return await account(session, workspace_id, customer_id, expiry_days=expiry_days, tz=tz, now=now)
