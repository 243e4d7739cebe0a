"""The settings the domain reads, as plain values: the bot builds them from its configuration (bot/settings.py),
and any other caller (the command line, a test, a second front end) can build them directly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Outreach defaults: a seller who has not set a brand name or a sign-off has these (the settings' defaults),
# and a draft then uses the message language's own words instead (crm/outreach/templates.py).
DEFAULT_BRAND_NAME = "our shop"
DEFAULT_SIGN_OFF = "The team"


@dataclass(frozen=True)
class ImportSettings:
    """What an import needs to know about the workspace (from `workspace.*` in the configuration)."""

    base_currency: str
    timezone: str
    # Countries of stores by name ("shopee-my": "MY"): export timestamps without an offset are read in them.
    store_countries: Mapping[str, str] = field(default_factory=dict)
    # Exchange rates into the base currency (1 unit of currency = rate units of base); imported rates win.
    fx_rates: Mapping[str, float] = field(default_factory=dict)
    loyalty_points_per_unit: float = 1.0
    # Rule-based tags (name -> expression over customer fields), refreshed after an import.
    tag_rules: Mapping[str, str] = field(default_factory=dict)
    # Column mapping for the generic CSV importer: canonical field -> header in the file.
    generic_columns: Mapping[str, str] = field(default_factory=dict)
