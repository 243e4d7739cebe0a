"""In-chat import: a seller sends an export file, the bot imports it with a progress message and a summary."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import secrets
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, F
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import Message

from bot.i18n import I18n
from bot.render import shown
from bot.settings import Settings
from crm.rights import Actor, import_counts, record_act
from handlers.routes import Routes
from storage.db import Database

log = logging.getLogger(__name__)
_BACKGROUND: set[asyncio.Task[None]] = set()  # running background work, kept from the garbage collector


def _in_background(work: Any) -> None:
    task = asyncio.create_task(work)
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


async def _pack_product_months(db: Database, workspace_id: int) -> None:
    """After an order import, pack the product months it changed before anyone asks (a few seconds at a
    million orders); a failure only leaves them to the next product question."""
    from crm.analytics.products import pack_product_months

    try:
        await pack_product_months(db, workspace_id)
    except Exception:
        log.exception("packing the product months of workspace %s after an import failed", workspace_id)


routes = Routes(__name__)

ACCEPTED_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
PROGRESS_EVERY_SECONDS = 2.0
MAX_REJECTIONS_SHOWN = 5


def refusal(file_name: str | None, file_size: int | None, settings: Settings, i18n: I18n) -> str | None:
    """Why this upload cannot be imported, or None when it may be."""
    limit = settings.telegram.max_upload_mb
    if file_size is not None and file_size > limit * 1024 * 1024:
        return i18n("imports.too_big", size=f"{file_size / 1024 / 1024:.1f}", limit=limit)
    suffix = Path(file_name or "").suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        return i18n(
            "imports.unknown_type",
            name=html.escape(file_name or "?"),
            accepted=", ".join(sorted(ACCEPTED_SUFFIXES)),
        )
    return None


def failure_reason(exc: Any, i18n: I18n, name: str = "") -> str:
    """Why the file was not imported, with the fix in chat terms (the importer's own sentence names
    command-line options, which mean nothing here); without the file's name in front, which the reply already
    shows ("empty.csv 未导入：empty.csv: the file is empty")."""
    fix = getattr(exc, "fix", None)
    if fix is None:
        return html.escape(_unnamed(str(exc), name))
    args = {k: html.escape(v) for k, v in exc.fix_args.items()}
    return html.escape(_unnamed(exc.problem, name)) + ". " + i18n(f"imports.fix.{fix}", **args)


def _unnamed(text: str, name: str) -> str:
    return text[len(name) + 2 :] if name and text.startswith(f"{name}: ") else text


def summary(report: Any, i18n: I18n) -> str:
    lines = [
        i18n(
            "imports.done",
            name=html.escape(report.file),
            platform=report.platform,
            store=html.escape(report.store),
        ),
        i18n(
            "imports.review_counts", rows=report.rows, added=report.orders_new, there=report.orders_unchanged
        )
        if report.kind == "reviews"
        else i18n(
            "imports.counts",
            rows=report.rows,
            new=report.orders_new,
            updated=report.orders_updated,
            unchanged=report.orders_unchanged,
            customers_new=report.customers_new,
            merged=report.customers_merged,
        ),
    ]
    erased = getattr(report, "erased_rows", 0)
    if erased:
        lines.append(i18n("imports.erased_skipped", n=erased))
    rejected = list(report.rejected)
    if rejected:
        lines.append(i18n("imports.rejected", n=len(rejected)))
        for r in rejected[:MAX_REJECTIONS_SHOWN]:
            ref = (
                f" {shown(r.order_ref, 40)}" if r.order_ref else ""
            )  # cells of a file: any length, any bytes
            lines.append(f"• {i18n('imports.line', line=r.line_no)}{ref}: {shown(r.reason, 200)}")
        if len(rejected) > MAX_REJECTIONS_SHOWN:
            lines.append(i18n("imports.more_rejected", n=len(rejected) - MAX_REJECTIONS_SHOWN))
    not_counted = getattr(report, "not_counted", None)
    if not_counted:
        lines.append(
            i18n(
                "imports.not_counted",
                orders=", ".join(
                    f"{n} {i18n('imports.status.' + status)}" for status, n in not_counted.items()
                ),
            )
        )
    missing = getattr(report, "missing_rates", None)
    if missing:
        lines.append(i18n("imports.missing_rates", currencies=", ".join(missing)))
    if report.kind == "reviews":  # what a review export's import left out (docs/service.md)
        from crm.importing.reviews import review_summary

        lines.extend(i18n(m.key, **m.args) for m in review_summary(report))
    return "\n".join(lines)


async def rates_reply(
    path: Path, name: str, db: Database, workspace_id: int, settings: Settings, i18n: I18n
) -> str:
    """Import an exchange-rates file into the base currency (orders re-priced) and say how it went."""
    from crm.currency import workspace_currency
    from crm.importing.errors import ImportFileError
    from crm.importing.service import import_rates

    # Rates are into the currency the amounts are stored in now (another process may have changed it).
    base = await workspace_currency(db, workspace_id, settings.workspace.base_currency)
    try:
        n = await import_rates(
            db,
            workspace_id,
            path,
            base_currency=base,
            points_per_unit=settings.workspace.loyalty_points_per_unit,
        )
    except ImportFileError as exc:
        return i18n("imports.failed", name=html.escape(name), reason=failure_reason(exc, i18n, name))
    log.info("imported %s exchange rates from %s for workspace %s", n, name, workspace_id)
    return i18n("imports.rates_done", name=html.escape(name), n=n, base=base)


@routes.message(F.document, flags={"ability": "imports"})
async def import_document(
    message: Message,
    bot: Bot,
    db: Database,
    workspace_id: int,
    settings: Settings,
    i18n: I18n,
    clock: Callable[[], datetime],
    scheduler: Any = None,
) -> None:
    document = message.document
    assert document is not None
    reason = refusal(document.file_name, document.file_size, settings, i18n)
    if reason is not None:
        await message.answer(reason)
        return
    try:
        from crm.importing.errors import ImportFileError
        from crm.importing.service import file_kind, import_file
    except ModuleNotFoundError:
        await message.answer(i18n("imports.unavailable"))
        return
    name = Path(document.file_name or "upload.csv").name
    status = await message.answer(i18n("imports.receiving", name=html.escape(name)))
    progress: dict[str, Any] = {"done": 0, "total": None, "shown": None}

    async def show_progress() -> None:
        # Edits at most every few seconds: Telegram rate-limits edits, and progress is a courtesy.
        while True:
            await asyncio.sleep(PROGRESS_EVERY_SECONDS)
            current = (progress["done"], progress["total"])
            if current != progress["shown"] and progress["done"]:
                progress["shown"] = current
                total = f"/{current[1]:,}" if current[1] else ""
                with contextlib.suppress(TelegramBadRequest):
                    await status.edit_text(
                        i18n("imports.progress", name=html.escape(name), done=f"{current[0]:,}", total=total)
                    )

    def on_progress(done: int, total: int | None) -> None:
        progress["done"], progress["total"] = done, total

    async def on_waiting() -> None:  # another import into the workspace runs first
        with contextlib.suppress(TelegramAPIError):  # a courtesy: the import goes on without it
            await status.edit_text(i18n("imports.waiting", name=html.escape(name)))

    with tempfile.TemporaryDirectory(prefix="sellermate-upload-") as tmp:
        path = Path(tmp) / name
        await bot.download(document, destination=path)
        if file_kind(path) == "rates":  # currency,rate[,date]: the same as `sellermate rates import`
            await status.edit_text(await rates_reply(path, name, db, workspace_id, settings, i18n))
            return
        await status.edit_text(i18n("imports.importing", name=html.escape(name)))
        ticker = asyncio.create_task(show_progress())
        try:
            report = await import_file(
                db,
                workspace_id,
                path,
                settings=settings.workspace.for_import(),
                store=(message.caption or "").strip() or None,
                progress=on_progress,
                waiting=on_waiting,
            )
        except ImportFileError as exc:
            await status.edit_text(
                i18n("imports.failed", name=html.escape(name), reason=failure_reason(exc, i18n, name))
            )
            return
        except Exception:  # the import rolled back: the status message says so, never "Importing…" for ever
            ref = secrets.token_hex(4)
            log.exception("import of %s for workspace %s failed [ref %s]", name, workspace_id, ref)
            await status.edit_text(i18n("imports.crashed", name=html.escape(name), ref=ref))
            return
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
    log.info("imported %s for workspace %s: %s rows", name, workspace_id, report.rows)
    await record_act(
        db,
        workspace_id,
        "imported",
        Actor("telegram", telegram_user_id=message.from_user.id if message.from_user else None),
        f"file:{report.platform}",
        import_counts(report),
    )
    if report.kind in ("orders", "events"):  # retention rules' event triggers (crm.automation)
        from crm.automation.engine import evaluate_after_import

        await evaluate_after_import(
            db, workspace_id, cfg=settings.automation, settings=settings, as_of=clock()
        )
    await status.edit_text(summary(report, i18n))
    if report.kind == "orders":
        _in_background(_pack_product_months(db, workspace_id))
    if report.kind in ("interactions", "reviews") and report.orders_new and scheduler is not None:
        # New reviews or complaints: a valuable customer's low rating is alerted now, not at the next hour.
        try:
            await scheduler.service_scan_now(workspace_id)
        except Exception:  # the import is done and said; the hourly scan tries again
            log.exception("service-recovery scan after importing %s failed", name)
