"""Evaluating rules: which customers a rule's trigger and condition select (`candidates`), what a dry run would
do, and firing them once per customer and event (`evaluate`).

Idempotency: a firing is claimed in `rule_firings` (unique per rule, customer and event key) before any action
runs, so a second evaluation (after a restart, or another process at the same time) fires nothing again.
Every trigger looks back `lookback_days` (30): a dry run answers from the same window and the same rule, so its
count is what enabling the rule then does on that history. Drafts wait in the approval queue, never sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import numpy as np

from crm.analytics.metrics import customer_scores
from crm.automation.rules import ANY_FESTIVAL, IMPORT_TRIGGERS, RuleError, RuleSpec, check_rule
from crm.outreach.festivals import FESTIVAL_DATES, FESTIVALS
from crm.outreach.intents import PROMOTIONAL
from crm.settings import DraftSettings, lifecycle_days
from crm.tags import compile_rule, customer_columns
from crm.text import Msg, render
from storage.db import Database
from storage.models import AutomationRule
from storage.repositories import alerts as alerts_repo
from storage.repositories import analytics as analytics_repo
from storage.repositories import audit, customer_data
from storage.repositories import automation as repo
from storage.repositories.reminders import create_reminder

log = logging.getLogger(__name__)
SHOWN = 5  # customers a dry run names


class AutomationConfig(Protocol):
    """`automation.*` in the configuration."""

    @property
    def draft_cap_days(self) -> int: ...
    @property
    def lookback_days(self) -> int: ...
    @property
    def outcome_days(self) -> int: ...
    @property
    def rules(self) -> Sequence[Mapping[str, Any]]: ...


@dataclass
class DryRun:
    rule: RuleSpec
    customers: list[tuple[int, str]]  # (id, name), every customer it would fire for
    events: int
    lookback_days: int

    @property
    def count(self) -> int:
        return len(self.customers)

    def describe(self, language: str = "en") -> str:
        """The dry run as a sentence in the reader's language (crm/text/locales/<lang>/notes.ftl)."""
        shown = ", ".join(f"{name} (#{cid})" for cid, name in self.customers[:SHOWN])
        return render(
            language,
            "notes.dry_run",
            days=self.lookback_days,
            n=self.count,
            customers=shown,
            more=max(0, self.count - SHOWN),
        )


@dataclass
class Evaluation:
    fired: dict[str, int] = field(default_factory=dict)  # rule -> firings made now (one per event)
    customers: dict[str, int] = field(default_factory=dict)  # rule -> distinct customers of those firings
    drafts: int = 0
    capped: int = 0
    problems: list[str] = field(default_factory=list)


def _key_time(t: datetime | None) -> int:
    return int(t.timestamp()) if t is not None else 0


async def candidates(
    session: Any,
    workspace_id: int,
    spec: RuleSpec,
    as_of: datetime,
    tz: ZoneInfo,
    lookback_days: int,
    lifecycle: tuple[int, int, int],
) -> list[tuple[int, str]]:
    """(customer, event key) the rule's trigger and condition select in the window ending at `as_of`; stages
    (the `lifecycle` field, "entered stage") by the workspace's thresholds `lifecycle` (new, active, dormant
    days: crm.settings.lifecycle_days), as every answer and draft reads them."""
    since = as_of - timedelta(days=lookback_days)
    found: list[tuple[int, str]] = []
    t = spec.trigger
    if t in ("first_order", "repeat_order"):
        for c, o, _, previous in await repo.orders_in(session, workspace_id, since, as_of, cancelled=False):
            if (previous is None) == (t == "first_order"):
                found.append((c, f"order:{o}"))
    elif t == "order_cancelled":
        found = [
            (c, f"order:{o}:{s}")
            for c, o, s, _ in await repo.orders_in(session, workspace_id, since, as_of, cancelled=True)
        ]
    elif t == "abandoned_cart":
        found = [(c, f"cart:{e}") for c, e in await repo.abandoned_carts(session, workspace_id, since, as_of)]
    elif t == "tag_added":
        found = [
            (c, f"tag:{spec.param}:{_key_time(at)}")
            for c, at in await repo.tagged_in(session, workspace_id, str(spec.param), since, as_of)
        ]
    elif t in ("days_since_last_order", "days_since_last_interaction"):
        days = int(spec.param or 0)
        lo, hi = int(since.timestamp()), int(as_of.timestamp())
        last_of = await repo.last_orders(session, workspace_id)
        prefix = "lapsed"
        if t == "days_since_last_interaction":
            prefix = "quiet"
            for c, at in (await repo.last_interactions(session, workspace_id)).items():
                last_of[c] = max(at, last_of.get(c, at))
        for c, last in last_of.items():
            due = last + days * 86400
            if lo <= due <= hi:
                found.append((c, f"{prefix}:{days}:{last}"))
    elif t == "points_reached":
        found = _crossings(await repo.ledger_until(session, workspace_id, as_of), int(spec.param or 0), since)
    elif t == "festival":
        found = festival_candidates(
            await repo.countries(session, workspace_id), spec, _local(since, tz), _local(as_of, tz)
        )
    # conditions, and segment / stage membership, read the customers as they are now
    ids, columns = await customer_columns(session, workspace_id, as_of, tz, lifecycle)
    if t == "entered_segment":
        found = await _segment_entries(session, workspace_id, str(spec.param), ids, columns, since, as_of, tz)
    elif t == "entered_stage":
        now_in = {int(c) for c in ids[columns["lifecycle"] == spec.param]}
        times = await analytics_repo.purchase_times(session, workspace_id, as_of)
        found = stage_entries(times, str(spec.param), now_in, since, as_of, tz, lifecycle)
    # A customer erased on request keeps their orders and country (the figures stay) but no rule acts on them.
    erased = await customer_data.erased_customers(session, workspace_id) if found else set()
    if erased:
        found = [(c, key) for c, key in found if c not in erased]
    if not found or not spec.condition:
        return found
    return _filter(spec, found, ids, columns)


async def _segment_entries(
    session: Any,
    workspace_id: int,
    segment: str,
    ids: np.ndarray,
    columns: Mapping[str, np.ndarray],
    since: datetime,
    as_of: datetime,
    tz: ZoneInfo,
) -> list[tuple[int, str]]:
    """Customers in the RFM segment now who were not in it at the window's start (scored as of that moment,
    or not scored yet): they entered it within the window. Segments keep no history, so the event key is the
    segment and the customer's last valid order: one firing per entry that came with a new order."""
    then = await customer_scores(session, workspace_id, since, tz)
    before = {int(c) for c in then.ids[then.segment.astype(str) == segment]}
    latest = await repo.last_orders(session, workspace_id)
    return [
        (int(c), f"entered_segment:{segment}:{latest.get(int(c), 0)}")
        for c in ids[columns["segment"] == segment]
        if int(c) not in before
    ]


def stage_entries(
    times: Sequence[tuple[int, datetime, Any]],
    stage: str,
    now_in: set[int],
    since: datetime,
    as_of: datetime,
    tz: ZoneInfo,
    lifecycle: tuple[int, int, int],
) -> list[tuple[int, str]]:
    """(customer, event key) of the customers in lifecycle `stage` now (`now_in`) whose entry into it lies in
    [since, as_of]. `times` are the valid orders (customer, created at, value) in customer and time order.

    The entry moment follows the lifecycle rules (`lifecycle`: new, active, dormant days; whole local days): new at the first valid
    order; active at the start of the day after the new period ends, or at the order that ended a gap in which
    the customer had stopped being active (more than the active period since the order before), whichever is
    later; dormant at the start of the day the last order is more than the active period ago; churned likewise
    past the dormant period. The key carries the entry moment: one firing per entry."""
    new_d, active_d, dormant_d = lifecycle
    found: list[tuple[int, int, str]] = []  # (entry epoch, customer, key), sorted by entry moment at the end

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=tz)

    by_customer: dict[int, list[datetime]] = {}
    for c, at, _ in times:
        if int(c) in now_in:
            by_customer.setdefault(int(c), []).append(at if at.tzinfo else at.replace(tzinfo=UTC))
    for c, orders in by_customer.items():
        days = [_local(o, tz) for o in orders]
        if stage == "new":
            entry = orders[0]
        elif stage == "active":
            back = next(
                (i for i in range(len(days) - 1, 0, -1) if (days[i] - days[i - 1]).days > active_d + 1), 0
            )
            after_new = days[0] + timedelta(days=new_d + 1)
            entry = orders[back] if back and days[back] >= after_new else start_of(after_new)
        elif stage == "dormant":
            entry = start_of(days[-1] + timedelta(days=active_d + 1))
        else:
            entry = start_of(days[-1] + timedelta(days=dormant_d + 1))
        if since <= entry <= as_of:
            found.append((_key_time(entry), c, f"entered_stage:{stage}:{_key_time(entry)}"))
    return [(c, key) for _, c, key in sorted(found)]


def _local(at: datetime, tz: ZoneInfo) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(tz).date()


def _crossings(
    ledger: Sequence[tuple[int, int, int, datetime]], threshold: int, since: datetime
) -> list[tuple[int, str]]:
    """(customer, event key) per ledger entry, within the window, that took a balance from below `threshold`
    to at least it: one event per crossing (a balance that falls below and reaches it again crosses again)."""
    found: list[tuple[int, str]] = []
    customer, balance = None, 0
    for c, entry, points, at in ledger:
        if c != customer:
            customer, balance = c, 0
        before, balance = balance, balance + points
        moment = at if at.tzinfo else at.replace(tzinfo=UTC)
        if before < threshold <= balance and moment >= since:
            found.append((c, f"points:{threshold}:{entry}"))
    return found


def festival_candidates(
    countries: Mapping[int, str], spec: RuleSpec, first: date, today: date
) -> list[tuple[int, str]]:
    """(customer, event key) for each festival occurrence the customer's country celebrates whose day, less the
    rule's days_before, falls between `first` and `today` (shop-local dates), while the festival itself has not
    passed: a greeting is never drafted after the day. One event per customer and festival occurrence."""
    wanted = [FESTIVALS[str(spec.param)]] if spec.param != ANY_FESTIVAL else list(FESTIVALS.values())
    days = [
        (f, d)
        for f in wanted
        for d in FESTIVAL_DATES[f.key]
        if first <= d - timedelta(days=spec.days_before) <= today <= d
    ]
    return [
        (c, f"festival:{f.key}:{d.isoformat()}")
        for f, d in days
        for c, country in sorted(countries.items())
        if f.celebrated_in(country)
    ]


def _filter(
    spec: RuleSpec, found: list[tuple[int, str]], ids: np.ndarray, columns: Mapping[str, np.ndarray]
) -> list[tuple[int, str]]:
    """The candidates whose customer meets the condition (a customer without valid orders has 0 orders and
    spend, no segment or stage, and no days since an order)."""
    assert spec.condition is not None
    position = {int(c): i for i, c in enumerate(ids.tolist())}
    wanted = sorted({c for c, _ in found})
    rows = [position.get(c, -1) for c in wanted]
    sub: dict[str, np.ndarray] = {}
    for name, column in columns.items():
        blank: Any = "" if column.dtype.kind in "US" else (np.nan if name.startswith("days_") else 0)
        values = [column[i] if i >= 0 else blank for i in rows]
        if column.dtype.kind in "US":
            sub[name] = np.array(values, dtype=str)
        else:
            sub[name] = np.array(
                values, dtype=float if column.dtype.kind == "f" or -1 in rows else column.dtype
            )
    sub["ltv"] = np.asarray(sub["ltv"], dtype=float)
    keep = compile_rule(spec.name, spec.condition, what="rule")(sub)
    ok = {c for c, k in zip(wanted, keep.tolist(), strict=True) if k}
    return [(c, key) for c, key in found if c in ok]


async def known_tags(session: Any, workspace_id: int, tag_rules: Mapping[str, str] | None = None) -> set[str]:
    return await repo.tag_names(session, workspace_id) | set(tag_rules or {})


async def sync_config_rules(
    db: Database, workspace_id: int, cfg: AutomationConfig, at: datetime
) -> list[str]:
    """Keep the rules of config.yaml in the rules table (their definitions follow the file; `enabled` there is
    a new rule's starting state). Returns the one-line reasons of rules that were refused."""
    problems: list[str] = []
    if not cfg.rules:
        return problems
    async with db.sessions() as session:
        tags = await known_tags(session, workspace_id)
        members = await repo.member_names(session, workspace_id)
        for item in cfg.rules:
            name = str(item.get("name") or "")
            try:
                spec = check_rule(name, item, known_tags=tags | _added_tags(cfg), known_members=members)
            except RuleError as exc:
                problems.append(str(exc))
                log.warning("automation: %s", exc)
                continue
            stored = await repo.rule_by_name(session, workspace_id, name)
            await repo.save_rule(
                session,
                workspace_id,
                name,
                spec.as_data(),
                source="config",
                enabled=None if stored is not None else bool(item.get("enabled", False)),
                at=at,
            )
        await session.commit()
    return problems


def _added_tags(cfg: AutomationConfig) -> set[str]:
    """Tags some configured rule adds: a rule may trigger on them before any customer holds one."""
    return {
        str(a["tag"])
        for r in cfg.rules
        for a in (r.get("actions") or [])
        if isinstance(a, Mapping) and "tag" in a
    }


class RuleExists(RuleError):
    """A rule of that name is there already: replacing it is asked for explicitly."""


async def save_rule(
    db: Database,
    workspace_id: int,
    name: str,
    data: Mapping[str, Any],
    *,
    at: datetime,
    actor: str = "cli",
    member_id: int | None = None,
    replace: bool = False,
) -> AutomationRule:
    """Check and store a rule (disabled: enable it after its dry run); a RuleError says why it is refused, a
    RuleExists that a rule has the name (unless `replace`: see replace_rule)."""
    rule, _ = await _save(db, workspace_id, name, data, at, actor, member_id, replace)
    return rule


async def replace_rule(
    db: Database,
    workspace_id: int,
    name: str,
    data: Mapping[str, Any],
    *,
    at: datetime,
    actor: str = "cli",
    member_id: int | None = None,
) -> tuple[AutomationRule, tuple[int, int, int]]:
    """Save a rule over the rule of that name, keeping its name and its firings (so its dry run and its
    evaluation leave out the events it fired for). The rule is left off, because what it does changed: its
    pending steps stop as when it is disabled (drafts refused, reminders deleted, firings waiting)."""
    return await _save(db, workspace_id, name, data, at, actor, member_id, True)


async def _save(
    db: Database,
    workspace_id: int,
    name: str,
    data: Mapping[str, Any],
    at: datetime,
    actor: str,
    member_id: int | None,
    replace: bool,
) -> tuple[AutomationRule, tuple[int, int, int]]:
    async with db.sessions() as session:
        spec = check_rule(
            name,
            data,
            known_tags=await known_tags(session, workspace_id),
            known_members=await repo.member_names(session, workspace_id),
        )
        stored = await repo.rule_by_name(session, workspace_id, spec.name)
        if stored is not None and stored.source == "config":
            raise RuleError(msg=Msg("rule.error.from_config_change"), rule=spec.name)
        if stored is not None and not replace:
            raise RuleExists(msg=Msg("rule.error.exists", {"name": repr(spec.name)}))
        stopped = (0, 0, 0) if stored is None else await repo.cancel_pending(session, stored.id)
        rule = await repo.save_rule(
            session,
            workspace_id,
            spec.name,
            spec.as_data(),
            source="db",
            enabled=False,
            created_by=member_id,
            at=at,
        )
        detail: dict[str, Any] = {"saved": spec.name}
        if stored is not None:
            detail |= {
                "replaced": True,
                "drafts_stopped": stopped[0],
                "reminders_stopped": stopped[1],
                "waiting_stopped": stopped[2],
            }
        await audit.record(
            session,
            workspace_id,
            "changed",
            actor=actor,
            member_id=member_id,
            subject=f"rule:{rule.id}",
            detail=detail,
        )
        await session.commit()
        return rule, stopped


async def check_words(db: Database, workspace_id: int, name: str, data: Mapping[str, Any]) -> RuleSpec:
    """The rule `data` would be under `name`, checked as save_rule checks it, without saving (RuleError)."""
    async with db.sessions() as session:
        return check_rule(
            name,
            data,
            known_tags=await known_tags(session, workspace_id),
            known_members=await repo.member_names(session, workspace_id),
        )


async def delete_rule(
    db: Database,
    workspace_id: int,
    name: str,
    *,
    at: datetime,
    actor: str = "cli",
    member_id: int | None = None,
) -> tuple[AutomationRule, tuple[int, int, int]]:
    """Delete a rule (by name, or id): its pending steps stop as when it is disabled (drafts refused, reminders
    deleted, firings waiting, counted). Its firings stay, for the audit and so that a rule saved again under the
    name does not fire again for the same events (storage.repositories.automation.DELETED)."""
    async with db.sessions() as session:
        rule = await _find(session, workspace_id, name)
        if rule.source == "config":
            raise RuleError(msg=Msg("rule.error.from_config_remove"), rule=rule.name)
        stopped = await repo.delete_rule(session, rule, at)
        await audit.record(
            session,
            workspace_id,
            "deleted",
            actor=actor,
            member_id=member_id,
            subject=f"rule:{rule.id}",
            detail={
                "name": rule.name,
                "drafts_stopped": stopped[0],
                "reminders_stopped": stopped[1],
                "waiting_stopped": stopped[2],
            },
        )
        await session.commit()
        return rule, stopped


async def _find(session: Any, workspace_id: int, name: str) -> AutomationRule:
    rule = await repo.rule_by_name(session, workspace_id, name)
    if rule is None and name.isdigit():
        rule = await repo.rule_by_id(session, workspace_id, int(name))
    if rule is None:
        raise RuleError(msg=Msg("rule.error.no_such", {"name": repr(name)}))
    return rule


def spec_of(rule: AutomationRule) -> RuleSpec:
    return check_rule(rule.name, rule.spec)


async def dry_run(
    db: Database,
    workspace_id: int,
    spec: RuleSpec,
    as_of: datetime,
    tz: ZoneInfo,
    lookback_days: int,
    lifecycle: tuple[int, int, int],
) -> DryRun:
    """What evaluating the rule now would do: the customers it would fire for (events it already fired for, if
    it is stored, left out)."""
    async with db.sessions() as session:
        found = await candidates(session, workspace_id, spec, as_of, tz, lookback_days, lifecycle)
        stored = await repo.rule_by_name(session, workspace_id, spec.name)
        if stored is not None:
            done = await repo.fired_keys(session, stored.id)
            found = [x for x in found if x not in done]
        ids = list(dict.fromkeys(c for c, _ in found))
        names = await alerts_repo.customer_names(session, ids)
    return DryRun(spec, [(c, names.get(c) or f"#{c}") for c in ids], len(found), lookback_days)


async def set_enabled(
    db: Database,
    workspace_id: int,
    name: str,
    enabled: bool,
    *,
    actor: str = "cli",
    member_id: int | None = None,
) -> tuple[AutomationRule, tuple[int, int, int]]:
    """Enable or disable a rule; disabling stops its pending steps: (drafts refused, reminders deleted, firings
    whose steps after a wait are dropped)."""
    async with db.sessions() as session:
        rule = await _find(session, workspace_id, name)
        rule.enabled = enabled
        stopped = (0, 0, 0) if enabled else await repo.cancel_pending(session, rule.id)
        await audit.record(
            session,
            workspace_id,
            "changed",
            actor=actor,
            member_id=member_id,
            subject=f"rule:{rule.id}",
            detail={
                "enabled": enabled,
                "drafts_stopped": stopped[0],
                "reminders_stopped": stopped[1],
                "waiting_stopped": stopped[2],
            },
        )
        await session.commit()
        return rule, stopped


async def evaluate(
    db: Database,
    workspace_id: int,
    *,
    cfg: AutomationConfig,
    settings: DraftSettings,
    as_of: datetime,
    triggers: frozenset[str] | None = None,
    only: str | None = None,
    actor: str = "scheduler",
) -> Evaluation:
    """Fire every enabled rule (with `triggers`, only rules with one of those triggers; with `only`, that rule)
    for the customers and events not fired yet, and run the steps whose wait has ended. Claimed firings are
    committed before their actions run. `actor` is who started the run, for the audit trail (the scheduler,
    or cli for `sellermate rules run`)."""
    tz = ZoneInfo(settings.workspace.timezone)
    lifecycle = lifecycle_days(settings.workspace)
    out = Evaluation()
    out.problems += await sync_config_rules(db, workspace_id, cfg, as_of)
    async with db.sessions() as session:
        stored = [
            r
            for r in await repo.rules(session, workspace_id)
            if r.enabled and (only is None or r.name == only)
        ]
    for rule in stored:
        try:
            spec = spec_of(rule)
        except RuleError as exc:  # a rule saved by an older version that no longer reads
            out.problems.append(str(exc))
            continue
        # Steps waiting for their day (any trigger: the wait, not the event, decides when they run).
        async with db.sessions() as session:
            due = await repo.take_due_steps(session, rule.id, as_of)
            await session.commit()
        for firing_id, customer_id, step, resume_at in due:
            await _steps(
                db, workspace_id, rule, spec, firing_id, customer_id, step, resume_at, cfg, settings, out
            )
        if triggers is not None and spec.trigger not in triggers:
            continue
        async with db.sessions() as session:
            found = await candidates(session, workspace_id, spec, as_of, tz, cfg.lookback_days, lifecycle)
            claimed = await repo.claim(session, workspace_id, rule.id, found, as_of)
            await session.commit()
        out.fired[rule.name] = len(claimed)
        out.customers[rule.name] = len({customer_id for _, customer_id, _ in claimed})
        for firing_id, customer_id, _ in claimed:
            await _steps(db, workspace_id, rule, spec, firing_id, customer_id, 0, as_of, cfg, settings, out)
    if any(out.fired.values()):
        async with db.sessions() as session:
            await audit.record(
                session,
                workspace_id,
                "ran",
                actor=actor,
                subject="automation",
                detail={
                    "fired": {k: v for k, v in out.fired.items() if v},
                    "drafts": out.drafts,
                    "capped": out.capped,
                },
            )
            await session.commit()
    return out


async def _steps(
    db: Database,
    workspace_id: int,
    rule: AutomationRule,
    spec: RuleSpec,
    firing_id: int,
    customer_id: int,
    first: int,
    at: datetime,
    cfg: AutomationConfig,
    settings: DraftSettings,
    out: Evaluation,
) -> None:
    """Run a firing's steps from `first`, at `at` (the firing's moment, or the day its wait ended), up to the
    next wait: the steps after it are left for the day the wait ends (`next_step`, `resume_at`)."""
    from crm.outreach.service import DraftError, draft_for_customer

    tz = ZoneInfo(settings.workspace.timezone)
    actions = spec.actions[first:]
    wait_at = next((i for i, a in enumerate(actions) if a.kind == "wait"), None)
    now_steps = actions if wait_at is None else actions[:wait_at]
    status, draft_id, reminder_ids = "done", None, []
    since = at - timedelta(days=cfg.draft_cap_days)
    try:
        async with db.sessions() as session:
            # A team member removed since the rule was saved: nothing of these steps is done, and the firing
            # is recorded failed rather than done without its reminder.
            for action in now_steps:
                if (
                    action.kind == "remind"
                    and await repo.member(session, workspace_id, str(action.value)) is None
                ):
                    out.problems.append(
                        f"rule {rule.name!r}, customer #{customer_id}: no team member {action.value!r}; "
                        "the firing is recorded failed"
                    )
                    status = "failed"
                    break
            for action in now_steps if status != "failed" else ():
                if action.kind == "tag":
                    await repo.add_tag(session, workspace_id, customer_id, str(action.value))
                elif action.kind == "untag":
                    await repo.remove_tag(session, workspace_id, customer_id, str(action.value))
                elif action.kind == "points":
                    await repo.add_points(
                        session, workspace_id, customer_id, int(action.value), f"rule {rule.name}", at
                    )
                elif action.kind == "remind":
                    member = await repo.member(session, workspace_id, str(action.value))
                    assert member is not None  # checked above, in this transaction
                    reminder = await create_reminder(
                        session,
                        workspace_id=workspace_id,
                        chat_id=member.telegram_user_id,
                        member_id=member.id,
                        customer_id=customer_id,
                        text=f"{rule.name}: {action.text}",
                        due_at=at + timedelta(days=action.in_days),
                        timezone=str(tz),
                    )
                    reminder_ids.append(reminder.id)
                elif action.kind == "alert":
                    for group in await alerts_repo.groups_with(session, workspace_id, "alerts_enabled"):
                        reminder = await create_reminder(
                            session,
                            workspace_id=workspace_id,
                            chat_id=group.chat_id,
                            customer_id=customer_id,
                            text=f"{rule.name}: {action.value}",
                            due_at=at,
                            timezone=str(tz),
                        )
                        reminder_ids.append(reminder.id)
                elif (
                    action.kind == "draft"
                    and str(action.value) in PROMOTIONAL
                    and await repo.promotional_draft_since(session, customer_id, sorted(PROMOTIONAL), since)
                ):
                    # A first look, to spare writing a draft the cap holds back; the check that counts is the
                    # one in the draft's own transaction (`_cap_guard`).
                    status = "capped"
            await session.commit()
        for action in now_steps:
            if action.kind != "draft" or status in ("capped", "failed"):
                continue
            promotional = str(action.value) in PROMOTIONAL
            try:
                draft = await draft_for_customer(
                    db,
                    workspace_id,
                    customer_id,
                    intent=str(action.value),
                    language=action.language,
                    settings=settings,
                    as_of=at,
                    llm=None,
                    guard=_cap_guard(workspace_id, customer_id, since) if promotional else None,
                )
            except _Capped:
                status = "capped"
                continue
            draft_id = draft.id
            out.drafts += draft.status == "draft"
    except (DraftError, ValueError) as exc:
        out.problems.append(f"rule {rule.name!r}, customer #{customer_id}: {exc}")
    out.capped += status == "capped"
    next_step = resume_at = None
    if wait_at is not None and status not in ("capped", "failed"):
        next_step = first + wait_at + 1
        resume_at = at + timedelta(days=int(actions[wait_at].value))
        status = "waiting"
    async with db.sessions() as session:
        await repo.set_outcome(
            session,
            firing_id,
            status=status,
            draft_id=draft_id,
            reminder_ids=reminder_ids,
            next_step=next_step,
            resume_at=resume_at,
        )
        await session.commit()


class _Capped(Exception):
    """The frequency cap holds a rule's promotional draft back (raised in the draft's transaction: nothing is
    written)."""


def _cap_guard(workspace_id: int, customer_id: int, since: datetime) -> Callable[[Any], Awaitable[None]]:
    """The frequency cap, checked in the transaction that writes the draft, under the customer's write lock:
    two processes (or two rules) drafting for one customer at once take turns, and the second sees the
    first's draft. So no two promotional drafts for a customer fall within `automation.draft_cap_days`."""

    async def guard(session: Any) -> None:
        await repo.lock_customer_drafts(session, workspace_id, customer_id)
        if await repo.promotional_draft_since(session, customer_id, sorted(PROMOTIONAL), since):
            raise _Capped

    return guard


async def evaluate_after_import(
    db: Database,
    workspace_id: int,
    *,
    cfg: AutomationConfig,
    settings: DraftSettings,
    as_of: datetime | None = None,
) -> Evaluation | None:
    """The event triggers, after an import finished (the import stands whatever happens here)."""
    try:
        return await evaluate(
            db,
            workspace_id,
            cfg=cfg,
            settings=settings,
            as_of=as_of or datetime.now(UTC),
            triggers=IMPORT_TRIGGERS,
        )
    except Exception:  # logged; the daily run tries again
        log.exception("evaluating automation rules after the import failed")
        return None


@dataclass
class RuleRow:
    rule: AutomationRule
    spec: RuleSpec | None
    stats: repo.RuleStats | None


async def list_rules(db: Database, workspace_id: int, cfg: AutomationConfig, at: datetime) -> list[RuleRow]:
    await sync_config_rules(db, workspace_id, cfg, at)
    async with db.sessions() as session:
        rules = await repo.rules(session, workspace_id)
        stats = await repo.stats(session, workspace_id, cfg.outcome_days)
    out = []
    for r in rules:
        try:
            spec: RuleSpec | None = spec_of(r)
        except RuleError:
            spec = None
        out.append(RuleRow(r, spec, stats.get(r.id)))
    return out
