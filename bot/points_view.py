"""Loyalty points as people read them, in the bot and the command line: the balance, what expires soon and
the last ledger rows (who made them and why)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import I18n
from bot.render import shown
from crm.loyalty import Account, local_day


def points_text(acc: Account, i18n: I18n, tz: str, name: str | None = None) -> str:
    pos = acc.position
    who = shown(name) if name else f"#{acc.customer_id}"
    lines = [i18n("points.balance", who=who, id=acc.customer_id, points=pos.balance)]
    for day, pts in pos.upcoming[:3]:
        lines.append(i18n("points.expiring", points=pts, date=day.isoformat()))
    if pos.due:
        lines.append(i18n("points.due", points=sum(d.points for d in pos.due)))
    if acc.recent:
        lines.append(i18n("points.recent"))
    zone = ZoneInfo(tz)
    for row in acc.recent:
        by = shown(row.created_by) if row.created_by else ""
        lines.append(
            i18n(
                "points.row",
                date=local_day(row.created_at, zone).isoformat(),
                points=f"{row.points:+,}",
                reason=i18n(f"points.reason_{row.reason}") if row.reason in REASONS else shown(row.reason),
                note=shown(row.note or "", 80),
                by=by,
            ).rstrip(" ·")
        )
    return "\n".join(lines)


REASONS = ("earn", "reverse", "redeem", "adjust", "expire")
