"""Scheduled alert jobs: the daily churn/KPI scan and the weekly/monthly digests, delivered through the Sender.

Where alerts go: every bound group with the matching switch on (/alerts in the group); when no group is bound
at all, the workspace owners in private. An alert is recorded (alert_records) only once it was delivered, so
a failed delivery is simply tried again by the next scan; records drive the cool-down and stop a digest
from going out twice for the same period.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from bot.i18n import I18n
from bot.notifications import (
    churn_alert_message,
    digest_message,
    kpi_alert_message,
    service_alert_message,
    stale_line,
)
from crm.query.result import ChartSpec
from crm.scheduling import rules
from crm.scheduling.service_alerts import due_service_alerts
from storage.repositories import alerts as alerts_repo
from storage.repositories import analytics as analytics_repo
from storage.repositories.currency import base_currency
from storage.repositories.team import TeamRepository

if TYPE_CHECKING:
    from bot.scheduler import SchedulerService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    group_id: int | None
    language: str


async def recipients(session: Any, workspace_id: int, flag: str) -> list[Recipient]:
    groups = await alerts_repo.groups_with(session, workspace_id, flag)
    if groups:
        return [Recipient(g.chat_id, g.id, g.language) for g in groups]
    if await TeamRepository(session).groups(workspace_id):
        return []  # groups are bound, and none of them wants this
    return [
        Recipient(m.telegram_user_id, None, m.language)
        for m in await alerts_repo.owners(session, workspace_id)
    ]


async def churn_scan(service: SchedulerService, workspace_id: int) -> int:
    """The daily scan: customers slipping away and KPI breaches not alerted within the cool-down, with a
    stale-data warning when the newest order is old. Returns messages sent.

    The churn message names the `alert_max_lines` customers with the highest value at risk (only they are
    recorded as alerted, so the rest come up again in the next scans); its "show more" button pages through
    the others. The stale-data line goes into the scan's first message; with nothing to alert it is sent on
    its own, unless that chat was already told about the same newest-order date.
    """
    settings = service.settings
    tz = ZoneInfo(settings.workspace.timezone)
    now = service.clock().astimezone(tz)
    cfg = service.rules
    async with service.db.sessions() as session:
        to = await recipients(session, workspace_id, "alerts_enabled")
        if not to:
            return 0
        # The amounts' currency as stored now: another process (the bot's /currency) may have changed it.
        currency = await base_currency(session, workspace_id) or settings.workspace.base_currency
        review = await rules.churn_review(session, workspace_id, cfg, now, tz)
        churn = await rules.due_churn_alerts(session, workspace_id, cfg, now, tz, review=review)
        kpis = await rules.due_kpi_alerts(session, workspace_id, cfg, now)
        stale = await rules.stale_since(session, workspace_id, cfg, now, tz)
        shown = churn[: cfg.alert_max_lines]
        names = await alerts_repo.customer_names(session, [c.customer_id for c in shown])
        origins = await analytics_repo.customer_origins(session, [c.customer_id for c in shown])
        if not churn and not kpis:
            if stale is None:
                return 0
            warned = await alerts_repo.delivered_chats(session, workspace_id, "stale", stale.isoformat())
            to = [r for r in to if r.chat_id not in warned]
            if not to:
                return 0
    assert service.sender is not None

    async def deliver(r: Recipient) -> list[dict[str, Any]]:
        i18n = I18n(r.language)
        records: list[dict[str, Any]] = []
        told_in: int | None = None  # the chat that got the stale-data line (in the scan's first message)
        if churn:
            text, markup = churn_alert_message(
                churn,
                names,
                i18n,
                currency,
                origins=origins,
                scan_at=now,
                limit=cfg.alert_max_lines,
                long_lost=len(review.long_lost),
                long_lost_days=cfg.churn_long_lost_days,
                stale=stale,
            )
            result = await service.sender.send_message(r.chat_id, text, reply_markup=markup)
            if result.ok:
                told_in = result.chat_id
                records += [
                    {
                        "kind": "churn",
                        "subject": c.subject,
                        "customer_id": c.customer_id,
                        "group": r,
                        "detail": {
                            "chat_id": result.chat_id,
                            "message_id": result.message_id,
                            "segment": c.segment,
                            "days_inactive": c.days_inactive,
                            "p_alive": c.p_alive,
                            "reasons": list(c.reasons),
                            "value_at_risk": round(c.value_at_risk, 2),
                        },
                    }
                    for c in shown
                ]
        if kpis:
            text = kpi_alert_message(kpis, i18n, currency)
            if stale is not None and told_in is None:
                text += "\n" + stale_line(stale, i18n, now.date())
            result = await service.sender.send_message(r.chat_id, text)
            if result.ok:
                told_in = told_in if told_in is not None else result.chat_id
                records += [
                    {
                        "kind": "kpi",
                        "subject": k.subject,
                        "customer_id": None,
                        "group": r,
                        "detail": {
                            "chat_id": result.chat_id,
                            "value": k.value,
                            "threshold": k.threshold,
                            "direction": k.direction,
                        },
                    }
                    for k in kpis
                ]
        alone = not churn and not kpis
        if stale is not None and alone:
            result = await service.sender.send_message(r.chat_id, stale_line(stale, i18n, now.date()))
            if result.ok:
                told_in = result.chat_id
        if stale is not None and told_in is not None:
            records.append(
                {
                    "kind": "stale",
                    "subject": stale.isoformat(),
                    "customer_id": None,
                    "group": r,
                    "detail": {"chat_id": told_in, "alone": alone},
                }
            )
        return records

    delivered = [rec for batch in await asyncio.gather(*(deliver(r) for r in to)) for rec in batch]
    async with service.db.sessions() as session:
        for rec in delivered:
            await alerts_repo.record_alert(
                session,
                workspace_id=workspace_id,
                kind=rec["kind"],
                subject=rec["subject"],
                sent_at=now,
                group_chat_id=rec["group"].group_id,
                customer_id=rec["customer_id"],
                detail=rec["detail"],
            )
        await session.commit()
    return len(
        {
            (rec["group"].chat_id, rec["kind"])
            for rec in delivered
            if rec["kind"] != "stale" or rec["detail"]["alone"]
        }
    )


async def service_scan(service: SchedulerService, workspace_id: int) -> int:
    """Service-recovery alerts (crm/scheduling/service_alerts.py): one message per low rating or complaint of a
    valuable customer, to the groups with alerts on. Each is recorded once delivered (kind "service", subject
    "interaction:<id>"), so none is sent twice, across restarts too; one scan at a time per scheduler (the hourly
    job and the one after an import), so the second sees what the first recorded. Returns messages sent."""
    lock = service.__dict__.setdefault("_service_scan_lock", asyncio.Lock())
    async with lock:
        return await _service_scan(service, workspace_id)


async def _service_scan(service: SchedulerService, workspace_id: int) -> int:
    settings = service.settings
    tz = ZoneInfo(settings.workspace.timezone)
    now = service.clock().astimezone(tz)
    async with service.db.sessions() as session:
        to = await recipients(session, workspace_id, "alerts_enabled")
        if not to:
            return 0
        due = await due_service_alerts(session, workspace_id, now, tz)
        if not due:
            return 0
        names = await alerts_repo.customer_names(session, [a.customer_id for a in due])
        currency = await base_currency(session, workspace_id) or settings.workspace.base_currency
    assert service.sender is not None

    async def deliver(r: Recipient) -> list[dict[str, Any]]:
        i18n = I18n(r.language)
        records = []
        for alert in due:
            text, markup = service_alert_message(
                alert, names.get(alert.customer_id), i18n, currency, settings.workspace.timezone
            )
            result = await service.sender.send_message(r.chat_id, text, reply_markup=markup)
            if result.ok:
                records.append(
                    {
                        "alert": alert,
                        "group": r,
                        "detail": {
                            "chat_id": result.chat_id,
                            "message_id": result.message_id,
                            "kind": alert.kind,
                            "rating": alert.rating,
                            "why": alert.why,
                        },
                    }
                )
        return records

    delivered = [rec for batch in await asyncio.gather(*(deliver(r) for r in to)) for rec in batch]
    async with service.db.sessions() as session:
        for rec in delivered:
            await alerts_repo.record_alert(
                session,
                workspace_id=workspace_id,
                kind="service",
                subject=rec["alert"].subject,
                sent_at=now,
                group_chat_id=rec["group"].group_id,
                customer_id=rec["alert"].customer_id,
                detail=rec["detail"],
            )
        await session.commit()
    return len(delivered)


async def churn_page(
    db: Any, settings: Any, workspace_id: int, scan_epoch: int, offset: int, i18n: I18n
) -> tuple[str, Any] | None:
    """The next page of a churn alert ("show more"), derived again from the data as of the scan that sent it:
    the same ranking, without the customers alerted in the cool-down before that scan. None when nothing is
    left from `offset` on (the data changed since)."""
    tz = ZoneInfo(settings.workspace.timezone)
    scan_at = datetime.fromtimestamp(scan_epoch, UTC).astimezone(tz)
    cfg = settings.scheduler
    async with db.sessions() as session:
        review = await rules.churn_review(session, workspace_id, cfg, scan_at, tz)
        churn = await rules.due_churn_alerts(
            session, workspace_id, cfg, scan_at, tz, review=review, before=scan_at
        )
        page = churn[offset : offset + cfg.alert_max_lines]
        if not page:
            return None
        names = await alerts_repo.customer_names(session, [c.customer_id for c in page])
        origins = await analytics_repo.customer_origins(session, [c.customer_id for c in page])
        currency = await base_currency(session, workspace_id) or settings.workspace.base_currency
    return churn_alert_message(
        churn,
        names,
        i18n,
        currency,
        origins=origins,
        scan_at=scan_at,
        limit=cfg.alert_max_lines,
        offset=offset,
    )


def localise_chart(chart: ChartSpec, i18n: I18n, kind: str, currency: str) -> ChartSpec:
    """The digest's chart in the reader's language, its title with the currency of the amounts drawn."""
    period = "weekly" if kind == "weekly" else "monthly"
    names = (i18n(f"alerts.chart_{period}_this"), i18n(f"alerts.chart_{period}_last"))
    series = dict(zip(names, chart.series.values(), strict=False))
    title = i18n("alerts.digest_chart_title", title=i18n("alerts.digest_chart"), currency=currency)
    return chart.model_copy(update={"title": title, "series": series, "y_label": currency})


def _png(chart: ChartSpec) -> bytes | None:
    from bot.render import chart_png

    return chart_png(chart)


async def send_digest(
    service: SchedulerService, workspace_id: int, kind: Literal["weekly", "monthly"]
) -> int:
    """The weekly digest or monthly review for the last complete period, once per period and chat."""
    settings = service.settings
    now = service.clock()
    tz = ZoneInfo(settings.workspace.timezone)
    record_kind = f"digest_{kind}"
    label = (rules.last_week if kind == "weekly" else rules.last_month)(now, tz)[0]
    async with service.db.sessions() as session:
        to = await recipients(
            session, workspace_id, "weekly_digest" if kind == "weekly" else "monthly_review"
        )
        done = await alerts_repo.delivered_chats(session, workspace_id, record_kind, label)
        to = [r for r in to if r.chat_id not in done]
        if not to:
            return 0
        digest = await rules.build_digest(session, workspace_id, kind, now, tz)
        review = await rules.churn_review(session, workspace_id, service.rules, now, tz)
        stale = await rules.stale_since(session, workspace_id, service.rules, now, tz)
        currency = await base_currency(session, workspace_id) or settings.workspace.base_currency
    digest = dataclasses.replace(
        digest, at_risk=len(review.slipping), long_lost=len(review.long_lost), newest_order=stale
    )
    assert service.sender is not None
    charts: dict[str, bytes | None] = {}

    async def deliver(r: Recipient) -> Recipient | None:
        i18n = I18n(r.language)
        text = digest_message(digest, i18n, currency, long_lost_days=service.rules.churn_long_lost_days)
        result = await service.sender.send_message(r.chat_id, text)
        if not result.ok:
            return None
        if not digest.has_orders:
            return dataclasses.replace(r, chat_id=result.chat_id)  # the text says so; no chart of zeros
        if i18n.language not in charts:
            # pyplot is not thread-safe: drawn on the loop (rare, ~0.2 s), like every other chart
            charts[i18n.language] = _png(localise_chart(digest.chart, i18n, kind, currency))
        png = charts[i18n.language]
        if png:
            await service.sender.send_photo(result.chat_id, png, caption=i18n("alerts.digest_chart"))
        return dataclasses.replace(r, chat_id=result.chat_id)

    sent = [r for r in await asyncio.gather(*(deliver(r) for r in to)) if r is not None]
    async with service.db.sessions() as session:
        for r in sent:
            await alerts_repo.record_alert(
                session,
                workspace_id=workspace_id,
                kind=record_kind,
                subject=label,
                sent_at=now,
                group_chat_id=r.group_id,
                detail={
                    "chat_id": r.chat_id,
                    "start": digest.start.isoformat(),
                    "end": digest.end.isoformat(),
                },
            )
        await session.commit()
    return len(sent)
