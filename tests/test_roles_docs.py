"""docs/telegram.md's roles table and bot/roles.py's ABILITIES say the same thing (so they cannot drift), and
/help gives each role exactly the abilities the docs give it."""

from __future__ import annotations

import pytest

from bot.i18n import I18n
from bot.roles import ABILITIES, help_text
from storage.repositories.team import ROLES, role_at_least
from tests.roles_docs import documented_abilities


def test_the_docs_roles_table_is_the_abilities_table() -> None:
    documented = documented_abilities()
    assert len(documented) >= 10  # the table was read, not skipped
    assert list(documented) == list(ABILITIES)  # the same abilities, in /help's order
    for ability, needed in ABILITIES.items():
        enforced = {role for role in ROLES if role_at_least(role, needed)}
        assert documented[ability] == enforced, (ability, documented[ability], enforced)


def test_each_role_has_what_the_roles_below_it_have_in_the_docs() -> None:
    """'Each role can also do everything the roles below it can', as the docs say under the table."""
    for roles in documented_abilities().values():
        ranks = sorted(ROLES.index(r) for r in roles)
        assert roles and ranks == list(range(len(roles))), roles  # owner, admin, ... down to the lowest


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("role", ROLES)
def test_help_shows_exactly_the_documented_abilities_of_the_role(role: str, language: str) -> None:
    t = I18n(language)
    text = help_text(t, role)
    documented = documented_abilities()
    for ability, roles in documented.items():
        assert (t(f"help.ability.{ability}") in text) == (role in roles), (role, ability)
    # What the role may not do is named as needing a higher role, and nothing else is.
    not_mine = [t(f"help.short.{a}") for a, roles in documented.items() if role not in roles]
    assert (t("help.not_yours", items=", ".join(not_mine)) in text) if not_mine else role == "owner"
