"""Importing platform exports: stream a file, normalise it, and upsert it in one transaction.

An order export goes through a stage: its rows, normalised, are written to a stage (on SQLite a scratch file
of the import's own, `storage.stage_layout.StageFile`, which a second thread indexes and aggregates per order
while the import resolves the buyers; on PostgreSQL temporary tables), then upserted with set-based SQL.

Guarantees: an unreadable or unknown file changes nothing (ImportFileError); bad rows are rejected with
their line numbers and reasons while good rows import; an order with any bad row is rejected whole, never
half-applied; re-importing the same file changes nothing; a later export updates statuses and amounts.
Imports into one workspace at the same time (two processes, the bot and the command line) run one after the
other, so their result is that of importing the files in turn.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache, partial
from pathlib import Path

from sqlalchemy import Table as DbTable
from sqlalchemy.ext.asyncio import AsyncSession

from crm.catalog import VALID_STATUSES
from crm.importing.errors import ImportFileError
from crm.importing.identity import resolve_customers
from crm.importing.limits import AMOUNT_LIMIT, BUYER_ID, clean_text, fit, identifier
from crm.importing.normalise import ValueProblem, normalise_email, normalise_phone
from crm.importing.part_worker import PartWorker
from crm.importing.platforms import (
    ALL_SIGNATURE_HEADERS,
    COUNTRY_CURRENCY,
    Activity,
    Buyer,
    Columns,
    Context,
    Platform,
    RowMapper,
    canon,
    detect,
)
from crm.importing.reader import (
    PartMisaligned,
    Table,
    TextSource,
    peek_header,
    read_table,
    read_text_part,
    split_point,
)
from crm.importing.scratch import ScratchFolder, new_scratch_folder, remove_stale_folders
from crm.importing.staging import RowStager, rejecting_cut_rows
from crm.settings import ImportSettings, lifecycle_days
from storage.db import Database
from storage.models import ImportLog, Store
from storage.repositories import erased as erased_repo
from storage.repositories import imports as repo
from storage.repositories.analytics import refresh_order_stats
from storage.repositories.currency import base_currency as workspace_base_currency
from storage.repositories.workspaces import get_or_create_store
from storage.stage_layout import StageFile, buyers_only_of

log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]
# Told once when an import has to wait for another import into the workspace before it can start.
Waiting = Callable[[], Awaitable[None]]
STAGE_FLUSH = 5000


@dataclass
class Rejection:
    line_no: int
    order_ref: str | None
    reason: str


@dataclass
class ImportReport:
    file: str
    platform: str
    store: str
    kind: str = "orders"  # orders | customers | interactions | reviews | events
    rows: int = 0
    orders_new: int = 0
    orders_updated: int = 0
    orders_unchanged: int = 0
    customers_new: int = 0
    customers_merged: int = 0
    identities_new: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    merges: list[tuple[int, int, str, str | None]] = field(default_factory=list)
    suggestions: list[tuple[int, str, int, str]] = field(default_factory=list)
    missing_rates: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The file's orders that metrics do not count (docs/metrics.md: only paid, shipped, completed), per status.
    not_counted: dict[str, int] = field(default_factory=dict)
    # A review export's rows that are not kept, by why (crm.importing.reviews.LEFT_OUT): anonymous, by a
    # reviewer no import has introduced, spam; and its reviews whose product handle no order line names.
    left_out: dict[str, int] = field(default_factory=dict)
    products_unlinked: int = 0
    import_id: int | None = None
    # Rows of buyers who were erased on request, skipped (their orders, customers or activity not brought back).
    erased_rows: int = 0

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)


class _PhaseTimer:
    """Logs how long each import phase took (debug level), for profiling large imports."""

    def __init__(self, name: str) -> None:
        self.name, self.t = name, time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        if log.isEnabledFor(logging.DEBUG):  # reading the memory figure is not free: only when it is logged
            log.debug("import %s: %s took %.2fs (memory now %s)", self.name, phase, now - self.t, _rss())
        self.t = now


def _rss() -> str:
    """This process's resident memory, where the system tells it (Linux)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return f"{int(fh.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 1e6:.0f} MB"
    except (OSError, ValueError, IndexError, AttributeError):
        return "unknown"


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None elsewhere (other C libraries, other systems)."""
    try:
        import ctypes

        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
        return trim
    except (OSError, AttributeError):
        return None


def _release_memory() -> None:
    """Hand the memory freed so far back to the system (every thread's, whichever thread calls), between the
    phases of a large import. glibc keeps freed memory for later use by the thread that freed it: the pages
    SQLite sorted with in one phase, or in the stage file's thread, would otherwise stay resident under the next
    phase's own and add up to the peak."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _prepare(preparation: repo.StageFilePreparation) -> repo.PreparedStage:
    """Run a stage file's preparation (in the stage's thread), then give back what it freed at once, not at the
    end of the identity phase, which runs meanwhile and allocates its own peak."""
    started = time.perf_counter()
    try:
        return preparation.run()
    finally:
        _release_memory()
        log.debug("staged orders prepared in %.2fs (memory now %s)", time.perf_counter() - started, _rss())


# A file of at least this many rows has its parsing garbage collected before the buyers are brought in.
COLLECT_MIN_ROWS = 20_000
# A text export of at least this many rows is read by two processes (on SQLite): the second half in a worker.
PARALLEL_MIN_ROWS = 200_000


@dataclass
class _TwoParts:
    """A large text file read in two parts: its table (whose reader stops at the cut) and where the second part
    starts (source, byte offset, line)."""

    table: Table
    cut: tuple[TextSource, int, int] | None = None


@dataclass
class _Scratch:
    """An import's temporary folders on SQLite (its stage file's, a worker's): removed once the import's
    connection is back in the pool, as the stage files stay attached to it until then."""

    folders: list[ScratchFolder] = field(default_factory=list)

    def new_folder(self) -> Path:
        folder = new_scratch_folder()  # locked while this process lives (crm.importing.scratch)
        self.folders.append(folder)
        return folder.path

    def remove(self) -> None:
        for folder in self.folders:
            folder.remove()


async def _start_part_worker(
    parts: _TwoParts, mapping: Platform, ctx: Context, scratch: _Scratch
) -> PartWorker | None:
    """Start a worker on the second half of a large text file and let this process's reader stop where that
    half begins; None (one reader) for a small or non-text file, one that cannot be cut safely, or a worker
    that cannot be started."""
    table, source = parts.table, parts.table.text
    if source is None or (table.total_rows or 0) < PARALLEL_MIN_ROWS:
        return None
    point = await asyncio.to_thread(split_point, source)
    if point is None or point[1] <= table.lines_read:  # the reader is past the cut already (huge first rows)
        return None
    try:
        folder = scratch.new_folder()
        worker = await PartWorker.start(source, point[0], point[1], table.header, mapping, ctx, folder)
    except (OSError, NotImplementedError):  # no temporary folder, no process to be had, no subprocess support
        log.warning("could not start an import worker; reading the file in one process", exc_info=True)
        return None
    parts.cut = (source, point[0], point[1])
    table.stop_line = point[1]
    return worker


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


async def _workspace_rates(
    session: AsyncSession, workspace_id: int, settings: ImportSettings
) -> dict[str, list[tuple[date | None, float]]]:
    rates: dict[str, list[tuple[date | None, float]]] = {
        cur.upper(): [(None, float(r))] for cur, r in settings.fx_rates.items()
    }
    rates.update(await repo.load_rates(session, workspace_id))
    # The base currency is the workspace's as stored (another process may have changed it since `settings`).
    base = await workspace_base_currency(session, workspace_id) or settings.base_currency
    rates.setdefault(base, [(None, 1.0)])
    return rates


def _rate_periods(
    options: list[tuple[date | None, float]],
) -> list[tuple[datetime | None, datetime | None, float]]:
    """[start, end) windows of one currency's rates: before the first dated rate the undated one (else the
    earliest dated one), then each dated rate until the next."""
    undated = [r for d, r in options if d is None]
    dated = sorted((d, r) for d, r in options if d is not None)

    def start_of(d: date) -> datetime:
        return datetime.combine(d, datetime.min.time(), tzinfo=UTC)

    first = start_of(dated[0][0]) if dated else None
    periods: list[tuple[datetime | None, datetime | None, float]] = [
        (None, first, undated[-1] if undated else dated[0][1])
    ]
    for i, (d, r) in enumerate(dated):
        periods.append((start_of(d), start_of(dated[i + 1][0]) if i + 1 < len(dated) else None, r))
    return periods


async def import_file(
    db: Database,
    workspace_id: int,
    path: Path,
    *,
    settings: ImportSettings,
    platform: str = "auto",
    store: str | None = None,
    progress: Progress | None = None,
    waiting: Waiting | None = None,
) -> ImportReport:
    """Import one export file; see the module docstring for the guarantees. Imports into one workspace run one
    after the other: `waiting` is told when this one waits for another."""
    path = Path(path)
    # The scratch folders of imports that were killed (they cannot remove their own) go first.
    await asyncio.to_thread(remove_stale_folders)
    try:
        if store is not None:
            store = _store_name(store)
        # One attempt at the file; a rolled-back attempt is made again with another way of reading it.
        attempt = partial(
            _import_file,
            db,
            workspace_id,
            path,
            settings=settings,
            platform=platform,
            store=store,
            progress=progress,
            waiting=waiting,
        )
        try:
            try:
                return await attempt(parallel=True)
            except PartMisaligned as exc:  # rolled back: read it again, in one process
                log.info("%s: reading the file in two parts failed (%s); reading it in one", path.name, exc)
                return await attempt(parallel=False)
        except _OrphanBuyers:  # rolled back: again, with the buyers known before they are brought in
            log.info("%s: a rejected order's buyer has no other order; importing again in order", path.name)
            return await attempt(parallel=False, in_order=True)
    except ImportFileError as exc:  # every file-level error names the file
        msg = str(exc)
        if not msg.startswith((path.name, str(path))):
            raise ImportFileError(f"{path.name}: {msg}") from None
        raise


class _OrphanBuyers(Exception):
    """An order rejected while its buyers were being brought in (on SQLite the two run side by side) was the
    only order of one of them: the import is rolled back and done again in order (rare: an order in two
    currencies, or without a date or currency, whose buyer has no other order in the file)."""


def _erased_check(erased: erased_repo.Suppression | None, platform: str) -> Callable[[Buyer], bool] | None:
    """Whether a file's buyer is one who was erased (their identities matched in the import's normalised form)."""
    if erased is None:
        return None

    def check(b: Buyer) -> bool:
        return erased.matches(platform, b.key, normalise_email(b.email), normalise_phone(b.phone, b.country))

    return check


def _store_name(store: str) -> str:
    """A store name given with --store (or as the caption of a file sent to the bot), cleaned; one too long
    for its column is refused."""
    name, problem = identifier(store, "store name")
    if problem:
        raise ImportFileError(f"the {problem}: choose a shorter one")
    if not name:
        raise ImportFileError("the store name is empty: give one with letters or digits")
    return name


RATES_COLUMNS = frozenset({"currency", "rate", "date", "valid_from"})


def _is_rates_file(header: list[str]) -> bool:
    names = {canon(h) for h in header if h.strip()}
    return {"currency", "rate"} <= names <= RATES_COLUMNS


IMPORT_ORDER = {"rates": 0, "customers": 1, "orders": 2, "interactions": 3, "reviews": 3, "events": 3}


def file_kind(path: Path) -> str:
    """What a file holds, from its header alone: rates, customers, orders, interactions, reviews or events ("orders"
    when that cannot be told cheaply: spreadsheets, unknown layouts, which the import then reports)."""
    header = peek_header(Path(path))
    if header is None:
        return "orders"
    if _is_rates_file(header):
        return "rates"
    try:
        return detect(header).kind
    except ImportFileError:
        return "orders"


def import_order(paths: list[Path]) -> list[tuple[Path, str]]:
    """Files in the order that loses nothing: exchange rates first (orders are priced on import), then
    customers and orders, then chats, reviews and events (which refer to buyers the orders bring in);
    otherwise as given."""
    kinds = [(p, file_kind(p)) for p in paths]
    return sorted(kinds, key=lambda pk: IMPORT_ORDER.get(pk[1], 2))


async def _import_file(
    db: Database,
    workspace_id: int,
    path: Path,
    *,
    settings: ImportSettings,
    platform: str,
    store: str | None,
    progress: Progress | None,
    waiting: Waiting | None,
    parallel: bool,
    in_order: bool = False,
) -> ImportReport:
    table = read_table(path, header_hint=ALL_SIGNATURE_HEADERS)
    if _is_rates_file(table.header):
        problem = (
            f"{path.name}: this is an exchange-rates file (columns: {', '.join(table.header)}), not an export"
        )
        raise ImportFileError(
            f"{problem}; import it with sellermate rates import {path.name}",
            problem=problem,
            fix="rates_file",
        )
    mapping = detect(table.header, platform)
    cols = Columns(table.header)
    # Peek at the first rows to learn the store's country and currency.
    head_rows: list[tuple[int, Sequence[object]]] = []
    for item in table.rows:
        head_rows.append(item)
        if len(head_rows) >= 20:
            break
    first = [r for _, r in head_rows]
    country = settings.store_countries.get(store or "") if store else None
    country = country or mapping.guess_country(cols, first)
    store_name = store or (f"{mapping.name}-{country.lower()}" if country else mapping.name)
    country = settings.store_countries.get(store_name, country)
    currency = mapping.guess_currency(cols, first) or (
        COUNTRY_CURRENCY.get(country or "") if country else None
    )
    ctx = Context(
        store_country=country,
        store_currency=currency,
        default_tz=settings.timezone,
        generic_columns=dict(settings.generic_columns),
    )
    # raises ImportFileError for missing columns
    mapper = rejecting_cut_rows(mapping.mapper(cols, ctx), len(table.header))
    if not head_rows:
        raise ImportFileError(
            f"{path.name}: the file has a header row but no rows under it: nothing to import"
        )

    def all_rows() -> Iterator[tuple[int, Sequence[object]]]:
        yield from head_rows
        yield from table.rows

    report = ImportReport(
        file=fit(path.name, "file name") or "file", platform=mapping.name, store=store_name, kind=mapping.kind
    )
    sha = _file_sha256(path)
    explicit_store = store is not None
    scratch = _Scratch() if db.dialect == "sqlite" else None
    two_parts = _TwoParts(table) if parallel and scratch is not None else None
    try:
        return await _import_in_session(
            db,
            workspace_id,
            path,
            mapping,
            mapper,
            all_rows(),
            table,
            report,
            settings,
            sha,
            progress,
            ctx,
            explicit_store,
            two_parts,
            scratch,
            waiting,
            in_order,
        )
    finally:
        if scratch is not None:
            scratch.remove()


async def _import_in_session(
    db: Database,
    workspace_id: int,
    path: Path,
    mapping: Platform,
    mapper: RowMapper,
    rows: Iterator[tuple[int, Sequence[object]]],
    table: Table,
    report: ImportReport,
    settings: ImportSettings,
    sha: str,
    progress: Progress | None,
    ctx: Context,
    explicit_store: bool,
    two_parts: _TwoParts | None,
    scratch: _Scratch | None,
    waiting: Waiting | None,
    in_order: bool = False,
) -> ImportReport:
    async with db.sessions() as session:
        try:
            if mapping.kind == "orders":
                await repo.bulk_load_mode(session)  # SQLite: before the transaction starts
            await _one_import_at_a_time(session, workspace_id, waiting)
            if mapping.kind in ("interactions", "events"):
                await _import_activity(session, workspace_id, mapping, mapper, rows, report, sha)
            elif mapping.kind == "reviews":
                from crm.importing.reviews import import_reviews

                await import_reviews(session, workspace_id, mapping, mapper, rows, report, sha)
            elif mapping.kind == "customers":
                await _import_customers(
                    session,
                    workspace_id,
                    mapping,
                    mapper,
                    rows,
                    table.total_rows,
                    report,
                    settings,
                    sha,
                    progress,
                )
            else:
                await _import_orders(
                    session,
                    workspace_id,
                    mapping,
                    mapper,
                    rows,
                    table.total_rows,
                    report,
                    settings,
                    sha,
                    progress,
                    ctx,
                    explicit_store,
                    two_parts,
                    scratch,
                    in_order,
                )
            await session.commit()
        except (ImportFileError, PartMisaligned, _OrphanBuyers):
            await session.rollback()
            raise
        except Exception as exc:
            await session.rollback()
            log.exception("import of %s failed", path.name)
            async with db.sessions() as s2:
                await repo.record_failed_import(
                    s2, workspace_id, report.file, clean_text(f"{exc.__class__.__name__}: {exc}")
                )
                await s2.commit()
            raise
    if settings.tag_rules and mapping.kind in ("orders", "customers"):
        await _refresh_tags(db, workspace_id, settings)
    return report


async def _one_import_at_a_time(session: AsyncSession, workspace_id: int, waiting: Waiting | None) -> None:
    """Start the session's transaction holding the workspace's import lock (storage.repositories.imports.
    try_import_lock), waiting while another import holds it; `waiting` is told first."""
    if await repo.try_import_lock(session, workspace_id):
        return
    log.info("another import into workspace %s is running: waiting for it to finish", workspace_id)
    if waiting is not None:
        await waiting()
    await repo.wait_import_lock(session, workspace_id)


async def _refresh_tags(db: Database, workspace_id: int, settings: ImportSettings) -> None:
    """Rule tags follow the new data (docs/metrics.md: re-evaluated after every import); the import stands anyway."""
    from zoneinfo import ZoneInfo

    from crm.tags import refresh_rule_tags

    tz = ZoneInfo(settings.timezone)
    try:
        async with db.sessions() as session:
            await _one_import_at_a_time(session, workspace_id, None)  # two imports' refreshes: one at a time
            await refresh_rule_tags(
                session, workspace_id, settings.tag_rules, datetime.now(tz), tz, lifecycle_days(settings)
            )
            await session.commit()
    except Exception:  # logged; the next import or the daily run tries again
        log.exception("re-evaluating tag rules after the import failed")


async def _import_orders(
    session: AsyncSession,
    workspace_id: int,
    mapping: Platform,
    mapper: RowMapper,
    rows: Iterator[tuple[int, Sequence[object]]],
    total: int | None,
    report: ImportReport,
    settings: ImportSettings,
    sha: str,
    progress: Progress | None,
    ctx: Context,
    explicit_store: bool = True,
    two_parts: _TwoParts | None = None,
    scratch: _Scratch | None = None,
    in_order: bool = False,
) -> None:
    if not explicit_store:
        # The very same file imported before (into a store named otherwise, e.g. by an older version or
        # with --store): its orders belong to that store.
        before = await repo.earlier_store_of_file(session, workspace_id, sha, mapping.name)
        if before and before != report.store:
            report.notes.append(f"this file was imported before into store {before!r}: updated there")
            report.store = before
    import_log = await repo.start_import_log(
        session, workspace_id, report.file, sha, mapping.name, report.store
    )
    report.import_id = import_log.id
    await _import_order_rows(
        session,
        workspace_id,
        mapping,
        mapper,
        rows,
        total,
        report,
        settings,
        progress,
        ctx,
        explicit_store,
        sha,
        import_log,
        two_parts,
        scratch,
        in_order,
    )


async def _import_order_rows(
    session: AsyncSession,
    workspace_id: int,
    mapping: Platform,
    mapper: RowMapper,
    rows: Iterator[tuple[int, Sequence[object]]],
    total: int | None,
    report: ImportReport,
    settings: ImportSettings,
    progress: Progress | None,
    ctx: Context,
    explicit_store: bool,
    sha: str,
    import_log: ImportLog,
    two_parts: _TwoParts | None = None,
    scratch: _Scratch | None = None,
    in_order: bool = False,
) -> None:
    timer = _PhaseTimer(report.file)
    name = f"import_stage_{uuid.uuid4().hex[:12]}"
    stage: repo.Stage | None = None
    # SQLite: the rows go to a stage file of this import's own, which another thread indexes and aggregates
    # while this one resolves the buyers. The file's one thread writes, prepares and closes it, one step after
    # the other (one thread, not a pool: each thread that allocates keeps a heap of its own, and the import's
    # peak memory with it). PostgreSQL: temporary tables of the import's connection.
    stage_file: StageFile | None = None
    stage_thread = (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="sellermate-stage") if scratch else None
    )
    loop = asyncio.get_running_loop()

    def put(batch: list[tuple[object, ...]]) -> Awaitable[None]:
        if stage_file is not None:
            return loop.run_in_executor(stage_thread, stage_file.append, batch)
        return repo.stage_rows(session, stage.lines, batch)  # type: ignore[union-attr]

    erased = await erased_repo.suppression(session, workspace_id)
    stager = RowStager(mapper, mapping.name, _erased_check(erased, mapping.name))
    pending: asyncio.Future[None] | None = None
    worker: PartWorker | None = None
    parts: list[Path] = []  # stage files of the file's other parts (a worker's)

    async def stage_all(rows: Iterable[tuple[int, Sequence[object]]]) -> None:
        nonlocal pending
        buffer: list[tuple[object, ...]] = []
        stage_one = stager.stage
        for line_no, cells in rows:
            staged = stage_one(line_no, cells)
            if progress and stager.rows % 5000 == 0:
                progress(stager.rows + (worker.rows if worker is not None else 0), total)
            if staged is None:
                continue
            buffer.append(staged)
            if len(buffer) >= STAGE_FLUSH:
                # Let SQLite insert this batch in its thread while the next batch is parsed here.
                if pending is not None:
                    await pending
                pending = asyncio.ensure_future(put(buffer))
                await asyncio.sleep(0)
                buffer = []
        if pending is not None:
            await pending
            pending = None
        await put(buffer)

    # Orders whose value (in their currency, and in the base currency at its highest rate) is out of bounds are
    # rejected with the ones in two currencies.
    rates = await _workspace_rates(session, workspace_id, settings)
    bounds = repo.OrderBounds(
        amount_limit=AMOUNT_LIMIT, rates={cur: max(r for _, r in opts) for cur, opts in rates.items() if opts}
    )
    preparing: Future[repo.PreparedStage] | None = None
    prepared: repo.PreparedStage | None = None
    preparation: repo.StageFilePreparation | None = None
    try:
        if scratch is not None:
            stage_file = StageFile(scratch.new_folder() / "stage.db")
        else:
            stage = repo.session_stage(name)
            await repo.create_stage(session, stage.lines)
        try:
            # (a workspace with erased buyers reads both parts here: the worker does not know them)
            if two_parts is not None and scratch is not None and erased is None:
                worker = await _start_part_worker(two_parts, mapping, ctx, scratch)
            await stage_all(rows)
            if worker is not None:  # the second part of the file
                timer.lap("read and stage the first part")
                try:
                    part_file, part = await worker.result()
                except RuntimeError:  # a crash, a full disk, the out-of-memory killer: read that part here
                    log.warning(
                        "the import worker failed; reading the rest of the file in this process",
                        exc_info=True,
                    )
                    await worker.stop()
                    worker = None
                    await stage_all(read_text_part(*two_parts.cut))  # type: ignore[union-attr, misc]
                else:
                    timer.lap("wait for the second part")
                    stager.absorb(part)
                    parts.append(part_file)
        finally:
            if worker is not None:  # first, and at once: a cancelled or failed import never leaves it running
                worker.kill()
            if pending is not None:  # never leave an insert running when the loop stops
                await pending
            if worker is not None:
                await worker.stop()
        buyers, bad_rows = stager.buyers, stager.bad_rows
        report.rows = stager.rows - stager.skipped - stager.erased_rows
        report.erased_rows = stager.erased_rows
        if progress:
            progress(stager.rows, total)
        # An order with any bad row is rejected whole.
        rejected_refs = {ref for _, ref, _ in bad_rows if ref}
        # Rejected rows bring in nothing, not even their buyers: the buyers of rejected orders who have no other
        # order in the file are forgotten before buyers are brought in.
        forgotten: set[str] = set()
        if stage_file is not None:
            await loop.run_in_executor(stage_thread, stage_file.close)
            if rejected_refs and not in_order:  # (the preparation that runs meanwhile finds the same, later)
                forgotten = await loop.run_in_executor(
                    stage_thread, buyers_only_of, [stage_file.path, *parts], rejected_refs
                )
            preparation = repo.StageFilePreparation(name, stage_file.path, parts, rejected_refs, bounds)
            assert stage_thread is not None  # (a stage file has its thread)
            preparing = stage_thread.submit(_prepare, preparation)
            if in_order:
                prepared = await asyncio.wrap_future(preparing)
        else:
            prepared = await repo.prepare_session_stage(session, stage, rejected_refs, bounds)  # type: ignore[arg-type]
        if prepared is not None:
            forgotten = prepared.orphans
        _forget_buyers(buyers, forgotten)
        if stager.rows >= COLLECT_MIN_ROWS:  # (a full collection costs ~0.1 s even for a small file)
            gc.collect()  # the parsing garbage goes before the identity phase allocates (peak memory)
        _release_memory()
        timer.lap("read and stage rows")

        # Buyer identities, and customers for the touched ones (new, or whose email/phone changed).
        id_by_key, seeds = await _upsert_identities(session, workspace_id, mapping.name, buyers, report)
        merge = await resolve_customers(
            session,
            workspace_id,
            seeds,
            describe=_describer(buyers, id_by_key),
            import_id=import_log.id,
        )
        report.customers_new = merge.customers_new
        report.customers_merged = len(merge.merges)
        report.merges = merge.merges
        customer_of_identity = await _customers_for(session, list(id_by_key.values()), merge.assigned)
        timer.lap("identities and merging")
        if preparing is not None:
            if prepared is None:
                prepared = await asyncio.wrap_future(preparing)
                if (
                    prepared.orphans - forgotten
                ):  # an order rejected while preparing: its buyer came in already
                    raise _OrphanBuyers
            stage = await repo.attach_stage_file(session, name, str(stage_file.path))  # type: ignore[union-attr]
            timer.lap("wait for the staged orders")
        # Orders rejected whole while preparing (in more than one currency, no date, value out of bounds).
        bad_rows.extend(prepared.rejected)  # type: ignore[union-attr]
    finally:
        if stage_thread is not None:
            # A failed or cancelled import: the thread may still be writing or preparing (cancelling the task
            # does not stop a thread). Interrupt the preparation until it ends (an interrupt that comes just
            # before a statement starts is lost), close the file after whatever still runs, wait for both.
            while preparing is not None and not preparing.done():
                preparation.interrupt()  # type: ignore[union-attr]
                wait([preparing], timeout=0.05)
            if stage_file is not None:
                stage_thread.submit(stage_file.close)
            stage_thread.shutdown(wait=True)
    assert stage is not None

    store = await _choose_store(session, workspace_id, mapping, stage.lines, report, ctx, explicit_store, sha)
    import_log.store_name = report.store

    # Orders: upserted from the staged per-order rows with set-based SQL. From here on the Python side holds
    # little, so SQLite gets a larger page cache for the set-based statements (peak memory stays put).
    await repo.widen_cache(session)
    upsert = await repo.upsert_staged_orders(
        session,
        stage,
        workspace_id=workspace_id,
        store_id=store.id,
        platform=mapping.name,
        import_id=import_log.id,
        rates={cur: opts[0][1] for cur, opts in rates.items()},
        now=datetime.now(UTC),
        buyers=_buyer_map(id_by_key, customer_of_identity),
    )
    for cur, opts in rates.items():
        if any(valid_from is not None for valid_from, _ in opts):
            await repo.reprice_orders(
                session, workspace_id, cur, _rate_periods(opts), import_id=import_log.id
            )
    report.orders_new, report.orders_updated, report.orders_unchanged = (
        upsert.new,
        upsert.updated,
        upsert.unchanged,
    )
    report.missing_rates = upsert.missing_rates
    report.not_counted = {k: v for k, v in sorted(upsert.statuses.items()) if k not in VALID_STATUSES}
    bad_rows.extend(upsert.rejected)
    report.rejected = [Rejection(n_, r, w) for n_, r, w in sorted(bad_rows, key=lambda t: t[0])]
    _release_memory()
    timer.lap("orders")
    await repo.write_lines_for_import(
        session, stage.lines, store.id, import_log.id, incoming=report.rows, all_new=upsert.first_orders
    )
    await repo.upsert_products(session, stage, workspace_id)
    await repo.drop_staged(session, stage)
    _release_memory()
    timer.lap("order lines and products")

    affected = set(await repo.customers_of_import(session, import_log.id))
    affected |= {s for s, *_ in merge.merges} | set(merge.assigned.values()) | upsert.moved_from
    await repo.refresh_customers(session, sorted(affected), previous_orders=not upsert.first_orders)
    await repo.post_loyalty(
        session, workspace_id, settings.loyalty_points_per_unit, import_log.id, incoming=upsert.new
    )
    await _record_consents(session, workspace_id, mapping.name, buyers, id_by_key, customer_of_identity)
    report.suggestions = await repo.similar_name_pairs(session, workspace_id, sorted(affected))
    await repo.add_rejections(
        session, import_log.id, [(r.line_no, r.order_ref, r.reason) for r in report.rejected]
    )
    timer.lap("customers, loyalty, consent")
    _finish_log(import_log, report)


# Platforms whose order ids are numbered per store (Shopify "#1001"): the same id in two stores is only the
# same order when it was also placed at the same moment.
PER_STORE_ORDER_IDS = frozenset({"shopify", "woocommerce", "generic"})


async def _choose_store(
    session: AsyncSession,
    workspace_id: int,
    mapping: Platform,
    stage: DbTable,
    report: ImportReport,
    ctx: Context,
    explicit_store: bool,
    sha: str,
) -> Store:
    """The store the file's orders go into. An order is unique by (platform, store, order id), so the same
    orders imported into a second store of the same platform would count twice: without --store they go to
    the store that already holds them; with a --store that differs, the file is refused (nothing changes)."""
    found = await repo.stores_holding(
        session,
        workspace_id,
        mapping.name,
        report.store,
        stage,
        per_store_ids=mapping.name in PER_STORE_ORDER_IDS,
    )
    own = found.pop(report.store, None)
    if found:
        n = sum(c for c, _ in found.values())
        where = ", ".join(f"{name!r} ({c}, e.g. {example})" for name, (c, example) in sorted(found.items()))
        earlier = await repo.earlier_store_of_file(session, workspace_id, sha, mapping.name)
        same_file = f"; the very same file was imported before into {earlier!r}" if earlier else ""
        if not explicit_store and len(found) == 1 and not own:
            (name,) = found
            report.notes.append(
                f"{n} of this file's orders are already in store {name!r}: imported there "
                f"(not into a new store {report.store!r}) so that no order counts twice"
            )
            report.store = name
        else:
            target = f"store {report.store!r}"
            fix: dict[str, str] = {}
            if len(found) == 1 and not own:
                hint = f"import it again with --store {next(iter(found))}, or without --store"
                fix = {"fix": "store_elsewhere", "store": next(iter(found))}
            else:
                if own:
                    where += f" besides {own[0]} in {report.store!r}"
                hint = "the file mixes orders of several stores: split it by store and import each part"
            problem = (
                f"{report.file}: {n} of its orders are already in another {mapping.label} store: "
                f"{where}{same_file}. Importing them into {target} would count them twice, so nothing "
                "was imported"
            )
            raise ImportFileError(f"{problem}; {hint}", problem=problem if fix else None, **fix)
    return await get_or_create_store(
        session,
        workspace_id,
        mapping.name,
        report.store,
        country=ctx.store_country,
        currency=ctx.store_currency,
    )


async def _upsert_identities(
    session: AsyncSession,
    workspace_id: int,
    platform: str,
    buyers: dict[str, Buyer],
    report: ImportReport,
) -> tuple[dict[str, int], list[int]]:
    """Insert new buyers, update changed ones; return ids by key and the identities to (re)merge."""
    existing = await repo.existing_identities(session, workspace_id, platform, sorted(buyers))
    new_rows: list[dict[str, object]] = []
    new_keys: list[str] = []
    changed, seeds = [], []
    ids = {k: r.id for k, r in existing.items()}
    inserted = 0

    async def flush_new() -> None:  # in batches, so a large first import never holds every row at once
        nonlocal inserted
        got = await repo.insert_identities(session, new_rows)
        for key in new_keys:
            ids[key] = got[key[:255]]
            seeds.append(ids[key])
        inserted += len(new_rows)
        new_rows.clear()
        new_keys.clear()

    for key, b in buyers.items():
        _fit_buyer(b)
        email_norm = normalise_email(b.email)
        phone_norm = normalise_phone(b.phone, b.country)
        values = {
            "username": (b.username or None),
            "name": b.name,
            "email": b.email,
            "email_norm": email_norm,
            "phone": b.phone,
            "phone_norm": phone_norm,
            "country": b.country,
            "accepts_marketing": b.accepts_marketing,
        }
        old = existing.get(key)
        if old is None:
            new_rows.append(
                {
                    "workspace_id": workspace_id,
                    "platform": platform,
                    "buyer_key": key[:255],
                    "pinned": False,
                    **values,
                }
            )
            new_keys.append(key)
            if len(new_rows) >= 5000:
                await flush_new()
            continue
        # Never erase known contact details with an empty or masked value from a later export.
        values = {k: (v if v is not None else getattr(old, k)) for k, v in values.items()}
        if any(getattr(old, k) != v for k, v in values.items()):
            changed.append({"_id": old.id, **values})
            if (old.email_norm, old.phone_norm) != (values["email_norm"], values["phone_norm"]):
                seeds.append(old.id)
        if old.customer_id is None:
            seeds.append(old.id)
    await flush_new()
    await repo.update_identities(session, changed)
    report.identities_new = inserted
    return ids, seeds


def _forget_buyers(buyers: dict[str, Buyer], keys: set[str]) -> None:
    for key in keys:
        buyers.pop(key, None)


def _fit_buyer(b: Buyer) -> None:
    """A buyer's details as stored: cleaned, capped or left out (crm.importing.limits)."""
    b.name, b.username = fit(b.name, "buyer name"), fit(b.username, "username")
    b.email, b.phone = fit(b.email, "email"), fit(b.phone, "phone")


def _buyer_map(
    id_by_key: dict[str, int], customer_of_identity: dict[int, int]
) -> list[tuple[str, int, int | None]]:
    """(buyer key as staged, identity id, customer id) of the file's buyers."""
    out: dict[str, tuple[str, int, int | None]] = {}
    for key, ident in id_by_key.items():
        out.setdefault(key[:255], (key[:255], ident, customer_of_identity.get(ident)))
    return list(out.values())


def _describer(
    buyers: dict[str, Buyer], id_by_key: dict[str, int]
) -> Callable[[int], tuple[str | None, str | None]]:
    """Name and country of a buyer identity, for new customers (a reverse map built only when needed)."""
    key_of: dict[int, str] = {}

    def describe(identity_id: int) -> tuple[str | None, str | None]:
        if not key_of:
            key_of.update((v, k) for k, v in id_by_key.items())
        b = buyers.get(key_of.get(identity_id, ""))
        return (b.name or b.username, b.country) if b is not None else (None, None)

    return describe


async def _customers_for(
    session: AsyncSession, identity_ids: list[int], assigned: dict[int, int]
) -> dict[int, int]:
    rows = await repo.identities_by_id(session, [i for i in identity_ids if i not in assigned])
    out = {r[0]: r[1] for r in rows if r[1] is not None}
    out.update(assigned)
    return out


async def _record_consents(
    session: AsyncSession,
    workspace_id: int,
    platform: str,
    buyers: dict[str, Buyer],
    id_by_key: dict[str, int],
    customer_of_identity: dict[int, int],
) -> None:
    wanted: dict[int, bool] = {}
    for key, b in buyers.items():
        if b.accepts_marketing is None:
            continue
        cid = customer_of_identity.get(id_by_key[key])
        if cid is not None:
            wanted[cid] = b.accepts_marketing
    if not wanted:
        return
    current = await repo.latest_consent(session, sorted(wanted))
    changes = [(c, g, f"{platform} import") for c, g in wanted.items() if current.get(c) != g]
    await repo.record_consents(session, workspace_id, changes)


def _finish_log(import_log: ImportLog, report: ImportReport) -> None:
    import_log.status = "done"
    import_log.rows = report.rows
    import_log.orders_new = report.orders_new
    import_log.orders_updated = report.orders_updated
    import_log.orders_unchanged = report.orders_unchanged
    import_log.customers_new = report.customers_new
    import_log.customers_merged = report.customers_merged
    import_log.rows_rejected = len(report.rejected)
    import_log.finished_at = datetime.now(UTC)


async def _import_customers(
    session: AsyncSession,
    workspace_id: int,
    mapping: Platform,
    mapper: RowMapper,
    rows: Iterator[tuple[int, Sequence[object]]],
    total: int | None,
    report: ImportReport,
    settings: ImportSettings,
    sha: str,
    progress: Progress | None,
) -> None:
    import_log = await repo.start_import_log(
        session, workspace_id, report.file, sha, mapping.name, report.store
    )
    report.import_id = import_log.id
    buyers: dict[str, Buyer] = {}
    bad: list[tuple[int, str | None, str]] = []
    n = 0
    is_erased = _erased_check(await erased_repo.suppression(session, workspace_id), mapping.name)
    for line_no, cells in rows:
        n += 1
        if progress and n % 5000 == 0:
            progress(n, total)
        try:
            b = mapper(line_no, cells)
        except ValueProblem as exc:
            bad.append((line_no, None, fit(str(exc), "rejection reason") or "unreadable"))
            continue
        if b is not None:
            if len(b.key) > BUYER_ID or not b.key.isprintable():
                b.key, problem = identifier(b.key, "buyer id")
                if problem or not b.key:
                    bad.append((line_no, None, problem or "neither Customer ID nor Email"))
                    continue
            if is_erased is not None and is_erased(b):
                report.erased_rows += 1
                continue
            buyers[b.key] = b
    report.rows = n - report.erased_rows
    report.rejected = [Rejection(*x) for x in bad]
    id_by_key, seeds = await _upsert_identities(session, workspace_id, mapping.name, buyers, report)
    merge = await resolve_customers(
        session,
        workspace_id,
        seeds,
        describe=_describer(buyers, id_by_key),
        import_id=import_log.id,
    )
    report.customers_new, report.customers_merged, report.merges = (
        merge.customers_new,
        len(merge.merges),
        merge.merges,
    )
    customer_of_identity = await _customers_for(session, list(id_by_key.values()), merge.assigned)
    await _record_consents(session, workspace_id, mapping.name, buyers, id_by_key, customer_of_identity)
    pairs = [
        (customer_of_identity[id_by_key[k]], t)
        for k, b in buyers.items()
        for t in b.tags
        if id_by_key[k] in customer_of_identity
    ]
    await repo.tag_customers(session, workspace_id, pairs, source="import")
    await repo.refresh_customers(session, sorted(set(customer_of_identity.values())))
    await repo.add_rejections(session, import_log.id, bad)
    _finish_log(import_log, report)


async def _import_activity(
    session: AsyncSession,
    workspace_id: int,
    mapping: Platform,
    mapper: RowMapper,
    rows: Iterator[tuple[int, Sequence[object]]],
    report: ImportReport,
    sha: str,
) -> None:
    """Chats, reviews, returns (interactions.csv) or browsing events: attached to known buyers, deduplicated."""
    import_log = await repo.start_import_log(
        session, workspace_id, report.file, sha, mapping.name, report.store
    )
    report.import_id = import_log.id
    items: list[tuple[int, Activity]] = []
    bad: list[tuple[int, str | None, str]] = []
    for line_no, cells in rows:
        report.rows += 1
        try:
            items.append((line_no, mapper(line_no, cells)))
        except ValueProblem as exc:
            bad.append((line_no, None, fit(str(exc), "rejection reason") or "unreadable"))
    owners = await repo.customers_by_buyer(
        session, workspace_id, {(a.platform, a.buyer_key) for _, a in items}
    )
    erased = await erased_repo.suppression(session, workspace_id)
    records = []
    for line_no, a in items:
        owner = owners.get((a.platform, a.buyer_key))
        if owner is None and erased is not None and erased.matches(a.platform, a.buyer_key, None, None):
            report.erased_rows += 1  # an erased buyer's chats and events: skipped, never named in a rejection
            continue
        if owner is None:
            bad.append(
                (
                    line_no,
                    None,
                    fit(
                        f"unknown buyer {a.platform}/{a.buyer_key}: import their orders first",
                        "rejection reason",
                    )
                    or "unknown buyer",
                )
            )
            continue
        records.append((line_no, owner, a))
    # A review, complaint or return naming an order: linked to it (by product, docs/service.md); an order
    # nobody imported is the buyer's mistake or a missing export, said with the line like an unknown buyer.
    orders = await repo.orders_by_number(
        session, workspace_id, {(a.platform, a.order_ref) for _, _, a in records if a.order_ref}
    )
    linked = []
    for line_no, owner, a in records:
        order_id = orders.get((a.platform, a.order_ref)) if a.order_ref else None
        if a.order_ref and order_id is None:
            bad.append(
                (
                    line_no,
                    a.order_ref,
                    fit(f"unknown order {a.platform}/{a.order_ref}: import it first", "rejection reason")
                    or "unknown order",
                )
            )
            continue
        linked.append((owner, a, order_id))
    kept = [(owner, a) for owner, a, _ in linked]
    order_ids = [order_id for _, _, order_id in linked]
    added = await repo.add_activity(session, workspace_id, mapping.kind, kept, order_ids)
    report.orders_new, report.orders_unchanged = added, len(kept) - added  # records added / already there
    bad.sort(key=lambda t: t[0])
    report.rejected = [Rejection(*x) for x in bad]
    await repo.add_rejections(session, import_log.id, bad)
    _finish_log(import_log, report)
    import_log.orders_new = added


# ---------------------------------------------------------------- exchange rates
# Rates a rates file may give (1 unit of a currency in base units): fx_rates.rate is Numeric(24, 12), and a rate
# outside these is a typing mistake (NaN and inf are not rates).
RATE_MIN = 1e-9
RATE_LIMIT = 1e9


async def import_rates(
    db: Database,
    workspace_id: int,
    path: Path,
    *,
    base_currency: str,
    points_per_unit: float = 1.0,
    waiting: Waiting | None = None,
) -> int:
    """Read `currency,rate[,date]` (1 unit of currency = rate units of base) and re-price orders; one after an
    order import that runs (which prices its orders with the rates it read)."""
    table = read_table(Path(path))
    cols = Columns(table.header)
    ci, ri, di = cols.find("currency"), cols.find("rate"), cols.find("date", "valid_from")
    if ci is None or ri is None:
        raise ImportFileError(
            f"{Path(path).name}: a rates file needs the columns currency,rate (optional: date)"
        )
    parsed: list[tuple[str, float, date | None]] = []
    for line_no, cells in table.rows:
        cur = str(cells[ci]).strip().upper() if ci < len(cells) else ""
        try:
            rate = float(str(cells[ri]).strip())
            day = (
                date.fromisoformat(str(cells[di]).strip())
                if di is not None and str(cells[di]).strip()
                else None
            )
        except (ValueError, IndexError):
            raise ImportFileError(
                f"{Path(path).name}, line {line_no}: cannot read the rate or date"
            ) from None
        if len(cur) != 3 or not cur.isalpha() or not cur.isascii() or not RATE_MIN <= rate < RATE_LIMIT:
            raise ImportFileError(
                f"{Path(path).name}, line {line_no}: expected a currency code and a positive rate "
                f"(from {RATE_MIN:.9f} to below {RATE_LIMIT:,.0f})"
            )
        if (
            cur == base_currency and rate != 1
        ):  # rates into another base: imported, they would mislabel amounts
            raise ImportFileError(
                f"{Path(path).name}, line {line_no}: {cur} is the base currency, so its rate is 1, "
                f"not {rate:g}; the rates must be into {base_currency} (1 unit of currency = "
                f"rate {base_currency})"
            )
        parsed.append((cur, rate, day))
    if not parsed:
        raise ImportFileError(f"{Path(path).name}: no rates in the file")
    async with db.sessions() as session:
        await _one_import_at_a_time(session, workspace_id, waiting)
        await repo.save_rates(session, workspace_id, parsed)
        rates = await repo.load_rates(session, workspace_id)
        rates.setdefault(base_currency, [(None, 1.0)])

        for cur in {c for c, _, _ in parsed}:
            periods = _rate_periods(rates[cur])
            await repo.reprice_orders(session, workspace_id, cur, periods)
        await refresh_order_stats(session, workspace_id=workspace_id, values_only=True)
        await repo.post_loyalty(session, workspace_id, points_per_unit)
        await session.commit()
    return len(parsed)
