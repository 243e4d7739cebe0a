"""What a draft request in chat asks for, decided without Telegram: the `/draft` arguments and a plain-language
draft request become a `DraftRequest` (one customer, a segment, or a reason to refuse), and an offer waits in
the chat's state as plain data until a button finishes the request.

The handlers (handlers/outreach.py) only read the update, call these and reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from crm.display import BRIEF_MAX
from crm.outreach.experiments import read_command_experiment, read_experiment
from crm.outreach.offer import find_offer
from crm.outreach.requests import customer_from_text, is_brief, parse_draft_args, parse_segment_args
from crm.outreach.service import Offer
from crm.query.ir import DraftQuery


@dataclass(frozen=True)
class DraftRequest:
    """One draft request: for a customer (`customer_query`), for a `segment`, or refused with `problem`.

    `problem` is "usage" (nothing to draft), "segment_need_intent" (a segment without an intent) or
    "brief_too_long" (a custom brief longer than BRIEF_MAX; `brief` holds it so the reply can say its length).
    """

    kind: Literal["customer", "segment", "problem"]
    intent: str | None = None
    customer_query: str | None = None
    segment: str | None = None
    country: str | None = None
    language: str | None = None
    brief: str | None = None
    festival: str | None = None
    offer: Offer | None = None
    problem: str | None = None
    variants: int = 1  # 2 or 3: an experiment (crm/outreach/experiments.py)
    experiment: str | None = None  # its name, when the seller gave one


def read_draft_command(args: str, *, now: datetime, timezone: str) -> DraftRequest:
    """`/draft` arguments: `<customer> [intent] [language]` or `segment <segment> <intent> [COUNTRY] [language]`,
    either with an offer anywhere ("code VIP10 10% off")."""
    ask = read_command_experiment(args)
    args = ask.rest.strip()
    if not args:
        return DraftRequest(kind="problem", problem="usage")
    found = find_offer(args, now=now, timezone=timezone)
    offer = Offer(coupon=found.coupon, discount=found.discount, expires=found.expires) if found else None
    if found:  # "/draft Tan winback th code VIP10 10% off"
        args = found.rest
    tokens = args.split()
    if tokens and tokens[0].lower() == "segment":
        segment, intent, country, language = parse_segment_args(tokens[1:])
        if segment is None or intent is None:
            return DraftRequest(kind="problem", problem="usage")
        return DraftRequest(
            kind="segment",
            segment=segment,
            intent=intent,
            country=country,
            language=language,
            offer=offer,
            variants=ask.variants,
            experiment=ask.name,
        )
    customer_query, intent, language = parse_draft_args(args)
    return DraftRequest(
        kind="customer",
        customer_query=customer_query,
        intent=intent,
        language=language,
        offer=offer,
        variants=ask.variants,
        experiment=ask.name,
    )


def offer_of(q: DraftQuery) -> Offer | None:
    """The offer a parsed draft request carries (None when it names none)."""
    if not (q.coupon or q.discount or q.expires):
        return None
    return Offer(coupon=q.coupon, discount=q.discount, expires=q.expires)


def read_draft_query(q: DraftQuery, text: str) -> DraftRequest:
    """A plain-language draft request the question parser read: a custom intent needs a brief (else the intent
    is asked for), a segment needs an intent, and a brief has a length limit; "with 2 variants", "A/B" or
    "两个版本" makes it an experiment."""
    ask = read_experiment(text)
    text = ask.rest or text
    intent: str | None = None if q.outreach == "custom" and not is_brief(text) else q.outreach
    segment = q.segment or q.filters.segment
    if segment:
        if intent in (None, "custom"):
            return DraftRequest(kind="problem", problem="segment_need_intent")
        return DraftRequest(
            kind="segment",
            segment=segment,
            intent=intent,
            country=q.filters.country,
            language=q.language,
            festival=q.festival,
            offer=offer_of(q),
            variants=ask.variants,
            experiment=ask.name,
        )
    if intent == "custom" and q.brief and len(q.brief) > BRIEF_MAX:
        return DraftRequest(kind="problem", problem="brief_too_long", brief=q.brief)
    return DraftRequest(
        kind="customer",
        customer_query=q.customer or customer_from_text(text),
        intent=intent,
        language=q.language,
        offer=offer_of(q),
        brief=q.brief if intent == "custom" else None,
        festival=q.festival,
        variants=ask.variants,
        experiment=ask.name,
    )


def needs_brief(intent: str, brief: str | None) -> bool:
    """A custom message cannot be drafted before the seller says what it is about."""
    return intent == "custom" and not brief


def offer_data(offer: Offer | None, customer_id: int | None = None) -> dict[str, Any] | None:
    """An offer kept in the chat's state until a button finishes the request (bound to a customer if given)."""
    if not offer:
        return None
    return {
        "coupon": offer.coupon,
        "discount": offer.discount,
        "expires": offer.expires.isoformat() if offer.expires else None,
        "customer_id": customer_id,
    }


def offer_from(data: dict[str, Any] | None, customer_id: int) -> Offer | None:
    """The offer kept by `offer_data`, when it was made for this customer (or for whoever is picked)."""
    if not data or data.get("customer_id") not in (None, customer_id):
        return None
    return Offer(
        coupon=data.get("coupon"),
        discount=data.get("discount"),
        expires=date.fromisoformat(data["expires"]) if data.get("expires") else None,
    )
