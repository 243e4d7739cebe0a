"""Typed settings from config.yaml and SELLERMATE_* environment variables (environment wins)."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

if TYPE_CHECKING:
    from pydantic_settings import BaseSettings

from crm.settings import DEFAULT_BRAND_NAME, DEFAULT_SIGN_OFF, ImportSettings
from storage.defaults import DEFAULT_DATABASE_URL

# The stable flat environment names from docs/architecture.md, mapped onto (section, field).
STABLE_ENV_NAMES: dict[str, tuple[str, str]] = {
    "SELLERMATE_DATABASE_URL": ("database", "url"),
    "SELLERMATE_BASE_CURRENCY": ("workspace", "base_currency"),
    "SELLERMATE_TIMEZONE": ("workspace", "timezone"),
    "SELLERMATE_TELEGRAM_TOKEN": ("telegram", "token"),
    "SELLERMATE_TELEGRAM_API_URL": ("telegram", "api_url"),
    "SELLERMATE_LLM_BASE_URL": ("llm", "base_url"),
    "SELLERMATE_LLM_MODEL": ("llm", "model"),
    "SELLERMATE_LLM_API_KEY": ("llm", "api_key"),
}


class DatabaseSettings(BaseModel):
    url: str = DEFAULT_DATABASE_URL
    echo: bool = False


class WorkspaceSettings(BaseModel):
    name: str = "My shop"
    base_currency: str = "SGD"
    timezone: str = "Asia/Singapore"
    # Countries of stores by name ("shopee-my": "MY"); used to read export timestamps without an offset.
    store_countries: dict[str, str] = Field(default_factory=dict)
    # Exchange rates into the base currency (1 unit of currency = rate units of base); imported rates win.
    fx_rates: dict[str, float] = Field(default_factory=dict)
    loyalty_points_per_unit: float = 1.0
    # Points expire this many days after the day they were earned (None: they never expire).
    loyalty_expiry_days: int | None = Field(default=None, ge=1, le=36500)
    lifecycle_new_days: int = 30
    lifecycle_active_days: int = 90
    lifecycle_dormant_days: int = 180
    # A ratio or an average resting on fewer customers or orders than this is shown as too few to rely on.
    min_sample: int = Field(default=30, ge=1)
    # Rule-based tags: name -> expression over customer fields.
    tag_rules: dict[str, str] = Field(default_factory=dict)
    # Column mapping for the generic CSV importer: canonical field -> header in the file.
    generic_columns: dict[str, str] = Field(default_factory=dict)

    def for_import(self) -> ImportSettings:
        """The domain's view of these settings for an import (built at each import: /currency and /timezone
        change the workspace while the bot runs)."""
        return ImportSettings(
            base_currency=self.base_currency,
            timezone=self.timezone,
            store_countries=dict(self.store_countries),
            fx_rates=dict(self.fx_rates),
            loyalty_points_per_unit=self.loyalty_points_per_unit,
            tag_rules=dict(self.tag_rules),
            generic_columns=dict(self.generic_columns),
            lifecycle_new_days=self.lifecycle_new_days,
            lifecycle_active_days=self.lifecycle_active_days,
            lifecycle_dormant_days=self.lifecycle_dormant_days,
        )

    @field_validator("base_currency")
    @classmethod
    def _upper(cls, v: str) -> str:
        v = v.strip().upper()
        if len(v) != 3 or not v.isalpha():
            raise ValueError(
                f"workspace.base_currency (SELLERMATE_BASE_CURRENCY) must be an ISO code, got {v!r}"
            )
        return v

    @field_validator("tag_rules")
    @classmethod
    def _rules(cls, v: dict[str, str]) -> dict[str, str]:
        from crm.display import TAG_MAX, clean, shorten
        from crm.tags import TagRuleError, compile_rules

        problems = []
        rules: dict[str, str] = {}
        for name, expression in v.items():  # every bad rule at once, not one per attempt
            # The rule's name is the tag it sets (tags.name): cleaned and capped as a tag typed by hand is.
            tag = clean(name)
            if not tag:
                problems.append(f"tag rule {name!r}: the name is empty; name the tag it sets")
                continue
            if len(tag) > TAG_MAX:
                problems.append(
                    f"tag rule {shorten(tag, 40)!r}: the name is {len(tag)} characters; a tag name is at most "
                    f"{TAG_MAX}"
                )
                continue
            if tag in rules:
                problems.append(f"tag rule {name!r}: another rule sets the same tag {tag!r}")
                continue
            try:
                compile_rules({tag: expression})
            except TagRuleError as exc:
                problems.append(str(exc))
            rules[tag] = expression
        if problems:
            raise ValueError("; ".join(problems))
        return rules

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"workspace.timezone (in config.yaml, or SELLERMATE_TIMEZONE) is not a known time zone: {v!r}"
            ) from exc
        return v


class TelegramSettings(BaseModel):
    token: SecretStr | None = None
    api_url: str | None = None
    mode: str = "polling"  # polling | webhook
    webhook_url: str | None = None
    webhook_path: str = "/telegram/webhook"
    webhook_secret: SecretStr | None = None
    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    max_upload_mb: int = 20
    throttle_per_second: float = 2.0
    # Answers to the same question on unchanged data are shared for this long (0 = never reuse an answer).
    answer_cache_seconds: float = Field(default=60.0, ge=0)
    redis_url: str | None = None
    # One of several webhook replicas behind a proxy (SELLERMATE_TELEGRAM__REPLICA=true): started next to a bot
    # that already runs on the same database instead of being refused. Replicas need webhook mode, and the
    # scheduled jobs run in one process only (scheduler.run_in_bot: false for them, one `sellermate worker`).
    replica: bool = False


class LLMSettings(BaseModel):
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    api_key: SecretStr | None = None
    timeout_seconds: float = 20.0
    temperature: float = 0.2

    @property
    def enabled(self) -> bool:
        return bool(self.base_url)


class SchedulerSettings(BaseModel):
    # False when several bot replicas run: then only `sellermate worker` runs the scheduled jobs.
    run_in_bot: bool = True
    misfire_grace_seconds: int = 3600
    churn_scan_hour: int = 9
    alert_cooldown_days: int = 14
    churn_inactive_days: int = 60
    churn_p_alive_below: float = Field(default=0.3, ge=0.0, le=1.0)
    # Long lost, not "slipping away": no interaction for over this many days (the lifecycle stage `churned`)
    # or P(alive) below the floor. They are a win-back count, not names to call.
    churn_long_lost_days: int = Field(default=180, ge=1)
    churn_p_alive_floor: float = Field(default=0.05, ge=0.0, le=1.0)
    # One alert message names at most this many customers, by value at risk; a button shows the next ones.
    alert_max_lines: int = Field(default=10, ge=1, le=20)  # 20 lines stay well inside 4,096 characters
    # The newest order older than this many days: alerts and digests say the data is stale.
    stale_data_days: int = Field(default=7, ge=1)
    # Fractions, as the metrics are (0.35 is 35%).
    repeat_rate_below: float = Field(default=0.35, ge=0.0, le=1.0)
    churn_rate_above: float = Field(default=0.15, ge=0.0, le=1.0)
    aov_below: float | None = Field(default=None, ge=0.0)
    weekly_digest_weekday: int = 0  # Monday
    messages_per_second: float = 30.0
    group_messages_per_minute: int = 20


class OutreachSettings(BaseModel):
    brand_name: str = DEFAULT_BRAND_NAME
    brand_voice: str = "warm, friendly and concise"
    sign_off: str = DEFAULT_SIGN_OFF
    max_chars: int = 600


class AutomationSettings(BaseModel):
    # No two promotional drafts for one customer within this many days, across all rules.
    draft_cap_days: int = Field(default=7, ge=0)
    # Every trigger looks back this many days (and so does a dry run).
    lookback_days: int = Field(default=30, ge=1, le=365)
    # A rule's outcomes count the customers' orders within this many days of a firing.
    outcome_days: int = Field(default=14, ge=1)
    # Rules: name, trigger (+ days, points, festival and days_before, segment, stage or tag), optional `if`
    # expression, actions, enabled.
    rules: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("rules")
    @classmethod
    def _rules(cls, v: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from crm.automation.rules import RuleError, check_rule

        problems, names = [], set()
        for item in v:
            name = str(item.get("name") or "") if isinstance(item, dict) else ""
            try:
                check_rule(name, item)  # tags are checked against the database when the rules are loaded
            except RuleError as exc:
                problems.append(str(exc))
            if name in names:
                problems.append(f"rule {name!r}: two rules have this name")
            names.add(name)
        if problems:
            raise ValueError("; ".join(problems))
        return v


class Settings(BaseModel):
    """Every setting: keyword arguments (e.g. from command-line flags) win over the documented flat environment
    names (STABLE_ENV_NAMES), which win over SELLERMATE_<SECTION>__<FIELD> and SELLERMATE_<SECTION> (JSON)
    variables, which win over config.yaml (SELLERMATE_CONFIG names another file).

    The sources are read by pydantic-settings (`_sources_reader`), as a BaseSettings subclass with these fields
    would read them, except in the usual case that needs none of its parsing: no SELLERMATE_<SECTION>... variable
    and only plain section names in config.yaml and the keywords. Then the same sources are merged here as
    pydantic-settings merges them (`_plain_sources`), and pydantic-settings and python-dotenv are not imported
    (about 15 ms of a command's start, `sellermate ask` included). tests/test_settings.py compares the two."""

    # BaseSettings' validation: defaults are validated too, and any type is allowed.
    model_config = ConfigDict(extra="ignore", validate_default=True, arbitrary_types_allowed=True)

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    workspace: WorkspaceSettings = Field(default_factory=WorkspaceSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    outreach: OutreachSettings = Field(default_factory=OutreachSettings)
    automation: AutomationSettings = Field(default_factory=AutomationSettings)
    # What the bot and the answers speak: crm.text.BOT_LANGUAGES (tests/test_settings.py keeps them equal).
    language: Literal["en", "zh"] = "en"

    def __init__(self, **values: Any) -> None:
        path = _config_path()
        config = read_config_file(path)
        _warn_unknown_keys(path, config)
        plain = _plain_sources(values, config)
        if plain is not None:
            super().__init__(**plain)
            return
        read = _sources_reader()(**values)
        # The sections pydantic-settings validated, as they are (pydantic keeps a model instance of the field's
        # type); the fields it left unset stay unset here too (bot.context reads model_fields_set).
        super().__init__(**{name: getattr(read, name) for name in read.model_fields_set})


def unknown_config_keys(config: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The keys of a config.yaml that name no setting, each as (section[.key], the closest setting's name or
    None): they would otherwise be ignored without a word (a misspelt `timzone` leaves the default zone). Section
    names match in any letter case, as the settings read them; a section's keys as written."""

    def closest(name: str, known: Any) -> str | None:
        import difflib  # only for a key that names no setting

        found = difflib.get_close_matches(name.lower(), list(known), n=1, cutoff=0.6)
        return found[0] if found else None

    fields = Settings.model_fields
    by_lower = {name.lower(): name for name in fields}
    unknown: list[tuple[str, str | None]] = []
    for key, value in config.items():
        name = by_lower.get(str(key).lower())
        if name is None:
            unknown.append((str(key), closest(str(key), fields)))
            continue
        section = fields[name].annotation
        if isinstance(value, dict) and isinstance(section, type) and issubclass(section, BaseModel):
            known = section.model_fields
            for sub in value:
                if sub not in known:
                    near = closest(str(sub), known)
                    unknown.append((f"{key}.{sub}", None if near is None else f"{key}.{near}"))
    return unknown


_WARNED: set[tuple[str, str]] = set()


def _warn_unknown_keys(path: Path, config: dict[str, Any]) -> None:
    """Log each unknown key of the config file once per process (a command prints it on standard error)."""
    import logging

    for key, near in unknown_config_keys(config):
        if (str(path), key) in _WARNED:
            continue
        _WARNED.add((str(path), key))
        hint = f" (did you mean {near!r}?)" if near else ""
        logging.getLogger("sellermate.settings").warning(
            "%s: %r is not a setting and is ignored%s; config.example.yaml lists them", path, key, hint
        )


# pydantic-settings' environment source reads, case-insensitively, SELLERMATE_<FIELD> (JSON for a section) and
# SELLERMATE_<FIELD>__<KEY>... for each field of Settings.
_ENV_PREFIX, _ENV_NESTED_DELIMITER = "SELLERMATE_", "__"


def _environment_needs_parsing(fields: Any) -> bool:
    """Whether pydantic-settings' environment source would read anything (see _ENV_PREFIX)."""
    names = {(_ENV_PREFIX + field).lower() for field in fields}
    for key in os.environ:
        low = key.lower()
        if low in names or any(low.startswith(name + _ENV_NESTED_DELIMITER) for name in names):
            return True
    return False


def _deep_update(mapping: dict[str, Any], updating: dict[str, Any]) -> dict[str, Any]:
    """`updating` over `mapping`, section by section: how pydantic-settings merges its sources."""
    merged = mapping.copy()
    for key, value in updating.items():
        if isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = _deep_update(merged[key], value)
        else:
            merged[key] = value
    return merged


def _plain_sources(values: dict[str, Any], config: dict[str, Any]) -> dict[str, Any] | None:
    """The merged sources, when none needs pydantic-settings' parsing: keywords over the flat environment names
    over config.yaml (the SELLERMATE_<SECTION> variables being absent), keys as given. None otherwise: a
    SELLERMATE_<SECTION>... variable, or a keyword or config.yaml key that names a field in other letter case
    (pydantic-settings matches those case-insensitively)."""
    fields = Settings.model_fields
    if _environment_needs_parsing(fields):
        return None
    if any(key not in fields and key.lower() in fields for key in (*values, *config)):
        return None
    state: dict[str, Any] = {}
    for source in (values, stable_env_values(), config):  # highest priority first, as pydantic-settings
        state = _deep_update(source, state)
    return state


def stable_env_values() -> dict[str, Any]:
    """The flat, documented environment names (SELLERMATE_DATABASE_URL, ...) read into their sections."""
    out: dict[str, dict[str, Any]] = {}
    for env_name, (section, key) in STABLE_ENV_NAMES.items():
        value = os.environ.get(env_name)
        if value is not None and value != "":
            out.setdefault(section, {})[key] = value
    return out


@functools.cache
def _sources_reader() -> type[BaseSettings]:
    """A pydantic-settings class with the fields of Settings, reading its sources in the order Settings
    documents: what Settings was before the plain path (tests/test_settings.py compares them)."""
    from pydantic import create_model
    from pydantic_settings import (
        BaseSettings,
        InitSettingsSource,
        PydanticBaseSettingsSource,
        SettingsConfigDict,
    )

    class _StableEnvSource(PydanticBaseSettingsSource):
        def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
            return None, field_name, False

        def __call__(self) -> dict[str, Any]:
            return stable_env_values()

    class Reader(BaseSettings):
        model_config = SettingsConfigDict(
            env_prefix=_ENV_PREFIX, env_nested_delimiter=_ENV_NESTED_DELIMITER, extra="ignore"
        )

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (
                init_settings,
                _StableEnvSource(settings_cls),
                env_settings,
                InitSettingsSource(settings_cls, init_kwargs=read_config_file(_config_path())),
            )

    fields: dict[str, Any] = {name: (f.annotation, f) for name, f in Settings.model_fields.items()}
    return create_model("Settings", __base__=Reader, **fields)


def _config_path() -> Path:
    return Path(os.environ.get("SELLERMATE_CONFIG", "config.yaml"))


class ConfigFileError(Exception):
    """config.yaml cannot be used as it is: the message is one line naming the file (and line and column)."""


_KINDS = {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false"}


def read_config_file(path: Path) -> dict[str, Any]:
    """The settings in a config.yaml ({} when there is none), or ConfigFileError saying what is wrong."""
    path = path.expanduser()
    if not path.is_file():  # no config.yaml (or SELLERMATE_CONFIG=/dev/null): defaults and environment only
        return {}
    import yaml  # only when there is a file to read

    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigFileError(f"{name} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise ConfigFileError(f"{name} cannot be read: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        if exc.problem and exc.context and exc.context_mark:
            c = exc.context_mark
            problem += f" ({exc.context} at line {c.line + 1}, column {c.column + 1})"
        at = f" line {where.line + 1}, column {where.column + 1}" if where else ""
        raise ConfigFileError(f"{name}{at}: {problem}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other control characters)
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise ConfigFileError(
            f"{name} line {line}, column {column}: {exc.reason} (character {char})"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigFileError(f"{name}: not valid YAML ({' '.join(str(exc).split())})") from None
    if data is None:  # empty, or only comments
        return {}
    if not isinstance(data, dict):
        found = _KINDS.get(type(data), type(data).__name__)
        raise ConfigFileError(
            f"{name}: expected settings as 'section: ...' lines (a mapping, see "
            f"config.example.yaml), found {found}"
        )
    return data


def load_settings(**overrides: Any) -> Settings:
    """Build settings; keyword overrides (e.g. from CLI flags) win over everything else."""
    settings = Settings(**overrides)
    from crm.analytics.samples import set_min_sample

    set_min_sample(settings.workspace.min_sample)  # the product-wide threshold (crm.analytics.samples)
    return settings
