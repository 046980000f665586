"""The summary's charts: check-in rate per child unit for a day, and the committee's rate
per day over a week; worded in the reader's language.

Drawn with matplotlib's Agg renderer on a bare ``Figure`` (no pyplot, no display). Chinese
is drawn with a font shipped in ``bot/fonts`` (a subset of Noto Sans CJK SC, OFL), as a
fresh server has none: Latin text keeps matplotlib's DejaVu Sans, and a glyph DejaVu lacks
comes from the bundled font, then from a CJK font installed on the machine, if any.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from unicodedata import east_asian_width

from bot.kit.i18n import Translator, format_day
from bot.summaries.render import percent
from bot.summaries.service import Summary

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation

CHART_UNITS = 25  # bars; the rest are in the workbook
GOOD = 80  # % checked in from which a bar is green
NAME_WIDTH = 30  # columns of a unit's name on the chart; the text has it whole
FONT_FILE = "MusterCJKSC-Regular.otf"
FONT_FAMILY = "Muster CJK SC"
# Installed fonts that draw what the bundled subset lacks (hangul, rare hanzi).
_SYSTEM_CJK = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
)
_RED, _GREEN, _GREY = "#d9534f", "#5cb85c", "#999999"
_PAD = 4  # points between a bar and its label

# Drawing is not thread-safe (font caches): one chart at a time, whichever thread draws it.
_DRAWING = threading.Lock()


@cache
def fonts() -> list[str]:
    """The families a chart's text is drawn with, in fallback order. Loads matplotlib on
    the first chart, not at start: the import takes about 0.4 s that every start of the
    bot paid, though charts are drawn once an evening."""
    import matplotlib
    from matplotlib import font_manager

    # A path on disk, not a temporary copy: matplotlib opens the file again at each draw.
    font_manager.fontManager.addfont(str(Path(__file__).parents[1] / "fonts" / FONT_FILE))
    installed = []
    for family in _SYSTEM_CJK:
        try:
            font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        installed.append(family)
    families = ["DejaVu Sans", FONT_FAMILY, *installed]
    # The process's only charts are these: set once rather than on every text drawn.
    matplotlib.rcParams["font.family"] = families
    return families


def day_chart(summary: Summary, i18n: Translator, language: str) -> bytes:
    """The day's chart as PNG."""
    with _DRAWING:
        return png(day_figure(summary, i18n, language))


def week_chart(week: Sequence[Summary], i18n: Translator, language: str) -> bytes:
    """The week's chart as PNG."""
    with _DRAWING:
        return png(week_figure(week, i18n, language))


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _figure(rows: int) -> Figure:
    """Phone-shaped: narrow, as tall as the rows need; laid out so that nothing overlaps."""
    fonts()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, max(3.2, 0.42 * rows + 1.9)), dpi=150, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself: text is measured as the PNG will draw it
    return figure


def _name(name: str) -> str:
    """At most ``NAME_WIDTH`` columns, a hanzi counting two: a long name would squeeze
    the bars to nothing."""
    width = 0
    for index, char in enumerate(name):
        width += 2 if east_asian_width(char) in "WF" else 1
        if width > NAME_WIDTH:
            return name[: max(index - 1, 1)] + "…"
    return name


def day_figure(summary: Summary, i18n: Translator, language: str) -> Figure:
    """Check-in rate per child unit, worst at the top, green from ``GOOD`` %; each bar says
    how many of how many expected checked in, and the committee's own members are named
    as the text names them."""
    from matplotlib.patches import Patch

    def t(key: str, **args: object) -> str:
        return i18n.plain(language, key, **args)

    lines = [line for line in summary.lines if line.counts.rate is not None][:CHART_UNITS][::-1]
    rates = [round((line.counts.rate or 0) * 100) for line in lines]
    figure = _figure(len(lines))
    axes = figure.add_subplot()
    axes.barh(range(len(lines)), rates, color=[_RED if r < GOOD else _GREEN for r in rates])
    axes.set_yticks(
        range(len(lines)),
        [
            _name(t("summary-own-unit", unit=line.unit.name) if line.own else line.unit.name)
            for line in lines
        ],
    )
    labels = [
        axes.annotate(
            t(
                "summary-chart-bar",
                checked=line.counts.checked_in,
                expected=line.counts.expected,
                rate=percent(line.counts.rate),
            ),
            (rate, row),
            xytext=(_PAD, 0),
            textcoords="offset points",
            va="center",
        )
        for row, (line, rate) in enumerate(zip(lines, rates, strict=True))
    ]
    axes.set_xlim(0, 100)
    axes.set_xticks(range(0, 101, 20))
    axes.set_xlabel(t("summary-chart-rate"))
    axes.spines[["top", "right"]].set_visible(False)
    axes.spines["bottom"].set_bounds(0, 100)  # the axis ends at 100%, labels may go on
    figure.suptitle(
        t("summary-chart-title", unit=summary.committee.name, day=format_day(summary.day, language))
    )
    figure.legend(
        handles=[
            Patch(color=_RED, label=t("summary-chart-low", rate=GOOD)),
            Patch(color=_GREEN, label=t("summary-chart-good", rate=GOOD)),
        ],
        loc="outside lower center",
        ncols=2,
        frameon=False,
    )
    if not lines:
        axes.set_yticks([])
        axes.text(50, 0.5, "—", ha="center", color=_GREY, transform=axes.get_xaxis_transform())
    _place(figure, labels)
    return figure


def _place(figure: Figure, labels: Sequence[Annotation]) -> None:
    """Puts each bar's label inside the bar's end where it fits, else after the bar, and
    widens the x axis until those end inside it: how wide a label is in data units
    depends on the axis' own width, known only once laid out."""
    axes = figure.axes[0]
    figure.draw_without_rendering()  # lays out: the axes get their final width
    plot = axes.get_window_extent().width
    pad = _PAD * figure.dpi / 72
    right = 104.0  # a full bar stops short of the picture's edge
    for label in labels:
        value = float(label.xy[0])
        width = label.get_window_extent().width + 2 * pad
        if width <= value / 100 * plot * 0.9:  # 0.9: the axis may yet widen
            label.set_horizontalalignment("right")
            label.xyann = (-_PAD, 0)
        elif plot * 0.98 > width:  # value * plot / right + width <= plot * 0.98
            right = max(right, value * plot / (plot * 0.98 - width))
    axes.set_xlim(0, right)


def week_figure(week: Sequence[Summary], i18n: Translator, language: str) -> Figure:
    """The committee's rate per day over the week, and each child unit's, thin and grey."""

    def t(key: str, **args: object) -> str:
        return i18n.plain(language, key, **args)

    last = week[-1]
    days = [s.day.strftime("%m-%d") for s in week]
    figure = _figure(8)
    axes = figure.add_subplot()
    children: dict[int, list[float | None]] = {}
    for index, summary in enumerate(week):
        for line in summary.lines:
            series = children.setdefault(line.unit.id, [None] * len(week))
            series[index] = None if line.counts.rate is None else line.counts.rate * 100
    for number, series in enumerate(list(children.values())[:CHART_UNITS]):
        axes.plot(
            days,
            [float("nan") if v is None else v for v in series],
            color=_GREY,
            lw=0.8,
            label=t("summary-chart-week-units") if number == 0 else None,
        )
    totals = [float("nan") if s.total.rate is None else s.total.rate * 100 for s in week]
    axes.plot(days, totals, color=_GREEN, lw=2.5, marker="o", label=last.committee.name)
    axes.set_ylim(0, 105)
    axes.set_ylabel(t("summary-chart-rate"))
    axes.spines[["top", "right"]].set_visible(False)
    figure.suptitle(
        t("summary-chart-week-title", unit=last.committee.name, day=format_day(last.day, language))
    )
    handles, _ = axes.get_legend_handles_labels()
    figure.legend(handles=handles[::-1], loc="outside lower center", ncols=2, frameon=False)
    return figure
