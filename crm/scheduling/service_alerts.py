"""Service-recovery alerts (docs/service.md): a valuable customer left a low rating or a complaint.

- Valuable: in an `important_*` RFM segment, or in the top 10% of customers by total spend (their valid orders'
  value in the base currency at or above the 90th percentile of all scored customers' spend), as of the scan.
- Unhappy: a review of 2 stars or fewer (of 5), an NPS answer of 6 or less (of 10), or any complaint.
- Once per interaction: each alert is recorded (alert_records, kind "service", subject "interaction:<id>"), so
  a restart, a second scan or a second import never repeats it. Only interactions of the last
  `LOOKBACK_DAYS` days are alerted: importing years of history does not flood the group with old complaints.
- At most `MAX_PER_SCAN` alerts per scan, oldest first; the rest come in the next scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from crm.analytics.metrics import customer_scores
from storage.repositories import service as service_repo

LOW_REVIEW = 2  # of 5 stars
LOW_NPS = 6  # of 10
TOP_SHARE = 0.10  # the top spend decile
LOOKBACK_DAYS = 30
MAX_PER_SCAN = 10


@dataclass(frozen=True)
class ServiceAlert:
    interaction_id: int
    customer_id: int
    kind: str  # review | nps | complaint
    rating: int | None
    reason: str | None
    body: str | None
    occurred_at: datetime
    platform: str | None
    order_number: str | None
    segment: str | None
    spend: float
    why: str  # "segment" (an important_* segment) or "top_spend" (the top 10% by spend)

    @property
    def subject(self) -> str:
        return f"interaction:{self.interaction_id}"


def valuable(segments: np.ndarray, spend: np.ndarray) -> np.ndarray:
    """Per scored customer: "segment", "top_spend" or "" (not valuable)."""
    out = np.full(len(spend), "", dtype=object)
    if len(spend) == 0:
        return out
    threshold = float(np.quantile(spend, 1 - TOP_SHARE))
    top = (spend >= threshold) & (spend > 0)
    out[top] = "top_spend"
    important = np.array([str(s).startswith("important_") for s in segments], dtype=bool)
    out[important] = "segment"
    return out


async def due_service_alerts(
    session: AsyncSession,
    workspace_id: int,
    now: datetime,
    tz: ZoneInfo,
    *,
    lookback_days: int = LOOKBACK_DAYS,
    limit: int = MAX_PER_SCAN,
) -> list[ServiceAlert]:
    """The low ratings and complaints of valuable customers not alerted yet, oldest first."""
    unhappy = await service_repo.unhappy_interactions(
        session,
        workspace_id,
        now - timedelta(days=lookback_days),
        now,
        review_at_most=LOW_REVIEW,
        nps_at_most=LOW_NPS,
    )
    if not unhappy:
        return []
    scores = await customer_scores(session, workspace_id, now, tz)
    index = scores.index()
    why = valuable(scores.segment, scores.monetary)
    out: list[ServiceAlert] = []
    for row in unhappy:
        i = index.get(row.customer_id)
        if i is None or not why[i]:
            continue
        out.append(
            ServiceAlert(
                interaction_id=row.id,
                customer_id=row.customer_id,
                kind=row.kind,
                rating=row.rating,
                reason=row.reason,
                body=row.body,
                occurred_at=row.occurred_at,
                platform=row.channel,
                order_number=row.platform_order_id,
                segment=str(scores.segment[i]),
                spend=float(scores.monetary[i]),
                why=str(why[i]),
            )
        )
        if len(out) >= limit:
            break
    return out
