"""The settings the domain reads: plain values the bot builds from its configuration (bot/settings.py), and the
typed shapes (protocols) of the configuration sections the domain reads, so that crm never imports the bot
and mypy still checks every attribute it uses. bot/settings.py's `Settings` satisfies `DraftSettings` (and so
`QuerySettings`); its `WorkspaceSettings` satisfies `WorkspaceConfig`. Any other caller (the command line, a
test, a second front end) may pass any object of the same shape."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, cast

# Outreach defaults: a seller who has not set a brand name or a sign-off has these (the settings' defaults),
# and a draft then uses the message language's own words instead (crm/outreach/templates.py).
DEFAULT_BRAND_NAME = "our shop"
DEFAULT_SIGN_OFF = "The team"


# The lifecycle stages' thresholds (new, active, dormant days) when the workspace sets none.
DEFAULT_LIFECYCLE_DAYS = (30, 90, 180)


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
    # The lifecycle thresholds (days) the tag rules' `lifecycle` field is scored with (see lifecycle_days).
    lifecycle_new_days: int = DEFAULT_LIFECYCLE_DAYS[0]
    lifecycle_active_days: int = DEFAULT_LIFECYCLE_DAYS[1]
    lifecycle_dormant_days: int = DEFAULT_LIFECYCLE_DAYS[2]


class Secret(Protocol):
    """A secret kept out of logs and reprs (pydantic's SecretStr is one)."""

    def get_secret_value(self) -> str: ...


class LLMConfig(Protocol):
    """An OpenAI-compatible endpoint (`llm.*` in the configuration); `enabled` when a base URL is set."""

    @property
    def enabled(self) -> bool: ...
    @property
    def base_url(self) -> str | None: ...
    @property
    def model(self) -> str: ...
    @property
    def api_key(self) -> Secret | None: ...
    @property
    def timeout_seconds(self) -> float: ...


class WorkspaceConfig(Protocol):
    """What questions and drafts read of the workspace (`workspace.*`): its time zone, the currency amounts are
    in, and the lifecycle stages' thresholds in days (new, active, dormant)."""

    @property
    def timezone(self) -> str: ...
    @property
    def base_currency(self) -> str: ...
    @property
    def lifecycle_new_days(self) -> int: ...
    @property
    def lifecycle_active_days(self) -> int: ...
    @property
    def lifecycle_dormant_days(self) -> int: ...


def lifecycle_days(workspace: object) -> tuple[int, int, int]:
    """The workspace's lifecycle thresholds (new, active, dormant days), the defaults where it sets none: the one
    reading every answer, draft, tag rule and automation rule shares, so a stage means the same everywhere."""
    new, active, dormant = DEFAULT_LIFECYCLE_DAYS
    return (
        int(getattr(workspace, "lifecycle_new_days", None) or new),
        int(getattr(workspace, "lifecycle_active_days", None) or active),
        int(getattr(workspace, "lifecycle_dormant_days", None) or dormant),
    )


class OutreachConfig(Protocol):
    """The seller's voice in drafts (`outreach.*`)."""

    @property
    def brand_name(self) -> str: ...
    @property
    def brand_voice(self) -> str: ...
    @property
    def sign_off(self) -> str: ...
    @property
    def max_chars(self) -> int: ...


class QuerySettings(Protocol):
    """What answering a question reads: the workspace and the LLM endpoint."""

    @property
    def workspace(self) -> WorkspaceConfig: ...
    @property
    def llm(self) -> LLMConfig: ...


class DraftSettings(QuerySettings, Protocol):
    """What drafting reads: the workspace, the LLM endpoint and the seller's voice."""

    @property
    def outreach(self) -> OutreachConfig: ...


def workspace_of(settings: QuerySettings | WorkspaceConfig) -> WorkspaceConfig:
    """The workspace section of whole settings, or the workspace settings themselves (a caller that only has
    those, like an import or a test, passes them alone)."""
    return cast(WorkspaceConfig, getattr(settings, "workspace", settings))
