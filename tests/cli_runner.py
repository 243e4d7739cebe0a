"""`sellermate ARGS` run in this process with Typer's runner, on a test database: no start-up cost per call,
for the tests of how commands read their options and what they print (the subprocess tests cover how the
process itself behaves)."""

from __future__ import annotations

import os
from typing import Any

import pytest


def run_cli(
    monkeypatch: pytest.MonkeyPatch, db_url: str, *args: str, stdin: str | None = None, **env: str
) -> Any:
    """The command's Typer Result, with only the test's settings: no config file, Singapore time, `db_url`,
    and `env` (SELLERMATE_* variables, e.g. SELLERMATE_LANGUAGE="zh")."""
    from typer.testing import CliRunner

    from bot.cli import _register_all, app

    for name in list(os.environ):
        if name.startswith("SELLERMATE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SELLERMATE_CONFIG", os.devnull)
    monkeypatch.setenv("SELLERMATE_TIMEZONE", "Asia/Singapore")
    monkeypatch.setenv("SELLERMATE_DATABASE_URL", db_url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _register_all()
    return CliRunner().invoke(app, list(args), input=stdin)


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`sellermate ARGS` through the entry point itself (`bot.cli.main`, which turns errors into one line and
    an exit code): (exit code, stdout, stderr)."""
    from bot.cli import main

    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err
