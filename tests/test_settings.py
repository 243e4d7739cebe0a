"""Settings: config.yaml and environment (environment wins); config.example.yaml documents every setting."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from bot.settings import ConfigFileError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def _keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    out = set()
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out |= _keys(ann, f"{prefix}{name}.")
        else:
            out.add(prefix + name)
    return out


def _yaml_keys(d: dict, prefix: str = "") -> set[str]:
    out = set()
    for k, v in d.items():
        if isinstance(v, dict) and v and prefix + k not in _FREEFORM:
            out |= _yaml_keys(v, f"{prefix}{k}.")
        else:
            out.add(prefix + k)
    return out


_FREEFORM = {
    "workspace.store_countries",
    "workspace.fx_rates",
    "workspace.tag_rules",
    "workspace.generic_columns",
}


# Settings the example documents commented out: the base currency only seeds a new workspace, so a copied
# example must not name one (each start would warn once the owner changed it in the chat).
_COMMENTED = {"workspace.base_currency": "  # base_currency: SGD\n"}


def test_example_config_documents_every_setting_and_is_valid() -> None:
    text = (ROOT / "config.example.yaml").read_text()
    data = yaml.safe_load(text)
    assert _yaml_keys(data) | _COMMENTED.keys() == _keys(Settings)
    assert not _yaml_keys(data) & _COMMENTED.keys()
    assert all(line in text for line in _COMMENTED.values())
    Settings(**data)


def test_a_key_that_names_no_setting_is_reported_once_with_the_closest_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A misspelt key used to be ignored without a word (the default then applies): it is logged, once per
    process, with the setting it probably meant; the example config has none."""
    from bot.settings import unknown_config_keys

    cfg = tmp_path / "config.yaml"
    cfg.write_text("workspace:\n  timzone: Asia/Tokyo\n  base_currency: SGD\ntelegarm:\n  token: x\nzzz: 1\n")
    monkeypatch.setenv("SELLERMATE_CONFIG", str(cfg))
    with caplog.at_level("WARNING", logger="sellermate.settings"):
        s = load_settings()
        load_settings()
    assert s.workspace.timezone != "Asia/Tokyo" and s.workspace.base_currency == "SGD"
    messages = [r.getMessage() for r in caplog.records if r.name == "sellermate.settings"]
    assert len(messages) == 3, messages  # once each, not once per settings built
    assert "'workspace.timzone' is not a setting" in messages[0] and "'workspace.timezone'" in messages[0]
    assert "'telegarm'" in messages[1] and "did you mean 'telegram'" in messages[1]
    assert "'zzz'" in messages[2] and "did you mean" not in messages[2]
    assert (
        unknown_config_keys({"Workspace": {"timezone": "UTC"}, "language": "zh"}) == []
    )  # a section in any case
    assert unknown_config_keys(yaml.safe_load((ROOT / "config.example.yaml").read_text())) == []


def test_environment_wins_over_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("workspace:\n  base_currency: MYR\n  timezone: Asia/Bangkok\nllm:\n  model: from-file\n")
    monkeypatch.setenv("SELLERMATE_CONFIG", str(cfg))
    monkeypatch.setenv("SELLERMATE_TIMEZONE", "Asia/Manila")
    monkeypatch.setenv("SELLERMATE_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("SELLERMATE_SCHEDULER__ALERT_COOLDOWN_DAYS", "3")
    s = load_settings()
    assert s.workspace.base_currency == "MYR" and s.workspace.timezone == "Asia/Manila"
    assert s.llm.model == "from-file" and s.llm.api_key is not None
    assert s.llm.api_key.get_secret_value() == "sk-test" and "sk-test" not in repr(s)
    assert s.scheduler.alert_cooldown_days == 3


def test_invalid_settings_name_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SELLERMATE_CONFIG", str(tmp_path / "none.yaml"))
    monkeypatch.setenv("SELLERMATE_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError, match="SELLERMATE_TIMEZONE"):
        load_settings()


@pytest.mark.parametrize(
    "text,problem",
    [
        # A malformed file names the file, the line and the column, and what YAML found there.
        (
            "workspace:\n  base_currency: SGD\n    timezone: Asia/Singapore\n",
            "config.yaml line 3, column 13: mapping values are not allowed here",
        ),
        ("workspace: [SGD\n", "config.yaml line 2, column 1: expected ',' or ']'"),
        (
            "workspace:\n  name: Kopi\x00House\n",
            "config.yaml line 2, column 13: special characters are not allowed",
        ),
        # Valid YAML that is not settings.
        (
            "- workspace\n- llm\n",
            "config.yaml: expected settings as 'section: ...' lines (a mapping, see "
            "config.example.yaml), found a list",
        ),
        (
            "base_currency SGD\n",
            "config.yaml: expected settings as 'section: ...' lines (a mapping, see "
            "config.example.yaml), found text",
        ),
    ],
)
def test_an_unusable_config_file_is_one_line_naming_file_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, problem: str
) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SELLERMATE_CONFIG", str(cfg))
    with pytest.raises(ConfigFileError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(str(tmp_path / problem)), message
    assert "\n" not in message


def test_a_config_file_that_is_not_utf8_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_bytes("workspace:\n  name: Café\n".encode("latin-1"))
    monkeypatch.setenv("SELLERMATE_CONFIG", str(cfg))
    with pytest.raises(ConfigFileError, match=r"config.yaml is not UTF-8 text \(byte 22\); save it as UTF-8"):
        load_settings()


def test_an_empty_or_commented_out_config_file_means_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "config.yaml"
    monkeypatch.setenv("SELLERMATE_CONFIG", str(cfg))
    monkeypatch.delenv("SELLERMATE_BASE_CURRENCY", raising=False)
    for text in ("", "# workspace:\n#   base_currency: MYR\n"):
        cfg.write_text(text, encoding="utf-8")
        assert load_settings().workspace.base_currency == "SGD"


def test_the_domain_gets_the_import_settings_as_plain_values() -> None:
    """crm does not import the bot's settings: the workspace section builds the domain's ImportSettings, every
    field the import reads, as configured."""
    import dataclasses

    from bot.settings import OutreachSettings, WorkspaceSettings
    from crm.settings import DEFAULT_BRAND_NAME, DEFAULT_SIGN_OFF, ImportSettings

    ws = WorkspaceSettings(
        base_currency="myr",
        timezone="Asia/Kuala_Lumpur",
        store_countries={"shopee-th": "TH"},
        fx_rates={"USD": 4.4},
        loyalty_points_per_unit=2.5,
        tag_rules={"vip": "orders >= 5"},
        generic_columns={"order_id": "Order No"},
    )
    plain = ws.for_import()
    assert isinstance(plain, ImportSettings)
    for f in dataclasses.fields(ImportSettings):
        assert getattr(plain, f.name) == getattr(ws, f.name), f.name
    assert plain.base_currency == "MYR"
    with pytest.raises(dataclasses.FrozenInstanceError):
        plain.timezone = "UTC"  # type: ignore[misc]
    ws.fx_rates["USD"] = 4.5  # a later change of the settings does not reach an import already under way
    assert plain.fx_rates["USD"] == 4.4
    assert (OutreachSettings().brand_name, OutreachSettings().sign_off) == (
        DEFAULT_BRAND_NAME,
        DEFAULT_SIGN_OFF,
    )


def test_tag_rule_names_are_tag_names_cleaned_and_capped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A rule's name is the tag it sets (tags.name, 64 characters): a longer one is a config error naming it
    (it used to be stored on SQLite and fail the refresh on PostgreSQL), and it is cleaned like a tag."""
    from crm.display import TAG_MAX

    long_name = "v" * 100
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump({"workspace": {"tag_rules": {long_name: "orders >= 5", "ok": "orders >= 1"}}}),
        encoding="utf-8",
    )
    monkeypatch.setenv("SELLERMATE_CONFIG", str(config))
    with pytest.raises(ValidationError) as caught:
        load_settings()
    message = str(caught.value)
    assert "tag_rules" in message and "v" * 39 + "…" in message
    assert f"the name is 100 characters; a tag name is at most {TAG_MAX}" in message

    from bot.settings import WorkspaceSettings

    rules = WorkspaceSettings(tag_rules={" big\u202e spender\x00 ": "ltv > 100", "v" * TAG_MAX: "orders > 1"})
    assert rules.tag_rules == {"big spender": "ltv > 100", "v" * TAG_MAX: "orders > 1"}
    for bad, problem in [
        ({"\x00 ": "orders > 1"}, "the name is empty"),
        ({"vip": "orders > 1", " vip ": "orders > 2"}, "another rule sets the same tag 'vip'"),
    ]:
        with pytest.raises(ValidationError, match=problem):
            WorkspaceSettings(tag_rules=bad)


_CONFIG_FILES = {
    "none": None,
    "sections": (
        "workspace:\n  base_currency: myr\n  timezone: Asia/Bangkok\n  fx_rates: {USD: 1.3}\n"
        "  tag_rules: {VIP: 'orders >= 3'}\nllm:\n  model: from-file\n  api_key: sk-file\n"
        "database:\n  url: sqlite+aiosqlite:///from-file.db\nlanguage: zh\nnot_a_section: 1\n"
    ),
    "other letter case": "Workspace:\n  name: Upper Case Shop\nLLM:\n  model: upper\n",
    "a section that is not a mapping": "scheduler: 3\n",
    "empty sections": "workspace:\ntelegram: {}\n",
}
_ENVIRONMENTS = {
    "none": {},
    "flat names": {
        "SELLERMATE_DATABASE_URL": "sqlite+aiosqlite:///from-env.db",
        "SELLERMATE_TIMEZONE": "Asia/Manila",
        "SELLERMATE_BASE_CURRENCY": "",  # empty: not set
        "SELLERMATE_LLM_API_KEY": "sk-env",
        "SELLERMATE_DEBUG": "1",  # not a setting
    },
    "nested names": {"SELLERMATE_SCHEDULER__ALERT_COOLDOWN_DAYS": "3", "SELLERMATE_TIMEZONE": "Asia/Tokyo"},
    "a section as JSON": {"sellermate_workspace": '{"name": "From JSON", "fx_rates": {"EUR": 1.5}}'},
    "a top-level field": {"SELLERMATE_LANGUAGE": "th"},
}
_KEYWORDS = {
    "none": {},
    "sections": {"database": {"url": "sqlite+aiosqlite:///from-flag.db"}, "workspace": {"name": "Flag"}},
    "other letter case": {"Database": {"echo": True}},
}


def _as_pydantic_settings_reads(**values: object) -> object:
    """What the settings were before the plain path: the pydantic-settings class with the same fields and
    sources (bot.settings._sources_reader), used directly."""
    from bot.settings import _sources_reader

    return _sources_reader()(**values)


def _outcome(build: object) -> object:
    try:
        s = build()  # type: ignore[operator]
    except ValidationError as exc:
        return ("invalid", exc.title, [(e["loc"], e["msg"]) for e in exc.errors()])
    sections = {
        name: (getattr(s, name).model_dump(), sorted(getattr(s, name).model_fields_set))
        for name in Settings.model_fields
        if isinstance(getattr(s, name), BaseModel)
    }
    secrets = (s.llm.api_key and s.llm.api_key.get_secret_value(), s.telegram.token)
    return (s.model_dump(), sorted(s.model_fields_set), sections, secrets)


@pytest.mark.parametrize("config", sorted(_CONFIG_FILES))
@pytest.mark.parametrize("environment", sorted(_ENVIRONMENTS))
@pytest.mark.parametrize("keywords", sorted(_KEYWORDS))
def test_settings_are_what_pydantic_settings_reads(
    config: str, environment: str, keywords: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Settings merge their sources without pydantic-settings when nothing needs its parsing (no
    SELLERMATE_<SECTION> variable, plain section names): the values, which fields are set (bot.context reads
    model_fields_set) and the errors are those of pydantic-settings reading the same sources, in every
    combination of a config file, an environment and keyword arguments."""
    import bot.settings

    for name in [k for k in __import__("os").environ if k.upper().startswith("SELLERMATE_")]:
        monkeypatch.delenv(name)
    text = _CONFIG_FILES[config]
    path = tmp_path / "config.yaml"
    if text is not None:
        path.write_text(text)
    monkeypatch.setenv("SELLERMATE_CONFIG", str(path))
    for name, value in _ENVIRONMENTS[environment].items():
        monkeypatch.setenv(name, value)
    values = _KEYWORDS[keywords]
    plain = bot.settings._plain_sources(values, bot.settings.read_config_file(path))
    simple = environment in ("none", "flat names") and "other letter case" not in (config, keywords)
    assert (plain is not None) == simple
    with monkeypatch.context() as m:
        if simple:  # the plain path does not use pydantic-settings at all
            m.setattr(bot.settings, "_sources_reader", None)
        ours = _outcome(lambda: Settings(**values))
    assert ours == _outcome(lambda: _as_pydantic_settings_reads(**values))


def test_the_settings_language_is_one_the_bot_speaks() -> None:
    """`language` accepts exactly the languages the bot and the answers speak; another is a setting error."""
    import typing

    from crm.text import BOT_LANGUAGES

    assert typing.get_args(Settings.model_fields["language"].annotation) == BOT_LANGUAGES
    with pytest.raises(ValidationError, match="language"):
        Settings(language="fr")
    with pytest.raises(ValidationError, match="repeat_rate_below"):
        Settings(scheduler={"repeat_rate_below": 1.5})
