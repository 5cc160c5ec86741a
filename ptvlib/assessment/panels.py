"""Panels for the designs: one offence group across units and periods, and the rest of Norway.

Two-year periods (SSB 08487) are labelled by their last year. Periods that
the embedded extracts publish for fewer than half of the municipalities
(2019-2020: 74 of 353, the source author's complete-case filter) are left out
of the panel designs; the treated unit's own series keeps them.
"""

from __future__ import annotations

import pandas as pd

from ptvlib.basics import config

__all__ = ["MIN_COVERAGE", "offence_panel", "outcome_family", "rest_of_norway"]

#: Share of units a period must cover to enter the panel designs.
MIN_COVERAGE = 0.5


def outcome_family(group: str) -> str:
    """``"harm"`` (victim offences), ``"activity"`` (police-driven) or ``"other"``."""
    if group in config.HARM_GROUPS:
        return "harm"
    if group in config.ACTIVITY_GROUPS:
        return "activity"
    return "other"


def offence_panel(
    group: str,
    *,
    year_max: int,
    offences: pd.DataFrame | None = None,
    min_coverage: float = MIN_COVERAGE,
) -> tuple[pd.DataFrame, list[str]]:
    """Long panel of one offence group: counts, population and rate per unit and period.

    Parameters
    ----------
    group : str
        Offence group (see :data:`ptvlib.basics.config.OFFENCE_GROUPS`).
    year_max : int
        Last period end-year to include (the assessment year).
    offences : pandas.DataFrame, optional
        The ``reported_offences`` table (loaded when omitted).
    min_coverage : float
        Periods with values for fewer than this share of units are dropped.

    Returns
    -------
    panel : pandas.DataFrame
        ``region``, ``region_name``, ``period``, ``year``, ``count``, ``rate``
        (per 1 000), ``population`` (count / rate × 1000, i.e. 1 January of the
        period's second year); only rows with a value.
    dropped : list of str
        Periods left out for low coverage.
    """
    from ptvlib.data.loading import load

    if group not in config.OFFENCE_GROUPS:
        from ptvlib.basics.exceptions import ParameterError

        raise ParameterError(
            f"offence_group={group!r} is not allowed; allowed: {', '.join(config.OFFENCE_GROUPS)}"
        )
    off = offences if offences is not None else load("reported_offences")
    sel = off.loc[(off["offence_group"] == group) & (off["year"] <= year_max)]
    wide = sel.pivot(
        index=["region", "region_name", "period", "year"], columns="unit", values="value"
    )
    wide = wide.reset_index().rename(columns={"per_1000": "rate"})
    wide.columns.name = None
    coverage = wide.groupby("period")["count"].apply(lambda s: s.notna().mean())
    dropped = sorted(coverage.index[coverage < min_coverage])
    wide = wide.loc[~wide["period"].isin(dropped) & wide["count"].notna() & wide["rate"].notna()]
    wide = wide.assign(population=(wide["count"] / wide["rate"] * 1000.0).round())
    return wide.sort_values(["region", "year"], ignore_index=True), dropped


def rest_of_norway(group: str, *, treated: str, year_max: int) -> pd.DataFrame:
    """Whole country (SSB 08487 "0") minus the treated unit: counts and population by period.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``period``, ``count``, ``population``.
    """
    from ptvlib.data.loading import load

    nat = load("national_offences")
    nat = nat.loc[
        (nat["region"] == "0")
        & (nat["period_years"] == 2)
        & (nat["offence_group"] == group)
        & (nat["unit"] == "count")
        & (nat["year"] <= year_max)
    ]
    off = load("reported_offences")
    own = off.loc[
        (off["region"] == treated) & (off["offence_group"] == group) & (off["unit"] == "count")
    ]
    pop = load("population")
    country = pop.loc[pop["region"] == "0"].set_index("year")["value"]
    unit = pop.loc[pop["region"] == treated].set_index("year")["value"]
    m = nat[["period", "year", "value"]].merge(
        own[["period", "value"]], on="period", suffixes=("", "_t")
    )
    out = pd.DataFrame(
        {
            "year": m["year"].to_numpy(),
            "period": m["period"].to_numpy(),
            "count": (m["value"] - m["value_t"]).to_numpy(),
            "population": (
                country.reindex(m["year"]).to_numpy() - unit.reindex(m["year"]).to_numpy()
            ),
        }
    )
    return out.dropna().reset_index(drop=True)
