"""Who may do what: the one table that RoleMiddleware enforces, /help lists and docs/telegram.md describes.

Handlers name the ability they need (`flags={"ability": "reminders"}`); the table says which role is the
lowest to have it. Changing a role's rights is one line here, and /help follows.
"""

from __future__ import annotations

from bot.i18n import I18n
from storage.repositories.team import ROLES, role_at_least

# ability -> the lowest role that has it (every higher role has it too), in the order /help lists them.
ABILITIES: dict[str, str] = {
    "ask": "viewer",  # questions, /kpi /top /segments /cohort, customer cards, /team
    "customer_notes": "agent",  # tags and notes on a customer card
    "drafts": "agent",  # outreach drafts: /draft, the card's button, plain words
    "reminders": "agent",  # reminders: plain words, the card's button, /reminders, "Assign to me"
    "imports": "admin",  # export files sent to the bot
    "team": "admin",  # /invite (agents, viewers), /remove
    "points": "admin",  # /points, /redeem, /adjust: loyalty points with a reason
    "alerts": "admin",  # /alerts in a bound group
    "bind": "admin",  # /bind, /unbind
    "rules": "admin",  # /rules: retention rules, dry runs, enable/disable
    "roles": "owner",  # /role, inviting admins
    "currency": "owner",  # /currency: change the base currency (amounts converted)
    "data_rights": "owner",  # /export N, /erase N: a customer's data rights (PDPA / GDPR)
    "audit": "owner",  # /audit: who viewed, exported, changed or erased what
}


def needed_role(ability: str) -> str:
    """The lowest role with `ability` (a KeyError for an ability the table lacks: a programming error)."""
    return ABILITIES[ability]


def abilities_of(role: str | None) -> list[str]:
    """What `role` may do, in the table's order."""
    return [ability for ability, needed in ABILITIES.items() if role_at_least(role, needed)]


def help_text(t: I18n, role: str | None) -> str:
    """/help for one role: examples of questions, then exactly what this role may do and what it may not."""
    role = role if role in ROLES else "viewer"
    mine = abilities_of(role)
    lines = [t("help.intro"), "", t("help.your_role", role=t(f"roles.{role}"))]
    lines += [t(f"help.ability.{ability}") for ability in mine]
    others = [t(f"help.short.{ability}") for ability in ABILITIES if ability not in mine]
    if others:
        lines += ["", t("help.not_yours", items=", ".join(others))]
    lines += ["", t("help.footer")]
    return "\n".join(lines)
