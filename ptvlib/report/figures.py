"""Page figures: trends, coverage, funding, key figures, the outcome panels and the summary plot.

Every label, legend title and source line comes from the text catalogue in
the report language (*lang*), numbers on axes and in annotations from
:mod:`ptvlib.basics.numbers`; years are whole-number ticks; each axis has
one unit; units are named, not coded ("Oslo", not "0301"). A series keeps
its colour in both languages: colours follow its role (treated unit, large
cities, rest of the country …), never the order of translated names.
Heavy imports (matplotlib, seaborn) happen inside the functions so that
``import ptvlib`` stays light.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ptvlib.basics import numbers
from ptvlib.basics.literals import Lang, check_literal
from ptvlib.basics.style import COLORS, SYNTHETIC_LABEL, figure_axes, label_synthetic, set_theme
from ptvlib.report.texts import label, text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "COLORS",
    "ROLE_COLORS",
    "SYNTHETIC_LABEL",
    "figure_axes",
    "label_own",
    "label_synthetic",
    "plot_coverage",
    "plot_forest",
    "plot_funding",
    "plot_keyfigures",
    "plot_outcome",
    "plot_summary",
    "plot_trend_pair",
    "plot_trends",
    "set_theme",
]

#: Colour of each series role, the same in every language.
ROLE_COLORS: dict[str, str] = {
    "treated": COLORS["treated"],
    "large_cities": "#0173b2",
    "rest_of_norway": "#de8f05",
    "country": "#029e73",
    "comparison": COLORS["comparison"],
}
_EXTRA_COLORS = ("#cc78bc", "#ca9161", "#949494", "#56b4e9", "#ece133")


def _years(ax: Any, axis: str = "x") -> None:
    """Whole-number ticks on a year axis (no 2002.5), formatted without digit grouping."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(MaxNLocator(integer=True))
    target.set_major_formatter(FuncFormatter(lambda v, _pos: f"{int(round(v))}"))


def _numbers_axis(ax: Any, lang: Lang, axis: str = "y", decimals: int | None = None) -> None:
    """Tick labels of a value axis in the language's number format (``1 000``, ``0,8``).

    All ticks of an axis get the same number of decimals, taken from the tick spacing.
    """
    import math

    from matplotlib.ticker import Formatter

    class _Locale(Formatter):
        # The tick positions, kept here: Matplotlib 3.11 deprecates reading Formatter.locs.
        ticks: tuple[float, ...] = ()

        def set_locs(self, locs: Any) -> None:
            self.ticks = tuple(float(v) for v in locs)

        def __call__(self, x: float, pos: int | None = None) -> str:
            d = decimals
            if d is None:
                locs = sorted(self.ticks) if len(self.ticks) > 1 else []
                step = min(
                    (b - a for a, b in zip(locs, locs[1:], strict=False) if b > a), default=1.0
                )
                d = max(0, min(4, -math.floor(math.log10(step) + 1e-9))) if step > 0 else 0
            return numbers.number(x, lang, decimals=d)

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(_Locale())


def _finish(fig: Any, ax: Any, title: str | None, source: str | None) -> Any:
    if title:
        ax.set_title(title, loc="left", fontsize=12)
    if source:
        fig.text(0.01, 0.005, source, fontsize=7, color="#666666", ha="left", va="bottom")
    return fig


def plot_trends(
    frame: Any,
    *,
    lang: Lang = "nb",
    x: str = "year",
    y: str = "value",
    hue: str = "series",
    role: str = "role",
    start: int | None = None,
    ylabel: str | None = None,
    title: str | None = None,
    source: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Line chart of one value per series and period, the start year marked.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame with columns *x*, *y*, *hue* (the series' display name) and
        *role* (``treated``, ``large_cities``, ``rest_of_norway``, ``country``):
        the colour follows the role, the legend shows the name.
    lang : {"nb", "en"}
        Report language (axis labels).
    x, y, hue, role : str
        Columns of the year, the value, the series name and the series role.
    start : int, optional
        First treated year: a dashed line before it.
    ylabel : str, optional
        Label of the y axis (default: reported offences per 1 000 inhabitants).
    title, source : str, optional
        Title (left) and source line (under the figure), in *lang*.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_literal("lang", lang, Lang)
    fig, ax = figure_axes(ax)
    roles = list(dict.fromkeys(frame[role])) if role in frame else []
    extra = iter(_EXTRA_COLORS)
    for name, part in frame.groupby(hue, sort=False):
        r = part[role].iloc[0] if role in part else ""
        colour = ROLE_COLORS.get(str(r)) or next(extra, "#333333")
        treated = r == "treated"
        part = part.sort_values(x)
        ax.plot(
            part[x],
            part[y],
            marker="o",
            markersize=4 if not treated else 5,
            linewidth=2.8 if treated else 1.4,
            color=colour,
            label=str(name),
            zorder=3 if treated else 2,
        )
    if start is not None:
        ax.axvline(start - 0.5, color=COLORS["start"], linestyle="--", linewidth=1)
    ax.set_ylabel(ylabel if ylabel is not None else text("fig.rate_per_1000", lang))
    ax.set_xlabel(text("fig.year", lang))
    _years(ax)
    _numbers_axis(ax, lang)
    handles, labels = ax.get_legend_handles_labels()
    if roles and "treated" in roles:  # the treated unit first in the legend
        order = sorted(range(len(labels)), key=lambda i: handles[i].get_zorder() != 3)
        handles, labels = [handles[i] for i in order], [labels[i] for i in order]
    ax.legend(handles, labels, frameon=False, fontsize=8, ncols=2)
    return _finish(fig, ax, title, source)


def plot_coverage(matrix: Any, *, lang: Lang = "nb", ax: Axes | None = None) -> Figure:
    """Heatmap of units with a value: offence groups (named) by period."""
    import seaborn as sns

    check_literal("lang", lang, Lang)
    named = matrix.rename(index=lambda g: label("group", str(g), lang, default=str(g)))
    fig, ax = figure_axes(ax, figsize=(11.0, 0.5 * max(len(named), 4) + 2.0))
    annot = named.map(lambda v: numbers.integer(v, lang))
    sns.heatmap(named, annot=annot, fmt="", cmap="Blues", cbar=False, ax=ax, linewidths=0.5)
    ax.set_xlabel(text("fig.period", lang))
    ax.set_ylabel("")
    ax.tick_params(axis="x", rotation=45)
    return _finish(fig, ax, text("fig.coverage_title", lang), text("fig.source_ssb", lang))


def plot_funding(
    intensity: Any,
    *,
    lang: Lang = "nb",
    title: str | None = None,
    source: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Bars of money per year; years whose amount is assumed (carried forward) are hatched.

    *intensity* has ``year``, ``mnok`` and ``assumed`` columns
    (:func:`ptvlib.assessment.supplementary.funding_intensity`); *title* and
    *source* default to the catalogue's.
    """
    check_literal("lang", lang, Lang)
    fig, ax = figure_axes(ax, figsize=(8.0, 3.8))
    stated = intensity.loc[~intensity["assumed"]]
    assumed = intensity.loc[intensity["assumed"]]
    ax.bar(stated["year"], stated["mnok"], color=COLORS["treated"], width=0.7)
    ax.bar(
        assumed["year"],
        assumed["mnok"],
        color="white",
        edgecolor=COLORS["treated"],
        hatch="//",
        width=0.7,
        label=text("fig.assumed", lang),
    )
    for xv, yv in zip(intensity["year"], intensity["mnok"], strict=True):
        if yv == yv and yv > 0:
            ax.annotate(numbers.number(yv, lang), (xv, yv), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel(text("fig.mnok", lang))
    ax.set_xlabel(text("fig.year_single", lang))
    ax.set_xticks(intensity["year"])
    _years(ax)
    _numbers_axis(ax, lang)
    if len(assumed):
        ax.legend(frameon=False, fontsize=8)
    return _finish(
        fig,
        ax,
        title if title is not None else text("fig.funding_title", lang),
        source if source is not None else text("fig.source_funding", lang),
    )


def plot_keyfigures(points: Any, *, lang: Lang = "nb", ax: Axes | None = None) -> Figure:
    """Clear-up and dismissal shares as single points (one unit: percent of cases).

    *points* has ``year``, ``value`` (percent), ``category`` and ``scope``
    columns; colour follows the category, the marker the area.
    """
    check_literal("lang", lang, Lang)
    fig, ax = figure_axes(ax, figsize=(8.0, 4.2))
    colours = {"clearance": ROLE_COLORS["large_cities"], "dismissal": ROLE_COLORS["rest_of_norway"]}
    markers = {"oslo_pd": "o", "oslo_kommune": "s", "oslo_subarea": "D", "national": "^"}
    for (cat, scope), part in points.groupby(["category", "scope"], sort=True):
        name = f"{label('kf', str(cat), lang, default=str(cat))} – "
        name += label("scope", str(scope), lang, default=str(scope))
        ax.scatter(
            part["year"],
            part["value"],
            s=60,
            color=colours.get(str(cat), "#333333"),
            marker=markers.get(str(scope), "o"),
            label=name,
            zorder=3,
        )
    ax.set_ylabel(text("fig.share_pct", lang))
    ax.set_xlabel(text("fig.year_single", lang))
    ax.set_ylim(0, 100)
    _years(ax)
    _numbers_axis(ax, lang)
    ax.legend(frameon=False, fontsize=8)
    return _finish(fig, ax, text("fig.keyfigures_title", lang), text("fig.source_keyfigures", lang))


def plot_forest(
    table: Any,
    *,
    y: str = "label",
    null: float = 1.0,
    title: str | None = None,
    xlabel: str = "",
    lang: Lang = "nb",
    ax: Axes | None = None,
) -> Figure:
    """Forest plot: one estimate with its interval per row (``estimate``, ``ci_low``, ``ci_high``)."""
    import numpy as np

    fig, ax = figure_axes(ax, figsize=(8.0, 0.42 * max(len(table), 3) + 1.2))
    pos = np.arange(len(table))[::-1]
    lo = (table["estimate"] - table["ci_low"]).to_numpy(dtype=float)
    hi = (table["ci_high"] - table["estimate"]).to_numpy(dtype=float)
    err = np.vstack([np.nan_to_num(lo, nan=0.0), np.nan_to_num(hi, nan=0.0)])
    ax.errorbar(
        table["estimate"], pos, xerr=err, fmt="o", color=COLORS["counterfactual"], capsize=3
    )
    ax.axvline(null, color=COLORS["start"], linestyle="--", linewidth=1)
    ax.set_yticks(pos, table[y])
    ax.set_xlabel(xlabel)
    _numbers_axis(ax, lang, axis="x")
    return _finish(fig, ax, title, None)


def plot_summary(
    rows: Sequence[Mapping[str, Any]], *, lang: Lang = "nb", title: str | None = None
) -> Figure:
    """Every design behind the verdicts: rate ratios, and differences per 1 000 below when any.

    One row per outcome and design (headline rows with ``outcome``,
    ``design``, ``estimate``, ``ci_low``, ``ci_high``, ``scale``, ``p_value``
    and the counting keys). Designs that enter the verdict are filled and
    coloured; those that do not count are grey and open, marked "does not
    count" (the reason is in the page's text). A design without an interval
    (synthetic control) is a point with its placebo p-value written next to it.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from ptvlib.report.summary import counts, p_text

    check_literal("lang", lang, Lang)
    set_theme()
    design_rows = [r for r in rows if r.get("design_key") not in ("combined", None, "")]
    panels = [
        ("ratio", 1.0, text("fig.rate_ratio", lang)),
        ("difference", 0.0, text("fig.difference_per_1000", lang)),
    ]
    sized = [[r for r in design_rows if r.get("scale") == s] for s, _, _ in panels]
    # Only the scales that have rows get a panel (an empty axis reads as a missing result).
    keep = [i for i, part in enumerate(sized) if part] or [0]
    panels, sized = [panels[i] for i in keep], [sized[i] for i in keep]
    heights = [max(len(p), 1) * 0.32 + 0.9 for p in sized]
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(11.0, sum(heights) + 0.8),
        layout="constrained",
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for ax, (_scale, null, xlabel), part in zip(axes[:, 0], panels, sized, strict=True):
        pos = np.arange(len(part))[::-1]
        names = []
        for y, r in zip(pos, part, strict=True):
            ok, _why = counts(r, lang)
            est = float(r["estimate"]) if r.get("estimate") is not None else np.nan
            lo, hi = r.get("ci_low"), r.get("ci_high")
            colour = COLORS["counterfactual"] if ok else "#9e9e9e"
            has_ci = lo is not None and hi is not None and bool(np.isfinite([lo, hi]).all())
            if has_ci:
                ax.plot([lo, hi], [y, y], color=colour, linewidth=1.8, solid_capstyle="butt")
            ax.plot(
                [est],
                [y],
                marker="o" if has_ci else "D",
                markersize=6,
                color=colour,
                markerfacecolor=colour if ok else "white",
                linestyle="none",
            )
            note = "" if ok else text("fig.not_counted", lang)
            if not has_ci:
                extra = text("fig.no_interval", lang, p=p_text(r, lang))
                note = f"{extra}; {note}" if note else extra
            if note:
                ax.annotate(
                    note,
                    (hi if has_ci else est, y),
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7.5,
                    color="#555555",
                    style="italic",
                )
            names.append(f"{r.get('outcome', '')} – {r.get('design', '')}")
        ax.axvline(null, color=COLORS["start"], linestyle="--", linewidth=1)
        ax.set_yticks(pos, names, fontsize=8)
        ax.set_xlabel(xlabel)
        ax.set_ylim(-0.7, max(len(part), 1) - 0.3)
        _numbers_axis(ax, lang, axis="x")
        ax.margins(x=0.2)
    reasons = list(
        dict.fromkeys(why for r in design_rows for ok, why in [counts(r, lang)] if not ok and why)
    )
    if reasons:
        note = "  ".join(text("fig.why_not", lang, why=w) for w in reasons)
        fig.supxlabel(note, x=0.01, ha="left", fontsize=8, color="#555555", wrap=True)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=13)
    return fig


def _relabel_legend(ax: Any, mapping: Mapping[str, str]) -> None:
    legend = ax.get_legend()
    if legend is None:
        return
    for entry in legend.get_texts():
        value = entry.get_text()
        for old, new in mapping.items():
            value = value.replace(old, new)
        entry.set_text(value)


def plot_outcome(assessment: Any, *, title: str | None = None, lang: Lang = "nb") -> Figure:
    """One figure per outcome: synthetic control, placebo gaps, event study, time series.

    *assessment* is an :class:`ptvlib.assessment.outcome.OutcomeAssessment`;
    panels whose design could not run stay empty with a note. The panels are
    drawn by the designs' own ``plot`` methods and then labelled from the
    catalogue: titles, axis units, the treated unit by name, whole-year ticks.
    """
    import matplotlib.pyplot as plt

    from ptvlib.basics.exceptions import PtvError
    from ptvlib.data.regions import region_name

    check_literal("lang", lang, Lang)
    set_theme()
    # A fixed grid: the constrained layout engine spends half the drawing time measuring
    # hundreds of placebo lines, and this figure always has the same four panels.
    fig, axes = plt.subplots(2, 2, figsize=(12.0, 8.0))
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.08, top=0.9, hspace=0.42, wspace=0.22)
    res = assessment.results
    sc, es, its = res.get("synth"), res.get("event_study"), res.get("its")
    params = getattr(assessment, "params", None)
    code = str(getattr(params, "treated_region", "") or getattr(sc, "treated", ""))
    try:
        name = region_name(code)
    except PtvError:
        name = code  # not a region code (e.g. simulated units): shown as it is

    def is_log(r: Any) -> bool:
        # The calibrated synthetic control is fitted to log rates (outcome "log_rate").
        return str(getattr(r, "outcome", "")).startswith("log")

    def synth(r: Any, ax: Any) -> None:
        r.plot(ax=ax, lang=lang)
        ax.set_title(text("fig.synth_title", lang, region=name))
        ax.set_ylabel(text("fig.log_rate" if is_log(r) else "fig.rate_per_1000_short", lang))
        ax.set_xlabel(text("fig.year", lang))
        _relabel_legend(ax, {f"{r.treated} (": f"{name} ("})

    def placebo(r: Any, ax: Any) -> None:
        # Placebo gaps of units the synthetic control fits 5 times worse than the treated one
        # before the start say nothing about the post-period (Abadie et al. 2010, fig. 5-7).
        pl = r.placebo("space")
        pl.plot(ax=ax, max_pre_rmspe_ratio=5.0, lang=lang)
        ax.set_title(text("fig.placebo_title", lang, p=numbers.p_value(pl.p_value, lang)))
        ax.set_ylabel(text("fig.log_gap" if is_log(r) else "fig.gap", lang))
        ax.set_xlabel(text("fig.year", lang))

    def event(r: Any, ax: Any) -> None:
        r.plot(ax=ax, lang=lang)
        ax.set_title(
            text("fig.event_title", lang, p=numbers.p_value(r.pretrend_slope_p_value, lang))
        )
        if r.log_link:
            ax.set_ylabel(text("fig.rate_ratio", lang))
        else:
            ax.set_ylabel(
                text("fig.log_difference" if is_log(r) else "fig.difference_per_1000", lang)
            )
        ax.set_xlabel(text("fig.rel_period", lang))

    def series(r: Any, ax: Any) -> None:
        r.plot(ax=ax, lang=lang)
        ax.set_title(text("fig.its_title", lang, region=name))
        ax.set_ylabel(text("fig.rate_per_1000_short", lang))
        ax.set_xlabel(text("fig.year", lang))

    panels = [
        (axes[0, 0], sc, synth, True),
        (axes[0, 1], sc, placebo, True),
        (axes[1, 0], es, event, True),
        (axes[1, 1], its, series, True),
    ]
    for ax, result, draw, years in panels:
        if result is None:
            ax.text(
                0.5,
                0.5,
                text("fig.missing_panel", lang),
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
            ax.set_axis_off()
            continue
        draw(result, ax)
        ax.title.set_fontsize(9)
        if years:
            _years(ax)
        _numbers_axis(ax, lang)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=13)
    return fig


def label_own(fig: Any, lang: Lang, *, design: str, synthetic: bool = False) -> Any:
    """Label an own-data design's figure from the catalogue (and stamp synthetic data)."""
    check_literal("lang", lang, Lang)
    for ax in fig.axes:
        per_1000 = ax.get_ylabel().rstrip().endswith("per 1 000")
        ax.set_ylabel(text("fig.own_per_1000" if per_1000 else "fig.own_count", lang))
        ax.set_xlabel(text("fig.year_single", lang))
        ax.set_title(label("design", design, lang, default=design), loc="left", fontsize=10)
        _years(ax)
        _numbers_axis(ax, lang)
    if synthetic:
        label_synthetic(fig)
    return fig


def plot_trend_pair(
    series: Any, *, lang: Lang = "nb", start: int | None = None, title: str | None = None
) -> Figure:
    """Rates per 1 000 (left) and the index against 2015–2017 (right) of one offence group."""
    import matplotlib.pyplot as plt

    from ptvlib.assessment.overview import index_series

    check_literal("lang", lang, Lang)
    set_theme()
    fig, axes = plt.subplots(1, 2, figsize=(13.0, 4.6), layout="constrained")
    plot_trends(series, lang=lang, start=start, title=title, ax=axes[0])
    plot_trends(
        index_series(series),
        lang=lang,
        start=start,
        ylabel=text("fig.index", lang),
        title=text("fig.index_title", lang),
        source=text("fig.source_ssb", lang),
        ax=axes[1],
    )
    return fig
