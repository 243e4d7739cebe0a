"""A private message is read by the offline parser once: the reminder and draft routes and the answer share it."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.e2e.conftest import OWNER, Desk


@pytest.mark.parametrize(
    "text",
    [
        "revenue last month",  # a question: passes the draft and reminder routes, then is answered
        "上个月的销售额",
        "remind me tomorrow at 10am to call Tan",  # a reminder
        "draft a win-back for Tan in Thai",  # a draft request (nobody called Tan here: "not found")
    ],
)
async def test_a_private_message_is_parsed_once(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    import crm.query.parser
    import crm.query.reading
    import crm.query.service

    calls: Counter[str] = Counter()
    real = crm.query.parser.parse_question

    def counted(question: str, **kw: Any) -> Any:
        calls[question] += 1
        return real(question, **kw)

    for module in (crm.query.parser, crm.query.reading, crm.query.service):
        monkeypatch.setattr(module, "parse_question", counted)
    await desk.add_member(OWNER, "owner")
    reply = await desk.say(OWNER, text)
    assert reply.text
    assert calls == Counter({text: 1})
