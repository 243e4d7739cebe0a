"""Rule-based tags: readable expressions over customer fields, evaluated for all customers at once.

A rule is a Python-like boolean expression, e.g. `ltv >= 300` or
`days_since_last_order > 60 and segment == "important_keep"`. It is parsed into a whitelisted syntax
tree (no function calls, attributes or anything else), then evaluated with NumPy over every customer.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from crm.analytics.metrics import customer_scores
from crm.text import Msg

FIELDS = {
    "ltv": "total order value (base currency)",
    "orders": "number of valid orders",
    "aov": "average order value",
    "days_since_last_order": "days since the last valid order",
    "days_since_first_order": "days since the first valid order",
    "segment": "RFM segment, e.g. important_keep",
    "lifecycle": "new, active, dormant or churned",
    "country": "ISO code of the customer's country",
    "r_score": "recency score 1-5",
    "f_score": "frequency score 1-5",
    "m_score": "monetary score 1-5",
}

Columns = Mapping[str, np.ndarray]
Evaluator = Callable[[Columns], np.ndarray]

_COMPARE = {
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
}


class TagRuleError(ValueError):
    """A rule that cannot be used; the message names the rule and what is wrong. `reason` is the same without
    the rule's name, in any language (crm/text/locales/<lang>/rules.ftl); str() is English."""

    def __init__(self, what: str, name: str, reason: Msg) -> None:
        self.reason = reason
        super().__init__(f"{what} {name!r}: {reason.render('en')}")


def compile_rule(name: str, expression: str, what: str = "tag rule") -> Evaluator:
    """Check a rule and turn it into a vectorised evaluator (raises TagRuleError with a clear reason). `what`
    names the kind of rule in the reason ("tag rule", "automation rule")."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise TagRuleError(
            what, name, Msg("rule.error.if_unreadable", {"expression": repr(expression), "detail": exc.msg})
        ) from None

    def build(node: ast.AST) -> Callable[[Columns], np.ndarray]:
        if isinstance(node, ast.BoolOp):
            parts = [build(v) for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            return lambda c: combine.reduce([p(c) for p in parts])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = build(node.operand)
            return lambda c: np.logical_not(inner(c))
        if isinstance(node, ast.Compare):
            left = build(node.left)
            steps = [(type(op), build(right)) for op, right in zip(node.ops, node.comparators, strict=True)]

            def compare(c: Columns) -> np.ndarray:
                out = None
                lhs = left(c)
                for op, rhs_fn in steps:
                    rhs = rhs_fn(c)
                    if op in (ast.In, ast.NotIn):
                        res = np.isin(lhs, list(rhs))
                        res = ~res if op is ast.NotIn else res
                    else:
                        res = _COMPARE[op](lhs, rhs)
                    out = res if out is None else out & res
                    lhs = rhs
                assert out is not None
                return np.asarray(out, dtype=bool)

            for op, _ in steps:
                if op not in _COMPARE and op not in (ast.In, ast.NotIn):
                    raise TagRuleError(what, name, Msg("rule.error.if_comparison", {"op": op.__name__}))
            return compare
        if isinstance(node, ast.Name):
            if node.id not in FIELDS:
                raise TagRuleError(
                    what,
                    name,
                    Msg("rule.error.if_unknown_field", {"field": repr(node.id), "fields": ", ".join(FIELDS)}),
                )
            field = node.id
            return lambda c: c[field]
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)):
            value = node.value
            return lambda c: value  # type: ignore[return-value]  # a constant: NumPy broadcasts it
        if isinstance(node, (ast.List, ast.Tuple)):
            items = []
            for elt in node.elts:
                if not (isinstance(elt, ast.Constant) and isinstance(elt.value, (int, float, str))):
                    raise TagRuleError(what, name, Msg("rule.error.if_list_items"))
                items.append(elt.value)
            return lambda c: items  # type: ignore[return-value]  # a list, only ever the right of `in`
        raise TagRuleError(
            what,
            name,
            Msg("rule.error.if_not_allowed", {"node": type(node).__name__, "expression": repr(expression)}),
        )

    evaluate = build(tree.body)
    return lambda c: np.broadcast_to(np.asarray(evaluate(c), dtype=bool), (len(c["ltv"]),))


def compile_rules(rules: Mapping[str, str]) -> dict[str, Evaluator]:
    return {name: compile_rule(name, expr) for name, expr in rules.items()}


async def customer_columns(
    session: AsyncSession,
    workspace_id: int,
    as_of: datetime,
    tz: ZoneInfo,
    lifecycle_days: tuple[int, int, int],
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The rule fields of every customer with at least one valid order as of `as_of`: (ids, columns); the
    lifecycle stage by the workspace's thresholds (crm.settings.lifecycle_days)."""
    from storage.repositories import analytics as analytics_repo

    scores = await customer_scores(session, workspace_id, as_of, tz, lifecycle_days=lifecycle_days)
    countries = await analytics_repo.customer_countries(session, workspace_id)
    with np.errstate(divide="ignore", invalid="ignore"):
        columns: dict[str, np.ndarray] = {
            "ltv": scores.monetary,
            "orders": scores.frequency,
            "aov": np.where(scores.frequency > 0, scores.monetary / np.maximum(scores.frequency, 1), 0.0),
            "days_since_last_order": scores.recency_days,
            "days_since_first_order": scores.first_days_ago,
            "segment": scores.segment.astype(str),
            "lifecycle": scores.lifecycle.astype(str),
            "country": np.array([countries.get(int(c)) or "" for c in scores.ids], dtype=str),
            "r_score": scores.r_score,
            "f_score": scores.f_score,
            "m_score": scores.m_score,
        }
    return scores.ids, columns


async def evaluate_tag_rules(
    session: AsyncSession,
    workspace_id: int,
    rules: Mapping[str, str],
    as_of: datetime,
    tz: ZoneInfo,
    lifecycle_days: tuple[int, int, int],
) -> dict[str, set[int]]:
    """Which customers each rule selects as of `as_of` (customers with at least one valid order)."""
    compiled = compile_rules(rules)
    ids, columns = await customer_columns(session, workspace_id, as_of, tz, lifecycle_days)
    return {name: {int(c) for c in ids[evaluate(columns)]} for name, evaluate in compiled.items()}


async def refresh_rule_tags(
    session: AsyncSession,
    workspace_id: int,
    rules: Mapping[str, str],
    as_of: datetime,
    tz: ZoneInfo,
    lifecycle_days: tuple[int, int, int],
) -> dict[str, tuple[int, int]]:
    """Re-evaluate the rules and update rule tags (manual tags are never touched); (added, removed) per tag."""
    from storage.repositories import tags as tags_repo

    selected = await evaluate_tag_rules(session, workspace_id, rules, as_of, tz, lifecycle_days)
    out = {}
    for name, customers in selected.items():
        out[name] = await tags_repo.sync_rule_tag(session, workspace_id, name, rules[name], customers)
    return out
