"""`sellermate ARGS` run in this process with Typer's runner, on a test database: no start-up cost per call,
for the tests of how commands read their options and what they print (the subprocess tests cover how the
process itself behaves)."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
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


@dataclass
class Ran:
    """What a command run in this process gave, shaped like subprocess.CompletedProcess."""

    returncode: int
    stdout: str
    stderr: str


def run_command(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
    db: str | None = None,
    stdin: str | None = None,
    cwd: Path | None = None,
    **env: str,
) -> Ran:
    """`sellermate ARGS` through the entry point (`bot.cli.main`) in this process, with what the subprocess
    tests give `python -m bot.cli`: no SELLERMATE_* variable of the test's own, no config file, Singapore
    time, `db` as SELLERMATE_DATABASE_URL, `env` (TMPDIR too: temporary files go there), `stdin` as the input
    and `cwd` as the current folder, all undone when it returns. It saves the second or more a new process
    spends starting and importing, for the tests of what a command says; a few tests keep the real process."""
    capsys.readouterr()  # what the test printed before is not the command's
    with monkeypatch.context() as mp:
        for name in [k for k in os.environ if k.startswith("SELLERMATE_")]:
            mp.delenv(name)
        mp.setenv("SELLERMATE_CONFIG", os.devnull)
        mp.setenv("SELLERMATE_TIMEZONE", "Asia/Singapore")
        if db:
            mp.setenv("SELLERMATE_DATABASE_URL", db)
        for name, value in env.items():
            mp.setenv(name, value)
        if "TMPDIR" in env:
            mp.setattr(tempfile, "tempdir", env["TMPDIR"])  # read once per process otherwise
        if stdin is not None:
            mp.setattr(sys, "stdin", io.StringIO(stdin))
        if cwd is not None:
            mp.chdir(cwd)
        code, out, err = run_main(capsys, *args)
    return Ran(code, out, err)
