"""LLM prompt templates kept as data files (one place to read and edit wording) and a tiny loader."""

from __future__ import annotations

from importlib import resources
from string import Template


def load_prompt(name: str) -> str:
    """The text of `prompts/<name>.md`."""
    return resources.files(__name__).joinpath(f"{name}.md").read_text(encoding="utf-8")


def render_prompt(name: str, **values: object) -> str:
    """The prompt with `$placeholders` filled in; JSON braces in the text need no escaping."""
    return Template(load_prompt(name)).safe_substitute({k: str(v) for k, v in values.items()})
