"""What scheduled messages look like: reminder, churn/KPI alert and digest texts with their buttons (en/zh).

Pure functions from domain objects to (HTML text, inline keyboard); the scheduler sends them, the reminder and
alert handlers reuse them when they edit a message. The callback data of their buttons is defined here too.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import I18n
from bot.render import shown
from crm import catalog
from crm.display import BUTTON_LENGTH, NAME_LENGTH, REMINDER_TEXT_MAX, displayable
from crm.query.texts import METRIC_NAMES, SEGMENT_NAMES, platform_name
from crm.scheduling.reminders import format_when
from crm.scheduling.rules import ChurnAlert, Digest, KpiAlert
from crm.scheduling.service_alerts import ServiceAlert
from storage.models import Reminder

LIST_ITEM_LENGTH = 120  # a reminder's text in the list of reminders


class ReminderCB(CallbackData, prefix="rem"):
    """Buttons on a reminder: done, snooze (arg 1h/1d/1w), edit, delete, open (detail), list."""

    action: str
    reminder_id: int
    arg: str = ""


class AssignCB(CallbackData, prefix="assign"):
    """'Assign to me' under a churn alert: a reminder about this customer for whoever presses it."""

    customer_id: int


class ChurnMoreCB(CallbackData, prefix="chm"):
    """'Show N more' under a churn alert: the list of the scan made at `at` (epoch seconds), from `offset` on.

    The list is derived again from the data and the alert records (bot/alert_jobs.py::churn_page), so the
    button keeps working after a restart.
    """

    at: int
    offset: int


class AlertToggleCB(CallbackData, prefix="alrt"):
    flag: str


def _open_customer(customer_id: int) -> str:
    from handlers.customers import OpenCustomerCB  # the customer card lives in the customers area

    return OpenCustomerCB(customer_id=customer_id).pack()


def reminder_buttons(
    reminder: Reminder, i18n: I18n, *, with_manage: bool = False, back: bool = False
) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    rid = reminder.id
    kb.button(text=i18n("reminders.done"), callback_data=ReminderCB(action="done", reminder_id=rid))
    for option in ("1h", "1d", "1w"):
        kb.button(
            text=i18n(f"reminders.snooze_{option}"),
            callback_data=ReminderCB(action="snooze", reminder_id=rid, arg=option),
        )
    widths = [1, 3]
    if with_manage:
        kb.button(text=i18n("reminders.edit"), callback_data=ReminderCB(action="edit", reminder_id=rid))
        kb.button(text=i18n("reminders.delete"), callback_data=ReminderCB(action="delete", reminder_id=rid))
        widths.append(2)
    if reminder.customer_id is not None:
        kb.button(text=i18n("reminders.open_customer"), callback_data=_open_customer(reminder.customer_id))
        widths.append(1)
    if back:
        kb.button(text=i18n("reminders.back"), callback_data=ReminderCB(action="list", reminder_id=0))
        widths.append(1)
    kb.adjust(*widths)
    return kb.as_markup()


def customer_line(customer_name: str, customer_id: int | None, i18n: I18n) -> str:
    """ "👤 Tan Wei Ling #1382": the customer a reminder is about, by #id as well (two may share a name)."""
    if customer_id is None:
        return f"👤 {shown(customer_name)}"
    return i18n("reminders.customer_line", name=shown(customer_name), id=str(customer_id))


def _body(reminder: Reminder, customer_name: str | None, i18n: I18n) -> str:
    text = shown(reminder.text, REMINDER_TEXT_MAX, multiline=True)
    if customer_name:
        text += "\n" + customer_line(customer_name, reminder.customer_id, i18n)
    return text


def reminder_message(
    reminder: Reminder, customer_name: str | None, i18n: I18n, *, now: datetime, missed: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """The message a due reminder sends: late or missed ones say so, with the time they were due."""
    when = format_when(reminder.due_at, reminder.timezone, i18n.language, now=now)
    key = "reminders.missed" if missed else ("reminders.fired_late" if reminder.late else "reminders.fired")
    return i18n(key, when=when, text=_body(reminder, customer_name, i18n)), reminder_buttons(reminder, i18n)


def reminder_detail(
    reminder: Reminder, customer_name: str | None, i18n: I18n, *, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    when = format_when(reminder.due_at, reminder.timezone, i18n.language, now=now)
    status = f" · {i18n('reminders.sent_mark')}" if reminder.status != "pending" else ""
    return (
        i18n("reminders.detail", when=when, status=status, text=_body(reminder, customer_name, i18n)),
        reminder_buttons(reminder, i18n, with_manage=True, back=True),
    )


def reminder_list(
    items: Sequence[tuple[Reminder, str | None]], i18n: I18n, *, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not items:
        return i18n("reminders.list_empty"), None
    lines = [i18n("reminders.list_title")]
    kb = InlineKeyboardBuilder()
    for n, (reminder, customer_name) in enumerate(items, start=1):
        when = format_when(reminder.due_at, reminder.timezone, i18n.language, now=now)
        mark = f" ({i18n('reminders.sent_mark')})" if reminder.status != "pending" else ""
        # One line per reminder (the whole text is one tap away): the list of 20 always fits one message.
        label = displayable(reminder.text, LIST_ITEM_LENGTH) + (
            f" · {displayable(customer_name)}" if customer_name else ""
        )
        lines.append(i18n("reminders.list_item", n=n, when=when, text=html.escape(label)) + mark)
        kb.button(
            text=displayable(f"{n}. {label}", BUTTON_LENGTH),
            callback_data=ReminderCB(action="open", reminder_id=reminder.id),
        )
    kb.adjust(1)
    return "\n".join(lines), kb.as_markup()


# --- alerts and digests -------------------------------------------------------------------------------------
def _money(value: float, currency: str) -> str:
    return catalog.format_value(value, "money", currency)


def format_metric(metric: str, value: float | None, currency: str) -> str:
    return catalog.format_metric(metric, value, currency)


def format_day(day: date, language: str, today: date) -> str:
    """'22 Nov' / '11月22日', with the year when it is not the current one."""
    if language == "zh":
        return (f"{day.year}年" if day.year != today.year else "") + f"{day.month}月{day.day}日"
    return f"{day.day} {day:%b}" + (f" {day.year}" if day.year != today.year else "")


def stale_line(newest_order: date, i18n: I18n, today: date) -> str:
    return i18n("alerts.stale_data", date=format_day(newest_order, i18n.language, today))


def churn_who(customer_id: int, origin: tuple[str | None, str | None] | None) -> str:
    """ "#1382 · TikTok Shop · TH": what tells a churn alert's same-name customers apart (as the pickers do)."""
    platform, country = origin or (None, None)
    parts = [f"#{customer_id}"]
    if platform:
        parts.append(platform_name(platform))
    if country:
        parts.append(country)
    return html.escape(" · ".join(parts))


def churn_alert_message(
    alerts: Sequence[ChurnAlert],
    names: dict[int, str],
    i18n: I18n,
    currency: str,
    *,
    origins: dict[int, tuple[str | None, str | None]] | None = None,
    scan_at: datetime,
    limit: int,
    offset: int = 0,
    long_lost: int = 0,
    long_lost_days: int = 180,
    stale: date | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of a scan's ranked churn list: `limit` customers from `offset`, each with its #id, platform and
    country (`origins`), an 'assign to me' and an 'open the card' button each (one row per customer), and a
    'show N more' button while some are left. The first page also carries the long-lost count and the
    stale-data warning."""
    shown = list(alerts[offset : offset + limit])
    first_page = offset == 0
    if first_page:
        lines = [i18n("alerts.churn_title", n=len(alerts))]
    else:
        lines = [i18n("alerts.churn_page_title", first=offset + 1, last=offset + len(shown), n=len(alerts))]
    if first_page and stale is not None:
        lines.append(stale_line(stale, i18n, scan_at.date()))
    kb = InlineKeyboardBuilder()
    widths: list[int] = []
    segments = SEGMENT_NAMES.get(i18n.language, SEGMENT_NAMES["en"])
    for a in shown:
        name = displayable(names.get(a.customer_id), NAME_LENGTH) or f"#{a.customer_id}"
        p_alive = i18n("alerts.p_alive", p=f"{a.p_alive * 100:.0f}%") if a.p_alive is not None else ""
        lines.append(
            i18n(
                "alerts.churn_line",
                name=html.escape(name),
                who=churn_who(a.customer_id, (origins or {}).get(a.customer_id)),
                segment=segments.get(a.segment, a.segment),
                days=a.days_inactive,
                p_alive=p_alive,
                # nothing priced (orders without a rate): no amount, rather than a "0.00" that looks real
                value=_money(a.value_at_risk, currency) if a.monetary else "—",
                spent=_money(a.monetary, currency) if a.monetary else "—",
            )
        )
        kb.button(
            text=displayable(i18n("alerts.assign", name=f"{name} #{a.customer_id}"), BUTTON_LENGTH),
            callback_data=AssignCB(customer_id=a.customer_id),
        )
        kb.button(  # the card, as the top-customer tables open it: by #id
            text=displayable(f"👤 #{a.customer_id} {name}", BUTTON_LENGTH),
            callback_data=_open_customer(a.customer_id),
        )
        widths.append(2)
    left = len(alerts) - offset - len(shown)
    if left > 0:
        lines.append(i18n("alerts.churn_more", n=left))
        kb.button(
            text=i18n("alerts.churn_more_button", n=min(left, limit)),
            callback_data=ChurnMoreCB(at=int(scan_at.timestamp()), offset=offset + len(shown)),
        )
        widths.append(1)
    if first_page and long_lost:
        lines.append(i18n("alerts.long_lost", n=long_lost, days=long_lost_days))
    if widths:
        kb.adjust(*widths)
    return "\n".join(lines), kb.as_markup()


SERVICE_BODY = 200  # the buyer's words quoted in a service-recovery alert


def service_alert_message(
    alert: ServiceAlert, name: str | None, i18n: I18n, currency: str, tz: str
) -> tuple[str, InlineKeyboardMarkup]:
    """A valuable customer's low rating or complaint: who, why they matter, what they said, with buttons to
    open their card and to draft a service-recovery message."""
    from bot.outreach_view import DraftIntentCB  # the draft buttons live with the outreach views

    shown_name = displayable(name, NAME_LENGTH) or f"#{alert.customer_id}"
    segments = SEGMENT_NAMES.get(i18n.language, SEGMENT_NAMES["en"])
    if alert.kind == "complaint":
        what = i18n("alerts.service_complaint")
    else:
        what = i18n(
            "alerts.service_rating",
            rating=alert.rating if alert.rating is not None else "?",
            scale=10 if alert.kind == "nps" else 5,
        )
    why = (
        segments.get(alert.segment or "", alert.segment or "")
        if alert.why == "segment"
        else i18n("alerts.service_top_spend")
    )
    lines = [
        i18n(
            "alerts.service_title",
            name=html.escape(shown_name),
            what=what,
            when=alert.occurred_at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M"),
        ),
        i18n("alerts.service_why", why=why, spent=_money(alert.spend, currency)),
    ]
    details = []
    if alert.platform:
        details.append(html.escape(platform_name(alert.platform)))
    if alert.order_number:
        details.append(i18n("alerts.service_order", order=html.escape(displayable(alert.order_number, 32))))
    if alert.reason:
        details.append(html.escape(displayable(alert.reason, 40)))
    if details:
        lines.append(" · ".join(details))
    if alert.body:
        lines.append(f"“{html.escape(displayable(alert.body, SERVICE_BODY))}”")
    kb = InlineKeyboardBuilder()
    kb.button(
        text=displayable(i18n("alerts.service_open", name=shown_name), BUTTON_LENGTH),
        callback_data=_open_customer(alert.customer_id),
    )
    kb.button(
        text=i18n("alerts.service_draft"),
        callback_data=DraftIntentCB(customer_id=alert.customer_id, intent="service_recovery"),
    )
    kb.adjust(1)
    return "\n".join(lines), kb.as_markup()


def kpi_alert_message(alerts: Sequence[KpiAlert], i18n: I18n, currency: str) -> str:
    names = METRIC_NAMES.get(i18n.language, METRIC_NAMES["en"])
    lines = [i18n("alerts.kpi_title", period=i18n("alerts.kpi_period"))]
    for a in alerts:
        lines.append(
            i18n(
                f"alerts.kpi_{a.direction}",
                metric=names.get(a.metric, a.metric),
                value=format_metric(a.metric, a.value, currency),
                threshold=format_metric(a.metric, a.threshold, currency),
            )
        )
    return "\n".join(lines)


def _change(metric: str, change: float | None, i18n: I18n) -> str:
    if change is None:
        return "—"
    if catalog.metric(metric).unit == "ratio":
        return i18n("alerts.change_pts", points=f"{change * 100:+.1f}")
    return f"{change * 100:+.0f}%"


def digest_message(digest: Digest, i18n: I18n, currency: str, *, long_lost_days: int = 180) -> str:
    """The digest's text; a period without orders says so instead of listing zeros (and gets no chart)."""
    names = METRIC_NAMES.get(i18n.language, METRIC_NAMES["en"])
    last_day = digest.end.date() - timedelta(days=1)
    if digest.kind == "weekly":
        title = i18n("alerts.weekly_title", start=digest.start.date().isoformat(), end=last_day.isoformat())
    else:
        title = i18n("alerts.monthly_title", month=digest.label)
    lines = [title]
    today = digest.end.date()
    if digest.newest_order is not None:
        lines.append(stale_line(digest.newest_order, i18n, today))
    if digest.has_orders:
        for k in digest.kpis:
            lines.append(
                i18n(
                    "alerts.digest_line",
                    metric=names.get(k.metric, k.metric),
                    value=format_metric(k.metric, k.current, currency),
                    change=_change(k.metric, k.change, i18n),
                    previous=format_metric(k.metric, k.previous, currency),
                )
            )
    else:
        lines.append(
            i18n(
                "alerts.no_orders",
                start=format_day(digest.start.date(), i18n.language, today),
                end=format_day(last_day, i18n.language, today),
            )
        )
    if digest.at_risk:
        lines.append(i18n("alerts.at_risk", n=digest.at_risk))
    if digest.long_lost:
        lines.append(i18n("alerts.long_lost_count", n=digest.long_lost, days=long_lost_days))
    return "\n".join(lines)


def alert_settings_message(group: object, i18n: I18n) -> tuple[str, InlineKeyboardMarkup]:
    kb = InlineKeyboardBuilder()
    for flag, key in (
        ("alerts_enabled", "toggle_alerts"),
        ("weekly_digest", "toggle_weekly"),
        ("monthly_review", "toggle_monthly"),
    ):
        mark = "✅" if getattr(group, flag) else "⬜"
        kb.button(text=i18n(f"alerts.{key}", mark=mark), callback_data=AlertToggleCB(flag=flag))
    kb.adjust(1)
    return i18n("alerts.settings_title"), kb.as_markup()
