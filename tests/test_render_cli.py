"""Charts render to real PNGs; the analytics commands work end to end through the command line (an import
in a process of its own, then the commands through the entry point)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.render import render_chart, render_table
from crm.query.result import ChartSpec
from tests.cli_runner import Ran, run_command

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "spec",
    [
        ChartSpec(
            kind="bar", title="订单数 by platform", x=["shopee", "lazada"], series={"orders": [3.0, 5.0]}
        ),
        ChartSpec(
            kind="line",
            title="revenue",
            x=["2026-01", "2026-02"],
            series={"revenue": [10.0, None]},
            value_format="money",
        ),
        ChartSpec(
            kind="heatmap",
            title="retention",
            x=["m0", "m1"],
            y=["2026-01", "2026-02"],
            matrix=[[1.0, 0.2], [1.0, None]],
            value_format="ratio",
        ),
    ],
)
def test_charts_are_png(spec: ChartSpec) -> None:
    buf = io.BytesIO()
    render_chart(spec, buf)
    assert buf.getvalue().startswith(PNG) and len(buf.getvalue()) > 5000


def test_table_aligns_numbers_and_wide_characters() -> None:
    out = render_table(["客户", "revenue"], [["王小明", 1234.5], ["Al", 7.0]]).splitlines()
    assert out[0].startswith("客户") and out[2].endswith("1,234.50") and out[3].endswith("7.00")
    from rich.cells import cell_len

    assert cell_len(out[2]) == cell_len(out[3])


def _cli(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELLERMATE_")}
    env.update(SELLERMATE_DATABASE_URL=db, SELLERMATE_CONFIG=os.devnull)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        timeout=300,
        check=False,
    )


def test_analytics_commands(
    tmp_path: Path,
    demo_exports: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The import in a process of its own, the commands after it through the entry point in this one."""

    def cli(*args: str, db: str) -> Ran:
        return run_command(monkeypatch, capsys, *args, db=db)

    db = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    sample = demo_exports["tiktok-my-orders.csv"]  # one store's export in TikTok Shop's real layout
    assert _cli("import", str(sample), db=db).returncode == 0
    kpi = cli(
        "kpi",
        "orders",
        "--period",
        "all",
        "--by",
        "month",
        "--json",
        "--chart",
        str(tmp_path / "k.png"),
        db=db,
    )
    assert kpi.returncode == 0, kpi.stderr
    answer = json.loads(kpi.stdout)
    assert answer["columns"] == ["month", "orders"] and answer["rows"]
    assert (tmp_path / "k.png").read_bytes().startswith(PNG)
    seg = cli("segments", db=db)
    assert seg.returncode == 0 and "important value" in seg.stdout
    cohort = cli("cohort", "--period", "all", "--months", "3", db=db)
    assert cohort.returncode == 0 and "m3" in cohort.stdout
    for bad, needle in (
        (("kpi", "profit"), "unknown metric"),
        (("kpi", "--period", "soon"), "--period"),
        (("kpi", "--country", "Atlantis"), "unknown country"),
        (("customer", " "), "which customer"),
    ):
        out = cli(*bad, db=db)
        assert out.returncode == 2 and needle in out.stderr and "Traceback" not in out.stderr


def test_telegram_tables_cut_long_cells_by_display_width() -> None:
    from rich.cells import cell_len

    out = render_table(
        ["客户", "revenue"], [["王小明王小明王小明王小明王小明", 1.5], ["Al", 2.0]], max_cell=10
    ).splitlines()
    assert out[2].startswith("王小明王…") and cell_len(out[2]) == cell_len(out[3])


@pytest.mark.parametrize("language,more", [("en", "… and 70 more rows"), ("zh", "还有 70 行")])
def test_a_long_answer_shows_its_first_rows_in_a_terminal_and_says_how_many_more(
    language: str, more: str
) -> None:
    """A customer list can hold thousands of rows: the terminal shows the first TEXT_ROWS and says how many
    more there are, in the answer's language; --json keeps every row."""
    from bot.render import TEXT_ROWS, render_text
    from crm.query.result import Result

    rows = [[f"Customer {i}", i, 30 + i, 1, 100.0 - i / 10] for i in range(TEXT_ROWS + 70)]
    result = Result(
        intent="customer_list",
        columns=["customer", "id", "days_since", "orders", "revenue"],
        rows=rows,
        text="Customers:",
        language=language,
    )
    text = render_text(result)
    assert "Customer 49" in text and "Customer 50" not in text and more in text
    assert len(result.to_json_dict()["rows"]) == TEXT_ROWS + 70
