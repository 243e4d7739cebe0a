"""A rule as data: a trigger (with its parameter), an optional condition over the tag-rule fields
(crm.tags.FIELDS, the same evaluator) and actions. `check_rule` refuses anything unknown with a one-line reason."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from crm.catalog import SEGMENT_IDS, STAGE_IDS
from crm.outreach.intents import INTENTS, LANGUAGES
from crm.tags import TagRuleError, compile_rule

# trigger -> the parameter it needs (None: none)
TRIGGERS: dict[str, str | None] = {
    "first_order": None,  # a customer's first valid order
    "repeat_order": None,  # a valid order after an earlier one
    "order_cancelled": None,  # an order cancelled or returned
    "abandoned_cart": None,  # an abandoned_cart behaviour event
    "tag_added": "tag",  # the tag was put on the customer
    "entered_segment": "segment",  # the customer is in the RFM segment (once per last order)
    "entered_stage": "stage",  # the customer is in the lifecycle stage (once per last order)
    "days_since_last_order": "days",  # N days have passed since the last valid order
}
# Evaluated after every import; every trigger is evaluated by the daily run.
IMPORT_TRIGGERS = frozenset(TRIGGERS) - {"days_since_last_order"}
ACTIONS = ("tag", "untag", "draft", "remind", "alert", "points")
INTENT_ALIASES = {
    "apology": "service_recovery",
    "sorry": "service_recovery",
    "thanks": "thank_you",
    "thank-you": "thank_you",
    "win-back": "winback",
    "review": "review_request",
    "reorder": "replenishment",
    "cart": "abandoned_cart",
}
NAME_MAX = 64


class RuleError(ValueError):
    """A rule that cannot be saved; the message is one line naming the rule and the reason."""


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

    def describe(self) -> str:
        if self.kind == "draft":
            return (
                f"draft {self.value}" + (f" in {self.language}" if self.language else "") + " (for approval)"
            )
        if self.kind == "remind":
            when = f" in {self.in_days} days" if self.in_days else ""
            return f"remind {self.value}{when}: {self.text}"
        if self.kind == "points":
            return f"award {self.value} points"
        return (
            f"{self.kind} {self.value!r}" if self.kind in ("tag", "untag") else f"alert groups: {self.value}"
        )


@dataclass(frozen=True)
class RuleSpec:
    name: str
    trigger: str
    param: str | int | None = None
    condition: str | None = None
    actions: tuple[Action, ...] = field(default_factory=tuple)

    def as_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"trigger": self.trigger}
        key = TRIGGERS[self.trigger]
        if key:
            out[key] = self.param
        if self.condition:
            out["if"] = self.condition
        out["actions"] = [a.as_data() for a in self.actions]
        return out

    def describe(self) -> str:
        trigger = self.trigger.replace("_", " ")
        if self.trigger == "days_since_last_order":
            trigger = f"{self.param} days after the last order"
        elif self.param is not None:
            trigger = f"{trigger} {self.param}"
        cond = f" if {self.condition}" if self.condition else ""
        return f"when {trigger}{cond}: " + "; ".join(a.describe() for a in self.actions)


def resolve_intent(text: str) -> str | None:
    key = re.sub(r"[\s_-]+", "_", str(text).strip().lower())
    if key in INTENTS:
        return key
    alias = INTENT_ALIASES.get(str(text).strip().lower()) or INTENT_ALIASES.get(key)
    if alias:
        return alias
    return {i.replace("_", ""): i for i in INTENTS}.get(key.replace("_", ""))


def check_rule(name: str, data: Mapping[str, Any], *, known_tags: Collection[str] | None = None) -> RuleSpec:
    """The rule `data` describes (see RuleSpec.as_data), or a RuleError naming the first problem. With
    `known_tags`, a trigger or untag naming a tag that does not exist is refused too."""
    name = str(name or "").strip()

    def bad(reason: str) -> RuleError:
        return RuleError(f"rule {name!r}: {reason}")

    if not name:
        raise RuleError("a rule needs a name")
    if len(name) > NAME_MAX or "\n" in name:
        raise bad(f"the name must be one line of at most {NAME_MAX} characters")
    if not isinstance(data, Mapping):
        raise bad("a rule is a mapping with trigger, if and actions")
    unknown = set(data) - {"trigger", "if", "actions", "days", "segment", "stage", "tag", "name", "enabled"}
    if unknown:
        raise bad(
            f"unknown setting {sorted(unknown)[0]!r}; use trigger, if, actions and the trigger's parameter"
        )
    trigger = str(data.get("trigger") or "")
    if trigger not in TRIGGERS:
        raise bad(f"unknown trigger {trigger!r}; triggers: {', '.join(TRIGGERS)}")
    key = TRIGGERS[trigger]
    param: str | int | None = None
    if key is not None:
        raw = data.get(key)
        if raw is None or raw == "":
            raise bad(f"trigger {trigger} needs {key}")
        if key == "days":
            try:
                param = int(raw)
            except (TypeError, ValueError):
                raise bad(f"days must be a whole number, got {raw!r}") from None
            if not 1 <= param <= 3650:
                raise bad(f"days must be between 1 and 3650, got {param}")
        elif key == "segment":
            if raw not in SEGMENT_IDS:
                raise bad(f"unknown segment {raw!r}; segments: {', '.join(SEGMENT_IDS)}")
            param = str(raw)
        elif key == "stage":
            if raw not in STAGE_IDS:
                raise bad(f"unknown lifecycle stage {raw!r}; stages: {', '.join(STAGE_IDS)}")
            param = str(raw)
        else:
            param = str(raw)
            if known_tags is not None and param not in known_tags:
                raise bad(f"unknown tag {param!r}; tags: {', '.join(sorted(known_tags)) or 'none yet'}")
    condition = data.get("if")
    if condition is not None and not isinstance(condition, str):
        raise bad("if must be an expression in quotes, e.g. 'orders == 0'")
    condition = (condition or "").strip() or None
    if condition:
        try:
            compile_rule(name, condition, what="rule")
        except TagRuleError as exc:
            raise RuleError(str(exc)) from None
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        raise bad(f"a rule needs at least one action: {', '.join(ACTIONS)}")
    return RuleSpec(name, trigger, param, condition, tuple(_action(a, bad, known_tags) for a in actions))


def _action(item: Any, bad: Any, known_tags: Collection[str] | None) -> Action:
    if not isinstance(item, Mapping):
        raise bad(f"an action is a mapping like {{tag: vip}}; actions: {', '.join(ACTIONS)}")
    kinds = [k for k in item if k in ACTIONS]
    if len(kinds) != 1:
        raise bad(
            f"each action names exactly one of {', '.join(ACTIONS)}, got {', '.join(map(str, item)) or 'none'}"
        )
    kind = kinds[0]
    extra = set(item) - {kind, "language", "text", "in_days"}
    if extra:
        raise bad(f"action {kind}: unknown setting {sorted(extra)[0]!r}")
    value = item[kind]
    if kind in ("tag", "untag"):
        tag = str(value or "").strip()
        if not tag or len(tag) > 64:
            raise bad(f"action {kind}: a tag name of 1 to 64 characters")
        if kind == "untag" and known_tags is not None and tag not in known_tags:
            raise bad(f"unknown tag {tag!r}; tags: {', '.join(sorted(known_tags)) or 'none yet'}")
        return Action(kind, tag)
    if kind == "draft":
        intent = resolve_intent(str(value))
        if intent is None:
            raise bad(f"unknown intent {value!r}; intents: {', '.join(INTENTS)}")
        language = item.get("language")
        if language is not None and language not in LANGUAGES:
            raise bad(f"unknown language {language!r}; languages: {', '.join(LANGUAGES)}")
        return Action(kind, intent, language=language)
    if kind == "remind":
        text = str(item.get("text") or "").strip()
        if not text or len(text) > 500:
            raise bad("action remind needs a text of 1 to 500 characters")
        try:
            in_days = int(item.get("in_days") or 0)
        except (TypeError, ValueError):
            raise bad("action remind: in_days must be a whole number") from None
        return Action(kind, str(value), text=text, in_days=max(0, in_days))
    if kind == "alert":
        text = str(value or "").strip()
        if not text or len(text) > 500:
            raise bad("action alert needs a text of 1 to 500 characters")
        return Action(kind, text)
    try:
        points = int(value)
    except (TypeError, ValueError):
        raise bad(f"action points needs a whole number, got {value!r}") from None
    if points == 0 or abs(points) > 1_000_000:
        raise bad("action points: a whole number other than 0")
    return Action(kind, points)
