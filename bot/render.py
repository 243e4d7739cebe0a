"""Rendering Results for people: PNG charts (matplotlib) from a ChartSpec, shared by the CLI and Telegram."""
from __future__ import annotations

import html
import io
import logging
import warnings
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from crm.display import CELL_LENGTH, NAME_LENGTH, displayable
from crm.query.result import ChartSpec

log = logging.getLogger(__name__)

# Fonts that have Chinese glyphs, tried in order (Debian: fonts-noto-cjk or fonts-wqy-microhei).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "Arial Unicode MS")


@lru_cache(maxsize=1)
def _font_family() -> list[str]:
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [name for name in CJK_FONTS if name in have]
    if not cjk:
        log.info("no CJK font found: Chinese labels in charts need e.g. the fonts-noto-cjk package")
    return [*cjk, "DejaVu Sans"]


def _fmt(value: float | None, kind: str) -> str:
    if value is None:
        return ""
    if kind == "ratio":
        return f"{value * 100:.0f}%"
    if kind == "money":
        return f"{value:,.0f}"
    return f"{value:,.0f}"


def render_chart(spec: ChartSpec, out: str | Path | IO[bytes]) -> None:
    """Draw `spec` as a PNG into a path or a binary buffer (phone-friendly size)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    with warnings.catch_warnings(), plt.rc_context({"font.family": _font_family(), "axes.unicode_minus": False}):
        warnings.simplefilter("ignore", UserWarning)  # missing glyph warnings when no CJK font is installed
        fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
        try:
            _draw(ax, spec)
            ax.set_title(spec.title, fontsize=12)
            fig.tight_layout()
            fig.savefig(out, format="png")
        finally:
            plt.close(fig)


def _draw(ax: Any, spec: ChartSpec) -> None:
    import numpy as np

    if spec.kind == "heatmap":
        data = np.array([[np.nan if v is None else v for v in row] for row in spec.matrix], dtype=float)
        # Retention's month 0 is always 100%: scale the colours on the later months so they can be told apart.
        later = data[:, 1:] if data.shape[1] > 1 else data
        vmax = float(np.nanmax(later)) if later.size and not np.all(np.isnan(later)) else 1.0
        image = ax.imshow(data, aspect="auto", cmap="YlGn", vmin=0, vmax=vmax or 1.0)
        ax.set_xticks(range(len(spec.x)), [str(x) for x in spec.x], fontsize=8)
        ax.set_yticks(range(len(spec.y)), [str(y) for y in spec.y], fontsize=8)
        if data.shape[0] * data.shape[1] <= 200:
            for (i, j), v in np.ndenumerate(data):
                if not np.isnan(v):
                    ax.text(j, i, _fmt(v, spec.value_format), ha="center", va="center", fontsize=7,
                            color="white" if v > 0.6 * (vmax or 1.0) else "black")
        ax.figure.colorbar(image, ax=ax, fraction=0.03)
        return
    labels = [str(x) for x in spec.x]
    positions = np.arange(len(labels))
    series = list(spec.series.items())
    if spec.kind == "line":
        for name, values in series:
            ax.plot(positions, [np.nan if v is None else v for v in values], marker="o", label=name)
    else:
        width = 0.8 / max(len(series), 1)
        for k, (name, values) in enumerate(series):
            bars = ax.bar(positions + k * width - 0.4 + width / 2, [0 if v is None else v for v in values],
                          width=width, label=name)
            if len(labels) <= 12:
                ax.bar_label(bars, labels=[_fmt(v, spec.value_format) for v in values], fontsize=8)
    ax.set_xticks(positions, labels, rotation=30 if len(labels) > 6 else 0, ha="right" if len(labels) > 6 else "center",
                  fontsize=8)
    if spec.value_format == "ratio":
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v * 100:.0f}%")
    if len(series) > 1:
        ax.legend(fontsize=8)
    if spec.x_label:
        ax.set_xlabel(spec.x_label)
    if spec.y_label:
        ax.set_ylabel(spec.y_label)
    ax.grid(axis="y", alpha=0.3)


def shown(text: str | None, limit: int = NAME_LENGTH, *, multiline: bool = False) -> str:
    """A user-supplied string (a name, a note, a tag) as HTML that is safe to show: cleaned, shortened, escaped."""
    return html.escape(displayable(text, limit, multiline=multiline))


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (float, Decimal)):
        return f"{float(value):,.2f}"
    return displayable(str(value), CELL_LENGTH)  # names and products as the people who typed them wrote them


def render_table(columns: list[str], rows: list[list[Any]], *, max_cell: int | None = None,
                 percent: frozenset[int] | set[int] = frozenset()) -> str:
    """A plain monospace table: numbers right-aligned, text left-aligned (East Asian wide characters counted).

    `max_cell` shortens long text cells to that display width (phone screens); columns in `percent` hold
    shares shown as percentages.
    """
    from rich.cells import cell_len, set_cell_size

    def fit(text: str) -> str:
        if max_cell is None or cell_len(text) <= max_cell:
            return text
        return set_cell_size(text, max_cell - 1).rstrip() + "…"

    head = [str(c) for c in columns]
    plain = {i for i, c in enumerate(head) if c.lower() in ("id", "#", "year", "customer_id")}  # no 1,524
    cells = [[str(v) if i in plain and isinstance(v, int) else
              _percent(v) if i in percent else fit(_cell(v)) for i, v in enumerate(r)] for r in rows]
    n = max([len(head)] + [len(r) for r in cells]) if (head or cells) else 0
    head += [""] * (n - len(head))
    widths = [max([cell_len(head[i])] + [cell_len(r[i]) for r in cells if i < len(r)]) for i in range(n)]
    numeric = [bool(rows) and all(isinstance(r[i], (int, float, Decimal)) or r[i] is None
                                  for r in rows if i < len(r)) for i in range(n)]

    def pad(text: str, width: int, right: bool) -> str:
        gap = " " * (width - cell_len(text))
        return gap + text if right else text + gap

    def line(values: list[str]) -> str:
        values = values + [""] * (n - len(values))
        return "  ".join(pad(v, w, num) for v, w, num in zip(values, widths, numeric)).rstrip()

    return "\n".join([line(head), "  ".join("-" * w for w in widths)] + [line(r) for r in cells])


def _percent(value: Any) -> str:
    if not isinstance(value, (int, float, Decimal)) or isinstance(value, bool):
        return _cell(value)
    return f"{float(value) * 100:.1f}%"


def result_table(result: Any, rows: list[list[Any]] | None = None, *, max_cell: int | None = None) -> str:
    """A Result's table (or some of its rows) as people read it: headers in the answer's language, shares as
    percentages."""
    from crm.query import texts

    columns = list(result.columns)
    percent = {i for i, c in enumerate(columns) if texts.is_ratio_column(c)}
    rows = result.rows if rows is None else rows
    # Platforms and countries by name, as the answer's text names them (the rows keep the codes for --json).
    names = {i: (texts.platform_name if c == "platform" else lambda v: texts.country_name(v, result.language))
             for i, c in enumerate(columns) if c in ("platform", "country")}
    if names:
        rows = [[names[i](v) if i in names and isinstance(v, str) else v for i, v in enumerate(r)] for r in rows]
    return render_table([texts.column_name(result.language, c) for c in columns], rows, max_cell=max_cell,
                        percent=percent)


def render_text(result: Any) -> str:
    """What a person reads: the reply text, then the table when there is one."""
    parts = [result.text.strip()] if result.text else []
    # A customer card's text already says every field in the reader's language; its field/value rows are for
    # --json and would repeat it with field names in English.
    card = result.intent == "customer" and list(result.columns) == ["field", "value"]
    if result.rows and result.columns and not card:
        parts.append(result_table(result))
    return "\n\n".join(parts) or "(no answer)"


@lru_cache(maxsize=64)
def _png_of(spec_json: str) -> bytes | None:
    buffer = io.BytesIO()
    try:
        render_chart(ChartSpec.model_validate_json(spec_json), buffer)
    except Exception:  # a chart is a bonus next to the numbers already sent
        log.exception("chart rendering failed")
        return None
    return buffer.getvalue() or None


def chart_png(spec: ChartSpec) -> bytes | None:
    """The PNG of a chart, or None when it cannot be drawn; the same chart (a shared answer) is drawn once."""
    return _png_of(spec.model_dump_json())
