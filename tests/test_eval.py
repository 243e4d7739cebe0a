"""Questions with known answers, end to end through `sellermate ask ... --json`.

The project's own corpus (tests/eval_cases.py) is asked over the demo exports imported with `sellermate rates
import` and `sellermate import`; every expected answer is computed here by straightforward Python over the
imported rows, following docs/metrics.md, not by the product's compiler. Compared like the evaluation script
does: counts exactly, amounts within 0.5 %, ratios within 0.05 points. When the shared evaluation folder is
beside the repository (or SELLERMATE_SHARED_DIR names one), its score.py also runs, as an extra.
"""

from __future__ import annotations

import json
import os
import shlex
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from tests.conftest import SHARED
from tests.eval_cases import AS_OF, CORPUS

SCORE = SHARED / "eval" / "score.py"
TZ = ZoneInfo("Asia/Singapore")
VALID = ("paid", "shipped", "completed")
SEGMENTS = {  # (R high, F high, M high) -> segment
    (True, True, True): "important_value",
    (True, False, True): "important_develop",
    (False, True, True): "important_keep",
    (False, False, True): "important_winback",
    (True, True, False): "general_value",
    (True, False, False): "general_develop",
    (False, True, False): "general_keep",
    (False, False, False): "general_winback",
}


# ---------------------------------------------------------------- the command line, in process


def sellermate(env: dict[str, str], *args: str) -> str:
    """Run one `sellermate` command in this process (as the console script would) and return its stdout."""
    from bot.cli import _register_all, app

    _register_all()

    def go() -> Any:  # a thread of its own: the command runs its own event loop
        return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)

    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(go).result()
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


@dataclass(frozen=True)
class Shop:
    env: dict[str, str]
    path: Path


@pytest.fixture(scope="module")
def shop(demo_exports: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Shop:
    """The demo exports imported through the command line into a fresh SQLite database."""
    path = tmp_path_factory.mktemp("eval") / "eval.db"
    env = {
        "SELLERMATE_DATABASE_URL": f"sqlite+aiosqlite:///{path}",
        "SELLERMATE_BASE_CURRENCY": "SGD",
        "SELLERMATE_TIMEZONE": "Asia/Singapore",
        "SELLERMATE_LLM_BASE_URL": "",
        "XDG_STATE_HOME": str(path.parent),
    }
    sellermate(env, "rates", "import", str(demo_exports["rates.csv"]))
    files = [str(p) for name, p in sorted(demo_exports.items()) if name != "rates.csv"]
    sellermate(env, "import", *files)
    return Shop(env, path)


# ---------------------------------------------------------------- the answers, computed independently


@dataclass(frozen=True)
class Row:
    customer: int
    platform: str
    country: str | None
    created: datetime
    value: float


def _utc(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def valid_orders(path: Path) -> list[Row]:
    """Every valid order, with its customer after merges."""
    with sqlite3.connect(path) as conn:
        merged = dict(
            conn.execute("SELECT id, merged_into_id FROM customers WHERE merged_into_id IS NOT NULL")
        )
        rows = conn.execute(
            "SELECT customer_id, platform, country, created_at, value_base FROM orders WHERE status IN (?, ?, ?)",
            VALID,
        ).fetchall()

    def live(cid: int) -> int:
        while cid in merged:
            cid = merged[cid]
        return cid

    return [Row(live(c), p, k, _utc(t), float(v)) for c, p, k, t, v in rows]


END = datetime.combine(date.fromisoformat(AS_OF) + timedelta(days=1), datetime.min.time(), TZ)


def local(y: int, m: int, d: int = 1) -> datetime:
    return datetime(y, m, d, tzinfo=TZ)


def period(spec: str) -> tuple[datetime, datetime]:
    """[start, end) of a period word, as of the end of AS_OF in the workspace time zone."""
    year, month = END.year, (END - timedelta(days=1)).month
    if spec == "all_time":
        return local(2000, 1), END
    if spec == "this_year":
        return local(year, 1), END
    if spec == "last_year":
        return local(year - 1, 1), local(year, 1)
    if spec == "last_month":
        first = local(year, month)
        return (local(year, month - 1) if month > 1 else local(year - 1, 12)), first
    if spec == "last_90_days":
        return END - timedelta(days=90), END
    if spec == "last_quarter":
        q = (month - 1) // 3  # the current quarter's index 0..3; the previous one is q-1
        return (
            (local(year, 3 * q - 2), local(year, 3 * q + 1)) if q else (local(year - 1, 10), local(year, 1))
        )
    kind, _, arg = spec.partition(":")
    if kind == "quarter":
        y, q = map(int, arg.split("-"))
        return local(y, 3 * q - 2), (local(y, 3 * q + 1) if q < 4 else local(y + 1, 1))
    if kind == "month":
        y, m = map(int, arg.split("-"))
        return local(y, m), (local(y, m + 1) if m < 12 else local(y + 1, 1))
    if kind == "year":
        return local(int(arg), 1), local(int(arg) + 1, 1)
    raise AssertionError(f"no period {spec!r} in this calculator")


def customer_countries(rows: list[Row]) -> dict[int, str | None]:
    """A customer's country is the country of their most recent valid order."""
    latest: dict[int, Row] = {}
    for r in rows:
        if r.customer not in latest or r.created > latest[r.customer].created:
            latest[r.customer] = r
    return {c: r.country for c, r in latest.items()}


def in_scope(rows: list[Row], spec: dict[str, Any]) -> list[Row]:
    """A platform filter keeps that platform's orders; a country filter selects customers."""
    out = [r for r in rows if "platform" not in spec or r.platform == spec["platform"]]
    if "country" in spec:
        countries = customer_countries(rows)
        out = [r for r in out if countries[r.customer] == spec["country"]]
    return out


def metric(rows: list[Row], name: str, start: datetime, end: datetime) -> float:
    inside = [r for r in rows if start <= r.created < end]
    buyers = {r.customer for r in inside}
    if name == "orders":
        return len(inside)
    if name == "revenue":
        return sum(r.value for r in inside)
    if name == "aov":
        return sum(r.value for r in inside) / len(inside)
    if name == "customers":
        return len(buyers)
    if name == "new_customers":
        first: dict[int, datetime] = {}
        for r in rows:
            first[r.customer] = min(first.get(r.customer, r.created), r.created)
        return sum(1 for when in first.values() if start <= when < end)
    if name == "repeat_rate":  # >= 2 valid orders from the first one up to the end of the period
        count = Counter(r.customer for r in rows if r.created < end)
        return sum(1 for c in buyers if count[c] >= 2) / len(buyers)
    if name == "churn_rate":  # bought in the window of the same length just before, not in the period
        before = {r.customer for r in rows if start - (end - start) <= r.created < start}
        return len(before - buyers) / len(before)
    if name == "avg_ltv":
        spent: dict[int, float] = defaultdict(float)
        for r in rows:
            if r.created < end:
                spent[r.customer] += r.value
        return sum(spent.values()) / len(spent)
    raise AssertionError(f"no metric {name!r} in this calculator")


def segment_of(rows: list[Row]) -> dict[int, str]:
    """RFM segments over every customer with a valid order up to the as-of date, against the means."""
    as_of = date.fromisoformat(AS_OF)
    last: dict[int, date] = {}
    freq: Counter[int] = Counter()
    money: dict[int, float] = defaultdict(float)
    for r in rows:
        day = r.created.astimezone(TZ).date()
        last[r.customer] = max(last.get(r.customer, day), day)
        freq[r.customer] += 1
        money[r.customer] += r.value
    recency = {c: (as_of - d).days for c, d in last.items()}
    n = len(last)
    mean_r, mean_f, mean_m = sum(recency.values()) / n, sum(freq.values()) / n, sum(money.values()) / n
    return {c: SEGMENTS[(recency[c] < mean_r, freq[c] > mean_f, money[c] > mean_m)] for c in last}


def expected(rows: list[Row], spec: dict[str, Any]) -> dict[str, Any]:
    """The answer a case must get, in the evaluation set's shape (value, groups, top or clarify)."""
    kind = spec["kind"]
    if kind == "clarify":
        return {"clarify": True}
    if kind == "segment_count":
        segments = segment_of(rows)
        countries = customer_countries(rows)
        chosen = [c for c, s in segments.items() if s == spec["segment"]]
        if "country" in spec:
            chosen = [c for c in chosen if countries[c] == spec["country"]]
        return {"value": len(chosen)}
    start, end = period(spec["period"])
    scoped = in_scope(rows, spec)
    if kind == "metric":
        return {"value": metric(scoped, spec["metric"], start, end)}
    if kind == "group":
        by = spec["by"]
        if by == "month":
            keys: Callable[[Row], str] = lambda r: f"{r.created.astimezone(TZ):%Y-%m}"  # noqa: E731
        elif by == "platform":
            keys = lambda r: r.platform  # noqa: E731
        else:
            countries = customer_countries(rows)
            keys = lambda r: countries[r.customer] or ""  # noqa: E731
        groups: dict[str, list[Row]] = defaultdict(list)
        for r in scoped:
            if start <= r.created < end:  # groups with no order in the period do not appear
                groups[keys(r)].append(r)
        return {"groups": {k: metric(g, spec["metric"], start, end) for k, g in groups.items()}}
    if kind == "top":
        per: dict[int, float] = defaultdict(float)
        for r in scoped:
            if start <= r.created < end:
                per[r.customer] += r.value if spec["by"] == "revenue" else 1
        ranked = sorted(per.values(), reverse=True)[: spec["n"]]
        return {"top": [int(v) if spec["by"] == "orders" else v for v in ranked]}
    raise AssertionError(f"no kind {kind!r} in this calculator")


# ---------------------------------------------------------------- judging, like the evaluation script


def close(got: Any, want: float) -> bool:
    """Counts exactly, amounts within 0.5 %, ratios (fractions) within 0.05 points."""
    if got is None or isinstance(got, bool):
        return False
    got = float(got)
    if isinstance(want, int):
        return got == want
    if abs(want) <= 1.0:
        return abs(got - want) <= 0.0005
    return abs(got - want) <= 0.005 * abs(want)


def numbers(row: list[Any]) -> list[float]:
    return [float(x) for x in row if isinstance(x, int | float) and not isinstance(x, bool)]


def judge(want: dict[str, Any], answer: dict[str, Any]) -> str | None:
    """None when the answer is right, else why not."""
    intent = answer["intent"]
    if "clarify" in want:
        declined = intent == "clarify" and answer["value"] is None and not answer["rows"]
        return None if declined else f"answered ({intent}) where it should have declined"
    if intent == "clarify":
        return f"declined: {answer['text'][:200]}"
    if "value" in want:
        return None if close(answer["value"], want["value"]) else f"got {answer['value']!r}"
    if "groups" in want:
        found = {str(r[0]).lower(): numbers(r[1:])[-1] for r in answer["rows"] if numbers(r[1:])}
        names = {
            "SG": "singapore",
            "MY": "malaysia",
            "TH": "thailand",
            "PH": "philippines",
            "ID": "indonesia",
        }
        names |= {"US": "united states", "GB": "united kingdom", "AU": "australia", "CN": "china"}
        for key, value in want["groups"].items():
            got = found.get(key.lower(), found.get(names.get(key, key).lower()))
            if not close(got, value):
                return f"group {key}: got {got!r}"
        return None
    ranked = [numbers(r)[-1] for r in answer["rows"] if numbers(r)]
    if len(ranked) != len(want["top"]) or not all(
        close(g, w) for g, w in zip(ranked, want["top"], strict=True)
    ):
        return f"top values {ranked}"
    return None


@pytest.fixture(scope="module")
def orders(shop: Shop) -> list[Row]:
    return valid_orders(shop.path)


@pytest.mark.parametrize("question,spec", CORPUS, ids=[q for q, _ in CORPUS])
def test_corpus_answers_are_exact(shop: Shop, orders: list[Row], question: str, spec: dict[str, Any]) -> None:
    want = expected(orders, spec)
    answer = json.loads(sellermate(shop.env, "ask", question, "--as-of", AS_OF, "--json"))
    assert set(answer) == {"intent", "query", "value", "columns", "rows", "text"}
    why = judge(want, answer)
    assert why is None, f"{question}: {why}; expected {want}"


def test_the_corpus_covers_every_kind_in_both_languages() -> None:
    def chinese(q: str) -> bool:
        return any("\u4e00" <= ch <= "\u9fff" for ch in q)

    kinds = {spec["kind"] for _, spec in CORPUS}
    assert kinds == {"metric", "group", "segment_count", "top", "clarify"}
    for kind in kinds:
        questions = [q for q, s in CORPUS if s["kind"] == kind]
        assert any(chinese(q) for q in questions) and any(not chinese(q) for q in questions), kind
    metrics = {s["metric"] for _, s in CORPUS if s["kind"] == "metric"}
    assert metrics == {
        "orders",
        "revenue",
        "aov",
        "customers",
        "new_customers",
        "repeat_rate",
        "churn_rate",
        "avg_ltv",
    }


def test_the_calculator_is_not_trivially_zero(orders: list[Row]) -> None:
    """Every expected number rests on data: no empty period or group makes a case pass vacuously."""
    for _, spec in CORPUS:
        want = expected(orders, spec)
        assert want.get("value", 1) != 0 and all(want.get("groups", {"x": 1}).values()), spec
        assert len(want.get("top", [1])) == spec.get("n", 1), spec


if SCORE.exists():  # the shared evaluation set, as an extra: defined only when the folder is there

    @pytest.mark.slow
    def test_shared_development_set_scores_full_marks(tmp_path: Path) -> None:
        """The shared evaluation set, when the shared folder is there (an extra: never skipped, never needed).

        The same steps as its score.py (`rates import`, `import`, then `ask QUESTION --as-of DATE --json` for each
        case), judged by score.py's own `judge`, with the commands run in this process instead of one process
        per question: the same answers in a tenth of the time."""
        import importlib.util

        spec_ = importlib.util.spec_from_file_location("shared_score", SCORE)
        assert spec_ is not None and spec_.loader is not None
        score = importlib.util.module_from_spec(spec_)
        spec_.loader.exec_module(score)
        data = SCORE.parent / "data"
        cases = json.loads((SCORE.parent / "cases.json").read_text())
        env = {
            "SELLERMATE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'eval.db'}",
            "SELLERMATE_BASE_CURRENCY": cases["base_currency"],
            "SELLERMATE_TIMEZONE": cases["timezone"],
            "SELLERMATE_LLM_BASE_URL": "",
            "XDG_STATE_HOME": str(tmp_path),
        }
        sellermate(env, "rates", "import", str(data / "rates.csv"))
        sellermate(env, "import", *sorted(str(p) for p in data.iterdir() if p.name != "rates.csv"))
        misses = []
        for case in cases["cases"]:
            answer = json.loads(sellermate(env, "ask", case["question"], "--as-of", cases["as_of"], "--json"))
            verdict, why = score.judge(case, answer)
            if verdict != "exact":
                misses.append(f"{verdict}: {case['question']} ({why})")
        assert not misses, "\n".join(misses)
