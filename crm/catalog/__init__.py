"""The domain catalogue: every metric, platform, order status, segment, lifecycle stage and period word, once.

The question IR (crm.query.ir), the parser's vocabulary (crm.query.vocab), the answers' names (crm.query.texts),
the value formatters, the CLI choices and the LLM prompt's lists all derive from these entries. Adding a metric is
one `Metric` in crm/catalog/metrics.py plus its computation in crm.analytics.metrics.COMPUTATIONS; adding a
platform is one `Platform` in crm/catalog/platforms.py plus its import mapping in crm.importing.platforms.
"""

from __future__ import annotations

from collections.abc import Callable

from crm.catalog.customers import SEGMENTS, STAGES
from crm.catalog.metrics import METRICS
from crm.catalog.orders import PERIODS, STATUSES
from crm.catalog.platforms import PLATFORMS
from crm.catalog.types import Metric, OrderStatus, PeriodWord, Platform, Segment, Stage, Unit

__all__ = [
    "METRICS",
    "PERIODS",
    "PLATFORMS",
    "SEGMENTS",
    "STAGES",
    "STATUSES",
    "Metric",
    "OrderStatus",
    "PeriodWord",
    "Platform",
    "Segment",
    "Stage",
    "Unit",
    "format_metric",
    "format_value",
    "metric",
    "platform",
    "segment",
]

METRIC_IDS: tuple[str, ...] = tuple(m.id for m in METRICS)
PLATFORM_IDS: tuple[str, ...] = tuple(p.id for p in PLATFORMS)
SEGMENT_IDS: tuple[str, ...] = tuple(s.id for s in SEGMENTS)
STAGE_IDS: tuple[str, ...] = tuple(s.id for s in STAGES)
STATUS_IDS: tuple[str, ...] = tuple(s.id for s in STATUSES)
PERIOD_KINDS: tuple[str, ...] = tuple(p.kind for p in PERIODS)
VALID_STATUSES: frozenset[str] = frozenset(s.id for s in STATUSES if s.valid)

_METRICS = {m.id: m for m in METRICS}
_PLATFORMS = {p.id: p for p in PLATFORMS}
_SEGMENTS = {s.id: s for s in SEGMENTS}


def metric(metric_id: str) -> Metric:
    return _METRICS[metric_id]


def platform(platform_id: str) -> Platform:
    return _PLATFORMS[platform_id]


def segment(segment_id: str) -> Segment:
    return _SEGMENTS[segment_id]


def metrics_in(unit: Unit) -> frozenset[str]:
    return frozenset(m.id for m in METRICS if m.unit == unit)


# One formatter per unit: how a value of that unit is written in answers, alerts and digests.
def _count(value: float, currency: str) -> str:
    return f"{int(value):,}"


def _money(value: float, currency: str) -> str:
    return f"{currency} {value:,.2f}"


def _ratio(value: float, currency: str) -> str:
    return f"{value * 100:.1f}%"


def _days(value: float, currency: str) -> str:
    return f"{int(value):,}"


def _score(value: float, currency: str) -> str:
    return f"{value:.2f}"


def _nps(value: float, currency: str) -> str:
    return f"{value:+.0f}" if round(value) else "0"


FORMATTERS: dict[str, Callable[[float, str], str]] = {
    "count": _count,
    "money": _money,
    "ratio": _ratio,
    "days": _days,
    "score": _score,  # an average of 1-5 stars: 4.25
    "nps": _nps,  # a net promoter score, -100 to +100: +32
}


def format_value(value: float | None, unit: str, currency: str) -> str:
    """A value as people read it: "—" when undefined, 12.3% for a ratio, "SGD 1,234.50" for money."""
    if value is None:
        return "—"
    return FORMATTERS.get(unit, _count)(value, currency)


def format_metric(metric_id: str, value: float | None, currency: str) -> str:
    return format_value(value, metric(metric_id).unit, currency)
