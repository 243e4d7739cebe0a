"""The scheduler: APScheduler 3 with a persistent job store in the app's database, and the jobs it runs.

Jobs (deterministic ids, small arguments, each opens its own database session):
- `reminder:<id>` one-off at the reminder's due time (DateTrigger);
- `churn-scan:<workspace>` daily at `scheduler.churn_scan_hour` local time: churn and KPI alerts;
- `service-scan:<workspace>` every hour: service-recovery alerts (a valuable customer's low rating or
  complaint), each sent once;
- `digest-weekly:<workspace>` on `weekly_digest_weekday` and `digest-monthly:<workspace>` on the 1st;
- `reminders-sync` every minute: pending reminders that have no job yet (created by another process, e.g. a
  bot replica when `sellermate worker` runs the jobs) get one. The reminders table is the source of truth.

Misfires: every job has `coalesce=True`. Reminder jobs run however late they are (APScheduler's
misfire_grace_time=None) and decide themselves, against the reminder's due time in the database: within
`scheduler.misfire_grace_seconds` they fire (marked late when more than LATE_AFTER late), beyond it the
reminder is marked missed and the user is told. Digests also run once however late (a week's digest is
never lost; records stop a second copy). The daily scan uses the grace period: a missed scan is simply
done the next day.

APScheduler 3's SQLAlchemyJobStore is synchronous. So that its queries never block the event loop (with
SQLite, a write would otherwise wait on an import's transaction while holding the loop), the scheduler
processes due jobs in one background I/O thread and hands the job coroutines to the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.executors.base import run_coroutine_job
from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import datetime_to_utc_timestamp
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from bot.i18n import I18n
from bot.sender import Sender
from bot.settings import Settings
from storage.db import Database
from storage.repositories import reminders as reminders_repo
from storage.repositories.reminders import JOBS_TABLE, job_id

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=2)  # fired later than this after its due time = "late" (the bot was down)
SYNC_SECONDS = 60
SYNC_JOB = "reminders-sync"
SERVICE_SCAN_MINUTE = 20  # past every hour: the service-recovery scan

_active: SchedulerService | None = None


def _same_trigger(a: Any, b: Any) -> bool:
    """Same schedule: str() shows a cron trigger's fields but not its time zone."""
    return str(a) == str(b) and str(getattr(a, "timezone", None)) == str(getattr(b, "timezone", None))


def sync_database_url(url: str) -> str:
    """The synchronous twin of the app's async URL, for APScheduler's job store (same database)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ValueError(
                "the scheduler needs a database file or server; an in-memory SQLite cannot be shared"
            )
        parsed = parsed.set(drivername="sqlite")
    elif backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    else:
        raise ValueError(f"database {backend!r} is not supported")
    return parsed.render_as_string(hide_password=False)


def create_jobstore_engine(async_url: str) -> Engine:
    url = sync_database_url(async_url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


# --- jobs: module-level coroutines (the job store keeps a reference to them, plus small ids) -----------------
def _service() -> SchedulerService:
    if _active is None:
        raise RuntimeError("no SellerMate scheduler is running in this process")
    return _active


async def run_reminder(reminder_id: int) -> str:
    return await _service().fire_reminder(reminder_id)


async def run_churn_scan(workspace_id: int) -> int:
    from bot import alert_jobs

    return await alert_jobs.churn_scan(_service(), workspace_id)


async def run_service_scan(workspace_id: int) -> int:
    from bot import alert_jobs

    return await alert_jobs.service_scan(_service(), workspace_id)


async def run_weekly_digest(workspace_id: int) -> int:
    from bot import alert_jobs

    return await alert_jobs.send_digest(_service(), workspace_id, "weekly")


async def run_monthly_review(workspace_id: int) -> int:
    from bot import alert_jobs

    return await alert_jobs.send_digest(_service(), workspace_id, "monthly")


async def run_loyalty_expiry(workspace_id: int) -> int:
    """The daily loyalty expiry: `expire` ledger rows, oldest points first (idempotent; crm/loyalty.py)."""
    service = _service()
    return await expire_points(service.db, service.settings, workspace_id, service.clock())


async def expire_points(db: Database, settings: Settings, workspace_id: int, now: datetime) -> int:
    """Write the points due to expire as of `now` and record the run in the audit trail; returns points."""
    from crm import loyalty
    from storage.repositories import audit

    ws = settings.workspace
    if not ws.loyalty_expiry_days:
        return 0
    async with db.sessions() as session:
        customers, points = await loyalty.expire_due(
            session, workspace_id, expiry_days=ws.loyalty_expiry_days, tz=ws.timezone, now=now
        )
        if points:
            await audit.record(
                session,
                workspace_id,
                "ran",
                actor="scheduler",
                subject="loyalty-expiry",
                detail={"customers": customers, "points": points},
            )
        await session.commit()
    return points


async def run_automation(workspace_id: int) -> int:
    """The daily run of the retention rules (every trigger, the time-based ones included)."""
    from crm.automation.engine import evaluate

    service = _service()
    done = await evaluate(
        service.db,
        workspace_id,
        cfg=service.settings.automation,
        settings=service.settings,
        as_of=service.clock(),
        actor="scheduler",
    )
    return sum(done.fired.values())


async def run_reminder_sync() -> int:
    return await _service().sync_reminders()


# --- APScheduler, with its job-store I/O off the event loop ---------------------------------------------------
# What is customised, and through what. Public API where APScheduler 3 has one: the job store and executor are
# passed in (`jobstores=`, `executors=`), job bookkeeping is a listener (`add_listener`), the job store's table
# is created through the store's own `start()`/`jobs_t`. Where it has none, the smallest override:
# - _LoopExecutor._do_submit_job: the one method an executor implements (BaseExecutor's abstract method); it
#   reports through BaseExecutor's `_run_job_success`/`_run_job_error` as APScheduler's own executors do, and
#   keeps AsyncIOExecutor's `_pending_futures` so that its shutdown() still cancels what runs.
# - _Scheduler: where the due jobs are read is not configurable (AsyncIOScheduler reads the job store on the
#   event loop). A scheduler subclass overrides wakeup(), the documented "jobs may be due" entry point, and runs
#   `_process_jobs()` (which returns the seconds until the next job) in the I/O thread; `_start_timer`/
#   `_stop_timer` are AsyncIOScheduler's own timer, reused rather than copied.
# - SchedulerService._bulk_add writes thousands of reminder jobs in one INSERT in the store's own row format
#   (the pickled Job state its add_job writes): add_job commits once per job, and there is no bulk API.
# APScheduler 4's data stores are asynchronous, which would make the I/O thread and the first two unnecessary.
JOBSTORE = "default"  # the one job store (and executor) alias


class _LoopExecutor(AsyncIOExecutor):
    """Runs coroutine jobs on the event loop while jobs are submitted from the scheduler's I/O thread."""

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        def done(f: Any) -> None:
            self._pending_futures.discard(f)
            try:
                events = f.result()
            except BaseException:  # noqa: BLE001 - reported through the scheduler, as APScheduler does
                self._run_job_error(job.id, *sys.exc_info()[1:])
            else:
                self._run_job_success(job.id, events)

        coro = run_coroutine_job(job, JOBSTORE, run_times, self._logger.name)
        future = asyncio.run_coroutine_threadsafe(coro, self._eventloop)
        future.add_done_callback(done)
        self._pending_futures.add(future)


def _log_failure(what: str) -> Callable[[Any], None]:
    def check(future: Any) -> None:
        if future.exception() is not None:
            log.error("%s failed", what, exc_info=future.exception())

    return check


class _JobStore(SQLAlchemyJobStore):
    """The SQLAlchemy job store, minus the CREATE TABLE its start() runs on the calling thread: the service
    creates the table in the I/O thread instead (on SQLite a DDL on the event loop could wait for a write
    transaction that itself waits for the loop)."""

    def start(self, scheduler: Any, alias: str) -> None:
        BaseJobStore.start(self, scheduler, alias)

    def create_table(self) -> None:
        self.jobs_t.create(self.engine, checkfirst=True)


class _Scheduler(AsyncIOScheduler):
    """AsyncIOScheduler whose job processing (synchronous job-store queries) runs in one I/O thread."""

    def __init__(self, io: ThreadPoolExecutor, **options: Any) -> None:
        self._io = io
        self.processing = False  # a round of _process_jobs is under way in the I/O thread
        self._again = False
        self.rounds = 0  # rounds done: run_due waits for the next one
        super().__init__(**options)

    def wakeup(self) -> None:  # any thread
        loop = self._eventloop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._process_soon)

    def _process_soon(self) -> None:  # event loop
        if self._eventloop is None:
            return
        self._stop_timer()
        if self.processing:
            self._again = True
            return
        self.processing = True
        self._eventloop.run_in_executor(self._io, self._process_jobs).add_done_callback(self._processed)

    def _processed(self, future: Any) -> None:  # event loop
        self.processing = False
        self.rounds += 1
        try:
            wait_seconds = future.result()
        except Exception:  # a database hiccup: look again soon rather than stall
            log.exception("processing scheduled jobs failed")
            wait_seconds = float(self.jobstore_retry_interval)
        if self._eventloop is None:
            return
        if self._again:
            self._again = False
            self._process_soon()
        else:
            self._start_timer(wait_seconds)


class SchedulerService:
    """The one scheduler of a process: `start()`/`shutdown()` from the bot's hooks, or `sellermate worker`.

    With `run_jobs=False` (several bot replicas) nothing runs here: reminders are only written to the
    database, and the worker process picks them up within a minute.
    """

    def __init__(
        self,
        settings: Settings,
        db: Database,
        bot: Bot | None = None,
        *,
        workspace_id: int | None = None,
        clock: Callable[[], datetime] | None = None,
        sender: Sender | None = None,
        run_jobs: bool = True,
        jobs_table: str = JOBS_TABLE,
    ) -> None:
        self.settings = settings
        self.rules = settings.scheduler
        self.db = db
        self.bot = bot
        self.workspace_ids = [workspace_id] if workspace_id is not None else []
        self.clock = clock or (lambda: datetime.now(UTC))
        self.sender = (
            sender
            if sender is not None
            else (
                Sender.from_settings(bot, settings.scheduler, on_chat_moved=self._chat_moved)
                if bot is not None
                else None
            )
        )
        self.run_jobs = run_jobs
        self.jobs_table = jobs_table
        self.grace = timedelta(seconds=settings.scheduler.misfire_grace_seconds)
        self._scheduler: _Scheduler | None = None
        self._io: ThreadPoolExecutor | None = None
        self._engine: Engine | None = None
        self._jobstore: _JobStore | None = None
        self._counts = threading.Lock()
        self._submitted = 0
        self._finished = 0
        self._ready: asyncio.Task[None] | None = None

    # --- life cycle ---------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def _url(self) -> str:
        return self.db.engine.url.render_as_string(hide_password=False)

    def start(self) -> None:
        """Start in the running event loop (the bot's startup hook); a no-op when jobs run elsewhere."""
        global _active
        if not self.run_jobs or self.running:
            return
        if self.sender is None:
            raise RuntimeError("the scheduler needs a Bot to send messages")
        self._io = ThreadPoolExecutor(1, thread_name_prefix="sellermate-jobstore")
        self._engine = create_jobstore_engine(self._url())
        self._jobstore = _JobStore(engine=self._engine, tablename=self.jobs_table)
        # Queued first on the single I/O thread, so it runs before the scheduler's first look at the table.
        self._io.submit(self._jobstore.create_table).add_done_callback(_log_failure("creating the job table"))
        scheduler = _Scheduler(
            self._io,
            jobstores={JOBSTORE: self._jobstore},
            executors={JOBSTORE: _LoopExecutor()},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )
        scheduler.add_listener(
            self._count, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED
        )
        self._scheduler = scheduler
        _active = self
        scheduler.start()
        self._ready = asyncio.get_running_loop().create_task(self._after_start())
        log.info(
            "scheduler started (job store in %s)", make_url(self._url()).render_as_string(hide_password=True)
        )

    async def started(self) -> None:
        """Wait until the start-up work (recurring jobs, the first reminder sync) is done."""
        if self._ready is not None:
            await self._ready

    async def _after_start(self) -> None:
        await self._in_io(self._ensure_recurring_jobs)
        await self.sync_reminders()

    def shutdown(self, wait: bool = False) -> None:
        """Stop at once (the bot's shutdown hook); `await stop()` lets running jobs finish first."""
        global _active
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if _active is self:
            _active = None

    async def stop(self, timeout: float = 10.0) -> None:
        """Pause, let running jobs finish (up to `timeout` seconds), then shut down and release the job store."""
        scheduler = self._scheduler
        if scheduler is None:
            return
        if self._ready is not None:
            try:
                await self._ready
            except Exception:
                log.exception("scheduler start-up work failed")
            self._ready = None
        if scheduler.running:
            scheduler.pause()
            try:
                await asyncio.wait_for(self._until_idle(), timeout)
            except TimeoutError:
                log.warning(
                    "scheduler stopped with jobs still running; they will be retried on the next start"
                )
        self.shutdown()
        while scheduler.running:  # AsyncIOScheduler shuts down on the next loop iteration
            await asyncio.sleep(0)
        if self._io is not None:
            self._io.shutdown(wait=True)
        self._scheduler = None

    # --- bookkeeping for tests and graceful stops ------------------------------------------------------------
    def _count(self, event: JobEvent) -> None:
        with self._counts:
            if event.code == EVENT_JOB_SUBMITTED:
                self._submitted += 1
            else:
                self._finished += 1

    async def _until_idle(self) -> None:
        while True:
            with self._counts:
                if self._finished >= self._submitted:
                    return
            await asyncio.sleep(0.002)

    async def run_due(self) -> None:
        """Process the jobs due now (by the clock APScheduler sees) and wait until they have finished.

        The timer does this by itself; tests and `sellermate worker --once` call it after moving the clock.
        """
        scheduler = self._require()
        await self.started()
        target = scheduler.rounds + (2 if scheduler.processing else 1)
        scheduler.wakeup()
        while scheduler.rounds < target:
            await asyncio.sleep(0.001)
        await self._until_idle()

    def _require(self) -> _Scheduler:
        if self._scheduler is None or not self._scheduler.running:
            raise RuntimeError("the scheduler is not running")
        return self._scheduler

    async def _in_io(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        assert self._io is not None
        return await asyncio.get_running_loop().run_in_executor(self._io, partial(fn, *args, **kwargs))

    async def service_scan_now(self, workspace_id: int) -> int:
        """The service-recovery scan at once, after an import of interactions (when this process runs the jobs;
        otherwise the worker's hourly scan sends the alerts). Messages sent."""
        if not self.running or self.sender is None:
            return 0
        from bot import alert_jobs

        return await alert_jobs.service_scan(self, workspace_id)

    # --- recurring jobs ---------------------------------------------------------------------------------------
    def recurring_jobs(self, workspace_id: int) -> list[dict[str, Any]]:
        """The per-workspace jobs and their triggers in the workspace's time zone."""
        tz = ZoneInfo(self.settings.workspace.timezone)
        hour = self.rules.churn_scan_hour
        weekday = self.rules.weekly_digest_weekday
        return [
            {
                "id": f"churn-scan:{workspace_id}",
                "func": run_churn_scan,
                "args": [workspace_id],
                "trigger": CronTrigger(hour=hour, minute=0, timezone=tz),
                "misfire_grace_time": self.rules.misfire_grace_seconds,
            },
            {
                "id": f"automation:{workspace_id}",
                "func": run_automation,
                "args": [workspace_id],
                "trigger": CronTrigger(hour=hour, minute=0, timezone=tz),
                "misfire_grace_time": self.rules.misfire_grace_seconds,
            },
            {
                # Low ratings and complaints of valuable customers: checked every hour (and after each
                # import of interactions), each alerted once.
                "id": f"service-scan:{workspace_id}",
                "func": run_service_scan,
                "args": [workspace_id],
                "trigger": CronTrigger(minute=SERVICE_SCAN_MINUTE, timezone=tz),
                "misfire_grace_time": self.rules.misfire_grace_seconds,
            },
            {
                "id": f"digest-weekly:{workspace_id}",
                "func": run_weekly_digest,
                "args": [workspace_id],
                "trigger": CronTrigger(day_of_week=weekday, hour=hour, minute=0, timezone=tz),
                "misfire_grace_time": None,
            },
            {
                "id": f"digest-monthly:{workspace_id}",
                "func": run_monthly_review,
                "args": [workspace_id],
                "trigger": CronTrigger(day=1, hour=hour, minute=0, timezone=tz),
                "misfire_grace_time": None,
            },
            {  # just after midnight, so the card and drafts of the day read what is left (idempotent)
                "id": f"loyalty-expiry:{workspace_id}",
                "func": run_loyalty_expiry,
                "args": [workspace_id],
                "trigger": CronTrigger(hour=0, minute=5, timezone=tz),
                "misfire_grace_time": None,
            },
        ]

    async def refresh_recurring_jobs(self) -> None:
        """Re-place the recurring jobs after a setting they follow changed (the workspace's time zone)."""
        if self.running:
            await self._in_io(self._ensure_recurring_jobs)

    def _ensure_recurring_jobs(self) -> None:  # I/O thread
        scheduler = self._require()
        scheduler.add_job(
            run_reminder_sync,
            IntervalTrigger(seconds=SYNC_SECONDS),
            id=SYNC_JOB,
            replace_existing=True,
            misfire_grace_time=None,
        )
        for workspace_id in self.workspace_ids:
            for spec in self.recurring_jobs(workspace_id):
                existing = scheduler.get_job(spec["id"])
                # An unchanged job is left alone, so a run missed while the bot was down still happens.
                if (
                    existing is not None
                    and _same_trigger(existing.trigger, spec["trigger"])
                    and existing.misfire_grace_time == spec["misfire_grace_time"]
                ):
                    continue
                scheduler.add_job(
                    spec["func"],
                    spec["trigger"],
                    id=spec["id"],
                    args=spec["args"],
                    replace_existing=True,
                    misfire_grace_time=spec["misfire_grace_time"],
                )

    async def job_ids(self) -> list[str]:
        jobs = await self._in_io(self._require().get_jobs)
        return [job.id for job in jobs]

    async def next_run_time(self, job_id_: str) -> datetime | None:
        job = await self._in_io(self._require().get_job, job_id_)
        return job.next_run_time if job is not None else None

    # --- reminders --------------------------------------------------------------------------------------------
    def _reminder_job(self, reminder_id: int, due_at: datetime) -> dict[str, Any]:
        return {
            "func": run_reminder,
            "trigger": DateTrigger(run_date=due_at, timezone=UTC),
            "args": [reminder_id],
            "id": job_id(reminder_id),
            "name": job_id(reminder_id),
            "misfire_grace_time": None,
            "coalesce": True,
            "max_instances": 1,
        }

    async def schedule_reminder(self, reminder_id: int, due_at: datetime) -> None:
        """(Re)schedule a reminder's job; without a local scheduler, leave it to the worker's sync."""
        if self.running:
            spec = self._reminder_job(reminder_id, due_at)
            await self._in_io(
                self._require().add_job, spec.pop("func"), spec.pop("trigger"), replace_existing=True, **spec
            )
            return
        await self._drop_job_row(reminder_id)

    async def cancel_reminder(self, reminder_id: int) -> None:
        if self.running:
            with contextlib.suppress(JobLookupError):
                await self._in_io(self._require().remove_job, job_id(reminder_id))
            return
        await self._drop_job_row(reminder_id)

    async def _drop_job_row(self, reminder_id: int) -> None:
        from sqlalchemy.exc import DBAPIError

        async with self.db.sessions() as session:
            try:
                await reminders_repo.delete_job_row(session, reminder_id, table=self.jobs_table)
                await session.commit()
            except DBAPIError:  # no job table yet: the worker has never run, nothing to drop
                await session.rollback()

    async def sync_reminders(self, batch: int = 5000) -> int:
        """Give every pending reminder without a job one, in bulk (the reminders table is the truth)."""
        if not self.running:
            return 0
        total = 0
        while True:
            async with self.db.sessions() as session:
                missing = await reminders_repo.unscheduled_pending(
                    session, table=self.jobs_table, limit=batch
                )
            if not missing:
                break
            total += await self._in_io(self._bulk_add, missing)
            if len(missing) < batch:
                break
        if total:
            log.info("scheduled %s pending reminders that had no job", total)
            self._require().wakeup()
        return total

    def _bulk_add(self, items: list[tuple[int, datetime]]) -> int:  # I/O thread
        """Insert many reminder jobs in one transaction (the store's own add_job commits once per job)."""
        scheduler = self._require()
        store = self._jobstore
        assert store is not None
        rows = []
        for reminder_id, due_at in items:
            spec = self._reminder_job(reminder_id, due_at)
            job = Job(
                scheduler,
                id=spec["id"],
                name=spec["name"],
                func=spec["func"],
                args=spec["args"],
                kwargs={},
                trigger=spec["trigger"],
                executor=JOBSTORE,
                misfire_grace_time=None,
                coalesce=True,
                max_instances=1,
                next_run_time=due_at,
            )
            rows.append(
                {
                    "id": job.id,
                    "next_run_time": datetime_to_utc_timestamp(due_at),
                    "job_state": pickle.dumps(job.__getstate__(), store.pickle_protocol),
                }
            )
        table = store.jobs_t
        assert self._engine is not None
        if self._engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        with self._engine.begin() as conn:
            for start in range(0, len(rows), 1000):
                conn.execute(
                    insert(table).on_conflict_do_nothing(index_elements=["id"]), rows[start : start + 1000]
                )
        return len(rows)

    async def fire_reminder(self, reminder_id: int) -> str:
        """Send a due reminder once: fired (maybe late), reported missed, or skipped when no longer pending."""
        from bot.notifications import reminder_message

        assert self.sender is not None
        now = self.clock()
        async with self.db.sessions() as session:
            view = await reminders_repo.reminder_view(session, reminder_id)
            if view is None or view.reminder.status != "pending":
                return "skipped"
            reminder = view.reminder
            if reminder.due_at > now + timedelta(seconds=1):  # moved later by another process: follow it
                await self.schedule_reminder(reminder_id, reminder.due_at)
                return "rescheduled"
            lateness = now - reminder.due_at
            missed = lateness > self.grace
            if missed:
                claimed = await reminders_repo.claim_missed(session, reminder_id, at=now, due_before=now)
            else:
                claimed = await reminders_repo.claim_fire(
                    session, reminder_id, fired_at=now, late=lateness > LATE_AFTER, due_before=now
                )
            await session.commit()
            if not claimed:
                return "skipped"
            await session.refresh(reminder)
        i18n = I18n(view.member_language or self.settings.language)
        text, markup = reminder_message(reminder, view.customer_name, i18n, now=now, missed=missed)
        try:
            result = await self.sender.send_message(reminder.chat_id, text, reply_markup=markup)
        except asyncio.CancelledError:
            await asyncio.shield(self._release(reminder_id))
            raise
        if not result.ok and not result.permanent:
            await self._release(reminder_id)  # the sync job schedules it again
            return "retry"
        if not result.ok:
            log.warning(
                "reminder %s could not be delivered to chat %s: %s",
                reminder_id,
                reminder.chat_id,
                result.error,
            )
        return "missed" if missed else ("late" if reminder.late else "fired")

    async def _release(self, reminder_id: int) -> None:
        async with self.db.sessions() as session:
            await reminders_repo.release(session, reminder_id)
            await session.commit()

    async def _chat_moved(self, old_chat_id: int, new_chat_id: int) -> None:
        from storage.repositories.alerts import move_group

        async with self.db.sessions() as session:
            await move_group(session, old_chat_id, new_chat_id)
            await session.commit()


def build_scheduler(
    settings: Settings | Any,
    db: Database | None = None,
    bot: Bot | None = None,
    *,
    workspace_id: int | None = None,
    clock: Callable[[], datetime] | None = None,
    worker: bool = False,
) -> SchedulerService:
    """The process's scheduler. In `sellermate run` jobs run here unless `scheduler.run_in_bot` is false;
    `sellermate worker` passes worker=True. Also accepts an AppContext as the first argument."""
    if db is None and hasattr(settings, "db"):  # build_scheduler(ctx[, bot])
        ctx = settings
        settings, db = ctx.settings, ctx.db
        workspace_id = workspace_id if workspace_id is not None else ctx.workspace_id
    assert db is not None
    run_jobs = worker or settings.scheduler.run_in_bot
    return SchedulerService(settings, db, bot, workspace_id=workspace_id, clock=clock, run_jobs=run_jobs)
