"""The kinds of entry the domain catalogue holds: plain, frozen data with no behaviour of their own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["count", "money", "ratio", "days", "score", "nps"]


@dataclass(frozen=True)
class Metric:
    """A number SellerMate measures over a period (docs/metrics.md)."""

    id: str
    unit: Unit
    name_en: str  # how answers name it
    name_zh: str
    choice_en: str  # how a clarifying reply offers it as a choice: a phrase the parser reads back
    definition_en: str
    definition_zh: str
    # The key of the function in crm.analytics.metrics.COMPUTATIONS that answers it.
    computation: str
    # Counted over orders by their current status (cancellations, returns), not over valid orders only.
    by_status: bool
    phrases: tuple[str, ...]  # English and Chinese words naming it in a question
    column_en: str | None = None  # a table's header when the id does not read well ("avg LTV")
    # Regular expressions over the normalised question (lower case, single spaces) for wordings a list of
    # phrases cannot enumerate: a word for "repeat", any word for the buyers, any word for a share.
    patterns: tuple[str, ...] = ()

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh" else self.name_en

    def definition(self, language: str) -> str:
        return self.definition_zh if language == "zh" else self.definition_en


@dataclass(frozen=True)
class Platform:
    id: str
    name: str  # how sellers write it: "TikTok Shop", "eBay"
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Segment:
    """An RFM segment (docs/metrics.md)."""

    id: str
    name_en: str
    name_zh: str
    choice_en: str
    phrases: tuple[str, ...]

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh" else self.name_en


@dataclass(frozen=True)
class Stage:
    """A lifecycle stage (docs/metrics.md)."""

    id: str
    name_en: str
    name_zh: str
    phrases: tuple[str, ...]

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh" else self.name_en


@dataclass(frozen=True)
class OrderStatus:
    id: str
    name_en: str
    name_zh: str
    valid: bool  # counted by the KPIs (docs/metrics.md: paid, shipped, completed)

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh" else self.name_en


@dataclass(frozen=True)
class PeriodWord:
    """A named period kind of the IR ("last_month"); name_en/name_zh None = said with its dates."""

    kind: str
    name_en: str | None
    name_zh: str | None
