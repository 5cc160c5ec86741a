"""Page figures of the notebooks and the report (trends, coverage, funding, forest, outcome).

They draw with the shared style (:mod:`ptvlib.basics.style`). Heavy imports
(matplotlib, seaborn) happen inside the functions so that ``import ptvlib``
stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ptvlib.basics.literals import Lang, check_literal
from ptvlib.basics.style import COLORS, SYNTHETIC_LABEL, figure_axes, label_synthetic, set_theme

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "COLORS",
    "SYNTHETIC_LABEL",
    "figure_axes",
    "label_synthetic",
    "plot_coverage",
    "plot_forest",
    "plot_funding",
    "plot_outcome",
    "plot_trends",
    "set_theme",
]


def _finish(fig: Any, ax: Any, title: str | None, source: str | None) -> Any:
    if title:
        ax.set_title(title, loc="left", fontsize=12)
    if source:
        # As the x-axis label, so the layout engine keeps it clear of the tick labels.
        ax.set_xlabel(source, fontsize=7, color="#666666", loc="left")
    return fig


def plot_trends(
    frame: Any,
    *,
    x: str = "year",
    y: str = "value",
    hue: str = "series",
    start: int | None = None,
    highlight: str | None = None,
    ylabel: str = "",
    title: str | None = None,
    source: str | None = "Kilde: SSB tabell 08487",
    ax: Axes | None = None,
) -> Figure:
    """Line chart of one value per series and period, with the start year marked.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame with columns *x*, *y*, *hue*.
    x, y, hue : str
        Columns of the period, the value and the series name.
    start : int, optional
        Draw a dashed vertical line at the first treated period.
    highlight : str, optional
        Series drawn thick in the treated colour (e.g. "Oslo").
    ylabel : str
        Label of the y axis.
    title : str, optional
        Title, left-aligned.
    source : str, optional
        Source line printed under the figure.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import seaborn as sns

    fig, ax = figure_axes(ax)
    others = frame.loc[frame[hue] != highlight] if highlight else frame
    if len(others):
        sns.lineplot(data=others, x=x, y=y, hue=hue, marker="o", ax=ax, linewidth=1.4)
    if highlight is not None:
        mine = frame.loc[frame[hue] == highlight]
        ax.plot(
            mine[x], mine[y], color=COLORS["treated"], linewidth=2.8, marker="o", label=highlight
        )
    if start is not None:
        ax.axvline(start - 0.5, color=COLORS["start"], linestyle="--", linewidth=1)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=8, ncols=2)
    return _finish(fig, ax, title, source)


def plot_coverage(matrix: Any, *, title: str | None = None, ax: Axes | None = None) -> Figure:
    """Heatmap of a coverage table (rows × periods, values 0–1 or counts)."""
    import seaborn as sns

    fig, ax = figure_axes(ax, figsize=(10.0, 0.45 * max(len(matrix), 4) + 1.5))
    sns.heatmap(matrix, annot=True, fmt=".0f", cmap="Blues", cbar=False, ax=ax, linewidths=0.5)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", rotation=45)
    return _finish(fig, ax, title, None)


def plot_funding(
    intensity: Any,
    *,
    title: str | None = None,
    assumed_label: str = "assumed continued",
    source: str = "Kilde: regjeringen.no, politiet.no og nyhetsmedier (URL per rad)",
    ax: Axes | None = None,
) -> Figure:
    """Bars of money per year; years whose amount is assumed (carried forward) are hatched.

    *intensity* has ``year``, ``mnok`` and ``assumed`` columns
    (:func:`ptvlib.assessment.supplementary.funding_intensity`).
    """
    fig, ax = figure_axes(ax, figsize=(8.0, 3.6))
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
        label=assumed_label,
    )
    for x, y in zip(intensity["year"], intensity["mnok"], strict=True):
        if y == y and y > 0:
            ax.annotate(f"{y:.0f}", (x, y), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("MNOK")
    ax.set_xticks(intensity["year"])
    if len(assumed):
        ax.legend(frameon=False, fontsize=8)
    return _finish(
        fig, ax, title, "Kilde: regjeringen.no, politiet.no og nyhetsmedier (URL per rad)"
    )


def plot_forest(
    table: Any,
    *,
    y: str = "label",
    null: float = 1.0,
    title: str | None = None,
    xlabel: str = "",
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
    return _finish(fig, ax, title, None)


def plot_outcome(assessment: Any, *, title: str | None = None, lang: Lang = "nb") -> Figure:
    """One figure per outcome: synthetic control, placebo gaps, event study, time series.

    *assessment* is an :class:`ptvlib.assessment.outcome.OutcomeAssessment`; panels whose
    design could not run stay empty with a note. *lang* (``"nb"``, default, or
    ``"en"``) is the language of the panels' labels, titles and legends.
    """
    import matplotlib.pyplot as plt

    check_literal("lang", lang, Lang)
    set_theme()
    # A fixed grid: the constrained layout engine spends half the drawing time measuring
    # hundreds of placebo lines, and this figure always has the same four panels.
    fig, axes = plt.subplots(2, 2, figsize=(12.0, 8.0))
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.08, top=0.9, hspace=0.38, wspace=0.22)
    res = assessment.results
    panels = [
        (axes[0, 0], res.get("synth"), lambda r, ax: r.plot(ax=ax, lang=lang)),
        # Placebo gaps of units the synthetic control fits 5 times worse than the treated one
        # before the start say nothing about the post-period (Abadie et al. 2010, fig. 5-7).
        (
            axes[0, 1],
            res.get("synth"),
            lambda r, ax: r.placebo("space").plot(ax=ax, max_pre_rmspe_ratio=5.0, lang=lang),
        ),
        (axes[1, 0], res.get("event_study"), lambda r, ax: r.plot(ax=ax, lang=lang)),
        (axes[1, 1], res.get("its"), lambda r, ax: r.plot(ax=ax, lang=lang)),
    ]
    for ax, result, draw in panels:
        if result is None:
            ax.text(0.5, 0.5, "–", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            continue
        draw(result, ax)
        ax.title.set_fontsize(9)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=13)
    return fig
