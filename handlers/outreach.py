"""Outreach drafts in chat: /draft, the customer card's ✉️ button, and plain-language draft requests.

- `/draft <customer> [intent] [language]` (e.g. `/draft Tan winback th`) drafts for one customer; without an
  intent it offers the intent buttons. `/draft segment <segment> [intent] [COUNTRY] [language]` drafts one
  template per language for a segment and sends the recipients as a CSV document.
- The card's button (`draft:<customer_id>`, handlers.customers.DraftCB) offers the intents, then drafts.
- Any private text the offline question parser reads as a draft request ("draft a win-back for Tan in Thai",
  "给 Tan Wei Ling 写一条感谢消息") is handled here, before the question router would answer it.
- Buttons under a draft (`drb:<action>:<draft_id>`): regenerate, shorter, more formal, translate (then
  `drl:<draft_id>:<language>`), edit (the next text message replaces the draft), approve. Approving records an
  outreach interaction (crm.outreach.service.approve), sends the message alone as plain text (ready to copy),
  then a confirmation with the customer, intent, language and notes, and a follow-up reminder button
  (`remind:<customer_id>`).
- A refused draft (no marketing consent, opted out) shows the reason and no buttons.

The drafting itself is crm.outreach.service; the LLM comes from the dispatcher's `llm` (or the configured
endpoint) and may be absent: the templates then write the message.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import I18n
from bot.prompting import ask_for_text
from bot.render import shown
from bot.settings import Settings
from crm.display import BRIEF_MAX, DRAFT_TEXT_MAX
from crm.outreach import service
from crm.outreach.intents import normalise_language
from crm.outreach.offer import find_offer
from handlers.customers import DraftCB, RemindCB, picker_label
from storage.db import Database
from storage.models import TeamMember
from storage.repositories import customer_desk

log = logging.getLogger(__name__)
router = Router(name=__name__)

LANGUAGE_LABELS = {
    "en": "English",
    "zh": "中文",
    "ms": "Bahasa Melayu",
    "th": "ไทย",
    "id": "Bahasa Indonesia",
    "vi": "Tiếng Việt",
}
INTENT_ALIASES = {
    "win-back": "winback",
    "win_back": "winback",
    "thankyou": "thank_you",
    "thank-you": "thank_you",
    "thanks": "thank_you",
    "vip": "thank_you",
    "cart": "abandoned_cart",
    "abandoned-cart": "abandoned_cart",
    "replenish": "replenishment",
    "reorder": "replenishment",
    "review": "review_request",
    "review-request": "review_request",
    "recovery": "service_recovery",
    "service-recovery": "service_recovery",
    "apology": "service_recovery",
    "greeting": "festival",
    "holiday": "festival",
}
NO_VALUE = "-"


class DraftIntentCB(CallbackData, prefix="dri"):
    """An intent picked for a customer (after the card's button or `/draft <customer>`)."""

    customer_id: int
    intent: str
    language: str = NO_VALUE


class DraftPickCB(CallbackData, prefix="drp"):
    """A customer picked when a name matched several; the intent and language were already given."""

    customer_id: int
    intent: str
    language: str = NO_VALUE


class DraftButtonCB(CallbackData, prefix="drb"):
    action: str  # regenerate | shorter | formal | translate | edit | approve
    draft_id: int


class DraftLangCB(CallbackData, prefix="drl"):
    draft_id: int
    language: str  # a language code, or "-" for back to the draft's buttons


class DraftInput(StatesGroup):
    edit = State()
    brief = State()


# --- parsing what the seller typed --------------------------------------------------------------------------
def parse_intent(word: str) -> str | None:
    w = word.strip().lower()
    w = INTENT_ALIASES.get(w, w)
    return w if w in service.INTENTS else None


def parse_draft_args(args: str) -> tuple[str, str | None, str | None]:
    """`Tan Wei Ling winback th` -> (customer query, intent, language); intent and language are optional."""
    tokens = args.split()
    language = intent = None
    for _ in range(2):
        if len(tokens) < 2:
            break
        last = tokens[-1]
        if language is None and last.lower() != "in" and normalise_language(last):
            language = normalise_language(last)
            tokens.pop()
        elif intent is None and parse_intent(last):
            intent = parse_intent(last)
            tokens.pop()
        else:
            break
    return " ".join(tokens), intent, language


def parse_segment_args(tokens: list[str]) -> tuple[str | None, str | None, str | None, str | None]:
    """`important_winback winback TH [th]` -> (segment, intent, country, language)."""
    segment = tokens[0].lower() if tokens else None
    intent = country = language = None
    for tok in tokens[1:]:
        if intent is None and parse_intent(tok):
            intent = parse_intent(tok)
        elif country is None and re.fullmatch(r"[A-Z]{2}", tok):
            country = tok
        elif language is None and normalise_language(tok):
            language = normalise_language(tok)
    return segment, intent, country, language


_TRAILING_LANGUAGE = re.compile(
    r"\s+(?:in|using)\s+(english|chinese|mandarin|malay|bahasa(?:\s+\w+)?|thai|indonesian|vietnamese|"
    r"en|zh|ms|th|id|vi)\s*[.!?]*\s*$",
    re.IGNORECASE,
)
_NAME_AT_END = re.compile(r"\b(?:to|for)\s+(?:customer\s+)?(\S.{0,60}?)\s*[.!?]*\s*$", re.IGNORECASE)


def customer_from_text(text: str) -> str | None:
    """The customer named in a request the parser left without one ("... for Tan in Thai" -> "Tan")."""
    stripped = _TRAILING_LANGUAGE.sub("", text.strip())
    m = _NAME_AT_END.search(stripped)
    if not m:
        return None
    cand = m.group(1).strip(" '\"")
    if re.search(r"\b(all|customers?|segment|everyone|them)\b", cand, re.IGNORECASE):
        return None
    return cand or None


# --- rendering --------------------------------------------------------------------------------------------------
def intent_keyboard(customer_id: int, i18n: I18n, language: str | None = None) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for intent in service.INTENTS:
        kb.button(
            text=i18n(f"draft.intent.{intent}"),
            callback_data=DraftIntentCB(
                customer_id=customer_id, intent=intent, language=language or NO_VALUE
            ),
        )
    kb.adjust(2)
    return kb.as_markup()


def draft_keyboard(draft: service.Draft, i18n: I18n) -> InlineKeyboardMarkup | None:
    if draft.status != "draft" or draft.id is None:
        return None
    kb = InlineKeyboardBuilder()
    for action in ("regenerate", "shorter", "formal", "translate", "edit", "approve"):
        kb.button(
            text=i18n(f"draft.btn_{action}"), callback_data=DraftButtonCB(action=action, draft_id=draft.id)
        )
    kb.adjust(2)
    return kb.as_markup()


def language_keyboard(draft_id: int, current: str, i18n: I18n) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code in service.LANGUAGES:
        if code != current:
            kb.button(
                text=LANGUAGE_LABELS.get(code, code),
                callback_data=DraftLangCB(draft_id=draft_id, language=code),
            )
    kb.button(text=i18n("draft.back"), callback_data=DraftLangCB(draft_id=draft_id, language=NO_VALUE))
    kb.adjust(3)
    return kb.as_markup()


def draft_text(draft: service.Draft, i18n: I18n) -> str:
    name = shown(draft.customer_name) or f"#{draft.customer_id}"
    intent = i18n(f"draft.intent.{draft.intent}")
    if draft.status == "refused" or draft.source == "refused":
        return i18n("draft.refused", name=name, intent=intent, reason=shown(draft.refused_reason, 300))
    # The draft is shown whole up to what a seller may type into it (an older, longer one is shortened); the
    # message stays within Telegram's limit after escaping, so it is never cut inside a tag or an entity.
    lines = [
        i18n(
            "draft.title",
            name=name,
            intent=intent,
            language=LANGUAGE_LABELS.get(draft.language, draft.language),
            source=i18n("draft.source_llm" if draft.source == "llm" else "draft.source_template"),
        ),
        "",
        shown(draft.text, DRAFT_TEXT_MAX, multiline=True),
    ]
    if draft.warnings:
        lines.append("")
        lines += ["⚠️ " + shown(w, 200) for w in draft.notes_in(i18n.language)[:5]]
    if draft.status == "approved":
        lines += ["", i18n("draft.approved_mark")]
    return "\n".join(lines)


def approved_text(draft: service.Draft, i18n: I18n) -> str:
    """The confirmation under an approved draft's clean copy: whom, what, which language, and the notes to
    read before sending (a missing marketing consent among them)."""
    lines = [
        i18n(
            "draft.approved",
            name=shown(draft.customer_name) or f"#{draft.customer_id}",
            intent=i18n(f"draft.intent.{draft.intent}"),
            language=LANGUAGE_LABELS.get(draft.language, draft.language),
        )
    ]
    lines += ["⚠️ " + html.escape(w) for w in draft.notes_in(i18n.language)]
    return "\n".join(lines)


def _llm(llm: Any, settings: Settings) -> Any:
    """The dispatcher's model, else the configured endpoint's (built once), else None: the templates write."""
    if llm is not None:
        return llm
    from crm.query.service import chat_model_for

    return chat_model_for(settings.llm)


def _opt(value: str) -> str | None:
    return None if value == NO_VALUE else value


# --- drafting ---------------------------------------------------------------------------------------------------
async def send_customer_draft(
    message: Message,
    customer_id: int,
    intent: str,
    *,
    db: Database,
    workspace_id: int,
    settings: Settings,
    clock: Callable[[], datetime],
    i18n: I18n,
    llm: Any = None,
    member: TeamMember | None = None,
    language: str | None = None,
    brief: str | None = None,
    festival: str | None = None,
    offer: service.Offer | None = None,
) -> service.Draft | None:
    """Draft for one customer and send it with its buttons (or the refusal, without buttons)."""
    if message.bot is not None:
        await message.bot.send_chat_action(message.chat.id, "typing")
    try:
        draft = await service.draft_for_customer(
            db,
            workspace_id,
            customer_id,
            intent=intent,
            settings=settings,
            as_of=clock(),
            language=language,
            brief=brief,
            festival=festival,
            offer=offer,
            llm=_llm(llm, settings),
            created_by=member.id if member else None,
        )
    except service.DraftError as exc:
        await message.answer(i18n("draft.error", detail=html.escape(str(exc))))
        return None
    await message.answer(draft_text(draft, i18n), reply_markup=draft_keyboard(draft, i18n))
    return draft


async def send_segment_draft(
    message: Message,
    segment: str,
    intent: str,
    *,
    db: Database,
    workspace_id: int,
    settings: Settings,
    clock: Callable[[], datetime],
    i18n: I18n,
    llm: Any = None,
    member: TeamMember | None = None,
    country: str | None = None,
    language: str | None = None,
    festival: str | None = None,
    offer: service.Offer | None = None,
) -> None:
    """One message per language with its template, then the recipients as a CSV document."""
    try:
        result = await service.draft_for_segment(
            db,
            workspace_id,
            segment=segment,
            intent=intent,
            settings=settings,
            as_of=clock(),
            country=country,
            language=language,
            festival=festival,
            offer=offer,
            llm=_llm(llm, settings),
            created_by=member.id if member else None,
        )
    except service.DraftError as exc:
        await message.answer(i18n("draft.error", detail=html.escape(str(exc))))
        return
    skipped = ", ".join(f"{reason}: {n}" for reason, n in sorted(result.skipped.items())) or "0"
    where = f" · {country}" if country else ""
    if result.count == 0:
        await message.answer(i18n("draft.segment_empty", segment=segment, where=where, skipped=skipped))
        return
    await message.answer(
        i18n(
            "draft.segment_title",
            segment=segment,
            where=where,
            intent=i18n(f"draft.intent.{intent}"),
            count=result.count,
            languages=len(result.templates),
            skipped=skipped,
        )
    )
    for lang, template in result.templates.items():
        await message.answer(
            i18n("draft.segment_template", language=LANGUAGE_LABELS.get(lang, lang))
            + "\n\n"
            + shown(template, DRAFT_TEXT_MAX, multiline=True)
        )
    stamp = clock().strftime("%Y%m%d")
    await message.answer_document(
        BufferedInputFile(result.recipients_csv, filename=f"recipients_{segment}_{stamp}.csv"),
        caption=i18n("draft.segment_csv", count=result.count),
    )


async def draft_for_query(
    message: Message,
    text: str,
    *,
    customer_query: str | None,
    intent: str | None,
    language: str | None,
    state: FSMContext,
    i18n: I18n,
    brief: str | None = None,
    festival: str | None = None,
    offer: service.Offer | None = None,
    **deps: Any,
) -> None:
    """Find the customer, then draft (one match), ask which (several) or say nobody matched."""
    if not customer_query:
        await message.answer(i18n("draft.usage"))
        return
    async with deps["db"].sessions() as session:
        hits = await customer_desk.search_customers(session, deps["workspace_id"], customer_query, limit=10)
    if not hits:
        await message.answer(i18n("card.not_found", query=shown(customer_query)))
        return
    if len(hits) > 1:
        # for the picked customer
        await state.update_data(draft_brief=brief, draft_festival=festival, draft_offer=_offer_data(offer))
        kb = InlineKeyboardBuilder()
        for hit in hits:
            label = picker_label(hit, deps["settings"], i18n.language)
            kb.button(
                text=label,
                callback_data=DraftPickCB(
                    customer_id=hit.id, intent=intent or NO_VALUE, language=language or NO_VALUE
                ),
            )
        kb.adjust(1)
        await message.answer(i18n("draft.choose_customer", n=len(hits)), reply_markup=kb.as_markup())
        return
    await _draft_or_ask_intent(
        message,
        hits[0].id,
        intent,
        language=language,
        brief=brief,
        festival=festival,
        offer=offer,
        state=state,
        i18n=i18n,
        **deps,
    )


async def _draft_or_ask_intent(
    message: Message,
    customer_id: int,
    intent: str | None,
    *,
    language: str | None,
    state: FSMContext,
    i18n: I18n,
    brief: str | None = None,
    festival: str | None = None,
    offer: service.Offer | None = None,
    **deps: Any,
) -> None:
    if intent is None:
        # The offer waits for the intent button of this customer.
        await state.update_data(draft_offer=_offer_data(offer, customer_id))
        await message.answer(
            i18n("draft.choose_intent"), reply_markup=intent_keyboard(customer_id, i18n, language)
        )
        return
    if intent == "custom" and not brief:
        await state.set_state(DraftInput.brief)
        await state.update_data(customer_id=customer_id, language=language, draft_offer=_offer_data(offer))
        await ask_for_text(message, i18n("draft.ask_brief"), user=deps.get("event_from_user"))
        return
    await send_customer_draft(
        message,
        customer_id,
        intent,
        language=language,
        brief=brief,
        festival=festival,
        offer=offer,
        i18n=i18n,
        **_deps(deps),
    )


def _offer_data(offer: service.Offer | None, customer_id: int | None = None) -> dict[str, Any] | None:
    """An offer kept in the chat's state until a button finishes the request (bound to a customer if given)."""
    if not offer:
        return None
    return {
        "coupon": offer.coupon,
        "discount": offer.discount,
        "expires": offer.expires.isoformat() if offer.expires else None,
        "customer_id": customer_id,
    }


async def _pop_offer(state: FSMContext, customer_id: int) -> service.Offer | None:
    """The offer waiting in the chat's state, when it was made for this customer (or for whoever is picked)."""
    data = (await state.get_data()).get("draft_offer")
    await state.update_data(draft_offer=None)
    return _offer_from(data, customer_id)


def _offer_from(data: dict[str, Any] | None, customer_id: int) -> service.Offer | None:
    if not data or data.get("customer_id") not in (None, customer_id):
        return None
    return service.Offer(
        coupon=data.get("coupon"),
        discount=data.get("discount"),
        expires=date.fromisoformat(data["expires"]) if data.get("expires") else None,
    )


def _offer_of(q: Any) -> service.Offer | None:
    """The offer a parsed draft request carries (None when it names none)."""
    if not (q.coupon or q.discount or q.expires):
        return None
    return service.Offer(coupon=q.coupon, discount=q.discount, expires=q.expires)


def _deps(deps: dict[str, Any]) -> dict[str, Any]:
    keys = ("db", "workspace_id", "settings", "clock")
    return {**{k: deps[k] for k in keys}, "llm": deps.get("llm"), "member": deps.get("member")}


# --- /draft -------------------------------------------------------------------------------------------------------
@router.message(Command("draft"), flags={"ability": "drafts"})
async def draft_command(
    message: Message, command: CommandObject, state: FSMContext, i18n: I18n, **deps: Any
) -> None:
    args = (command.args or "").strip()
    if not args:
        await message.answer(i18n("draft.usage"))
        return
    found = find_offer(args, now=deps["clock"](), timezone=deps["settings"].workspace.timezone)
    offer = (
        service.Offer(coupon=found.coupon, discount=found.discount, expires=found.expires) if found else None
    )
    if found:  # "/draft Tan winback th code VIP10 10% off"
        args = found.rest
    tokens = args.split()
    if tokens and tokens[0].lower() == "segment":
        segment, intent, country, language = parse_segment_args(tokens[1:])
        if segment is None or intent is None:
            await message.answer(i18n("draft.usage"))
            return
        await send_segment_draft(
            message,
            segment,
            intent,
            country=country,
            language=language,
            offer=offer,
            i18n=i18n,
            **_deps(deps),
        )
        return
    customer_query, intent, language = parse_draft_args(args)
    await draft_for_query(
        message,
        args,
        customer_query=customer_query,
        intent=intent,
        language=language,
        offer=offer,
        state=state,
        i18n=i18n,
        **deps,
    )


# --- plain language ---------------------------------------------------------------------------------------------
def looks_like_draft(
    message: Message, settings: Settings, clock: Callable[[], datetime] | None = None
) -> bool | dict[str, Any]:
    """Filter: the offline question parser reads this private text as a draft request; passes the query on."""
    from crm.query.ir import DraftQuery
    from crm.query.parser import parse_question

    text = message.text or ""
    if not text or text.startswith("/"):
        return False
    parsed = parse_question(text, as_of=clock() if clock else None, timezone=settings.workspace.timezone)
    if not isinstance(parsed.query, DraftQuery):
        return False
    return {"draft_query": parsed.query}


@router.message(
    F.text, StateFilter(None), F.chat.type == "private", looks_like_draft, flags={"ability": "drafts"}
)
async def draft_request(
    message: Message, draft_query: Any, state: FSMContext, i18n: I18n, **deps: Any
) -> None:
    q = draft_query
    text = message.text or ""
    intent = None if q.outreach == "custom" and not _is_brief(text) else q.outreach
    segment = q.segment or q.filters.segment
    if segment:
        if intent in (None, "custom"):
            await message.answer(i18n("draft.segment_need_intent"))
            return
        await send_segment_draft(
            message,
            segment,
            intent,
            country=q.filters.country,
            language=q.language,
            festival=q.festival,
            offer=_offer_of(q),
            i18n=i18n,
            **_deps(deps),
        )
        return
    if intent == "custom" and q.brief and len(q.brief) > BRIEF_MAX:
        await message.answer(i18n("limits.brief", limit=BRIEF_MAX, length=len(q.brief)))
        return
    customer = q.customer or customer_from_text(text)
    await draft_for_query(
        message,
        text,
        customer_query=customer,
        intent=intent,
        language=q.language,
        offer=_offer_of(q),
        brief=q.brief if intent == "custom" else None,
        festival=q.festival,
        state=state,
        i18n=i18n,
        **deps,
    )


def _is_brief(text: str) -> bool:
    """A free-form request carries its own content ("tell her the blue one is back"): a brief, not just a name."""
    return bool(re.search(r"\b(tell|say|let|saying|about|that)\b|告诉|说|通知", text, re.IGNORECASE))


# --- buttons -----------------------------------------------------------------------------------------------------
@router.callback_query(DraftCB.filter(), flags={"ability": "drafts"})
async def card_draft_pressed(query: CallbackQuery, callback_data: DraftCB, i18n: I18n) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            i18n("draft.choose_intent"), reply_markup=intent_keyboard(callback_data.customer_id, i18n)
        )


@router.callback_query(DraftPickCB.filter(), flags={"ability": "drafts"})
async def customer_picked(
    query: CallbackQuery, callback_data: DraftPickCB, state: FSMContext, i18n: I18n, **deps: Any
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    data = await state.get_data()
    await _draft_or_ask_intent(
        query.message,
        callback_data.customer_id,
        _opt(callback_data.intent),
        language=_opt(callback_data.language),
        brief=data.get("draft_brief"),
        festival=data.get("draft_festival"),
        offer=await _pop_offer(state, callback_data.customer_id),
        state=state,
        i18n=i18n,
        **deps,
    )


@router.callback_query(DraftIntentCB.filter(), flags={"ability": "drafts"})
async def intent_picked(
    query: CallbackQuery, callback_data: DraftIntentCB, state: FSMContext, i18n: I18n, **deps: Any
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await _draft_or_ask_intent(
        query.message,
        callback_data.customer_id,
        callback_data.intent,
        language=_opt(callback_data.language),
        offer=await _pop_offer(state, callback_data.customer_id),
        state=state,
        i18n=i18n,
        **deps,
    )


@router.message(DraftInput.brief, F.text, ~F.text.startswith("/"), flags={"ability": "drafts"})
async def brief_entered(message: Message, state: FSMContext, i18n: I18n, **deps: Any) -> None:
    brief = (message.text or "").strip()
    if len(brief) > BRIEF_MAX:  # the question stays open for a shorter brief
        await message.answer(i18n("limits.brief", limit=BRIEF_MAX, length=len(brief)))
        return
    data = await state.get_data()
    await state.clear()
    customer_id = int(data["customer_id"])
    await send_customer_draft(
        message,
        customer_id,
        "custom",
        language=data.get("language"),
        brief=brief,
        offer=_offer_from(data.get("draft_offer"), customer_id),
        i18n=i18n,
        **_deps(deps),
    )


async def _show(query: CallbackQuery, draft: service.Draft, i18n: I18n) -> None:
    """Replace the draft message with the new draft (a new message when it cannot be edited)."""
    assert isinstance(query.message, Message)
    text, markup = draft_text(draft, i18n), draft_keyboard(draft, i18n)
    try:
        await query.message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "not modified" in str(exc):
            return
        await query.message.answer(text, reply_markup=markup)


async def _revise(
    query: CallbackQuery,
    draft_id: int,
    action: str,
    i18n: I18n,
    *,
    db: Database,
    workspace_id: int,
    settings: Settings,
    clock: Callable[[], datetime],
    llm: Any = None,
    member: TeamMember | None = None,
    language: str | None = None,
) -> None:
    assert isinstance(query.message, Message)
    try:
        draft = await service.revise(
            db,
            workspace_id,
            draft_id,
            action=action,
            settings=settings,
            as_of=clock(),
            language=language,
            llm=_llm(llm, settings),
            created_by=member.id if member else None,
        )
    except service.DraftError as exc:
        await query.message.answer(i18n("draft.error", detail=html.escape(str(exc))))
        return
    await _show(query, draft, i18n)


@router.callback_query(DraftButtonCB.filter(), flags={"ability": "drafts"})
async def draft_button(
    query: CallbackQuery, callback_data: DraftButtonCB, state: FSMContext, i18n: I18n, **deps: Any
) -> None:
    if not isinstance(query.message, Message):
        await query.answer(i18n("common.not_available"), show_alert=True)
        return
    action, draft_id = callback_data.action, callback_data.draft_id
    if action == "translate":
        await query.answer()
        current = _current_language(query.message.text or "")
        await query.message.edit_reply_markup(reply_markup=language_keyboard(draft_id, current, i18n))
        return
    if action == "edit":
        await query.answer()
        await state.set_state(DraftInput.edit)
        await state.update_data(draft_id=draft_id)
        await ask_for_text(query.message, i18n("draft.ask_edit"), user=query.from_user)
        return
    if action == "approve":
        await query.answer()
        await _approve(query, draft_id, i18n, **_deps(deps))
        return
    if action in service.ACTIONS:
        await query.answer(i18n("draft.working"))
        await _revise(query, draft_id, action, i18n, **_deps(deps))
        return
    await query.answer(i18n("common.not_available"), show_alert=True)


def _current_language(text: str) -> str:
    for code, label in LANGUAGE_LABELS.items():
        if f"· {label} ·" in text:
            return code
    return ""


@router.callback_query(DraftLangCB.filter(), flags={"ability": "drafts"})
async def language_picked(query: CallbackQuery, callback_data: DraftLangCB, i18n: I18n, **deps: Any) -> None:
    if not isinstance(query.message, Message):
        await query.answer(i18n("common.not_available"), show_alert=True)
        return
    language = _opt(callback_data.language)
    if language is None:  # back: the draft's own buttons again
        await query.answer()
        kb = InlineKeyboardBuilder()
        for action in ("regenerate", "shorter", "formal", "translate", "edit", "approve"):
            kb.button(
                text=i18n(f"draft.btn_{action}"),
                callback_data=DraftButtonCB(action=action, draft_id=callback_data.draft_id),
            )
        kb.adjust(2)
        await query.message.edit_reply_markup(reply_markup=kb.as_markup())
        return
    await query.answer(i18n("draft.working"))
    await _revise(query, callback_data.draft_id, "translate", i18n, language=language, **_deps(deps))


async def _approve(
    query: CallbackQuery,
    draft_id: int,
    i18n: I18n,
    *,
    db: Database,
    workspace_id: int,
    clock: Callable[[], datetime],
    member: TeamMember | None = None,
    **_: Any,
) -> None:
    assert isinstance(query.message, Message)
    try:
        draft = await service.approve(
            db, workspace_id, draft_id, member_id=member.id if member else None, at=clock()
        )
    except service.DraftError as exc:
        await query.message.answer(i18n("draft.error", detail=html.escape(str(exc))))
        return
    try:  # noqa: SIM105
        await query.message.edit_text(draft_text(draft, i18n), reply_markup=None)
    except TelegramBadRequest:
        pass  # the confirmation below says it anyway
    # The message to send on its own, as plain text: a long-press copy gives exactly what the customer gets.
    await query.message.answer(draft.text, parse_mode=None)
    kb = InlineKeyboardBuilder()
    if draft.customer_id is not None:
        kb.button(text=i18n("draft.follow_up"), callback_data=RemindCB(customer_id=draft.customer_id))
    await query.message.answer(
        approved_text(draft, i18n), reply_markup=kb.as_markup() if draft.customer_id is not None else None
    )


@router.message(DraftInput.edit, F.text, ~F.text.startswith("/"), flags={"ability": "drafts"})
async def edit_entered(
    message: Message, state: FSMContext, db: Database, workspace_id: int, i18n: I18n
) -> None:
    if len((message.text or "").strip()) > DRAFT_TEXT_MAX:  # the question stays open for a shorter version
        await message.answer(
            i18n("limits.draft", limit=DRAFT_TEXT_MAX, length=len((message.text or "").strip()))
        )
        return
    draft_id = int((await state.get_data())["draft_id"])
    await state.clear()
    try:
        draft = await service.edit(db, workspace_id, draft_id, message.text or "")
    except service.DraftError as exc:
        await message.answer(i18n("draft.error", detail=html.escape(str(exc))))
        return
    await message.answer(draft_text(draft, i18n), reply_markup=draft_keyboard(draft, i18n))
