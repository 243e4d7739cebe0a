"""After `sellermate demo`, the next command without --db reads the demo database (and says so) until the
seller imports their own orders; nothing is written into the current folder or the real user's folders."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import _register_all, app
from bot.demo_state import remember_demo
from tests.e2e.conftest import shopify_csv


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A fresh user's shell: no SellerMate settings, an empty current folder, temporary files in tmp_path."""
    for name in list(os.environ):
        if name.startswith("SELLERMATE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SELLERMATE_CONFIG", os.devnull)
    monkeypatch.setenv("SELLERMATE_TIMEZONE", "Asia/Singapore")
    (tmp_path / "cwd").mkdir()
    (tmp_path / "tmp").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # the demo's temporary folder
    _register_all()
    return CliRunner()


def import_orders(shell: CliRunner, path: Path, rows: list[tuple[str, ...]], *db: str) -> None:
    result = shell.invoke(app, ["import", str(shopify_csv(path, rows)), *db])
    assert result.exit_code == 0, result.output
    assert "using the demo database" not in result.stderr  # writes never go to the demo


def test_reading_commands_use_the_demo_until_the_seller_imports_their_own(
    shell: CliRunner, tmp_path: Path, own_state_folder: Path
) -> None:
    """(`sellermate demo` remembering its database is run in test_cli_errors; here the remembered demo is a
    small shop, so the test stays quick.)"""
    demo_url = f"sqlite+aiosqlite:///{tmp_path / 'tmp' / 'sellermate-demo.db'}"
    import_orders(
        shell,
        tmp_path / "demo.csv",
        [
            ("#1", "Ana Lim", "ana@example.com", "42.00", "2026-11-02 10:00:00 +0800", "paid"),
            ("#2", "Bo Tan", "bo@example.com", "58.00", "2026-11-03 10:00:00 +0800", "paid"),
        ],
        "--db",
        demo_url,
    )
    assert remember_demo(demo_url, tmp_path / "tmp") is not None
    assert list(own_state_folder.rglob("demo.json"))  # in the user's state folder (here a temporary one)

    ask = shell.invoke(app, ["ask", "top 1 customers by revenue", "--as-of", "2026-11-23", "--json"])
    assert ask.exit_code == 0, ask.output
    assert json.loads(ask.stdout)["rows"][0][0] == "Bo Tan"  # answered from the demo's data
    assert f"using the demo database at {demo_url}" in ask.stderr and "no orders yet" not in ask.stderr
    kpi = shell.invoke(app, ["kpi", "orders", "--period", "all", "--as-of", "2026-11-23", "--json"])
    assert json.loads(kpi.stdout)["value"] == 2 and "using the demo database" in kpi.stderr
    assert not (tmp_path / "cwd" / "sellermate.db").exists()  # no empty database left in the current folder

    # A database the user chose is used as it is; when it is empty, the note says where the demo is.
    mine_url = f"sqlite+aiosqlite:///{tmp_path / 'mine.db'}"
    mine = shell.invoke(app, ["ask", "revenue last month", "--db", mine_url])
    assert "using the demo database" not in mine.stderr
    assert "no database at" in mine.stderr and f"the demo database is at {demo_url}" in mine.stderr
    assert not (tmp_path / "mine.db").exists()  # a question does not create the file it was pointed at

    # The demo lives in a temporary folder the system may clear: then it is forgotten, and the empty database
    # just says so.
    (tmp_path / "tmp" / "sellermate-demo.db").rename(tmp_path / "tmp" / "cleared.db")
    gone = shell.invoke(app, ["ask", "revenue last month", "--as-of", "2026-11-23"])
    assert gone.exit_code == 0 and "sellermate.db (nothing was created" in gone.stderr
    assert "demo database" not in gone.stderr
    (tmp_path / "tmp" / "cleared.db").rename(tmp_path / "tmp" / "sellermate-demo.db")

    # The seller imports their own orders into the default database: from then on that is what is read.
    import_orders(
        shell,
        tmp_path / "orders_export.csv",
        [("#7", "Chen Wei", "chen@example.com", "10.00", "2026-11-05 10:00:00 +0800", "paid")],
    )
    assert (tmp_path / "cwd" / "sellermate.db").exists()
    after = shell.invoke(app, ["kpi", "orders", "--period", "all", "--as-of", "2026-11-23", "--json"])
    assert json.loads(after.stdout)["value"] == 1 and "using the demo database" not in after.stderr


def test_the_command_line_names_its_as_of_option_where_the_chat_cannot(shell: CliRunner) -> None:
    """The reply shared with the bot speaks in chat terms; on the command line the option is added."""
    en = shell.invoke(app, ["ask", "revenue as of 2025-06-30"])
    assert "one date at a time" in en.stdout and "--as-of YYYY-MM-DD" in en.stdout
    zh = shell.invoke(app, ["ask", "截至2025年6月30日的销售额", "--json"])
    assert "截止日期" in zh.stdout and "--as-of" not in zh.stdout  # the JSON text is the bot's reply
