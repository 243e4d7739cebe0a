"""The scanned question: the normalised text and the spans of it that scanners have claimed (slots)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What a period scanner leaves for a period it cannot give: one in the future, a date that does not exist,
# "the same period" with nothing to be the same as.
FUTURE = "future"
BAD_DATE = "bad_date"
SAME_PERIOD = "same_period"  # "去年同期", "this time last year": the same period as which one?


# ----------------------------------------------------------------------------------------------------------
# span claiming
# ----------------------------------------------------------------------------------------------------------
@dataclass
class Slot:
    kind: str
    value: Any
    start: int
    end: int
    text: str


@dataclass
class Scan:
    text: str
    slots: list[Slot] = field(default_factory=list)
    taken: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.taken = [False] * len(self.text)

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def claim(self, start: int, end: int, kind: str, value: Any) -> Slot | None:
        if start >= end or not self.free(start, end):
            return None
        for i in range(start, end):
            self.taken[i] = True
        slot = Slot(kind, value, start, end, self.text[start:end])
        self.slots.append(slot)
        return slot

    def of(self, kind: str) -> list[Slot]:
        return [s for s in self.slots if s.kind == kind]

    def values(self, kind: str) -> list[Any]:
        out: list[Any] = []
        for s in self.slots:
            if s.kind == kind and s.value not in out:
                out.append(s.value)
        return out

    def has(self, kind: str) -> bool:
        return any(s.kind == kind for s in self.slots)

    def merge(self, parts: list[Slot], start: int, end: int, kind: str, value: Any) -> None:
        """Replace `parts` by one slot over [start, end) (the text between them must be unclaimed)."""
        for part in parts:
            self.slots.remove(part)
        for i in range(start, end):
            self.taken[i] = True
        self.slots.append(Slot(kind, value, start, end, self.text[start:end]))

    def leftover(self) -> str:
        return "".join(" " if self.taken[i] else ch for i, ch in enumerate(self.text))
