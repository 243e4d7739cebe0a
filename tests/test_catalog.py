"""The domain catalogue is the one definition of metrics, platforms, statuses, segments and stages: everything
that names, parses, formats, computes or prompts for them derives from it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from crm import catalog
from crm.analytics.metrics import COMPUTATIONS
from crm.query import ir, texts, vocab
from crm.query.llm import system_prompt
from crm.query.parser import parse_question
from storage.statuses import ORDER_STATUSES, VALID_ORDER_STATUSES

AS_OF = datetime(2026, 11, 23, tzinfo=ZoneInfo("Asia/Singapore"))
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("m", catalog.METRICS, ids=lambda m: m.id)
def test_every_metric_is_complete(m: catalog.Metric) -> None:
    assert m.computation in COMPUTATIONS
    assert m.unit in catalog.FORMATTERS
    assert m.name_en and m.name_zh and m.choice_en and m.definition_en and m.definition_zh
    assert any(p.isascii() for p in m.phrases) and any(not p.isascii() for p in m.phrases)
    assert texts.METRIC_NAMES["en"][m.id] == m.name_en and texts.METRIC_NAMES["zh"][m.id] == m.name_zh
    assert texts.DEFINITIONS["en"][m.id] == m.definition_en
    assert vocab.METRIC_PHRASES[m.id] == m.phrases
    assert f"- {m.id}: {m.definition_en}" in system_prompt(AS_OF, "Asia/Singapore")
    assert ir.MetricQuery(metric=m.id).metric == m.id
    assert (
        catalog.format_metric(m.id, 0.5, "SGD")
        == {"count": "0", "money": "SGD 0.50", "ratio": "50.0%", "score": "0.50", "nps": "0"}[m.unit]
    )


@pytest.mark.parametrize("m", catalog.METRICS, ids=lambda m: m.id)
def test_every_metric_is_understood_by_its_names(m: catalog.Metric) -> None:
    """The name a clarifying reply offers, and the Chinese name answers use, both read back as the metric."""
    for question in (f"{m.choice_en} last month", f"上个月的{m.name_zh}"):
        query = parse_question(question, as_of=AS_OF).query
        assert isinstance(query, ir.MetricQuery) and query.metric == m.id, (question, query)


def test_the_ir_lists_are_the_catalogue() -> None:
    assert tuple(m.id for m in catalog.METRICS) == ir.METRICS
    assert tuple(p.id for p in catalog.PLATFORMS) == ir.PLATFORMS
    assert tuple(s.id for s in catalog.SEGMENTS) == ir.SEGMENTS
    assert {m.id for m in catalog.METRICS if m.unit == "ratio"} == ir.RATIO_METRICS
    assert {m.id for m in catalog.METRICS if m.unit == "money"} == ir.MONEY_METRICS
    assert {m.id for m in catalog.METRICS if m.by_status} == ir.STATUS_METRICS
    with pytest.raises(ValidationError):
        ir.MetricQuery(metric="profit")
    with pytest.raises(ValidationError):
        ir.Filters(platform="etsy")
    for stage in catalog.STAGES:
        assert ir.LifecycleQuery(stage=stage.id).stage == stage.id
        assert texts.LIFECYCLE_NAMES["zh"][stage.id] == stage.name_zh


@pytest.mark.parametrize("p", [p for p in catalog.PLATFORMS if p.phrases], ids=lambda p: p.id)
def test_every_platform_is_named_and_understood(p: catalog.Platform) -> None:
    assert texts.platform_name(p.id) == p.name
    for word in (p.phrases[0], p.name):
        query = parse_question(f"revenue on {word} last month", as_of=AS_OF).query
        assert isinstance(query, ir.MetricQuery) and query.filters.platform == p.id, (word, query)


@pytest.mark.parametrize("s", catalog.SEGMENTS, ids=lambda s: s.id)
def test_every_segment_is_named_and_understood(s: catalog.Segment) -> None:
    assert texts.SEGMENT_NAMES["zh"][s.id] == s.name_zh
    for question in (f"how many {s.choice_en} customers", f"{s.name_zh}有多少"):
        query = parse_question(question, as_of=AS_OF).query
        assert isinstance(query, ir.SegmentsQuery) and query.segment == s.id, (question, query)


def test_order_statuses_have_one_valid_rule() -> None:
    assert catalog.STATUS_IDS == ORDER_STATUSES
    assert set(VALID_ORDER_STATUSES) == catalog.VALID_STATUSES
    for lang in ("en", "zh"):
        assert set(texts.STATUS_NAMES[lang]) == set(ORDER_STATUSES)
    # The tuples written out once in each repository and importer are gone: they all read the one rule.
    for path in [*ROOT.joinpath("storage").rglob("*.py"), *ROOT.joinpath("crm").rglob("*.py")]:
        if "migrations" not in path.parts and path.name != "statuses.py":  # where the rule is
            assert '("paid", "shipped", "completed")' not in path.read_text(encoding="utf-8"), path


def test_one_formatter_per_unit() -> None:
    assert catalog.format_value(None, "money", "SGD") == "—"
    assert catalog.format_value(1234.5, "money", "SGD") == "SGD 1,234.50"
    assert catalog.format_value(0.1234, "ratio", "SGD") == "12.3%"
    assert catalog.format_value(1234, "count", "SGD") == "1,234"
    assert texts.fmt_value(0.1234, "ratio", "SGD") == catalog.format_value(0.1234, "ratio", "SGD")


NEW_METRIC = """
    Metric(
        id="gift_orders",
        unit="count",
        name_en="gift orders",
        name_zh="礼品订单数",
        choice_en="gift orders",
        definition_en="valid orders sent as gifts",
        definition_zh="作为礼品寄出的有效订单数",
        computation="gift_orders",
        by_status=False,
        phrases=("gift orders", "礼品订单数"),
    ),
)
"""
NEW_COMPUTATION = """

async def _gift_orders(session, metric, scope, start, end):
    return 7


COMPUTATIONS["gift_orders"] = _gift_orders
"""
CHECK = """
import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cli import resolve_metric
from crm import catalog
from crm.analytics.metrics import metric_value
from crm.query import ir, texts
from crm.query.llm import system_prompt
from crm.query.parser import parse_question

as_of = datetime(2026, 11, 23, tzinfo=ZoneInfo("Asia/Singapore"))
for question in ("gift orders last month", "上个月的礼品订单数"):
    query = parse_question(question, as_of=as_of).query
    assert query.intent == "metric" and query.metric == "gift_orders", query
assert "gift_orders" in ir.METRICS and ir.MetricQuery(metric="gift_orders").metric == "gift_orders"
assert texts.METRIC_NAMES["zh"]["gift_orders"] == "礼品订单数"
assert texts.DEFINITIONS["en"]["gift_orders"] == "valid orders sent as gifts"
assert "- gift_orders: valid orders sent as gifts" in system_prompt(as_of, "Asia/Singapore")
assert catalog.format_metric("gift_orders", 7, "SGD") == "7"
assert resolve_metric("礼品订单数") == "gift_orders"
assert asyncio.run(metric_value(None, "gift_orders", None, None, as_of)) == 7
print("ok")
"""


def test_adding_a_metric_is_one_catalogue_entry_and_its_computation(tmp_path: Path) -> None:
    """In a copy of the code, a metric added as one catalogue entry plus its computation (two files, nothing
    else) is valid in the IR, read by the parser in both languages, named and defined in answers, formatted,
    listed for the LLM, accepted by the CLI and computed."""
    for package in ("bot", "crm", "handlers", "prompts", "storage"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    entries = tmp_path / "crm" / "catalog" / "metrics.py"
    text = entries.read_text(encoding="utf-8")
    assert text.rstrip().endswith(")")
    entries.write_text(text.rstrip()[:-1] + NEW_METRIC, encoding="utf-8")
    computations = tmp_path / "crm" / "analytics" / "metrics.py"
    computations.write_text(computations.read_text(encoding="utf-8") + NEW_COMPUTATION, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
