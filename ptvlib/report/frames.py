"""Tidy frames the pages show that no other layer builds (agreement summary, key figures).

They only reshape catalogued tables; labels and number formats are applied
when the page shows them (:mod:`ptvlib.report.tables`).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["agreement_summary", "keyfigure_points", "keyfigure_table"]

#: Areas of the key figures shown on the enforcement page.
KEYFIGURE_SCOPES: tuple[str, ...] = ("oslo_pd", "oslo_kommune", "oslo_subarea", "national")


def agreement_summary(agreement: pd.DataFrame) -> pd.DataFrame:
    """Absolute relative difference (%) between overlapping extracts, per pair of extracts.

    *agreement* is :func:`ptvlib.source_agreement`. Returns ``source_a``,
    ``source_b``, ``count``, ``mean``, ``median``, ``p99`` and ``max``.
    """
    diff = agreement.assign(pct=100.0 * agreement["rel_diff"].abs())
    grouped = diff.groupby(["source_a", "source_b"])["pct"]
    out = grouped.agg(
        count="size",
        mean="mean",
        median="median",
        p99=lambda s: s.quantile(0.99),
        max="max",
    )
    return out.reset_index()


def _keyfigures() -> pd.DataFrame:
    from ptvlib.assessment.enforcement import ENFORCEMENT_CATEGORIES
    from ptvlib.data.loading import load

    k = load("enforcement_keyfigures")
    sel = k.loc[k["category"].isin(ENFORCEMENT_CATEGORIES) & k["scope"].isin(KEYFIGURE_SCOPES)]
    return sel.sort_values(["category", "year", "scope"]).reset_index(drop=True)


def keyfigure_table() -> pd.DataFrame:
    """Enforcement key figures for Oslo and the whole country, one row per figure with its source.

    Columns ``category``, ``period``, ``scope`` (codes), ``geography``,
    ``indicator`` and ``unit_of_value`` (the source's own wording),
    ``value`` (number), ``approximate``, ``source_url``.
    """
    cols = [
        "category",
        "period",
        "scope",
        "geography",
        "indicator",
        "value",
        "unit_of_value",
        "approximate",
        "source_url",
    ]
    return _keyfigures()[cols]


def keyfigure_points() -> pd.DataFrame:
    """Clear-up and dismissal shares in percent (the key figures that share one unit).

    Columns ``year``, ``value`` (percent), ``category``, ``scope``.
    """
    k = _keyfigures()
    unit = k["unit_of_value"].str.lower()
    pct = k.loc[
        k["category"].isin(["clearance", "dismissal"])
        & (unit.str.contains("percent") | k["indicator"].str.contains("%", regex=False))
        & k["value"].between(0, 100)
    ]
    return pct.assign(year=pct["year"].astype("int64"))[["year", "value", "category", "scope"]]
