"""Plot style shared by every layer: colours by role, themed figures, the synthetic-data label.

Every result's ``.plot()`` (estimators) and every page figure (report) draws
with these, so a series has one colour everywhere. Heavy imports (matplotlib,
seaborn) happen inside the functions so that ``import ptvlib`` stays light.

Every figure that shows synthetic (simulated) data must carry the label
:data:`SYNTHETIC_LABEL`; :func:`label_synthetic` adds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["COLORS", "SYNTHETIC_LABEL", "figure_axes", "label_synthetic", "set_theme"]

#: Label required on every figure and page that shows simulated data.
SYNTHETIC_LABEL = "SYNTETISKE DATA / SYNTHETIC DATA"

#: Colours by role: the treated unit, its counterfactual/comparison, placebo units, the start line.
COLORS: dict[str, str] = {
    "treated": "#b2182b",
    "counterfactual": "#2166ac",
    "comparison": "#4d4d4d",
    "placebo": "#bababa",
    "start": "#636363",
    "band": "#92c5de",
}


def set_theme() -> None:
    """Apply the project's seaborn theme (white grid, colour-blind palette, readable fonts)."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", palette="colorblind", context="notebook")


def figure_axes(
    ax: Axes | None = None, *, figsize: tuple[float, float] = (8.0, 4.5)
) -> tuple[Figure, Axes]:
    """Return ``(fig, ax)``: the figure of *ax*, or a new themed figure with one axes."""
    import matplotlib.pyplot as plt

    if ax is not None:
        fig = ax.get_figure()
        assert fig is not None
        return fig, ax  # type: ignore[return-value]
    set_theme()
    fig, new_ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, new_ax


def label_synthetic(fig: Any) -> Any:
    """Stamp :data:`SYNTHETIC_LABEL` on *fig* (top centre, red) and return it."""
    fig.suptitle(SYNTHETIC_LABEL, color="#b2182b", fontweight="bold", fontsize=11)
    return fig
