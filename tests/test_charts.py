"""Charts as a seller sees them: every glyph drawn with the shipped fonts, whatever fonts the machine has."""
from __future__ import annotations

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
    kept = [f for f in font_manager.fontManager.ttflist
            if str(Path(f.fname).resolve()) in shipped or str(Path(f.fname).resolve()).startswith(own)]
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
    ChartSpec(kind="bar", title="按平台统计的销售额（SGD）", x=["虾皮 Shopee", "抖音 TikTok Shop", "来赞达"],
              series={"销售额": [12345.0, 6789.5, 100.0]}, value_format="money"),
    ChartSpec(kind="bar", title="ลูกค้า 10 อันดับแรก / Top customers (THB)",
              x=["สมชาย ใจดี", "ณัฐวุฒิ ศรีสุข", "王小明", "Nguyễn Thị Hương", "Đặng Văn Lâm", "Trần Bích Phượng"],
              series={"revenue": [900.0, 800.0, 700.0, 600.0, 500.0, 400.0]}, value_format="money"),
    ChartSpec(kind="heatmap", title="按首单月份的月度留存", x=["m0", "m1"], y=["2026-01（120人）", "2026-02（95人）"],
              matrix=[[1.0, 0.2], [1.0, None]], value_format="ratio"),
]


@pytest.mark.parametrize("spec", SCRIPTS, ids=["chinese", "thai-vietnamese-names", "chinese-heatmap"])
def test_every_glyph_is_drawn_without_system_fonts(spec: ChartSpec, only_shipped_fonts: None) -> None:
    _draw_strict(spec)


def test_missing_glyphs_are_caught(only_shipped_fonts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: with only the fonts matplotlib brings, Chinese labels are boxes."""
    monkeypatch.setattr(render, "_font_family", lambda: ["DejaVu Sans"])
    with pytest.raises(UserWarning, match="missing from font"):
        _draw_strict(SCRIPTS[0])
