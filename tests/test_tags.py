"""Rule-based tags: safe expressions, vectorised evaluation, rule tags kept in step, manual tags untouched."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bot.settings import WorkspaceSettings
from crm.settings import DEFAULT_LIFECYCLE_DAYS
from crm.tags import TagRuleError, compile_rule, refresh_rule_tags
from storage.db import Database
from storage.models import CustomerTag, Tag
from tests.test_analytics import AS_OF, SGT, shop  # noqa: F401  (the fixture)


@pytest.mark.parametrize(
    "expr,needle",
    [
        ("__import__('os')", "Call is not allowed"),
        ("ltv.real > 1", "Attribute is not allowed"),
        ("spend > 1", "unknown field 'spend'"),
        ("ltv >", "cannot read"),
        ("ltv is 3", "IsNot|Is"),
    ],
)
def test_unsafe_or_unknown_rules_are_refused(expr: str, needle: str) -> None:
    with pytest.raises(TagRuleError, match=needle):
        compile_rule("x", expr)


def test_rules_evaluate_vectorised() -> None:
    cols = {
        "ltv": np.array([100.0, 400.0, 300.0]),
        "segment": np.array(["a", "b", "important_keep"]),
        "days_since_last_order": np.array([10, 90, 61]),
        "country": np.array(["SG", "MY", "TH"]),
    }
    assert compile_rule("vip", "ltv >= 300")(cols).tolist() == [False, True, True]
    rule = compile_rule("risk", 'days_since_last_order > 60 and segment == "important_keep"')
    assert rule(cols).tolist() == [False, False, True]
    assert compile_rule("sea", 'country in ["SG", "TH"] and not ltv < 200')(cols).tolist() == [
        False,
        False,
        True,
    ]
    assert compile_rule("band", "100 < ltv <= 300")(cols).tolist() == [False, False, True]


def test_bad_rule_in_settings_names_the_setting() -> None:
    with pytest.raises(ValidationError, match=r"tag_rules\s+Value error, tag rule 'vip'"):
        WorkspaceSettings(tag_rules={"vip": "ltv >== 3"})


async def test_rule_tags_follow_the_data_and_leave_manual_tags(
    db: Database, workspace_id: int, shop: dict[str, int]
) -> None:  # noqa: F811
    rules = {"vip": "ltv >= 150", "lapsing": 'lifecycle == "dormant"'}
    async with db.sessions() as s:
        tag = Tag(workspace_id=workspace_id, name="vip")
        s.add(tag)
        await s.flush()
        s.add(CustomerTag(customer_id=shop["B"], tag_id=tag.id, source="manual"))
        await s.commit()
    async with db.sessions() as s:
        out = await refresh_rule_tags(s, workspace_id, rules, AS_OF, SGT, DEFAULT_LIFECYCLE_DAYS)
        await s.commit()
    assert out == {"vip": (2, 0), "lapsing": (1, 0)}  # A (150) and C (240); D is dormant
    async with db.sessions() as s:
        rows = (
            await s.execute(
                select(Tag.name, CustomerTag.customer_id, CustomerTag.source).join(
                    CustomerTag, CustomerTag.tag_id == Tag.id
                )
            )
        ).all()
    assert sorted((n, c, src) for n, c, src in rows) == sorted(
        [
            ("vip", shop["A"], "rule"),
            ("vip", shop["C"], "rule"),
            ("vip", shop["B"], "manual"),
            ("lapsing", shop["D"], "rule"),
        ]
    )
    async with db.sessions() as s:  # a stricter rule untags A but never the manual B
        out = await refresh_rule_tags(
            s, workspace_id, {"vip": "ltv >= 200"}, AS_OF, SGT, DEFAULT_LIFECYCLE_DAYS
        )
        await s.commit()
    assert out == {"vip": (0, 1)}


async def test_import_re_evaluates_tag_rules(db: Database, workspace_id: int, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from crm.importing.service import import_file
    from tests.test_importing import SHOPIFY_HEADER, orders_of, shopify_row, write_csv

    f = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1", "big@example.com", "paid", "500.00", "2026-03-01 10:00:00 +0800"),
            shopify_row("#2", "small@example.com", "paid", "5.00", "2026-03-02 10:00:00 +0800"),
        ],
    )
    await import_file(
        db, workspace_id, f, settings=WorkspaceSettings(tag_rules={"big spender": "ltv >= 100"})
    )
    big = (await orders_of(db))["#1"].customer_id
    async with db.sessions() as s:
        tagged = (
            await s.execute(select(CustomerTag.customer_id).join(Tag).where(Tag.name == "big spender"))
        ).all()
    assert [r[0] for r in tagged] == [big]
