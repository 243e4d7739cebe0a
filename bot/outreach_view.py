"""How outreach drafts look in chat: the draft and confirmation texts, the segment messages, the keyboards and
their callback data, and the languages' labels. The handlers (handlers/outreach.py) decide nothing here: they
call the domain (crm/outreach) and reply with what this module composes.

Callback data: `dri:<customer_id>:<intent>:<language>` an intent picked, `drp:<customer_id>:<intent>:<language>`
a customer picked among several, `drb:<action>:<draft_id>` a button under a draft, `drl:<draft_id>:<language>` a
translation's language ("-" for back to the draft's buttons).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import I18n
from bot.render import shown
from crm.display import DRAFT_TEXT_MAX
from crm.outreach import experiments, service

LANGUAGE_LABELS = {
    "en": "English",
    "zh": "中文",
    "ms": "Bahasa Melayu",
    "th": "ไทย",
    "id": "Bahasa Indonesia",
    "vi": "Tiếng Việt",
}
NO_VALUE = "-"
LABELS = experiments.LABELS
DRAFT_ACTIONS = ("regenerate", "shorter", "formal", "translate", "edit", "approve")


class DraftIntentCB(CallbackData, prefix="dri"):
    """An intent picked for a customer (after the card's button or `/draft <customer>`)."""

    customer_id: int
    intent: str
    language: str = NO_VALUE


class StageDraftCB(CallbackData, prefix="sdr"):
    """A draft for every customer in a lifecycle stage (the buttons under a journey answer)."""

    stage: str
    intent: str


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


def opt(value: str) -> str | None:
    """A callback's optional field: "-" stands for none."""
    return None if value == NO_VALUE else value


def language_label(code: str) -> str:
    return LANGUAGE_LABELS.get(code, code)


def current_language(text: str) -> str:
    """The language a shown draft is in, read from its title ("· ไทย ·"), or "" when it names none."""
    for code, label in LANGUAGE_LABELS.items():
        if f"· {label} ·" in text:
            return code
    return ""


# --- keyboards ----------------------------------------------------------------------------------------------------
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


def draft_buttons(draft_id: int, i18n: I18n) -> InlineKeyboardMarkup:
    """The buttons under a draft: regenerate, shorter, more formal, translate, edit, approve."""
    kb = InlineKeyboardBuilder()
    for action in DRAFT_ACTIONS:
        kb.button(
            text=i18n(f"draft.btn_{action}"), callback_data=DraftButtonCB(action=action, draft_id=draft_id)
        )
    kb.adjust(2)
    return kb.as_markup()


def draft_keyboard(draft: service.Draft, i18n: I18n) -> InlineKeyboardMarkup | None:
    """A draft's buttons, or none for a refused or approved draft."""
    if draft.status != "draft" or draft.id is None:
        return None
    return draft_buttons(draft.id, i18n)


def language_keyboard(draft_id: int, current: str, i18n: I18n) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code in service.LANGUAGES:
        if code != current:
            kb.button(text=language_label(code), callback_data=DraftLangCB(draft_id=draft_id, language=code))
    kb.button(text=i18n("draft.back"), callback_data=DraftLangCB(draft_id=draft_id, language=NO_VALUE))
    kb.adjust(3)
    return kb.as_markup()


def customer_picker(
    choices: Iterable[tuple[int, str]], intent: str | None, language: str | None
) -> InlineKeyboardMarkup:
    """One button per matching customer (id, label); the intent and language ride along."""
    kb = InlineKeyboardBuilder()
    for customer_id, label in choices:
        kb.button(
            text=label,
            callback_data=DraftPickCB(
                customer_id=customer_id, intent=intent or NO_VALUE, language=language or NO_VALUE
            ),
        )
    kb.adjust(1)
    return kb.as_markup()


def follow_up_keyboard(remind: CallbackData | None, i18n: I18n) -> InlineKeyboardMarkup | None:
    """The follow-up reminder button under an approved draft (none without a customer)."""
    if remind is None:
        return None
    kb = InlineKeyboardBuilder()
    kb.button(text=i18n("draft.follow_up"), callback_data=remind)
    return kb.as_markup()


# --- texts --------------------------------------------------------------------------------------------------------
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
            language=language_label(draft.language),
            source=i18n("draft.source_llm" if draft.source == "llm" else "draft.source_template"),
        ),
        "",
        shown(draft.text, DRAFT_TEXT_MAX, multiline=True),
    ]
    if draft.experiment is not None and draft.variant is not None:
        lines += [
            "",
            i18n(
                "experiments.draft_line",
                name=shown(draft.experiment),
                variant=draft.variant,
                labels="/".join(draft.labels),
            ),
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
            language=language_label(draft.language),
        )
    ]
    lines += ["⚠️ " + html.escape(w) for w in draft.notes_in(i18n.language)]
    return "\n".join(lines)


def error_text(exc: Exception, i18n: I18n) -> str:
    return i18n("draft.error", detail=html.escape(str(exc)))


def _skipped(skipped: Mapping[str, int]) -> str:
    return ", ".join(f"{reason}: {n}" for reason, n in sorted(skipped.items())) or "0"


def _where(country: str | None) -> str:
    return f" · {country}" if country else ""


def segment_empty_text(segment: str, country: str | None, skipped: Mapping[str, int], i18n: I18n) -> str:
    return i18n("draft.segment_empty", segment=segment, where=_where(country), skipped=_skipped(skipped))


def segment_title(
    segment: str, intent: str, country: str | None, result: service.SegmentDraft, i18n: I18n
) -> str:
    return i18n(
        "draft.segment_title",
        segment=segment,
        where=_where(country),
        intent=i18n(f"draft.intent.{intent}"),
        count=result.count,
        languages=len(result.templates),
        skipped=_skipped(result.skipped),
    )


def segment_template_text(language: str, template: str, i18n: I18n) -> str:
    return (
        i18n("draft.segment_template", language=language_label(language))
        + "\n\n"
        + shown(template, DRAFT_TEXT_MAX, multiline=True)
    )


def recipients_filename(segment: str, stamp: str) -> str:
    return f"recipients_{segment}_{stamp}.csv"


# --- experiments --------------------------------------------------------------------------------------------------
def approve_button(draft_id: int, i18n: I18n) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=i18n("draft.btn_approve"), callback_data=DraftButtonCB(action="approve", draft_id=draft_id)
    )
    return kb.as_markup()


def split_text(split: Mapping[str, int]) -> str:
    return ", ".join(f"{label} {n}" for label, n in sorted(split.items()))


def segment_variant_text(language: str, label: str, template: str, i18n: I18n) -> str:
    return (
        i18n("experiments.variant_template", language=language_label(language), variant=label)
        + "\n\n"
        + shown(template, DRAFT_TEXT_MAX, multiline=True)
    )


def segment_approved_text(draft: service.Draft, i18n: I18n) -> str:
    return i18n(
        "experiments.segment_approved",
        name=shown(draft.experiment or ""),
        language=language_label(draft.language),
        count=sum(draft.split.values()),
        split=split_text(draft.split),
    )


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _p(p: float | None) -> str:
    if p is None:
        return "–"
    # three decimals near the 0.05 threshold, so 0.046 never reads as 0.05
    return "< 0.001" if p < 0.001 else f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def experiments_text(results: list[experiments.ExperimentResult], window: int, i18n: I18n) -> str:
    """/experiments: per experiment, each variant's n, conversions, rate and 95% interval, then the verdict."""
    if not results:
        return i18n("experiments.none", window=window)
    lines = [i18n("experiments.title", window=window)]
    for r in results[:10]:
        lines += [
            "",
            i18n("experiments.heading", name=shown(r.name), intent=i18n(f"draft.intent.{r.intent}")),
        ]
        for v in r.variants:
            s = v.stats
            if s.interval is None or s.rate is None:
                lines.append(i18n("experiments.variant_empty", variant=s.label))
                continue
            lines.append(
                i18n(
                    "experiments.variant",
                    variant=s.label,
                    n=s.n,
                    conversions=s.conversions,
                    rate=_pct(s.rate),
                    low=_pct(s.interval[0]),
                    high=_pct(s.interval[1]),
                    open=v.open_windows,
                )
            )
        verdict = r.verdict
        if verdict.winner is not None:
            lines.append(i18n("experiments.winner", variant=verdict.winner, p=_p(verdict.p)))
        elif verdict.leader is not None:
            lines.append(i18n("experiments.no_winner_ahead", variant=verdict.leader, p=_p(verdict.p)))
        else:
            lines.append(i18n("experiments.no_winner"))
    if len(results) > 10:
        lines += ["", i18n("experiments.more", n=len(results) - 10)]
    return "\n".join(lines)
