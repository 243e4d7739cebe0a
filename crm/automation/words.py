"""Rules written in plain words, for the common shapes only, read deterministically (no LLM):

    when a customer's first order is cancelled, tag them 'cancel-1st' and draft an apology
    30 days after the last order, draft a replenishment message
    when a cart is abandoned, draft an abandoned cart reminder in zh
    when a customer enters important_winback, tag them 'winback' and award 50 points
    when points reach 1000, add tag vip                     当积分达到1000时打标签“vip”
    3 days before a festival, draft a festival greeting     节日前3天写节日祝福
    3 days before chinese new year, draft a festival greeting in zh
    60 days without an order or interaction, alert the team 60天没有下单或互动时通知群组
    when a customer's first order is cancelled, draft an apology, then wait 7 days and award 50 points

`parse_words` returns the rule as data (crm.automation.rules.check_rule checks it) or None when it does not
read a trigger and at least one action."""

from __future__ import annotations

import re
from typing import Any

from crm.automation.rules import ANY_FESTIVAL, resolve_intent
from crm.catalog import SEGMENT_IDS, STAGE_IDS
from crm.outreach.festivals import FESTIVALS, find_festival
from crm.outreach.intents import LANGUAGES

_QUOTED = r"['\"‘’“”]([^'\"‘’“”]{1,64})['\"‘’“”]"


_FESTIVAL_WORDS = r"(an? |the |any )?(festival|holiday)( day)?|节日"


def _festival(text: str) -> dict[str, Any] | None:
    """'3 days before a festival', 'on christmas', 'the day before chinese new year', '春节前3天', '节日当天'."""
    names = sorted(
        {n for f in FESTIVALS.values() for n in (*f.aliases, f.names["en"].lower(), f.names["zh"], f.key)},
        key=len,
        reverse=True,
    )
    named = "|".join(re.escape(n) for n in names)
    which = rf"({_FESTIVAL_WORDS}|{named})"
    m = re.search(rf"(\d{{1,2}}) ?days? before {which}", text)
    if m:
        return _festival_rule(m.group(2), int(m.group(1)))
    m = re.search(rf"the day before {which}", text)
    if m:
        return _festival_rule(m.group(1), 1)
    m = re.search(rf"\bon {which}", text)
    if m:
        return _festival_rule(m.group(1), 0)
    m = re.search(rf"{which}前 ?(\d{{1,2}}) ?天", text)
    if m:
        return _festival_rule(m.group(1), int(m.group(m.lastindex or 0)))
    m = re.search(rf"{which}(当天|那天)", text)
    if m:
        return _festival_rule(m.group(1), 0)
    return None


def _festival_rule(name: str, days_before: int) -> dict[str, Any]:
    festival = None if re.fullmatch(_FESTIVAL_WORDS, name) else find_festival(name)
    out: dict[str, Any] = {"trigger": "festival", "festival": festival.key if festival else ANY_FESTIVAL}
    if days_before:
        out["days_before"] = days_before
    return out


def _trigger(text: str) -> dict[str, Any] | None:
    m = re.search(
        r"(points?|balance) (reach(es)?|hits?|gets? to|is at least|crosses|passes) (\d{1,8})|"
        r"reach(es)? (\d{1,8}) points|积分(达到|满|超过) ?(\d{1,8})",
        text,
    )
    if m:
        return {"trigger": "points_reached", "points": int(m.group(4) or m.group(6) or m.group(8))}
    festival = _festival(text)
    if festival:
        return festival
    m = re.search(
        r"(\d{1,4}) ?days? (without (an? )?(order or |order and )?(any )?(interaction|contact)|"
        r"(after|since) (the |their )?last (interaction|contact))",
        text,
    )
    m = m or re.search(r"(\d{1,4}) ?天(没有|未|无)(下单或)?(互动|联系)", text)
    if m:
        return {"trigger": "days_since_last_interaction", "days": int(m.group(1))}
    if re.search(r"first order (is |gets |was )?(cancel+ed|returned|refunded)|首单.{0,3}(取消|退货)", text):
        return {"trigger": "order_cancelled", "if": "orders == 0"}
    if re.search(
        r"(order (is |gets |was )?(cancel+ed|returned|refunded))|取消订单|订单.{0,3}取消|退货", text
    ):
        return {"trigger": "order_cancelled"}
    m = re.search(
        r"(\d{1,4}) ?days? (after|since) (the |their |a customer's |the customer's )?last order", text
    )
    m = m or re.search(r"最后一次下单(后)?(\d{1,4})天|(\d{1,4})天(没有|未)下单", text)
    if m:
        days = next(g for g in m.groups() if g and g.isdigit())
        return {"trigger": "days_since_last_order", "days": int(days)}
    if re.search(r"abandon|cart|弃购|购物车", text):
        return {"trigger": "abandoned_cart"}
    if re.search(r"first order|首单|第一(笔|个)订单", text):
        return {"trigger": "first_order"}
    if re.search(r"(repeat|second|another|new) order|复购|再次下单", text):
        return {"trigger": "repeat_order"}
    m = re.search(r"(tagged|gets the tag|tag) " + _QUOTED + r" (is )?(added|put)?", text)
    if m and re.search(r"\b(is|gets|becomes) tagged|tag " + _QUOTED + r" is added", text):
        return {"trigger": "tag_added", "tag": m.group(2)}
    m = re.search(r"(enters?|moves? (in)?to|becomes?|is now) (the )?(segment |stage )?([a-z_]+)", text)
    if m and m.group(5) in SEGMENT_IDS:
        return {"trigger": "entered_segment", "segment": m.group(5)}
    if m and m.group(5) in STAGE_IDS:
        return {"trigger": "entered_stage", "stage": m.group(5)}
    return None


def _actions(text: str) -> list[dict[str, Any]]:
    """The actions, in the order the text names them ("tag them 'x', then wait 3 days and draft a win-back")."""
    found: list[tuple[int, dict[str, Any]]] = []
    m: re.Match[str] | None
    for hit in re.finditer(
        r"(?<!remove the )(?<!remove )\btag (them |him |her |the customer |it )?(as |with )?" + _QUOTED, text
    ):
        found.append((hit.start(), {"tag": hit.group(3)}))
    for hit in re.finditer(r"(remove|untag)( the)?( tag)? " + _QUOTED, text):
        found.append((hit.start(), {"untag": hit.group(4)}))
    for hit in re.finditer(r"打(上)?标签 ?" + _QUOTED, text):
        found.append((hit.start(), {"tag": hit.group(2)}))
    if not found:  # a bare tag name: "add tag vip", "tag them vip"
        for hit in re.finditer(
            r"(?<!remove )\b(add|put on)? ?(the )?tag (them |him |her |the customer )?(as )?([a-z0-9][a-z0-9_-]{0,63})\b",
            text,
        ):
            if hit.group(5) not in ("them", "him", "her", "the", "as", "with", "is", "added"):
                found.append((hit.start(), {"tag": hit.group(5)}))
    m = re.search(r"\b(draft|write|prepare) (an? |the )?([^,;.]+?)(?=$|[,;.]| and | then )", text)
    if m:
        words = m.group(3).strip()
        language = None
        lang = re.search(r" in ([a-z]{2})$", words)
        if lang and lang.group(1) in LANGUAGES:
            language, words = lang.group(1), words[: lang.start()]
        words = re.sub(r" (message|note|reminder|text)$", "", words)
        intent = resolve_intent(words)
        if intent:
            draft: dict[str, Any] = {"draft": intent}
            if language:
                draft["language"] = language
            found.append((m.start(), draft))
    m = re.search(r"(道歉|补货|召回|感谢|评价|节日祝福|节日问候|祝福)", text)
    if m and not any("draft" in a for _, a in found):
        zh = {
            "道歉": "service_recovery",
            "补货": "replenishment",
            "召回": "winback",
            "感谢": "thank_you",
            "评价": "review_request",
            "节日祝福": "festival",
            "节日问候": "festival",
            "祝福": "festival",
        }
        found.append((m.start(), {"draft": zh[m.group(1)]}))
    m = re.search(r"(award|give|add) (\d{1,6}) points|(赠送|奖励)(\d{1,6}) ?积分", text)
    if m:
        found.append((m.start(), {"points": int(m.group(2) or m.group(4))}))
    m = re.search(r"alert (the )?(team|group)|通知(群组|团队)", text)
    if m:
        found.append((m.start(), {"alert": "a customer matched this rule"}))
    if found:  # waits between steps: "then wait 3 days", "3 days later", "等待3天", "3天后再"
        first = min(p for p, _ in found)
        for hit in re.finditer(
            r"wait (\d{1,3}) ?days?|(\d{1,3}) ?days? later|等待? ?(\d{1,3}) ?天|(\d{1,3}) ?天后再", text
        ):
            if hit.start() > first:
                days = next(g for g in hit.groups() if g)
                found.append((hit.start(), {"wait": int(days)}))
    return [a for _, a in sorted(found, key=lambda x: x[0])]


def parse_words(text: str) -> dict[str, Any] | None:
    """The rule `text` describes as data, or None when it is not one of the common shapes."""
    t = re.sub(r"\s+", " ", text.strip().lower())
    trigger = _trigger(t)
    if trigger is None:
        return None
    actions = _actions(t)
    if not actions:
        return None
    return {**trigger, "actions": actions}


def name_for(data: dict[str, Any]) -> str:
    """A short rule name from the rule: its trigger and first action."""
    first = data["actions"][0]
    kind = next(iter(first))
    base = f"{data['trigger']}-{kind}-{first[kind]}"
    return re.sub(r"[^a-z0-9_-]+", "-", str(base).lower())[:56]
