"""A customer's name is the buyer's own text: a name that holds SQL is looked up like any other name in `ask`,
while a question that is a database command is still declined (parser guards, compiler look-up)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.settings import Settings
from crm.query.ir import Clarify, CustomerQuery
from crm.query.parser import parse_question
from crm.query.service import ask
from storage.db import Database
from tests.scheduling_fixtures import Shop

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SETTINGS = Settings(workspace={"timezone": "Asia/Singapore"})
BOBBY = "Robert'); DROP TABLE customers;--"
COMMANDS = [
    "drop table customers",
    "DROP TABLE orders;",
    "delete all customers",
    "'; DROP TABLE customers; --",
    "SELECT * FROM customers",
    "删除所有订单",
]


@pytest.mark.parametrize(
    "question", [f"who is {BOBBY}", f"{BOBBY}'s profile", f"customer {BOBBY}", f"客户 {BOBBY}"]
)
def test_a_look_up_keeps_the_name_whatever_it_holds(question: str) -> None:
    q = parse_question(question, as_of=NOW).query
    assert isinstance(q, CustomerQuery) and q.search == BOBBY, q


@pytest.mark.parametrize(
    "question",
    [*COMMANDS, f"drop table customers; who is {BOBBY}", "delete all customers and tell me about Ann"],
)
def test_a_database_command_outside_a_name_is_declined_by_the_parser(question: str) -> None:
    q = parse_question(question, as_of=NOW).query
    assert isinstance(q, Clarify) and q.reason == "unsafe", q


async def test_ask_finds_the_customer_whose_name_holds_sql(db: Database, workspace_id: int) -> None:
    shop = Shop(db, workspace_id)
    bobby = await shop.customer(BOBBY, [(datetime(2026, 11, 20, tzinfo=UTC), 80)])
    await shop.customer("Ann Lee", [(datetime(2026, 11, 21, tzinfo=UTC), 50)])
    for question in (f"who is {BOBBY}", f"{BOBBY}'s profile", f"客户 {BOBBY}"):
        r = await ask(question, db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=NOW)
        assert r.intent == "customer" and dict(r.rows)["id"] == bobby and BOBBY in r.text, (question, r.text)
    # Nothing ran: the customers are all still there.
    r = await ask("how many customers", db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=NOW)
    assert r.value == 2


async def test_ask_declines_database_commands_including_look_ups_of_no_one(
    db: Database, workspace_id: int
) -> None:
    await Shop(db, workspace_id).customer("Ann Lee", [(datetime(2026, 11, 21, tzinfo=UTC), 50)])
    for question in [
        *COMMANDS,
        "who is drop table customers",
        "customer x; delete from orders",
        "show me all customers; drop table customers",
    ]:
        r = await ask(question, db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=NOW)
        assert r.intent == "clarify" and r.query["reason"] == "unsafe", (question, r.text)
        assert "database commands" in r.text or "数据库命令" in r.text, (question, r.text)
    # An ordinary look-up of no one still says so.
    r = await ask("who is Zed Nobody", db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=NOW)
    assert r.intent == "customer" and not r.rows
