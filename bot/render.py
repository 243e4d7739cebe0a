"""Rendering Results for people: PNG charts (matplotlib) from a ChartSpec, shared by the CLI and Telegram."""

from __future__ import annotations

import html
import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from crm.display import CELL_LENGTH, NAME_LENGTH, displayable
from crm.query.result import ChartSpec

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

# Charts carry their own fonts (the weblate-fonts package, SIL OFL 1.1), so Chinese, Thai and Vietnamese
# titles, labels and customer names render on a machine without system fonts. Kurinto Sans covers Latin
# (Vietnamese included), Thai and most other alphabets; Kurinto Sans SC adds Chinese; DejaVu Sans
# (matplotlib's own) is the last resort. matplotlib takes each glyph from the first family that has it.
SHIPPED_FONTS = ("KurintoSans-Rg.ttf", "KurintoSansSC-Rg.ttf")
FONT_FAMILY = ["Kurinto Sans", "Kurinto Sans SC", "DejaVu Sans"]


def shipped_font_files() -> list[Path]:
    """The font files charts are drawn with (empty when the fonts package is missing)."""
    import importlib.util

    spec = importlib.util.find_spec("weblate_fonts")
    if spec is None or not spec.submodule_search_locations:
        return []
    package = Path(next(iter(spec.submodule_search_locations)))
    folder = package / "static" / "weblate_fonts" / "kurinto" / "ttf"
    return [folder / name for name in SHIPPED_FONTS if (folder / name).is_file()]


@lru_cache(maxsize=1)
def _font_family() -> list[str]:
    """Register the shipped fonts with matplotlib once, at the first chart (not at import: CLI start-up)."""
    from matplotlib import font_manager

    files = shipped_font_files()
    for path in files:
        font_manager.fontManager.addfont(str(path))
    if len(files) < len(SHIPPED_FONTS):
        log.warning("chart fonts missing (reinstall the weblate-fonts package): labels may show boxes")
    return list(FONT_FAMILY)


@contextmanager
def _chart_style() -> Iterator[None]:
    """matplotlib settings every chart is drawn and saved with: the shipped fonts as one fallback list."""
    import matplotlib

    with matplotlib.rc_context({"font.family": _font_family(), "axes.unicode_minus": False}):
        yield


def draw_chart(spec: ChartSpec) -> Figure:
    """Draw `spec` into a matplotlib Figure (phone-friendly size), laid out and ready to save.

    matplotlib's "Glyph ... missing from font" warnings are left to the caller: render_chart logs them."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _chart_style():
        fig = Figure(figsize=_figsize(spec), dpi=110)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        _draw(ax, spec)
        ax.set_title(spec.title, fontsize=12)
        fig.tight_layout()
        fig.canvas.draw()
    return fig


def render_chart(spec: ChartSpec, out: str | Path | IO[bytes]) -> None:
    """Draw `spec` as a PNG into a path or a binary buffer."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = draw_chart(spec)
        with _chart_style():
            fig.savefig(out, format="png")
    missing = sorted({str(w.message) for w in caught if "missing from font" in str(w.message)})
    if missing:  # a label would show boxes: say so in the log, never on the user's terminal
        log.warning("chart %r: %s", spec.title, "; ".join(missing[:5]))


def _fmt(value: float | None, kind: str) -> str:
    """A number on a bar or in a cell: thousands separators, shares as percentages; small amounts with their
    cents, and none as a plain 0 (an empty segment's bar beside "19,440" read "0.00")."""
    if value is None:
        return ""
    if kind == "ratio":
        return f"{value * 100:.0f}%"
    if kind == "money" and 0 < abs(value) < 100:
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def _tick(value: float, kind: str) -> str:
    """An axis tick in the unit of the values drawn: 12,500 not 12500 or 1.25e4; 20% not 0.2."""
    if kind == "ratio":
        return f"{value * 100:,.1f}".rstrip("0").rstrip(".") + "%"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


MAX_NAME = 26  # display cells of a bar's name before it is cut with "…"
PARTIAL_STYLE = {"alpha": 0.45, "hatch": "///"}


def _short(text: str) -> str:
    from rich.cells import cell_len, set_cell_size

    return text if cell_len(text) <= MAX_NAME else set_cell_size(text, MAX_NAME - 1).rstrip() + "…"


def _horizontal(spec: ChartSpec) -> bool:
    """Rankings, many groups or long names: bars across, one name per line, instead of slanted labels."""
    if spec.kind == "hbar":
        return True
    if spec.kind != "bar" or len(spec.series) != 1:
        return False
    from rich.cells import cell_len

    return len(spec.x) > 8 or max((cell_len(str(x)) for x in spec.x), default=0) > 14


def _figsize(spec: ChartSpec) -> tuple[float, float]:
    if spec.kind == "stacked_hbar":  # room for the legend under the bars
        return 8.0, min(max(4.0, 0.55 * len(spec.x) + 2.4), 12.0)
    if _horizontal(spec):  # about a quarter inch per name: 50 names stay legible on a phone
        return 8.0, min(max(4.0, 0.26 * len(spec.x) + 1.6), 16.0)
    if spec.kind == "heatmap":
        return 8.0, min(max(4.0, 0.32 * len(spec.y) + 1.8), 12.0)
    return 8.0, 5.0


def _partial(spec: ChartSpec, i: int) -> bool:
    return i < len(spec.partial) and spec.partial[i]


def _draw(ax: Any, spec: ChartSpec) -> None:
    if spec.kind == "heatmap":
        _draw_heatmap(ax, spec)
        return
    if spec.kind == "stacked_hbar":
        _draw_stacked(ax, spec)
        return
    from matplotlib.ticker import FuncFormatter

    values_axis = FuncFormatter(lambda v, _pos: _tick(v, spec.value_format))
    if _horizontal(spec):
        _draw_across(ax, spec)
        ax.xaxis.set_major_formatter(values_axis)
        if spec.y_label:
            ax.set_xlabel(spec.y_label)
        return
    import numpy as np

    labels = [str(x) for x in spec.x]
    positions = np.arange(len(labels))
    series = list(spec.series.items())
    if spec.kind == "line":
        for name, values in series:
            _draw_line(ax, spec, positions, name, values)
    else:
        width = 0.8 / max(len(series), 1)
        for k, (name, values) in enumerate(series):
            # No value is no bar (not a bar of 0).
            heights = [np.nan if v is None else v for v in values]
            bars = ax.bar(positions + k * width - 0.4 + width / 2, heights, width=width, label=name)
            for i, bar in enumerate(bars):
                if _partial(spec, i):
                    bar.set(**PARTIAL_STYLE)
            if len(labels) <= 12:
                ax.bar_label(bars, labels=[_fmt(v, spec.value_format) for v in values], fontsize=8)
    ax.set_xticks(
        positions,
        labels,
        rotation=30 if len(labels) > 6 else 0,
        ha="right" if len(labels) > 6 else "center",
        fontsize=8,
    )
    ax.yaxis.set_major_formatter(values_axis)
    if len(series) > 1:
        ax.legend(fontsize=8)
    if spec.x_label:
        ax.set_xlabel(spec.x_label)
    if spec.y_label:
        ax.set_ylabel(spec.y_label)
    ax.grid(axis="y", alpha=0.3)


def _draw_line(ax: Any, spec: ChartSpec, positions: Any, name: str, values: list[float | None]) -> None:
    """Whole periods joined by a line; a partial one (a month still running) on a shaded band as a hollow
    marker with its value, not joined to the others, so it reads neither as a crash nor as a spike."""
    import numpy as np

    y = np.array([np.nan if v is None else v for v in values], dtype=float)
    partial = np.array([_partial(spec, i) for i in range(len(y))], dtype=bool)
    (line,) = ax.plot(positions, np.where(partial, np.nan, y), marker="o", label=name)
    for i in np.flatnonzero(partial):
        ax.axvspan(positions[i] - 0.5, positions[i] + 0.5, color="0.5", alpha=0.12, linewidth=0)
        if not np.isnan(y[i]):
            ax.plot(
                [positions[i]],
                [y[i]],
                linestyle="none",
                marker="o",
                markerfacecolor="white",
                color=line.get_color(),
            )
            ax.annotate(
                _fmt(float(y[i]), spec.value_format),
                (positions[i], y[i]),
                xytext=(0, 7),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                color=line.get_color(),
            )
    if np.nanmin(y, initial=0.0) >= 0:  # amounts, counts, rates from 0: a dip does not look like a crash
        top = float(np.nanmax(y, initial=0.0))
        ax.set_ylim(0, top * 1.12 if top > 0 else 1)


def _draw_across(ax: Any, spec: ChartSpec) -> None:
    import numpy as np

    names = [_short(str(x)) for x in spec.x]
    values = next(iter(spec.series.values()), [])
    positions = np.arange(len(names))
    bars = ax.barh(
        positions,
        [np.nan if v is None else v for v in values],
        height=0.7,
        label=next(iter(spec.series), None),
    )
    for i, bar in enumerate(bars):
        if _partial(spec, i):
            bar.set(**PARTIAL_STYLE)
    size = 8 if len(names) <= 30 else 7
    ax.set_yticks(positions, names, fontsize=size)
    if names:
        ax.set_ylim(len(names) - 0.5, -0.5)  # the first (highest ranked) at the top
    ax.bar_label(bars, labels=[_fmt(v, spec.value_format) for v in values], padding=3, fontsize=size)
    ax.margins(x=0.12)  # room for the value after the longest bar
    ax.grid(axis="x", alpha=0.3)


# A journey's stages, in the order of the series: green for where customers are buying, then cooling to grey.
STACK_COLOURS = ("#4c9be8", "#2ca25f", "#f0a330", "#d9534f", "#b0b0b0", "#8e6bbf")


def _draw_stacked(ax: Any, spec: ChartSpec) -> None:
    """One bar across per row (a stage on the first date), split into the shares of the series (the stages
    on the second date), each share written on its piece when there is room; the first row at the top."""
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    names = [_short(str(x)) for x in spec.x]
    positions = np.arange(len(names))
    left = np.zeros(len(names))
    for k, (label, values) in enumerate(spec.series.items()):
        widths = np.array([0.0 if v is None else v for v in values], dtype=float)
        if not widths.any():
            continue
        bars = ax.barh(
            positions, widths, left=left, height=0.6, label=label, color=STACK_COLOURS[k % len(STACK_COLOURS)]
        )
        ax.bar_label(
            bars,
            labels=[_fmt(w, spec.value_format) if w >= 0.07 else "" for w in widths],
            label_type="center",
            fontsize=8,
            color="white",
        )
        left += widths
    ax.set_yticks(positions, names, fontsize=9)
    if names:
        ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _tick(v, spec.value_format)))
    ax.legend(fontsize=8, ncol=min(len(spec.series), 5), loc="upper center", bbox_to_anchor=(0.5, -0.14))
    if spec.x_label:
        ax.set_xlabel(spec.x_label, fontsize=8)
    if spec.y_label:
        ax.set_ylabel(spec.y_label, fontsize=8)
    ax.grid(axis="x", alpha=0.3)


def _draw_heatmap(ax: Any, spec: ChartSpec) -> None:
    import matplotlib
    import numpy as np
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import FuncFormatter

    data = np.ma.masked_invalid(
        np.array([[np.nan if v is None else v for v in row] for row in spec.matrix], dtype=float)
    )
    # Retention's month 0 is always 100%: scale the colours on the later months so they can be told apart.
    later = data[:, 1:] if data.shape[1] > 1 else data
    vmax = float(later.max()) if later.count() else 1.0
    cmap = matplotlib.colormaps["YlGn"].with_extremes(bad="none")  # a cell not observable yet: blank, not 0%
    image = ax.imshow(data, aspect="auto", cmap=cmap, vmin=0, vmax=vmax or 1.0)
    ax.set_xticks(range(len(spec.x)), [str(x) for x in spec.x], fontsize=8)
    ax.set_yticks(range(len(spec.y)), [str(y) for y in spec.y], fontsize=8)
    if data.shape[0] * data.shape[1] <= 200:
        for (i, j), v in np.ndenumerate(data.filled(np.nan)):
            if not np.isnan(v):
                ax.text(
                    j,
                    i,
                    _fmt(v, spec.value_format),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if v > 0.6 * (vmax or 1.0) else "black",
                )
    for i, row in enumerate(data):
        seen = np.flatnonzero(~np.ma.getmaskarray(row))
        if _partial(spec, i) and len(seen):  # the month still running: its cell hatched, not a final value
            ax.add_patch(
                Rectangle(
                    (seen[-1] - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="0.45", linewidth=0
                )
            )
    # The colour scale speaks the cells' unit (20%, not 0.2).
    ax.figure.colorbar(
        image, ax=ax, fraction=0.03, format=FuncFormatter(lambda v, _pos: _tick(v, spec.value_format))
    )
    if spec.x_label:
        ax.set_xlabel(spec.x_label)
    if spec.y_label:
        ax.set_ylabel(spec.y_label)


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


def render_table(
    columns: list[str],
    rows: list[list[Any]],
    *,
    max_cell: int | None = None,
    percent: frozenset[int] | set[int] = frozenset(),
    marks: dict[tuple[int, int], str] | None = None,
) -> str:
    """A plain monospace table: numbers right-aligned, text left-aligned (East Asian wide characters counted).

    `max_cell` shortens long text cells to that display width (phone screens); columns in `percent` hold
    shares shown as percentages; `marks` appends a sign to cells by (row, column), e.g. "*" to a cell counted
    so far.
    """
    from rich.cells import cell_len, set_cell_size

    def fit(text: str) -> str:
        if max_cell is None or cell_len(text) <= max_cell:
            return text
        return set_cell_size(text, max_cell - 1).rstrip() + "…"

    head = [str(c) for c in columns]
    plain = {i for i, c in enumerate(head) if c.lower() in ("id", "#", "year", "customer_id")}  # no 1,524
    cells = [
        [
            str(v) if i in plain and isinstance(v, int) else _percent(v) if i in percent else fit(_cell(v))
            for i, v in enumerate(r)
        ]
        for r in rows
    ]
    for (i, j), mark in (marks or {}).items():
        cells[i][j] += mark
    n = max([len(head)] + [len(r) for r in cells]) if (head or cells) else 0
    head += [""] * (n - len(head))
    widths = [max([cell_len(head[i])] + [cell_len(r[i]) for r in cells if i < len(r)]) for i in range(n)]
    numeric = [
        bool(rows)
        and all(isinstance(r[i], (int, float, Decimal)) or r[i] is None for r in rows if i < len(r))
        for i in range(n)
    ]

    def pad(text: str, width: int, right: bool) -> str:
        gap = " " * (width - cell_len(text))
        return gap + text if right else text + gap

    def line(values: list[str]) -> str:
        values = values + [""] * (n - len(values))
        return "  ".join(pad(v, w, num) for v, w, num in zip(values, widths, numeric, strict=False)).rstrip()

    return "\n".join([line(head), "  ".join("-" * w for w in widths)] + [line(r) for r in cells])


def _percent(value: Any) -> str:
    if not isinstance(value, (int, float, Decimal)) or isinstance(value, bool):
        return _cell(value)
    return f"{float(value) * 100:.1f}%"


def readable_rows(result: Any, rows: list[list[Any]], *, ids: bool = False) -> list[list[Any]]:
    """Rows as people read them, in the table and the CSV alike: platforms, countries, RFM segments and
    lifecycle stages by name, as the answer's text names them (the rows keep the codes for --json); with
    `ids`, ids as the bot writes them (#1382)."""
    from crm.query import texts

    columns = list(result.columns)
    language = result.language or "en"
    names: dict[int, Any] = {
        i: (lambda v, by=c: texts.group_name(by, v, language))
        for i, c in enumerate(columns)
        if c in ("platform", "country", "segment", "lifecycle")
    }
    if ids:
        names.update({i: lambda v: f"#{v}" for i, c in enumerate(columns) if c == "id"})
    if not names:
        return rows
    return [
        [names[i](v) if i in names and isinstance(v, (str, int)) else v for i, v in enumerate(r)]
        for r in rows
    ]


def result_table(result: Any, rows: list[list[Any]] | None = None, *, max_cell: int | None = None) -> str:
    """A Result's table (or some of its rows) as people read it: headers in the answer's language, shares as
    percentages."""
    from crm.query import texts

    columns = list(result.columns)
    percent = {i for i, c in enumerate(columns) if texts.is_ratio_column(c)}
    rows = readable_rows(result, result.rows if rows is None else rows, ids=True)
    return render_table(
        result.headers(),
        rows,
        max_cell=max_cell,
        percent=percent,
        marks=running_cells(result, rows),
    )


def running_cells(result: Any, rows: list[list[Any]]) -> dict[tuple[int, int], str]:
    """A cohort table's cells in the month still running, marked "*" as the chart hatches them: the last
    observed cell of each cohort the chart calls partial (the text's note says what "*" means)."""
    chart = result.chart
    if result.intent != "cohort" or chart is None or not any(chart.partial):
        return {}
    running = {result.rows[i][0] for i, p in enumerate(chart.partial) if p and i < len(result.rows)}
    marks = {}
    for i, row in enumerate(rows):
        seen = [j for j in range(2, len(row)) if row[j] is not None]
        if row and row[0] in running and seen:
            marks[(i, seen[-1])] = "*"
    return marks


def shows_table(result: Any) -> bool:
    """Whether a person sees the Result's rows as a table. A customer card's text already says every field in
    the reader's language; its field/value rows are for --json and would repeat it with English field names."""
    card = result.intent == "customer" and list(result.columns) == ["field", "value"]
    return bool(result.rows and result.columns) and not card


# A terminal shows this many rows of a long answer (a customer list can hold thousands); --json gives them all.
TEXT_ROWS = 50


def render_text(result: Any) -> str:
    """What a person reads: the reply text, then the table when there is one (its first TEXT_ROWS rows)."""
    parts = [result.text.strip()] if result.text else []
    if shows_table(result):
        rows = list(result.rows)
        parts.append(result_table(result, rows[:TEXT_ROWS]))
        if len(rows) > TEXT_ROWS:
            from crm.text import render

            more = len(rows) - TEXT_ROWS
            parts.append(render(result.language, "cli.more_rows", n=more, shown=TEXT_ROWS))
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
