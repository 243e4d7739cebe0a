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
- The buttons under a journey answer (`sdr:<stage>:<intent>`, bot.outreach_view.StageDraftCB) draft for every
  customer now in that lifecycle stage, as `/draft segment` does for a segment.

The drafting itself is crm.outreach.service, what a request asks for is crm.outreach.chat, and how drafts look
(texts, keyboards, callback data) is bot/outreach_view.py; the LLM comes from the dispatcher's `llm` (or the
configured endpoint) and may be absent: the templates then write the message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram import F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message, User
from sqlalchemy.ext.asyncio import AsyncSession

from bot import outreach_view as view
from bot.i18n import I18n
from bot.outreach_view import DraftButtonCB, DraftIntentCB, DraftLangCB, DraftPickCB, StageDraftCB
from bot.prompting import ask_for_text
from bot.render import shown
from bot.settings import Settings
from crm.display import BRIEF_MAX, DRAFT_TEXT_MAX
from crm.outreach import service
from crm.outreach.chat import (
    DraftRequest,
    needs_brief,
    offer_data,
    offer_from,
    read_draft_command,
    read_draft_query,
)
from crm.query.ir import DraftQuery
from crm.query.reading import MessageReading
from crm.rights import Actor, record_act
from handlers.customers import DraftCB, RemindCB, picker_label
from handlers.routes import Routes
from storage.db import Database
from storage.models import TeamMember
from storage.repositories import customer_desk
from storage.repositories.currency import base_currency

log = logging.getLogger(__name__)
routes = Routes(__name__)


class DraftInput(StatesGroup):
    edit = State()
    brief = State()


@dataclass(frozen=True)
class Drafting:
    """What drafting in chat needs from the dispatcher (the database, the workspace, settings, clock and LLM),
    injected once as the workflow data `drafting`; who drafts (`member`) comes with each update."""

    db: Database
    workspace_id: int
    settings: Settings
    clock: Callable[[], datetime]
    llm: Any = None

    @property
    def chat_model(self) -> Any:
        """The dispatcher's model, else the configured endpoint's (built once), else None: the templates write."""
        if self.llm is not None:
            return self.llm
        from crm.query.service import chat_model_for

        return chat_model_for(self.settings.llm)


# --- drafting ---------------------------------------------------------------------------------------------------
async def send_customer_draft(
    message: Message,
    customer_id: int,
    request: DraftRequest,
    *,
    drafting: Drafting,
    member: TeamMember | None,
    i18n: I18n,
) -> service.Draft | None:
    """Draft for one customer and send it with its buttons (or the refusal, without buttons)."""
    assert request.intent is not None
    if message.bot is not None:
        await message.bot.send_chat_action(message.chat.id, "typing")
    try:
        draft = await service.draft_for_customer(
            drafting.db,
            drafting.workspace_id,
            customer_id,
            intent=request.intent,
            settings=drafting.settings,
            as_of=drafting.clock(),
            language=request.language,
            brief=request.brief,
            festival=request.festival,
            offer=request.offer,
            llm=drafting.chat_model,
            created_by=member.id if member else None,
            variants=request.variants,
            experiment=request.experiment,
        )
    except service.DraftError as exc:
        await message.answer(view.error_text(exc, i18n))
        return None
    await message.answer(view.draft_text(draft, i18n), reply_markup=view.draft_keyboard(draft, i18n))
    return draft


async def send_segment_draft(
    message: Message, request: DraftRequest, *, drafting: Drafting, member: TeamMember | None, i18n: I18n
) -> None:
    """One message per language with its template, then the recipients as a CSV document."""
    assert request.segment is not None and request.intent is not None
    segment, intent, country = request.segment, request.intent, request.country
    try:
        result = await service.draft_for_segment(
            drafting.db,
            drafting.workspace_id,
            segment=segment,
            intent=intent,
            settings=drafting.settings,
            as_of=drafting.clock(),
            country=country,
            language=request.language,
            festival=request.festival,
            offer=request.offer,
            llm=drafting.chat_model,
            created_by=member.id if member else None,
            variants=request.variants,
            experiment=request.experiment,
        )
    except service.DraftError as exc:
        await message.answer(view.error_text(exc, i18n))
        return
    if result.count == 0:
        await message.answer(view.segment_empty_text(segment, country, result.skipped, i18n))
        return
    await message.answer(view.segment_title(segment, intent, country, result, i18n))
    if result.experiment is not None:
        # An experiment: each language's variants, and one approve button per language under its last variant.
        for lang, texts in result.variants.items():
            for k, (label, text) in enumerate(zip(view.LABELS, texts, strict=False)):
                last = k == len(texts) - 1
                await message.answer(
                    view.segment_variant_text(lang, label, text, i18n),
                    reply_markup=view.approve_button(result.draft_ids[lang], i18n) if last else None,
                )
    else:
        for lang, template in result.templates.items():
            await message.answer(view.segment_template_text(lang, template, i18n))
    stamp = drafting.clock().strftime("%Y%m%d")
    caption = i18n("draft.segment_csv", count=result.count)
    if result.experiment is not None:
        caption += "\n" + i18n(
            "experiments.split", name=result.experiment, split=view.split_text(result.split)
        )
    await message.answer_document(
        BufferedInputFile(result.recipients_csv, filename=view.recipients_filename(segment, stamp)),
        caption=caption,
    )


async def draft_for_query(
    message: Message,
    request: DraftRequest,
    *,
    state: FSMContext,
    i18n: I18n,
    session: AsyncSession,
    drafting: Drafting,
    member: TeamMember | None,
    user: User | None,
) -> None:
    """Find the customer, then draft (one match), ask which (several) or say nobody matched."""
    if not request.customer_query:
        await message.answer(i18n("draft.usage"))
        return
    hits = await customer_desk.search_customers(
        session, drafting.workspace_id, request.customer_query, limit=10
    )
    if not hits:
        await message.answer(i18n("card.not_found", query=shown(request.customer_query)))
        return
    if len(hits) > 1:
        # for the picked customer
        await state.update_data(
            draft_brief=request.brief, draft_festival=request.festival, draft_offer=offer_data(request.offer)
        )
        currency = await base_currency(session, drafting.workspace_id)
        choices = [(hit.id, picker_label(hit, drafting.settings, i18n.language, currency)) for hit in hits]
        await message.answer(
            i18n("draft.choose_customer", n=len(hits)),
            reply_markup=view.customer_picker(choices, request.intent, request.language),
        )
        return
    await _draft_or_ask_intent(
        message, hits[0].id, request, state=state, i18n=i18n, drafting=drafting, member=member, user=user
    )


async def _draft_or_ask_intent(
    message: Message,
    customer_id: int,
    request: DraftRequest,
    *,
    state: FSMContext,
    i18n: I18n,
    drafting: Drafting,
    member: TeamMember | None,
    user: User | None,
) -> None:
    """Draft for the customer, or first ask for the intent (none given) or the brief (a custom message)."""
    if request.intent is None:
        # The offer waits for the intent button of this customer.
        await state.update_data(draft_offer=offer_data(request.offer, customer_id))
        await message.answer(
            i18n("draft.choose_intent"),
            reply_markup=view.intent_keyboard(customer_id, i18n, request.language),
        )
        return
    if needs_brief(request.intent, request.brief):
        await state.set_state(DraftInput.brief)
        await state.update_data(
            customer_id=customer_id, language=request.language, draft_offer=offer_data(request.offer)
        )
        await ask_for_text(message, i18n("draft.ask_brief"), user=user)
        return
    await send_customer_draft(message, customer_id, request, i18n=i18n, drafting=drafting, member=member)


async def _pop_offer(state: FSMContext, customer_id: int) -> service.Offer | None:
    """The offer waiting in the chat's state, when it was made for this customer (or for whoever is picked)."""
    data = (await state.get_data()).get("draft_offer")
    await state.update_data(draft_offer=None)
    return offer_from(data, customer_id)


async def _handle_request(
    message: Message,
    request: DraftRequest,
    *,
    state: FSMContext,
    i18n: I18n,
    session: AsyncSession,
    drafting: Drafting,
    member: TeamMember | None,
    user: User | None,
) -> None:
    """Reply to a draft request: its problem, the segment's drafts, or the customer's draft."""
    if request.kind == "problem":
        if request.problem == "brief_too_long":
            length = len(request.brief or "")
            await message.answer(i18n("limits.brief", limit=BRIEF_MAX, length=length))
        else:
            await message.answer(i18n(f"draft.{request.problem}"))
        return
    if request.kind == "segment":
        await send_segment_draft(message, request, i18n=i18n, drafting=drafting, member=member)
        return
    await draft_for_query(
        message, request, state=state, i18n=i18n, session=session, drafting=drafting, member=member, user=user
    )


# --- /draft -------------------------------------------------------------------------------------------------------
@routes.message(Command("draft"), flags={"ability": "drafts"})
async def draft_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    i18n: I18n,
    session: AsyncSession,
    drafting: Drafting,
    member: TeamMember | None,
    event_from_user: User | None = None,
) -> None:
    request = read_draft_command(
        command.args or "", now=drafting.clock(), timezone=drafting.settings.workspace.timezone
    )
    await _handle_request(
        message,
        request,
        state=state,
        i18n=i18n,
        session=session,
        drafting=drafting,
        member=member,
        user=event_from_user,
    )


# --- plain language ---------------------------------------------------------------------------------------------
def looks_like_draft(message: Message, reading: MessageReading | None = None) -> bool | dict[str, Any]:
    """Filter: the message's offline reading is a draft request; passes the query on as `draft_query`."""
    draft = reading.draft if reading is not None else None
    return {"draft_query": draft} if draft is not None else False


@routes.message(
    F.text, StateFilter(None), F.chat.type == "private", looks_like_draft, flags={"ability": "drafts"}
)
async def draft_request(
    message: Message,
    draft_query: DraftQuery,
    state: FSMContext,
    i18n: I18n,
    session: AsyncSession,
    drafting: Drafting,
    member: TeamMember | None,
    event_from_user: User | None = None,
) -> None:
    await _handle_request(
        message,
        read_draft_query(draft_query, message.text or ""),
        state=state,
        i18n=i18n,
        session=session,
        drafting=drafting,
        member=member,
        user=event_from_user,
    )


# --- buttons -----------------------------------------------------------------------------------------------------
@routes.callback_query(StageDraftCB.filter(), flags={"ability": "drafts"})
async def stage_draft_pressed(
    query: CallbackQuery,
    callback_data: StageDraftCB,
    i18n: I18n,
    drafting: Drafting,
    member: TeamMember | None,
) -> None:
    """A journey answer's button: one template per language for every customer now in the stage, and the
    recipients as a CSV (as `/draft segment`)."""
    await query.answer()
    if not isinstance(query.message, Message):
        return
    request = DraftRequest(kind="segment", segment=callback_data.stage, intent=callback_data.intent)
    await send_segment_draft(query.message, request, drafting=drafting, member=member, i18n=i18n)
    if (
        callback_data.stage == "churned"
    ):  # long gone: a win-back works better with an offer, in the seller's words
        await query.message.answer(i18n("ask.stage_offer_hint", stage=callback_data.stage))


@routes.callback_query(DraftCB.filter(), flags={"ability": "drafts"})
async def card_draft_pressed(query: CallbackQuery, callback_data: DraftCB, i18n: I18n) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            i18n("draft.choose_intent"), reply_markup=view.intent_keyboard(callback_data.customer_id, i18n)
        )


@routes.callback_query(DraftPickCB.filter(), flags={"ability": "drafts"})
async def customer_picked(
    query: CallbackQuery,
    callback_data: DraftPickCB,
    state: FSMContext,
    i18n: I18n,
    drafting: Drafting,
    member: TeamMember | None,
    event_from_user: User | None = None,
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    data = await state.get_data()
    request = DraftRequest(
        kind="customer",
        intent=view.opt(callback_data.intent),
        language=view.opt(callback_data.language),
        brief=data.get("draft_brief"),
        festival=data.get("draft_festival"),
        offer=await _pop_offer(state, callback_data.customer_id),
    )
    await _draft_or_ask_intent(
        query.message,
        callback_data.customer_id,
        request,
        state=state,
        i18n=i18n,
        drafting=drafting,
        member=member,
        user=event_from_user,
    )


@routes.callback_query(DraftIntentCB.filter(), flags={"ability": "drafts"})
async def intent_picked(
    query: CallbackQuery,
    callback_data: DraftIntentCB,
    state: FSMContext,
    i18n: I18n,
    drafting: Drafting,
    member: TeamMember | None,
    event_from_user: User | None = None,
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    request = DraftRequest(
        kind="customer",
        intent=callback_data.intent,
        language=view.opt(callback_data.language),
        offer=await _pop_offer(state, callback_data.customer_id),
    )
    await _draft_or_ask_intent(
        query.message,
        callback_data.customer_id,
        request,
        state=state,
        i18n=i18n,
        drafting=drafting,
        member=member,
        user=event_from_user,
    )


@routes.message(DraftInput.brief, F.text, ~F.text.startswith("/"), flags={"ability": "drafts"})
async def brief_entered(
    message: Message, state: FSMContext, i18n: I18n, drafting: Drafting, member: TeamMember | None
) -> None:
    brief = (message.text or "").strip()
    if len(brief) > BRIEF_MAX:  # the question stays open for a shorter brief
        await message.answer(i18n("limits.brief", limit=BRIEF_MAX, length=len(brief)))
        return
    data = await state.get_data()
    await state.clear()
    customer_id = int(data["customer_id"])
    request = DraftRequest(
        kind="customer",
        intent="custom",
        language=data.get("language"),
        brief=brief,
        offer=offer_from(data.get("draft_offer"), customer_id),
    )
    await send_customer_draft(message, customer_id, request, i18n=i18n, drafting=drafting, member=member)


async def _show(query: CallbackQuery, draft: service.Draft, i18n: I18n) -> None:
    """Replace the draft message with the new draft (a new message when it cannot be edited)."""
    assert isinstance(query.message, Message)
    text, markup = view.draft_text(draft, i18n), view.draft_keyboard(draft, i18n)
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
    drafting: Drafting,
    member: TeamMember | None,
    language: str | None = None,
) -> None:
    assert isinstance(query.message, Message)
    try:
        draft = await service.revise(
            drafting.db,
            drafting.workspace_id,
            draft_id,
            action=action,
            settings=drafting.settings,
            as_of=drafting.clock(),
            language=language,
            llm=drafting.chat_model,
            created_by=member.id if member else None,
        )
    except service.DraftError as exc:
        await query.message.answer(view.error_text(exc, i18n))
        return
    await _show(query, draft, i18n)


@routes.callback_query(DraftButtonCB.filter(), flags={"ability": "drafts"})
async def draft_button(
    query: CallbackQuery,
    callback_data: DraftButtonCB,
    state: FSMContext,
    i18n: I18n,
    drafting: Drafting,
    member: TeamMember | None,
) -> None:
    if not isinstance(query.message, Message):
        await query.answer(i18n("common.not_available"), show_alert=True)
        return
    action, draft_id = callback_data.action, callback_data.draft_id
    if action == "translate":
        await query.answer()
        current = view.current_language(query.message.text or "")
        await query.message.edit_reply_markup(reply_markup=view.language_keyboard(draft_id, current, i18n))
        return
    if action == "edit":
        await query.answer()
        await state.set_state(DraftInput.edit)
        await state.update_data(draft_id=draft_id)
        await ask_for_text(query.message, i18n("draft.ask_edit"), user=query.from_user)
        return
    if action == "approve":
        await query.answer()
        await _approve(query, draft_id, i18n, drafting=drafting, member=member)
        return
    if action in service.ACTIONS:
        await query.answer(i18n("draft.working"))
        await _revise(query, draft_id, action, i18n, drafting=drafting, member=member)
        return
    await query.answer(i18n("common.not_available"), show_alert=True)


@routes.callback_query(DraftLangCB.filter(), flags={"ability": "drafts"})
async def language_picked(
    query: CallbackQuery,
    callback_data: DraftLangCB,
    i18n: I18n,
    drafting: Drafting,
    member: TeamMember | None,
) -> None:
    if not isinstance(query.message, Message):
        await query.answer(i18n("common.not_available"), show_alert=True)
        return
    language = view.opt(callback_data.language)
    if language is None:  # back: the draft's own buttons again
        await query.answer()
        await query.message.edit_reply_markup(reply_markup=view.draft_buttons(callback_data.draft_id, i18n))
        return
    await query.answer(i18n("draft.working"))
    await _revise(
        query, callback_data.draft_id, "translate", i18n, drafting=drafting, member=member, language=language
    )


async def _approve(
    query: CallbackQuery,
    draft_id: int,
    i18n: I18n,
    *,
    drafting: Drafting,
    member: TeamMember | None,
) -> None:
    assert isinstance(query.message, Message)
    try:
        draft = await service.approve(
            drafting.db,
            drafting.workspace_id,
            draft_id,
            member_id=member.id if member else None,
            at=drafting.clock(),
        )
    except service.DraftError as exc:
        await query.message.answer(view.error_text(exc, i18n))
        return
    await record_act(
        drafting.db,
        drafting.workspace_id,
        "approved",
        Actor("telegram", member.id if member else None, query.from_user.id),
        f"draft:{draft_id}",
        {"customer": draft.customer_id, "intent": draft.intent},
    )
    if draft.customer_id is None:  # a segment experiment's templates: the recipients enter the experiment
        try:  # noqa: SIM105
            await query.message.edit_reply_markup(reply_markup=None)
        except TelegramBadRequest:
            pass
        await query.message.answer(view.segment_approved_text(draft, i18n))
        return
    try:  # noqa: SIM105
        await query.message.edit_text(view.draft_text(draft, i18n), reply_markup=None)
    except TelegramBadRequest:
        pass  # the confirmation below says it anyway
    # The message to send on its own, as plain text: a long-press copy gives exactly what the customer gets.
    await query.message.answer(draft.text, parse_mode=None)
    remind = RemindCB(customer_id=draft.customer_id) if draft.customer_id is not None else None
    await query.message.answer(
        view.approved_text(draft, i18n), reply_markup=view.follow_up_keyboard(remind, i18n)
    )


@routes.message(DraftInput.edit, F.text, ~F.text.startswith("/"), flags={"ability": "drafts"})
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
        await message.answer(view.error_text(exc, i18n))
        return
    await message.answer(view.draft_text(draft, i18n), reply_markup=view.draft_keyboard(draft, i18n))


# --- /experiments ---------------------------------------------------------------------------------------------------
@routes.message(Command("experiments"), flags={"ability": "ask"})
async def experiments_command(
    message: Message, command: CommandObject, i18n: I18n, session: AsyncSession, drafting: Drafting
) -> None:
    """Each experiment's variants: n, conversions, rate with its 95% interval, and the winner or why none."""
    from crm.outreach.experiments import DEFAULT_WINDOW_DAYS, experiment_report

    window = DEFAULT_WINDOW_DAYS
    arg = (command.args or "").strip()
    if arg:
        if not arg.isdigit() or not 1 <= int(arg) <= 365:
            await message.answer(i18n("experiments.usage"))
            return
        window = int(arg)
    now = drafting.clock()
    results = await experiment_report(
        session, drafting.workspace_id, start=None, end=now, as_of=now, window_days=window
    )
    await message.answer(view.experiments_text(results, window, i18n))
