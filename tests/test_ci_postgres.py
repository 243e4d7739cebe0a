"""CI runs the PostgreSQL tests: with SELLERMATE_REQUIRE_POSTGRES set, a test that would skip for want of a
server fails with the same reason, and .ci/run sets it on its pytest line (the README's command does not)."""

from __future__ import annotations

from pathlib import Path

import pytest

import tests.conftest as conftest

REPO = Path(__file__).resolve().parents[1]


def test_a_missing_server_fails_the_test_when_postgresql_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    reason = "PostgreSQL not reachable at postgresql://nowhere: ConnectionRefusedError"
    monkeypatch.setattr(conftest, "REQUIRE_POSTGRES", True)
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL not reachable at postgresql://nowhere"):
        conftest.skip_without_postgres(reason)
    monkeypatch.setattr(conftest, "REQUIRE_POSTGRES", False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL not reachable at postgresql://nowhere"):
        conftest.skip_without_postgres(reason)


def test_ci_requires_postgresql_on_its_pytest_line_only() -> None:
    lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    pytest_lines = [line for line in lines if "pytest" in line and not line.startswith("#")]
    assert pytest_lines and all(
        line.startswith("SELLERMATE_REQUIRE_POSTGRES=1 .venv/bin/python -m pytest") for line in pytest_lines
    )
    assert sum("SELLERMATE_REQUIRE_POSTGRES" in line for line in lines if not line.startswith("#")) == 1
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert '.venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest\n' in readme
