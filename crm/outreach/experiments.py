"""Outreach experiments: drafts made in two or three variants (A, B, C), which variant each recipient gets, and
each experiment's conversion per variant (docs/experiments.md, docs/metrics.md "Outreach experiments").

An experiment draft keeps, in its `request` JSON, `experiment` ({"name", "labels"}) and `assignments`
({customer id: label}); its `variants` column holds the texts in label order. Approving the draft is what puts
its recipients into the experiment, at the approval time. No other table is involved.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from crm.analytics.experiments import VariantStats, Verdict, verdict
from storage.repositories import outreach as repo

LABELS = ("A", "B", "C")
MAX_VARIANTS = len(LABELS)
DEFAULT_WINDOW_DAYS = 14
NAME_MAX = 48


def labels(n: int) -> list[str]:
    if not 2 <= n <= MAX_VARIANTS:
        raise ValueError(f"an experiment has 2 or 3 variants, not {n}")
    return list(LABELS[:n])


def default_name(intent: str, day: str) -> str:
    """An experiment's name when the seller gives none: the intent and the day (winback-2026-11-23)."""
    return f"{intent}-{day}"


def clean_name(name: str) -> str:
    """A seller's experiment name as stored: letters, digits, - and _, at most NAME_MAX characters."""
    cleaned = re.sub(r"[^\w-]+", "-", name.strip(), flags=re.UNICODE).strip("-")
    return cleaned[:NAME_MAX]


def _key(experiment: str, customer_id: int) -> str:
    return hashlib.sha256(f"{experiment}:{customer_id}".encode()).hexdigest()


def assign(customer_ids: list[int], experiment: str, variant_labels: list[str]) -> dict[int, str]:
    """Variants for many recipients, deterministic and even: the recipients ordered by a hash of the experiment
    and their id, then labelled A, B, (C,) A, B, ... in turn, so the groups differ by at most one."""
    ordered = sorted(set(customer_ids), key=lambda cid: (_key(experiment, cid), cid))
    return {cid: variant_labels[i % len(variant_labels)] for i, cid in enumerate(ordered)}


def assign_one(customer_id: int, experiment: str, variant_labels: list[str]) -> str:
    """The variant of a single-customer draft: a hash of the experiment and the customer, so the same customer
    always gets the same variant of an experiment and many single drafts split evenly on average."""
    return variant_labels[int(_key(experiment, customer_id), 16) % len(variant_labels)]


# --- what a request asks for ------------------------------------------------------------------------------------
_ZH_COUNT = {"2": 2, "3": 3, "两": 2, "二": 2, "三": 3}
_VARIANTS_EN = re.compile(r"[,，]?\s*\b(?:with|in)\s+([23]|two|three)\s+(?:variants?|versions?)\b", re.I)
_VARIANTS_ZH = re.compile(r"[,，]?\s*([23两二三])\s*(?:个|種|种)?\s*(?:版本|变体|變體)")
_AB = re.compile(r"[,，]?\s*\b(?:an?\s+)?(a/b/c|a/b)(?:\s+test)?(?!\S)|[,，]?\s*(A/B/C|A/B)\s*测试", re.I)
_NAME = re.compile(
    r"[,，]?\s*(?:\bexperiment\s*[:=]\s*|\bexperiment\s+(?=[\"“'])|(?:实验名?|實驗)\s*[:：=]?\s*)"
    r"[\"“']?([\w-]{1,48})[\"”']?",
    re.I,
)
COMMAND_WORDS = {"ab": 2, "a/b": 2, "abc": 3, "a/b/c": 3}


@dataclass(frozen=True)
class ExperimentAsk:
    variants: int = 1  # 1: no experiment
    name: str | None = None
    rest: str = ""  # the text without the words about the experiment


def read_experiment(text: str) -> ExperimentAsk:
    """ "... with 2 variants", "A/B", "a/b/c test", "两个版本", "experiment spring-sale" in a draft request."""
    rest, n = text, 1
    if m := _VARIANTS_EN.search(rest):
        n = {"two": 2, "three": 3}.get(m.group(1).lower()) or int(m.group(1))
        rest = rest[: m.start()] + rest[m.end() :]
    elif m := _VARIANTS_ZH.search(rest):
        n = _ZH_COUNT[m.group(1)]
        rest = rest[: m.start()] + rest[m.end() :]
    elif m := _AB.search(rest):
        word = (m.group(1) or m.group(2)).lower()
        n = 3 if word in ("a/b/c", "abc") else 2
        rest = rest[: m.start()] + rest[m.end() :]
    name = None
    if m := _NAME.search(rest):
        name = clean_name(m.group(1)) or None
        rest = rest[: m.start()] + rest[m.end() :]
        n = max(n, 2) if name else n
    return ExperimentAsk(variants=n, name=name, rest=rest.strip())


def read_command_experiment(args: str) -> ExperimentAsk:
    """`/draft` arguments: a word `ab` or `abc` (or `a/b`, `a/b/c`) and `experiment:NAME` anywhere."""
    n, name, kept = 1, None, []
    for token in args.split():
        low = token.lower()
        if low in COMMAND_WORDS:
            n = COMMAND_WORDS[low]
        elif low.startswith(("experiment:", "experiment=", "实验:", "实验：")):
            name = clean_name(re.split(r"[:=：]", token, maxsplit=1)[1]) or None
            n = max(n, 2)
        else:
            kept.append(token)
    return ExperimentAsk(variants=n, name=name, rest=" ".join(kept))


def experiment_data(name: str, variant_labels: list[str], assignments: dict[int, str]) -> dict[str, Any]:
    """What an experiment draft keeps in its request JSON."""
    return {
        "experiment": {"name": name, "labels": variant_labels},
        "assignments": {str(cid): label for cid, label in sorted(assignments.items())},
    }


def experiment_of(request: Any) -> tuple[str, list[str], dict[int, str]] | None:
    """(name, labels, assignments) of a draft's request, or None for a draft that is no experiment."""
    if not isinstance(request, dict) or not isinstance(request.get("experiment"), dict):
        return None
    exp = request["experiment"]
    raw = request.get("assignments") or {}
    return str(exp.get("name")), list(exp.get("labels") or []), {int(k): str(v) for k, v in raw.items()}


# --- the report ---------------------------------------------------------------------------------------------------
@dataclass
class VariantResult:
    stats: VariantStats
    open_windows: int = 0  # customers not converted yet whose window has not ended


@dataclass
class ExperimentResult:
    name: str
    intent: str
    first_approved: datetime
    variants: list[VariantResult] = field(default_factory=list)
    verdict: Verdict = field(default_factory=lambda: Verdict(None, None, None))

    def to_json(self) -> dict[str, Any]:
        return {
            "experiment": self.name,
            "intent": self.intent,
            "first_approved": self.first_approved.isoformat(),
            "variants": [
                {
                    "label": v.stats.label,
                    "n": v.stats.n,
                    "conversions": v.stats.conversions,
                    "rate": v.stats.rate,
                    "ci95": list(v.stats.interval) if v.stats.interval else None,
                    "open_windows": v.open_windows,
                }
                for v in self.variants
            ],
            "winner": self.verdict.winner,
            "leader": self.verdict.leader,
            "p": self.verdict.p,
        }


async def experiment_report(
    session: Any,
    workspace_id: int,
    *,
    start: datetime | None,
    end: datetime,
    as_of: datetime,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> list[ExperimentResult]:
    """Every experiment with an approval in [start, end): per variant, the customers approved (each once, at
    their first approval of that variant in the period) and those with a valid order in the `window_days` after
    that approval (and not after `as_of`); newest experiment first."""
    if window_days < 1:
        raise ValueError("the window is at least one day")
    window = timedelta(days=window_days)
    drafts = await repo.approved_drafts(session, workspace_id, start, end)
    # experiment -> label -> customer -> first approval
    first: dict[str, dict[str, dict[int, datetime]]] = {}
    meta: dict[str, tuple[str, datetime, list[str]]] = {}
    for d in drafts:
        exp = experiment_of(d.request)
        if exp is None or d.approved_at is None:
            continue
        name, variant_labels, assignments = exp
        intent, earliest, known = meta.get(name, (d.intent, d.approved_at, []))
        meta[name] = (intent, min(earliest, d.approved_at), sorted(set(known) | set(variant_labels)))
        per = first.setdefault(name, {})
        for cid, label in assignments.items():
            seen = per.setdefault(label, {})
            if cid not in seen or d.approved_at < seen[cid]:
                seen[cid] = d.approved_at
    customers = {cid for per in first.values() for seen in per.values() for cid in seen}
    orders = await repo.valid_order_times(session, workspace_id, sorted(customers))
    results = []
    for name, per in first.items():
        intent, earliest, variant_labels = meta[name]
        result = ExperimentResult(name=name, intent=intent, first_approved=earliest)
        for label in variant_labels:
            seen = per.get(label, {})
            converted = open_windows = 0
            for cid, at in seen.items():
                if any(at < t <= min(at + window, as_of) for t in orders.get(cid, ())):
                    converted += 1
                elif at + window > as_of:
                    open_windows += 1
            result.variants.append(VariantResult(VariantStats(label, len(seen), converted), open_windows))
        result.verdict = verdict([v.stats for v in result.variants])
        results.append(result)
    return sorted(results, key=lambda r: (r.first_approved, r.name), reverse=True)
