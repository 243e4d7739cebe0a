"""A rule as data: a trigger (with its parameter), an optional condition over the tag-rule fields
(crm.tags.FIELDS, the same evaluator) and actions. `check_rule` refuses anything unknown with a one-line reason."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from crm.catalog import SEGMENT_IDS, STAGE_IDS
from crm.outreach.festivals import FESTIVALS, find_festival
from crm.outreach.intents import INTENTS, LANGUAGES
from crm.tags import TagRuleError, compile_rule
from crm.text import Msg, render

# trigger -> the parameter it needs (None: none)
TRIGGERS: dict[str, str | None] = {
    "first_order": None,  # a customer's first valid order
    "repeat_order": None,  # a valid order after an earlier one
    "order_cancelled": None,  # an order cancelled or returned
    "abandoned_cart": None,  # an abandoned_cart behaviour event
    "tag_added": "tag",  # the tag was put on the customer
    "entered_segment": "segment",  # entered the RFM segment in the window (once per last order)
    "entered_stage": "stage",  # entered the lifecycle stage in the window (once per entry)
    "days_since_last_order": "days",  # N days have passed since the last valid order
    # N days have passed since the last contact of any kind: a valid order or an interaction (a chat, review,
    # complaint, return, note or outreach sent)
    "days_since_last_interaction": "days",
    "points_reached": "points",  # the points balance reached N (once per crossing from below)
    # a festival the customer's country celebrates (a named one, or `any`), `days_before` days before it
    "festival": "festival",
}
# Evaluated after every import; every trigger is evaluated by the daily run.
IMPORT_TRIGGERS = frozenset(TRIGGERS) - {"days_since_last_order", "days_since_last_interaction", "festival"}
ANY_FESTIVAL = "any"
DAYS_BEFORE_MAX = 60
POINTS_MAX = 10_000_000
ACTION_POINTS_MAX = 1_000_000  # points one action may give or take
ACTIONS = ("tag", "untag", "draft", "remind", "alert", "points", "wait")
WAIT_MAX = 365  # days
INTENT_ALIASES = {
    "apology": "service_recovery",
    "sorry": "service_recovery",
    "thanks": "thank_you",
    "thank-you": "thank_you",
    "win-back": "winback",
    "review": "review_request",
    "reorder": "replenishment",
    "cart": "abandoned_cart",
    "greeting": "festival",
    "festival greeting": "festival",
    "holiday greeting": "festival",
}
NAME_MAX = 64


class RuleError(ValueError):
    """A rule that cannot be saved; the message is one line naming the rule and the reason.

    Raised with `msg` (crm/text/locales/<lang>/rules.ftl) and the rule's name, it is in English as str() (config
    problems and logs) and in the reader's language with `say`; raised with a text only, `say` gives that text.
    """

    def __init__(self, text: str | None = None, *, msg: Msg | None = None, rule: str | None = None) -> None:
        self.msg = msg
        self.rule = rule
        if text is None:
            text = self.say("en") if msg is not None else ""
        super().__init__(text)

    def say(self, language: str) -> str:
        """The reason in `language`: "rule 'name': reason" (the text it was raised with when it has no msg)."""
        if self.msg is None:
            return str(self)
        reason = self.msg.render(language)
        if self.rule is None:
            return reason
        return render(language, "rule.error.named", name=repr(self.rule), reason=reason)


@dataclass(frozen=True)
class Action:
    kind: str  # one of ACTIONS
    value: str | int  # tag name, intent, member, alert text or points
    language: str | None = None  # draft
    text: str | None = None  # remind
    in_days: int = 0  # remind

    def as_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.kind: self.value}
        if self.language:
            out["language"] = self.language
        if self.text:
            out["text"] = self.text
        if self.in_days:
            out["in_days"] = self.in_days
        return out

    def describe(self, language: str = "en") -> str:
        """The action in the reader's language (crm/text/locales/<lang>/notes.ftl)."""
        lang = render(language, "notes.rule_in_language", language=self.language) if self.language else ""
        when = render(language, "notes.rule_in_days", days=self.in_days) if self.in_days else ""
        return render(
            language,
            "notes.rule_action",
            kind=self.kind,
            value=str(self.value),
            lang=lang,
            when=when,
            text=self.text or "",
        )


@dataclass(frozen=True)
class RuleSpec:
    name: str
    trigger: str
    param: str | int | None = None
    condition: str | None = None
    actions: tuple[Action, ...] = field(default_factory=tuple)
    days_before: int = 0  # festival: this many days before the festival day

    def as_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"trigger": self.trigger}
        key = TRIGGERS[self.trigger]
        if key:
            out[key] = self.param
        if self.trigger == "festival" and self.days_before:
            out["days_before"] = self.days_before
        if self.condition:
            out["if"] = self.condition
        out["actions"] = [a.as_data() for a in self.actions]
        return out

    def describe(self, language: str = "en") -> str:
        """The rule in the reader's language: "when first order if orders == 0: tag 'x'; draft welcome (for
        approval)" (crm/text/locales/<lang>/notes.ftl); the condition stays the expression it is."""
        param = "" if self.param is None else str(self.param)
        if self.trigger == "festival":
            festival = FESTIVALS.get(param)
            name = festival.name(language) if festival else render(language, "notes.rule_any_festival")
            param = name
        trigger = render(
            language, "notes.rule_trigger", trigger=self.trigger, param=param, before=self.days_before
        )
        cond = render(language, "notes.rule_if", condition=self.condition) if self.condition else ""
        actions = render(language, "notes.rule_and").join(a.describe(language) for a in self.actions)
        return render(language, "notes.rule_when", trigger=trigger, cond=cond, actions=actions)


def resolve_intent(text: str) -> str | None:
    key = re.sub(r"[\s_-]+", "_", str(text).strip().lower())
    if key in INTENTS:
        return key
    alias = INTENT_ALIASES.get(str(text).strip().lower()) or INTENT_ALIASES.get(key)
    if alias:
        return alias
    return {i.replace("_", ""): i for i in INTENTS}.get(key.replace("_", ""))


def check_rule(
    name: str,
    data: Mapping[str, Any],
    *,
    known_tags: Collection[str] | None = None,
    known_members: Collection[str] | None = None,
) -> RuleSpec:
    """The rule `data` describes (see RuleSpec.as_data), or a RuleError naming the first problem. With
    `known_tags`, a trigger or untag naming a tag that does not exist is refused too; with `known_members`
    (the names, roles and Telegram ids of the active team members), a remind naming nobody on the team."""
    name = str(name or "").strip()

    def bad(msg: Msg) -> RuleError:
        return RuleError(msg=msg, rule=name)

    if not name:
        raise RuleError(msg=Msg("rule.error.no_name"))
    if len(name) > NAME_MAX or "\n" in name:
        raise bad(Msg("rule.error.name_too_long", {"max": NAME_MAX}))
    if not isinstance(data, Mapping):
        raise bad(Msg("rule.error.not_mapping"))
    unknown = set(data) - {
        "trigger",
        "if",
        "actions",
        "days",
        "segment",
        "stage",
        "tag",
        "points",
        "festival",
        "days_before",
        "name",
        "enabled",
    }
    if unknown:
        raise bad(Msg("rule.error.unknown_setting", {"setting": repr(sorted(unknown)[0])}))
    trigger = str(data.get("trigger") or "")
    if trigger not in TRIGGERS:
        raise bad(Msg("rule.error.unknown_trigger", {"trigger": repr(trigger), "known": ", ".join(TRIGGERS)}))
    key = TRIGGERS[trigger]
    param: str | int | None = None
    if key is not None:
        raw = data.get(key)
        if raw is None or raw == "":
            raise bad(Msg("rule.error.trigger_needs", {"trigger": trigger, "key": key}))
        if key == "days":
            try:
                param = int(raw)
            except (TypeError, ValueError):
                raise bad(Msg("rule.error.days_not_number", {"value": repr(raw)})) from None
            if not 1 <= param <= 3650:
                raise bad(Msg("rule.error.days_range", {"value": param}))
        elif key == "points":
            try:
                param = int(raw)
            except (TypeError, ValueError):
                raise bad(Msg("rule.error.points_not_number", {"value": repr(raw)})) from None
            if not 1 <= param <= POINTS_MAX:
                raise bad(Msg("rule.error.points_range", {"max": POINTS_MAX, "value": param}))
        elif key == "festival":
            if str(raw).strip().lower() in (ANY_FESTIVAL, "*"):
                param = ANY_FESTIVAL
            else:
                festival = find_festival(str(raw))
                if festival is None:
                    known = ", ".join((ANY_FESTIVAL, *FESTIVALS))
                    raise bad(Msg("rule.error.unknown_festival", {"festival": repr(raw), "known": known}))
                param = festival.key
        elif key == "segment":
            if raw not in SEGMENT_IDS:
                raise bad(
                    Msg("rule.error.unknown_segment", {"segment": repr(raw), "known": ", ".join(SEGMENT_IDS)})
                )
            param = str(raw)
        elif key == "stage":
            if raw not in STAGE_IDS:
                raise bad(
                    Msg("rule.error.unknown_stage", {"stage": repr(raw), "known": ", ".join(STAGE_IDS)})
                )
            param = str(raw)
        else:
            param = str(raw)
            if known_tags is not None and param not in known_tags:
                raise bad(_unknown_tag(param, known_tags))
    days_before = 0
    if data.get("days_before") is not None:
        if trigger != "festival":
            raise bad(Msg("rule.error.days_before_trigger"))
        try:
            days_before = int(data["days_before"])
        except (TypeError, ValueError):
            raise bad(
                Msg("rule.error.days_before_not_number", {"value": repr(data["days_before"])})
            ) from None
        if not 0 <= days_before <= DAYS_BEFORE_MAX:
            raise bad(Msg("rule.error.days_before_range", {"max": DAYS_BEFORE_MAX, "value": days_before}))
    condition = data.get("if")
    if condition is not None and not isinstance(condition, str):
        raise bad(Msg("rule.error.if_not_text"))
    condition = (condition or "").strip() or None
    if condition:
        try:
            compile_rule(name, condition, what="rule")
        except TagRuleError as exc:
            raise bad(exc.reason) from None
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        raise bad(Msg("rule.error.no_action", {"actions": ", ".join(ACTIONS)}))
    steps = tuple(_action(a, bad, known_tags, known_members) for a in actions)
    if steps[-1].kind == "wait":
        raise bad(Msg("rule.error.wait_last"))
    if all(a.kind == "wait" for a in steps):
        raise bad(Msg("rule.error.no_action", {"actions": ", ".join(ACTIONS)}))
    return RuleSpec(name, trigger, param, condition, steps, days_before=days_before)


def _unknown_tag(tag: str, known_tags: Collection[str]) -> Msg:
    return Msg(
        "rule.error.unknown_tag",
        {"tag": repr(tag), "known": ", ".join(sorted(known_tags)), "count": len(known_tags)},
    )


def _action(
    item: Any,
    bad: Callable[[Msg], RuleError],
    known_tags: Collection[str] | None,
    known_members: Collection[str] | None,
) -> Action:
    if not isinstance(item, Mapping):
        raise bad(Msg("rule.error.action_not_mapping", {"actions": ", ".join(ACTIONS)}))
    kinds = [k for k in item if k in ACTIONS]
    if len(kinds) != 1:
        got = ", ".join(map(str, item))
        raise bad(
            Msg("rule.error.action_kinds", {"actions": ", ".join(ACTIONS), "got": got, "count": len(item)})
        )
    kind = kinds[0]
    extra = set(item) - {kind, "language", "text", "in_days"}
    if extra:
        raise bad(Msg("rule.error.action_unknown_setting", {"kind": kind, "setting": repr(sorted(extra)[0])}))
    value = item[kind]
    if kind in ("tag", "untag"):
        tag = str(value or "").strip()
        if not tag or len(tag) > 64:
            raise bad(Msg("rule.error.tag_name", {"kind": kind}))
        if kind == "untag" and known_tags is not None and tag not in known_tags:
            raise bad(_unknown_tag(tag, known_tags))
        return Action(kind, tag)
    if kind == "draft":
        intent = resolve_intent(str(value))
        if intent is None:
            raise bad(Msg("rule.error.unknown_intent", {"intent": repr(value), "known": ", ".join(INTENTS)}))
        language = item.get("language")
        if language is not None and language not in LANGUAGES:
            raise bad(
                Msg(
                    "rule.error.unknown_language", {"language": repr(language), "known": ", ".join(LANGUAGES)}
                )
            )
        return Action(kind, intent, language=language)
    if kind == "remind":
        text = str(item.get("text") or "").strip()
        if not text or len(text) > 500:
            raise bad(Msg("rule.error.remind_text"))
        try:
            in_days = int(item.get("in_days") or 0)
        except (TypeError, ValueError):
            raise bad(Msg("rule.error.remind_in_days")) from None
        who = str(value)
        if known_members is not None and who not in known_members:
            team = ", ".join(sorted(known_members))
            raise bad(
                Msg("rule.error.no_member", {"member": repr(who), "known": team, "count": len(known_members)})
            )
        return Action(kind, who, text=text, in_days=max(0, in_days))
    if kind == "alert":
        text = str(value or "").strip()
        if not text or len(text) > 500:
            raise bad(Msg("rule.error.alert_text"))
        return Action(kind, text)
    if kind == "wait":
        try:
            days = int(value)
        except (TypeError, ValueError):
            raise bad(Msg("rule.error.wait_not_number", {"value": repr(value)})) from None
        if not 1 <= days <= WAIT_MAX:
            raise bad(Msg("rule.error.wait_range", {"max": WAIT_MAX, "value": days}))
        return Action(kind, days)
    try:
        points = int(value)
    except (TypeError, ValueError):
        raise bad(Msg("rule.error.points_action_not_number", {"value": repr(value)})) from None
    if points == 0:
        raise bad(Msg("rule.error.points_action_zero"))
    if abs(points) > ACTION_POINTS_MAX:
        raise bad(Msg("rule.error.points_action_range", {"max": ACTION_POINTS_MAX, "value": points}))
    return Action(kind, points)
