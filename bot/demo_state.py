"""Where the last `sellermate demo` left its database, so that the next command without a database finds it.

`sellermate demo` writes a small JSON file (`demo.json`) into the user's state folder:
`$XDG_STATE_HOME/sellermate` when that variable is set, else `~/.local/state/sellermate`
(`~/Library/Application Support/sellermate` on macOS, `%LOCALAPPDATA%\\sellermate` on Windows). The
reading commands (ask, chat, kpi, segments, customer, cohort, draft) use the demo database only when no
database is chosen (no `--db`, no `SELLERMATE_DATABASE_URL`, no `database.url` in config.yaml) and the default
database has no orders; they say so on stderr. Commands that write a seller's data (import, rates, run,
worker, customers, tags) never fall back to the demo, and once the default database holds orders (the seller
imported their own) it is always the one used.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_FILE = "demo.json"


@dataclass(frozen=True)
class DemoDatabase:
    url: str
    exports: str | None


def state_dir() -> Path:
    """The folder for SellerMate's small per-user state (never the current folder)."""
    xdg = os.environ.get("XDG_STATE_HOME")
    if xdg:
        return Path(xdg) / "sellermate"
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "sellermate" if base else Path.home() / "AppData" / "Local" / "sellermate"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "sellermate"
    return Path.home() / ".local" / "state" / "sellermate"


def remember_demo(url: str, exports: Path | None) -> Path | None:
    """Record the demo's database (and export folder); None when the state folder cannot be written."""
    path = state_dir() / STATE_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {"url": url, "exports": str(exports) if exports else None}
        path.write_text(json.dumps(state), encoding="utf-8")
    except OSError:
        return None  # a read-only home: the demo still works, commands then need --db
    return path


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL (None for other databases, in-memory ones and malformed URLs)."""
    if not url.startswith("sqlite"):
        return None
    try:
        from sqlalchemy.engine import make_url

        database = make_url(url).database or ""
    except Exception:  # noqa: BLE001 - a malformed URL is reported where it is opened
        return None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def remembered_demo() -> DemoDatabase | None:
    """The last demo's database, or None (no demo yet, an unreadable file, or its SQLite file is gone: the
    demo lives in a temporary folder, which the system may clear)."""
    try:
        data: Any = json.loads((state_dir() / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return None
    url = data["url"]
    file = sqlite_file(url)
    if file is not None and not file.is_file():
        return None
    exports = data.get("exports")
    return DemoDatabase(url=url, exports=exports if isinstance(exports, str) else None)


def has_orders_without_opening(url: str) -> bool:
    """Whether the SQLite database at `url` holds an order, read-only: a missing file is not created."""
    file = sqlite_file(url)
    if file is None or not file.is_file():
        return False
    try:
        con = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return con.execute("SELECT 1 FROM orders LIMIT 1").fetchone() is not None
    except sqlite3.Error:  # no orders table yet, or not a SQLite file: nothing to answer from
        return False
    finally:
        con.close()


def database_chosen(settings: Any, db_url: str | None) -> bool:
    """Whether the user chose a database: --db, SELLERMATE_DATABASE_URL or database.url in config.yaml."""
    return bool(db_url) or "url" in settings.database.model_fields_set


def demo_instead(settings: Any, db_url: str | None) -> DemoDatabase | None:
    """The demo database to read instead of an empty default one, or None to use the usual database."""
    if database_chosen(settings, db_url):
        return None
    demo = remembered_demo()
    if demo is None or demo.url == settings.database.url or has_orders_without_opening(settings.database.url):
        return None
    return demo


def using_demo_note(demo: DemoDatabase) -> str:
    return (
        f"note: using the demo database at {demo.url} (built by sellermate demo); for your own data "
        "import your exports with sellermate import, or set SELLERMATE_DATABASE_URL or --db"
    )
