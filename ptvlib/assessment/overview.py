"""Descriptive tables for the data-overview and crime-trend notebooks.

Every function returns a tidy frame built from the catalogued tables; the
notebooks only display and plot them.
"""

from __future__ import annotations

import pandas as pd

from ptvlib.assessment.params import Params
from ptvlib.basics import config
from ptvlib.basics.literals import Lang, check_literal
from ptvlib.data import regions

__all__ = [
    "comparison_series",
    "coverage_table",
    "index_series",
    "shrunk_rates",
    "sources_table",
    "status_table",
]


def sources_table(lang: Lang = "nb") -> pd.DataFrame:
    """Every dataset with rows, years covered, Statistics Norway table and caveats."""
    from ptvlib.data import catalog
    from ptvlib.data.loading import load

    check_literal("lang", lang, Lang)
    rows = []
    for name, ds in catalog.DATASETS.items():
        frame = load(name)
        years = (
            (int(frame["year"].min()), int(frame["year"].max())) if "year" in frame else ("", "")
        )
        rows.append(
            {
                "dataset": name,
                "rows": len(frame),
                "from": years[0],
                "to": years[1],
                "ssb_table": ds.ssb_table or "",
                "description": ds.description,
                "caveats": ds.caveats,
            }
        )
    frame = pd.DataFrame(rows)
    if lang == "nb":
        frame = frame.rename(
            columns={
                "dataset": "datasett",
                "rows": "rader",
                "from": "fra",
                "to": "til",
                "ssb_table": "SSB-tabell",
                "description": "beskrivelse",
                "caveats": "forbehold",
            }
        )
    return frame


def coverage_table(offences: pd.DataFrame | None = None) -> pd.DataFrame:
    """Number of analysis units with a value, by offence group (rows) and period (columns)."""
    from ptvlib.data.loading import load

    off = offences if offences is not None else load("reported_offences")
    counts = off.loc[off["unit"] == "count"]
    table = counts.assign(has=counts["value"].notna()).pivot_table(
        index="offence_group", columns="period", values="has", aggfunc="sum"
    )
    return table.reindex(list(config.OFFENCE_GROUPS)).astype("int64")


def status_table(lang: Lang = "nb", offences: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many cells have each status, with the meaning of the status."""
    from ptvlib.data.loading import load
    from ptvlib.data.tables.offences import STATUS

    check_literal("lang", lang, Lang)
    off = offences if offences is not None else load("reported_offences")
    counts = off.loc[off["unit"] == "count", "status"].value_counts()
    i = 0 if lang == "nb" else 1
    return pd.DataFrame(
        {
            "status": counts.index.map(lambda s: s or "(ok)"),
            "cells": counts.to_numpy(),
            "meaning": [STATUS.get(s, ("", ""))[i] for s in counts.index],
        }
    )


def comparison_series(
    params: Params, group: str, *, offences: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Rates per 1 000 by period: the treated unit, the large cities, the rest of Norway, the country.

    Aggregates are ratios of sums (total offences / total population), not means
    of rates. The large-city aggregate keeps only the cities with a value in every
    period, so its membership does not change over time.

    Returns
    -------
    pandas.DataFrame
        ``series`` (display name), ``role`` ("treated", "large_cities",
        "rest_of_norway", "country"), ``period``, ``year``, ``count``,
        ``population``, ``value`` (per 1 000).
    """
    from ptvlib.assessment.panels import offence_panel, rest_of_norway
    from ptvlib.assessment.pools import comparison_group
    from ptvlib.data.loading import load

    lang = params.lang
    panel, _ = offence_panel(group, year_max=params.year, offences=offences, min_coverage=0.0)
    treated = panel.loc[panel["region"] == params.treated_region]
    name_treated = regions.region_name(params.treated_region)
    parts = [treated.assign(series=name_treated, role="treated")]
    cities = comparison_group("large_cities", treated=params.treated_region, n_large=params.n_large)
    covered, _ = offence_panel(group, year_max=params.year, offences=offences)
    big = covered.loc[covered["region"].isin(cities)]
    n_periods = covered["period"].nunique()
    big = big.loc[big.groupby("region")["period"].transform("nunique") == n_periods]
    n_big = big["region"].nunique()
    agg = big.groupby(["period", "year"], as_index=False)[["count", "population"]].sum()
    label = (
        f"Store byer ({n_big} med hel serie)"
        if lang == "nb"
        else f"Large cities ({n_big} with a full series)"
    )
    parts.append(agg.assign(series=label, role="large_cities"))
    rest = rest_of_norway(group, treated=params.treated_region, year_max=params.year)
    parts.append(
        rest.assign(
            series="Resten av landet" if lang == "nb" else "Rest of Norway", role="rest_of_norway"
        )
    )
    nat = load("national_offences")
    nat = nat.loc[
        (nat["region"] == "0")
        & (nat["period_years"] == 2)
        & (nat["offence_group"] == group)
        & (nat["year"] <= params.year)
    ]
    wide = nat.pivot(index=["period", "year"], columns="unit", values="value").reset_index()
    whole = pd.DataFrame(
        {
            "period": wide["period"],
            "year": wide["year"],
            "count": wide["count"],
            "population": wide["count"] / wide["per_1000"] * 1000,
            "series": "Hele landet" if lang == "nb" else "Whole country",
            "role": "country",
        }
    )
    parts.append(whole)
    out = pd.concat(
        [p[["series", "role", "period", "year", "count", "population"]] for p in parts],
        ignore_index=True,
    )
    out["value"] = out["count"] / out["population"] * 1000
    return out.sort_values(["series", "year"], ignore_index=True)


def index_series(
    series: pd.DataFrame, base_years: tuple[int, ...] = (2015, 2016, 2017)
) -> pd.DataFrame:
    """Index each series to the mean of its base periods (= 100).

    Default base: the three two-year periods ending 2015–2017, the last
    complete pre-start years.
    """
    from ptvlib.assessment.indicators import index_to_base

    return index_to_base(series, base=list(base_years), by="series", time="year", value="value")


def shrunk_rates(
    params: Params, group: str, *, offences: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Empirical-Bayes shrunk rates per 1 000 of every unit in the assessment year's period.

    Returns
    -------
    pandas.DataFrame
        ``region``, ``region_name``, ``count``, ``population``, raw and shrunk
        rates, shrinkage weight, and ``rank`` of the shrunk rate (1 = highest).
    """
    from ptvlib.assessment.indicators import eb_shrunk_rates
    from ptvlib.assessment.panels import offence_panel

    panel, _ = offence_panel(group, year_max=params.year, offences=offences, min_coverage=0.0)
    last = panel.loc[panel["year"] == panel["year"].max()].reset_index(drop=True)
    eb = eb_shrunk_rates(last["count"], last["population"], per=1000)
    out = pd.concat(
        [
            last[["region", "region_name", "period", "count", "population"]],
            eb.reset_index(drop=True),
        ],
        axis=1,
    )
    shrunk_col = [c for c in eb.columns if "shrunk" in c][0]
    out["rank"] = out[shrunk_col].rank(ascending=False, method="min").astype("int64")
    return out.sort_values("rank", ignore_index=True)
