"""Designs on the analyst's own data (the police's bydel or area export).

With the police's own bydel/area export (:func:`ptvlib.load_own`),
:func:`assess_own` runs difference-in-differences (treated areas against the
other areas, Poisson with unit and year effects, a population offset where the
areas are Oslo bydeler) and an interrupted time series of the treated areas'
sum, per indicator. :func:`ptvlib.demo_own_data` writes a seeded **synthetic**
file in that format, labelled ``SYNTETISKE DATA / SYNTHETIC DATA``, to try the
workflow.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ptvlib.assessment.params import Params
from ptvlib.basics.literals import Lang
from ptvlib.basics.style import SYNTHETIC_LABEL
from ptvlib.data.own import is_synthetic

__all__ = ["OwnAssessment", "assess_own"]


@dataclass(frozen=True)
class OwnAssessment:
    """Designs on the analyst's own data for one indicator.

    Attributes
    ----------
    indicator : str
        Indicator name in the own data.
    treated : tuple of str
        Treated areas.
    results : dict
        ``did`` (Poisson DidResult), ``its`` (ItsResult of the treated areas' sum).
    errors : dict
        Designs that could not run, with the reason.
    synthetic : bool
        The data are synthetic (demo).
    """

    indicator: str
    treated: tuple[str, ...]
    results: dict[str, Any] = field(default_factory=dict, repr=False)
    errors: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False

    def table(self) -> pd.DataFrame:
        """One row per design: estimate (rate ratio), interval, p-value, direction."""
        from ptvlib.estimators._base import classify

        rows = []
        for key, r in self.results.items():
            lo, hi = r.rate_ratio_ci
            rows.append(
                {
                    "indicator": self.indicator,
                    "design_key": key,
                    "estimate": r.rate_ratio,
                    "ci_low": lo,
                    "ci_high": hi,
                    "p_value": r.p_value,
                    "direction": classify(lo, hi, null=1.0, p_value=r.p_value),
                    "n": r.n,
                }
            )
        return pd.DataFrame(rows)

    def headlines(self, lang: Lang = "nb") -> list[dict[str, Any]]:
        """Rows for the report sidecar."""
        names = {
            "did": "Forskjell-i-forskjeller (egne data)",
            "its": "Avbrutt tidsserie (egne data)",
        }
        if lang == "en":
            names = {
                "did": "Difference-in-differences (own data)",
                "its": "Interrupted time series (own data)",
            }
        tag = f" [{SYNTHETIC_LABEL}]" if self.synthetic else ""
        return [
            {
                "outcome": f"{r['indicator']}{tag}",
                "design": names[r["design_key"]],
                "design_key": f"own_{r['design_key']}",
                "estimate": r["estimate"],
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "p_value": r["p_value"],
                "scale": "ratio",
                "verdict": r["direction"],
            }
            for _, r in self.table().iterrows()
        ]


def _exposure(panel: pd.DataFrame) -> pd.DataFrame | None:
    """Attach population where every region is an Oslo bydel or municipality with a population."""
    from ptvlib.data.loading import load

    pop = load("population")[["region", "year", "value"]].rename(columns={"value": "population"})
    merged = panel.merge(pop, on=["region", "year"], how="left")
    return merged if merged["population"].notna().all() else None


def assess_own(params: Params, own: pd.DataFrame | None = None) -> list[OwnAssessment]:
    """Run DiD and ITS on the own data for every count indicator (total offence group).

    Parameters
    ----------
    params : Params
        Needs ``own_data`` and ``treated_areas``.
    own : pandas.DataFrame, optional
        Already loaded own data.

    Returns
    -------
    list of OwnAssessment
        One per indicator, in order of appearance.
    """
    from ptvlib.basics.exceptions import PtvError
    from ptvlib.data.own import load_own
    from ptvlib.estimators.did import did
    from ptvlib.estimators.its import its

    if own is None:
        if not params.own_data:
            return []
        own = load_own(params.own_data)
    synthetic = is_synthetic(own)
    treated = tuple(params.treated_areas)
    out = []
    counts = own.loc[
        (own["unit"] == "count") & (own["offence_group"] == "total") & own["value"].notna()
    ]
    for indicator in dict.fromkeys(counts["indicator"]):
        panel = counts.loc[counts["indicator"] == indicator, ["region", "year", "value"]]
        panel = panel.loc[panel["year"] <= params.year].rename(columns={"value": "count"})
        with_pop = _exposure(panel)
        exposure = "population" if with_pop is not None else None
        data = with_pop if with_pop is not None else panel
        res: dict[str, Any] = {}
        errors: dict[str, str] = {}
        if not treated:
            errors["did"] = "treated_areas is empty: name the areas that received the funding"
        else:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res["did"] = did(
                        data,
                        unit="region",
                        time="year",
                        outcome="count",
                        treated=list(treated),
                        start=params.start_year,
                        exposure=exposure,
                        family="poisson",
                        cluster="region",
                    )
            except PtvError as err:
                errors["did"] = str(err)
            try:
                t = data.loc[data["region"].isin(treated)]
                agg_cols = ["count", "population"] if exposure else ["count"]
                series = t.groupby("year", as_index=False)[agg_cols].sum()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res["its"] = its(
                        series,
                        time="year",
                        outcome="count",
                        start=params.start_year,
                        exposure=exposure,
                        family="quasipoisson",
                    )
            except PtvError as err:
                errors["its"] = str(err)
        out.append(OwnAssessment(indicator, treated, res, errors, synthetic))
    return out
