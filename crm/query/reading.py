"""A private message read once by the offline parser: the bot routes it by what it is (a reminder to set, a
draft to write, a question to answer) and answers it with the same reading, instead of parsing it again at
each step."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from crm.query.ir import DraftQuery, ParsedQuestion, ReminderQuery
from crm.query.parser import parse_question


class MessageReading:
    """The text of one message, `as_of` the moment it is answered; parsed on first use, at most once."""

    def __init__(self, text: str, *, as_of: datetime, timezone: str) -> None:
        self.text = text
        self.as_of = as_of
        self.timezone = timezone

    @cached_property
    def parsed(self) -> ParsedQuestion:
        return parse_question(self.text, as_of=self.as_of, timezone=self.timezone)

    @property
    def is_reminder(self) -> bool:
        """A reminder to set ("remind me tomorrow 10am to call Tan", "3天后提醒我联系张先生")."""
        return isinstance(self.parsed.query, ReminderQuery)

    @property
    def draft(self) -> DraftQuery | None:
        """The draft request this message is ("draft a win-back for Tan in Thai"), if it is one."""
        query = self.parsed.query
        return query if isinstance(query, DraftQuery) else None
