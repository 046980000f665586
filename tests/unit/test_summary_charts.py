"""The summary's charts as a coordinator sees them: unit names in Chinese drawn on a
machine without a CJK font of its own, the committee's own members named as the text
names them, counts and rates on the bars, a legend for the colours, and no label running
into the frame."""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

from bot.kit.i18n import Translator, translator
from bot.summaries.charts import day_chart, day_figure, png, week_chart, week_figure
from bot.summaries.service import Counts, Duty, Line, Summary
from storage.models import Unit

DAY = date(2026, 11, 30)  # a Monday
NAMES = {
    "zh": ["北区", "东区", "南区", "城西区第三社区网格服务站联合党支部委员会", "市委员会"],
    "en": ["North District", "East District", "South District", "West Side Joint Community "
           "Grid Service Station Branch Committee", "City Committee"],
}  # fmt: skip
# (members, checked in) of N, E, S, W and the committee's own members.
COUNTS = [(120, 87), (86, 79), (85, 79), (40, 2), (2, 2)]


@pytest.fixture(scope="module")
def i18n() -> Translator:
    return translator()


def summary(language: str, day: date = DAY) -> Summary:
    names = NAMES[language]
    committee = Unit(1, "CITY", names[4], None, "/1/", 0, None)
    lines = [
        Line(
            Unit(2 + i, code, name, 1, f"/1/{2 + i}/", 1, None),
            Counts(members, checked),
            Counts(),
            own=code == "CITY",
        )
        for i, (code, name, (members, checked)) in enumerate(
            zip(["N", "E", "S", "W", "CITY"], names, COUNTS, strict=True)
        )
    ]
    lines.sort(key=lambda line: line.counts.rate or 0)  # worst first, as compiled
    return Summary(
        committee=committee, day=day, zone=ZoneInfo("Asia/Shanghai"), day_off=False,
        total=Counts(333, 249), previous=Counts(), previous_day=day - timedelta(days=1),
        lines=lines, duty=Duty(), own_missing=[], flagged=[], directives=[], incidents=[],
    )  # fmt: skip


def week(language: str) -> list[Summary]:
    return [summary(language, DAY - timedelta(days=6 - n)) for n in range(7)]


@contextmanager
def no_missing_glyph() -> Iterator[None]:
    """Fails on matplotlib's warning for a character no font it uses can draw (it would
    draw an empty box)."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "error", message=r"Glyph \d+ .* missing from font", category=UserWarning
        )
        yield


def texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text) if t.get_text() and t.get_visible()]


def bar_labels(figure: Figure) -> list[Annotation]:
    return [a for a in figure.axes[0].texts if isinstance(a, Annotation)]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_unit_names_are_drawn_in_either_language(i18n: Translator, language: str) -> None:
    with no_missing_glyph():
        assert day_chart(summary(language), i18n, language).startswith(b"\x89PNG")
        assert week_chart(week(language), i18n, language).startswith(b"\x89PNG")
    figure = day_figure(summary(language), i18n, language)
    drawn = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    # Worst at the top (the last bar drawn), the committee's own members named as such.
    own = {"zh": "市委员会（本级成员）", "en": "City Committee (own members)"}[language]
    assert drawn[::-1] == [
        {"zh": "城西区第三社区网格服务站联合…", "en": "West Side Joint Community Gri…"}[language],
        NAMES[language][0], NAMES[language][1], NAMES[language][2], own,
    ]  # fmt: skip
    assert not any(code in drawn for code in ("N", "E", "S", "W", "CITY"))


def test_the_title_names_the_committee_and_the_day(i18n: Translator) -> None:
    assert day_figure(summary("zh"), i18n, "zh").get_suptitle() == "市委员会 — 11月30日 周一"
    assert day_figure(summary("en"), i18n, "en").get_suptitle() == "City Committee — Mon 30 Nov"
    assert week_figure(week("zh"), i18n, "zh").get_suptitle() == (
        "市委员会 — 截至11月30日 周一的一周"
    )


def test_bars_carry_counts_and_rates(i18n: Translator) -> None:
    labels = [a.get_text() for a in bar_labels(day_figure(summary("en"), i18n, "en"))]
    assert labels[::-1] == ["2/40 (5%)", "87/120 (72%)", "79/86 (92%)", "79/85 (93%)", "2/2 (100%)"]
    labels = [a.get_text() for a in bar_labels(day_figure(summary("zh"), i18n, "zh"))]
    assert labels[-1] == "2/40（5%）"


def test_a_legend_says_what_the_colours_mean(i18n: Translator) -> None:
    for language, words in (
        ("en", ["below 80%", "80% or more"]),
        ("zh", ["低于80%", "80%及以上"]),
    ):
        figure = day_figure(summary(language), i18n, language)
        [legend] = figure.legends
        assert [t.get_text() for t in legend.get_texts()] == words
        red, green = (patch.get_facecolor() for patch in legend.get_patches())
        bars = figure.axes[0].patches  # bottom up: own members 100%, ..., W 5%
        assert bars[0].get_facecolor() == green and bars[-1].get_facecolor() == red
    [legend] = week_figure(week("zh"), i18n, "zh").legends
    assert [t.get_text() for t in legend.get_texts()] == ["市委员会", "各下级单位"]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_labels_do_not_touch_the_frame(i18n: Translator, language: str) -> None:
    figure = day_figure(summary(language), i18n, language)
    png(figure)  # laid out and drawn as sent
    axes = figure.axes[0]
    plot = axes.get_window_extent()
    for label, bar in zip(bar_labels(figure), axes.patches, strict=True):
        box, end = label.get_window_extent(), bar.get_window_extent()
        assert plot.x0 < box.x0 and box.x1 < plot.x1 - 2, label.get_text()
        # Inside the bar's end, or after it: never across it.
        assert box.x1 < end.x1 - 2 or box.x0 > end.x1 + 2, label.get_text()
    whole = figure.bbox
    for text in figure.findobj(Text):
        if text.get_text() and text.get_visible():
            box = text.get_window_extent()
            assert whole.x0 <= box.x0 and box.x1 <= whole.x1, text.get_text()
            assert whole.y0 <= box.y0 and box.y1 <= whole.y1, text.get_text()


def test_a_day_without_rates_draws_a_dash(i18n: Translator) -> None:
    empty = summary("zh")
    empty.lines = []
    with no_missing_glyph():
        figure = day_figure(empty, i18n, "zh")
        png(figure)
    assert "—" in texts(figure) and bar_labels(figure) == []


def test_matplotlib_is_loaded_by_the_first_chart_not_at_start() -> None:
    """Importing it takes about 0.4 s that every restart would pay for an evening's chart."""
    code = (
        "import sys, app.build, bot.summaries.charts\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('matplotlib'))\n"
        "assert not loaded, loaded[:3]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
