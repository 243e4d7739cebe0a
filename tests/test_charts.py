"""Charts as a seller sees them: every glyph drawn with the shipped fonts, whatever fonts the machine has."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import render
from crm.query.result import ChartSpec


@pytest.fixture
def only_shipped_fonts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Hide every font but matplotlib's own and the shipped ones, as on a machine without system fonts: a CJK
    font installed on this machine must not make the test pass."""
    import matplotlib
    from matplotlib import font_manager

    render._font_family()  # register the shipped fonts first, into the list that stays
    shipped = {str(p.resolve()) for p in render.shipped_font_files()}
    own = str(Path(matplotlib.get_data_path()).resolve())
    kept = [
        f
        for f in font_manager.fontManager.ttflist
        if str(Path(f.fname).resolve()) in shipped or str(Path(f.fname).resolve()).startswith(own)
    ]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", kept)
    font_manager.fontManager._findfont_cached.cache_clear()
    font_manager._get_font.cache_clear()
    yield
    monkeypatch.undo()
    font_manager.fontManager._findfont_cached.cache_clear()
    font_manager._get_font.cache_clear()


def _draw_strict(spec: ChartSpec) -> None:
    """Draw, with matplotlib's "Glyph ... missing from font" warning (a □ box in the PNG) as an error."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing from font")
        render.draw_chart(spec)


SCRIPTS = [
    ChartSpec(
        kind="bar",
        title="按平台统计的销售额（SGD）",
        x=["虾皮 Shopee", "抖音 TikTok Shop", "来赞达"],
        series={"销售额": [12345.0, 6789.5, 100.0]},
        value_format="money",
    ),
    ChartSpec(
        kind="hbar",
        title="ลูกค้า 10 อันดับแรก / Top customers (THB)",
        x=["สมชาย ใจดี", "ณัฐวุฒิ ศรีสุข", "王小明", "Nguyễn Thị Hương", "Đặng Văn Lâm", "Trần Bích Phượng"],
        series={"revenue": [900.0, 800.0, 700.0, 600.0, 500.0, 400.0]},
        value_format="money",
    ),
    ChartSpec(
        kind="heatmap",
        title="按首单月份的月度留存",
        x=["m0", "m1"],
        y=["2026-01（120人）", "2026-02（95人）"],
        matrix=[[1.0, 0.2], [1.0, None]],
        value_format="ratio",
    ),
]


@pytest.mark.parametrize("spec", SCRIPTS, ids=["chinese", "thai-vietnamese-names", "chinese-heatmap"])
def test_every_glyph_is_drawn_without_system_fonts(spec: ChartSpec, only_shipped_fonts: None) -> None:
    _draw_strict(spec)


def test_missing_glyphs_are_caught(only_shipped_fonts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: with only the fonts matplotlib brings, Chinese labels are boxes."""
    monkeypatch.setattr(render, "_font_family", lambda: ["DejaVu Sans"])
    with pytest.raises(UserWarning, match="missing from font"):
        _draw_strict(SCRIPTS[0])


def _texts(ax) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.get_text() for t in ax.texts]


def test_a_partial_period_is_drawn_apart() -> None:
    """Neither a crash to 0 nor a spike: the month still running is a hollow marker on a shaded band, not
    joined to the whole months, with its value; as a bar it is lighter and hatched."""
    line = ChartSpec(
        kind="line",
        title="revenue by month (SGD)",
        x=["2026-10", "2026-11", "2026-12 (so far)"],
        partial=[False, False, True],
        series={"revenue": [12000.0, 15000.0, 2000.0]},
        value_format="money",
    )
    ax = render.draw_chart(line).axes[0]
    joined = ax.lines[0].get_ydata()
    assert list(joined[:2]) == [12000.0, 15000.0] and joined[2] != joined[2]  # NaN: the line ends in November
    hollow = [ln for ln in ax.lines[1:] if list(ln.get_xdata()) == [2] and list(ln.get_ydata()) == [2000.0]]
    assert hollow and hollow[0].get_markerfacecolor() == "white"
    assert "2,000" in _texts(ax) and ax.get_ylim()[0] == 0
    assert any(p.get_x() <= 2 <= p.get_x() + p.get_width() for p in ax.patches)  # the shaded band
    bars = render.draw_chart(line.model_copy(update={"kind": "bar"})).axes[0].patches
    assert [b.get_hatch() for b in bars] == [None, None, "///"] and bars[2].get_alpha() < 1


def test_numbers_read_as_in_the_table() -> None:
    """Thousands separators on bars and axes; the cohort colour scale in percent like its cells; a cell not
    observable yet left blank (no colour, no 0%)."""
    ax = render.draw_chart(
        ChartSpec(
            kind="bar",
            title="revenue (SGD)",
            x=["Shopee", "Lazada"],
            series={"revenue": [12345.0, 6789.5]},
            value_format="money",
        )
    ).axes[0]
    assert {"12,345", "6,790"} <= set(_texts(ax))
    assert "10,000" in [t.get_text() for t in ax.get_yticklabels()]
    # Small amounts keep their cents; an empty group's bar says 0, not "0.00" beside whole numbers.
    small = render.draw_chart(
        ChartSpec(
            kind="bar",
            title="revenue (SGD)",
            x=["important value", "important develop", "general keep"],
            series={"revenue": [19440.13, 0.0, 42.5]},
            value_format="money",
        )
    ).axes[0]
    assert {"19,440", "0", "42.50"} <= set(_texts(small)) and "0.00" not in _texts(small)
    fig = render.draw_chart(
        ChartSpec(
            kind="heatmap",
            title="retention",
            x=["m0", "m1", "m2"],
            y=["2026-01 (n=1,200)", "2026-02 (n=95)"],
            matrix=[[1.0, 0.25, 0.125], [1.0, 0.2, None]],
            value_format="ratio",
        )
    )
    ax, bar = fig.axes
    assert sorted(_texts(ax)) == sorted(["100%", "25%", "12%", "100%", "20%"])
    assert ax.images[0].get_array().mask[1, 2]
    ticks = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
    assert ticks and all(t.endswith("%") for t in ticks)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2026-01 (n=1,200)", "2026-02 (n=95)"]
    assert not [p for p in ax.patches if p.get_hatch()]
    running = render.draw_chart(
        ChartSpec(
            kind="heatmap",
            title="retention",
            x=["m0", "m1", "m2"],
            y=["a", "b"],
            matrix=[[1.0, 0.25, 0.125], [1.0, 0.2, None]],
            partial=[True, True],
            value_format="ratio",
        )
    ).axes[0]
    hatched = sorted((p.get_x() + 0.5, p.get_y() + 0.5) for p in running.patches if p.get_hatch())
    assert hatched == [(1.0, 1.0), (2.0, 0.0)]  # each row's last observed cell: the month still running


def test_fifty_names_stay_readable() -> None:
    """A top-50 is drawn across: every name on its own line, none overlapping, the first at the top, long
    names cut; a breakdown into many groups turns across as well."""
    names = [f"Customer {i:02d}" for i in range(48)] + ["王小明", "Nguyễn Thị Hương Giang Trần Bảo Ngọc Anh"]
    spec = ChartSpec(
        kind="hbar",
        title="Top 50 customers by revenue (SGD)",
        x=names,
        series={"revenue": [float(5000 - 90 * i) for i in range(50)]},
        value_format="money",
    )
    fig = render.draw_chart(spec)
    ax = fig.axes[0]
    labels = [t for t in ax.get_yticklabels() if t.get_text()]
    assert len(labels) == 50 and fig.get_figheight() > 10
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert boxes[0].y0 > boxes[-1].y0  # the highest ranked at the top
    assert all(not a.overlaps(b) for a, b in itertools.pairwise(boxes))
    assert labels[-1].get_text().endswith("…") and labels[-2].get_text() == "王小明"
    assert "5,000" in _texts(ax)
    many = ChartSpec(
        kind="bar",
        title="orders by country",
        x=[f"Country {i}" for i in range(20)],
        series={"orders": [float(i) for i in range(20)]},
    )
    widths = {round(p.get_height(), 6) for p in render.draw_chart(many).axes[0].patches}
    assert widths == {0.7}  # bars of one thickness across, lengths by value
