"""One Result type that the CLI, the console chat and Telegram all render, so they can never disagree."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ChartSpec(BaseModel):
    """What to draw; bot.render turns it into a PNG (matplotlib), the CLI writes it with --chart."""

    # "hbar": one bar per name, drawn across (rankings of many customers stay readable)
    # "stacked_hbar": one bar across per x, split into the series' shares (a transition table's rows)
    kind: Literal["bar", "hbar", "stacked_hbar", "line", "heatmap", "pie", "scatter"]
    title: str
    x: list[Any] = Field(default_factory=list)
    series: dict[str, list[float | None]] = Field(default_factory=dict)
    # per x: True for a period not wholly in the window (still running, or cut by the window's start); its
    # label says so and it is drawn lighter, so it reads neither as a crash nor as a spike. For a heatmap, per
    # row (y): True when the row's last cell is a month still running (drawn hatched).
    partial: list[bool] = Field(default_factory=list)
    # heatmap: rows are y labels, values a matrix
    y: list[Any] = Field(default_factory=list)
    matrix: list[list[float | None]] = Field(default_factory=list)
    x_label: str | None = None
    y_label: str | None = None
    value_format: Literal["ratio", "money", "count"] = "count"


class StageAction(BaseModel):
    """A draft the product can write now for every customer in a lifecycle stage (one tap in Telegram)."""

    stage: str
    intent: str
    customers: int


class Result(BaseModel):
    """An answer: a single value or a table, the reply text in the user's language, and how it was made."""

    intent: str
    query: dict[str, Any] | None = None
    value: float | int | None = None
    columns: list[str] = Field(default_factory=list)
    rows: list[list[Any]] = Field(default_factory=list)
    text: str = ""
    language: str = "en"
    unit: Literal["ratio", "money", "count", "score", "nps"] | None = None
    currency: str | None = None
    # Columns holding amounts in `currency`: their headers say it ("revenue (SGD)"); not part of the JSON.
    money_columns: list[str] = Field(default_factory=list)
    chart: ChartSpec | None = None
    # "Why this number": the definition used and the resolved window, for the bot's explain button.
    explanation: str | None = None
    suggestions: list[str] = Field(default_factory=list)
    # Customers whose cards the answer offers to open (one tap in Telegram); not part of the JSON answer.
    card_ids: list[int] = Field(default_factory=list)
    # The table was asked for as a file ("export … as csv"): the chat sends it as a CSV too.
    export: bool = False
    # Drafts offered under the answer, one per stage (a journey's transition table); not part of the JSON.
    actions: list[StageAction] = Field(default_factory=list)

    def headers(self) -> list[str]:
        """The columns' headers as a person reads them, in the answer's language, the currency beside each
        amount column."""
        from crm.query import texts

        names = [texts.column_name(self.language, c) for c in self.columns]
        if not self.currency:
            return names
        return [
            texts.with_currency(self.language, n, self.currency) if c in self.money_columns else n
            for c, n in zip(self.columns, names, strict=True)
        ]

    def shown_customer(self) -> int | None:
        """The customer whose data the answer shows: the card's "id" field, or the one customer an answer is
        about; None for anything else, a list of matches included."""
        if self.intent != "customer":
            return None
        if list(self.columns) == ["field", "value"]:
            return next((int(v) for f, v in self.rows if f == "id" and v is not None), None)
        return self.card_ids[0] if len(self.card_ids) == 1 else None

    def to_json_dict(self) -> dict[str, Any]:
        """The stable machine-readable shape of docs/architecture.md ("Machine-readable answers")."""
        return {
            "intent": self.intent,
            "query": self.query,
            "value": self.value,
            "columns": self.columns,
            "rows": self.rows,
            "text": self.text,
        }
