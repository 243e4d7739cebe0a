"""The development set: `/work/shared/eval/score.py` against this build must answer every question exactly."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from tests.conftest import SHARED

SCORE = SHARED / "eval" / "score.py"


def _compiler_available() -> bool:
    try:
        import crm.query.compiler  # noqa: F401
    except ModuleNotFoundError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not SCORE.exists(), reason=f"no shared evaluation set beside the repository ({SCORE})")
@pytest.mark.skipif(not _compiler_available(), reason="crm/query/compiler.py not in this tree yet")
def test_development_set_scores_full_marks(tmp_path) -> None:
    # A private TMPDIR: score.py caches its scratch database there, and others run it too.
    env = dict(os.environ, TMPDIR=str(tmp_path))
    env.pop("SELLERMATE_LLM_BASE_URL", None)
    cmd = f"{shlex.quote(sys.executable)} -m bot.cli"
    p = subprocess.run(
        [sys.executable, str(SCORE), "--quiet", "--fresh", "--cmd", cmd],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    summary = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr[-500:]
    total = summary.split("/")[1].split()[0] if "/" in summary else "?"
    assert p.returncode == 0 and summary.startswith(f"exact {total}/{total}"), (
        p.stdout[-3000:] + p.stderr[-1000:]
    )
