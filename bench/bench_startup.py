"""Command-line start-up benchmark: how long a seller waits for `sellermate --help` and for one answer from
`sellermate ask` on an existing, up-to-date database, against named baselines.

    python bench/bench_startup.py [--runs 15] [--db URL] [--json FILE]

Each command runs `--runs` times as a fresh process (the interpreter's own start included), taking turns with
its baseline so a drift in the machine's speed hits both; the medians and their ratio are printed as they come,
for the wall time and for the CPU time of the process (user + system: on a machine shared with other work the
wall time also counts the waits for a core, the CPU time much less). Compiled bytecode is cached as in an
installation (in the temporary folder, whatever PYTHONDONTWRITEBYTECODE says).

- `sellermate --help` and `sellermate import --help` against `python -c pass` (target: under 0.3 s);
- `sellermate ask "revenue last month"` (and, for comparison, "revenue by platform this year") against
  importing the database layer alone, `python -c "import sqlalchemy.ext.asyncio, aiosqlite"` (target: within
  1.5x).

Without `--db`, a demo database (40 customers) is written into a temporary folder first.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
# The installed command a seller types, when this interpreter has it; else the module.
_SCRIPT = Path(PY).with_name("sellermate")
SELLERMATE = [str(_SCRIPT)] if _SCRIPT.exists() else [PY, "-m", "bot.cli"]


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process: user + system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr[-400:]}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _pair(name: str, ours: list[str], base: list[str], env: dict[str, str], runs: int) -> dict[str, float]:
    _timed(ours, env), _timed(base, env)  # warm the file cache once
    a: list[tuple[float, float]] = []
    b: list[tuple[float, float]] = []
    for i in range(runs):
        for cmd, out in ((ours, a), (base, b)) if i % 2 == 0 else ((base, b), (ours, a)):
            out.append(_timed(cmd, env))
    row = {
        "ours_s": statistics.median(w for w, _ in a),
        "baseline_s": statistics.median(w for w, _ in b),
        "ours_cpu_s": statistics.median(c for _, c in a),
        "baseline_cpu_s": statistics.median(c for _, c in b),
    }
    row["ratio"] = row["ours_s"] / row["baseline_s"]
    row["cpu_ratio"] = row["ours_cpu_s"] / row["baseline_cpu_s"]
    print(
        f"{name:34s} {row['ours_s']:.3f} s  baseline {row['baseline_s']:.3f} s  ratio {row['ratio']:.2f}x"
        f"  | CPU {row['ours_cpu_s']:.3f} s  baseline {row['baseline_cpu_s']:.3f} s  ratio {row['cpu_ratio']:.2f}x",
        flush=True,
    )
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--db", help="an existing SellerMate database URL (default: a fresh demo database)")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELLERMATE_")}
    env["SELLERMATE_CONFIG"] = os.devnull
    folder = tempfile.TemporaryDirectory(prefix="sellermate-bench-startup-")
    # As an installed SellerMate runs: modules compiled once to bytecode and read from the cache afterwards (the
    # first run of each command, untimed, fills it). A PYTHONDONTWRITEBYTECODE=1 environment would otherwise
    # recompile every SellerMate module in every timed run; the cache goes to the temporary folder, not the source.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(folder.name) / "pycache")
    url = a.db or f"sqlite+aiosqlite:///{Path(folder.name) / 'demo.db'}"
    if a.db is None:
        demo = [
            PY,
            "-m",
            "bot.cli",
            "demo",
            "--customers",
            "40",
            "--as-of",
            "2026-11-23",
            "--db",
            url,
            "--no-chat",
        ]
        subprocess.run(demo, env=env, capture_output=True, check=True)
    env["SELLERMATE_DATABASE_URL"] = url
    print(f"load average {os.getloadavg()[0]:.2f}; {a.runs} runs each; median seconds", flush=True)
    pass_ = [PY, "-c", "pass"]
    db_layer = [PY, "-c", "import sqlalchemy.ext.asyncio, aiosqlite"]
    results = {
        "help": _pair("sellermate --help", [*SELLERMATE, "--help"], pass_, env, a.runs),
        "import_help": _pair(
            "sellermate import --help", [*SELLERMATE, "import", "--help"], pass_, env, a.runs
        ),
        "ask": _pair(
            "sellermate ask (one answer)",
            [*SELLERMATE, "ask", "revenue last month", "--as-of", "2026-11-23"],
            db_layer,
            env,
            a.runs,
        ),
        "ask_breakdown": _pair(
            "sellermate ask (by platform)",
            [*SELLERMATE, "ask", "revenue by platform this year", "--as-of", "2026-11-23"],
            db_layer,
            env,
            a.runs,
        ),
    }
    help_ok = results["help"]["ours_s"] < 0.3
    ask_ok = results["ask"]["ratio"] <= 1.5
    print(
        f"targets (wall): --help under 0.3 s: {'met' if help_ok else 'NOT met'}; "
        f"ask within 1.5x: {'met' if ask_ok else 'NOT met'}"
    )
    if a.json:
        a.json.write_text(json.dumps(results, indent=2))
    folder.cleanup()


if __name__ == "__main__":
    main()
