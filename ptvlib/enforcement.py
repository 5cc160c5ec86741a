"""Enforcement outcomes: the public key figures as they are, and designs on own data.

Public sources give only scattered enforcement figures (clear-up, cases,
seizures, confiscation) for Oslo: no panel, shifting definitions, police
district borders that changed in 2017. :func:`oslo_keyfigures` shows them with
their sources and draws no causal conclusion.

With the police's own bydel/area export (:func:`ptvlib.load_own`),
:func:`assess_own` runs difference-in-differences (treated areas against the
other areas, Poisson with unit and year effects, a population offset where the
areas are Oslo bydeler) and an interrupted time series of the treated areas'
sum, per indicator. :func:`demo_own_data` writes a seeded **synthetic** file in
that format, labelled ``SYNTETISKE DATA / SYNTHETIC DATA``, to try the workflow.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._literals import Lang, check_literal
from .params import Params
from .plots import SYNTHETIC_LABEL

__all__ = [
    "ENFORCEMENT_CATEGORIES",
    "OwnAssessment",
    "assess_own",
    "demo_own_data",
    "is_synthetic",
    "oslo_keyfigures",
]

#: Key-figure categories shown as enforcement outcomes.
ENFORCEMENT_CATEGORIES: tuple[str, ...] = (
    "clearance",
    "dismissal",
    "investigated",
    "charges_sanctions",
    "drug_cases",
    "seizures",
    "confiscation",
)


def oslo_keyfigures(lang: Lang = "nb", *, include_national: bool = True) -> pd.DataFrame:
    """Enforcement key figures for Oslo (and the whole country), one row per figure with its source."""
    from .data import load

    check_literal("lang", lang, Lang)
    k = load("enforcement_keyfigures")
    scopes = ["oslo_pd", "oslo_kommune", "oslo_subarea"] + (
        ["national"] if include_national else []
    )
    sel = k.loc[k["category"].isin(ENFORCEMENT_CATEGORIES) & k["scope"].isin(scopes)]
    cols = [
        "category",
        "period",
        "geography",
        "indicator",
        "value_text",
        "unit_of_value",
        "approximate",
        "derived",
        "source_url",
    ]
    out = sel.sort_values(["category", "year", "geography"])[cols].reset_index(drop=True)
    if lang == "nb":
        out = out.rename(
            columns={
                "category": "kategori",
                "period": "periode",
                "geography": "område",
                "indicator": "indikator",
                "value_text": "verdi",
                "unit_of_value": "enhet",
                "approximate": "omtrentlig",
                "derived": "utledet",
                "source_url": "kilde",
            }
        )
    return out


def is_synthetic(own: pd.DataFrame) -> bool:
    """True when the own-data frame says it is synthetic (demo) data."""
    return bool(own["source"].str.contains("SYNTHETIC|SYNTETISK", case=False, regex=True).any())


def demo_own_data(path: str | Path, *, seed: int = 2018, rate_ratio: float = 0.85) -> Path:
    """Write a seeded **synthetic** bydel panel in the own-data format (CSV).

    Poisson counts of ``cases``, ``seizures`` and ``confiscations`` for the 15
    Oslo bydeler, 2012–2024, with real bydel populations as exposure and a
    known effect (*rate_ratio* on cases from 2018) in Søndre Nordstrand
    (030115) and Gamle Oslo (030101). Every row's ``source`` says
    ``SYNTETISKE DATA / SYNTHETIC DATA``.

    Returns
    -------
    pathlib.Path
        The file written (atomically).
    """
    from ._io import atomic_write_text
    from .data import load
    from .regions import bydeler

    rng = np.random.default_rng(seed)
    pop = load("population")
    codes = bydeler()["code"].tolist()
    years = np.arange(2012, 2025)
    treated = {"030115", "030101"}
    base = {"cases": 60.0, "seizures": 6.0, "confiscations": 1.2}  # per 1 000 inhabitants
    level = dict(zip(codes, rng.lognormal(0.0, 0.35, len(codes)), strict=True))
    rows = []
    for code in codes:
        p = pop.loc[pop["region"] == code].set_index("year")["value"]
        for y in years:
            trend = 1.0 - 0.02 * (y - 2012)
            for ind, rate in base.items():
                mu = rate * level[code] * trend * p[y] / 1000.0
                if ind == "cases" and code in treated and y >= 2018:
                    mu *= rate_ratio
                rows.append((code, int(y), ind, int(rng.poisson(mu))))
    frame = pd.DataFrame(rows, columns=["region", "year", "indicator", "value"])
    frame["unit"] = "count"
    frame["source"] = SYNTHETIC_LABEL
    target = Path(path)
    atomic_write_text(target, frame.to_csv(index=False))
    return target


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
        from .estimators._base import classify

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
    from .data import load

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
    from .data import load_own
    from .estimators.did import did
    from .estimators.its import its
    from .exceptions import PtvError

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
