"""Supplementary analyses: funding intensity, dose–response and displacement inputs.

Public sources give no clean annual series of the Oslo money and no crime data
below the municipality, so these analyses rest on stated amounts and on Oslo's
neighbouring municipalities. They do not meet the standard of the verdicts
(inference calibrated on untreated units): the dose–response slope is
identified by Oslo alone (the only unit with a dose), and the weighted
displacement difference's interval uses Poisson variances for counts that are
heavily overdispersed and serially correlated, with no placebo buffers to
calibrate it against. :func:`exploratory_text` therefore presents them
without a direction claim, labelled exploratory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ptvlib.assessment.panels import offence_panel, rest_of_norway
from ptvlib.assessment.params import Params
from ptvlib.assessment.pools import comparison_units as _comparison_units
from ptvlib.assessment.pools import eligible as _eligible
from ptvlib.basics.literals import Lang

__all__ = [
    "OSLO_NEIGHBOURS",
    "displacement_panel",
    "dose_panel",
    "exploratory_text",
    "funding_intensity",
    "own_funding_by_year",
]

_EXPLORATORY: dict[str, dict[str, str]] = {
    "nb": {
        "dose": "Utforskende, uten retningskonklusjon: endringen per {per} kr per innbygger er "
        "anslått til {est}, men bare {treated} har en dose, så anslaget er {treated}s egen "
        "utvikling mot sammenligningsgruppen delt på pengene — det kan ikke skille pengene fra "
        "alt annet som skjedde der samtidig, og intervallet ({ci}) er klyngerobust med én "
        "behandlet enhet og derfor altfor smalt. Det teller ikke i dommen.",
        "wdd": "Utforskende, uten retningskonklusjon: den vektede forflytningsdifferansen er "
        "{wdd} lovbrudd per år (målområdet {target}, nabokommunene {buffer}). Et intervall "
        "ville bygge på Poisson-varians for tellinger som varierer langt mer enn det og er "
        "korrelert over tid, og det finnes ingen placebo-naboområder å kalibrere mot, så det vises "
        "ikke. Det teller ikke i dommen.",
    },
    "en": {
        "dose": "Exploratory, no direction claimed: the change per {per} NOK per inhabitant is "
        "estimated at {est}, but only {treated} has a dose, so the estimate is {treated}'s own "
        "change against the comparison group divided by the money — it cannot separate the "
        "money from everything else that happened there, and its interval ({ci}) is "
        "cluster-robust with one treated unit and so far too narrow. It does not count in the "
        "verdict.",
        "wdd": "Exploratory, no direction claimed: the weighted displacement difference is "
        "{wdd} offences a year (target {target}, neighbours {buffer}). An interval would use "
        "Poisson variances for counts that vary far more than that and are correlated over "
        "time, and there are no placebo buffers to calibrate it against, so none is shown. It "
        "does not count in the verdict.",
    },
}


def funding_intensity(
    year_max: int,
    *,
    scenario: str = "continued",
    funding: pd.DataFrame | None = None,
    funding_data: str = "",
    treated_region: str = "0301",
) -> pd.DataFrame:
    """Police money for the treated unit per year (MNOK), as stated in the sources.

    From the public ``funding`` table: the Oslo-specific police allocations;
    rows that report the same allocation twice (same year, amount and
    recipient, e.g. proposed and granted) count once. From the analyst's own
    table (*funding_data*): the sum of its rows for *treated_region* and its
    bydeler (:func:`own_funding_by_year`). Years before the first allocation
    are 0; a later year without an amount is not stated.

    Parameters
    ----------
    year_max : int
        Last year.
    scenario : {"stated", "continued"}
        ``stated``: years without a stated amount are NaN (2020: "continued",
        amount not given). ``continued``: the last stated amount is carried
        forward (flagged ``assumed``).
    funding : pandas.DataFrame, optional
        The ``funding`` table.
    funding_data : str, optional
        Path of the analyst's own funding table (``Params.funding_data``);
        wins over *funding*.
    treated_region : str
        The treated municipality (with *funding_data*).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``mnok``, ``assumed`` (bool); ``attrs["source"]`` is
        ``"funding"`` or the own table's file name.

    Raises
    ------
    ParameterError
        A bad *scenario*, or an own table without rows for *treated_region*.
    """
    from ptvlib.basics.exceptions import ParameterError
    from ptvlib.data.loading import load

    if scenario not in ("stated", "continued"):
        raise ParameterError(f"scenario={scenario!r} is not allowed; allowed: stated, continued")
    if funding_data:
        from ptvlib.data.own_funding import load_funding

        by_year = own_funding_by_year(load_funding(funding_data), treated_region)
        source = Path(funding_data).name
    else:
        f = funding if funding is not None else load("funding")
        oslo = f.loc[f["oslo_specific"] & f["police"] & (f["kind"] == "allocation")]
        oslo = oslo.drop_duplicates(["year", "amount_mnok", "recipient"])
        by_year = oslo.groupby("year")["amount_mnok"].sum()
        source = "funding"
    first = int(by_year.index.min())
    years = np.arange(2005, year_max + 1)
    mnok = pd.Series(np.nan, index=years)
    mnok[years < first] = 0.0
    mnok.update(by_year.reindex(years[years >= first]).dropna())
    assumed = mnok.isna() & (years >= first)
    if scenario == "continued":
        mnok = mnok.ffill()
    else:
        assumed[:] = False
    out = pd.DataFrame({"year": years, "mnok": mnok.to_numpy(), "assumed": assumed.to_numpy()})
    out.attrs["source"] = source
    return out


def own_funding_by_year(funding: pd.DataFrame, treated_region: str) -> pd.Series:
    """The money of an own funding table (:func:`ptvlib.load_funding`) for one unit, per year.

    The rows of *treated_region* itself and of its bydeler (codes that start
    with it: ``030101`` … ``030116`` for ``0301``), every purpose, summed.

    Raises
    ------
    ParameterError
        No row belongs to *treated_region* (names the regions found).

    Examples
    --------
    >>> f = pd.DataFrame({"region": ["030115", "030101", "030115", "3201"],
    ...                   "year": [2018, 2019, 2019, 2019], "amount_mnok": [20.0, 5.0, 20.0, 1.0]})
    >>> own_funding_by_year(f, "0301").to_dict()
    {2018: 20.0, 2019: 25.0}
    """
    from ptvlib.basics.exceptions import ParameterError

    regions = funding["region"].astype(str)
    mine = funding.loc[regions.str.startswith(treated_region)]
    if mine.empty:
        found = ", ".join(sorted(set(regions))[:20])
        raise ParameterError(
            f"funding_data has no rows for treated_region={treated_region!r} or its bydeler; "
            f"regions found: {found}; allowed: codes starting with {treated_region!r} "
            "(the municipality or a bydel, e.g. 030115)"
        )
    by_year = mine.groupby("year")["amount_mnok"].sum()
    by_year.index = by_year.index.astype(int)
    return by_year.astype(float)


#: Oslo's neighbouring municipalities (2024 codes): the buffer for displacement.
OSLO_NEIGHBOURS: tuple[str, ...] = ("3201", "3203", "3205", "3207", "3220", "3222", "3224", "3232")


def dose_panel(params: Params, group: str, *, scenario: str = "continued") -> pd.DataFrame:
    """Treated unit and comparison group with a dose column: NOK per inhabitant per year.

    The dose of a two-year period is the mean of its two years' Oslo-specific
    police money (:func:`funding_intensity`; the analyst's own table when
    ``params.funding_data`` is given) divided by the treated unit's
    population; comparison units have dose 0. Periods where the dose is unknown
    (``scenario="stated"``) are dropped.
    """
    panel, _ = offence_panel(group, year_max=params.year)
    units = [params.treated_region, *_comparison_units(params, panel)]
    sub = _eligible(panel, units, params.start_year).copy()
    money = funding_intensity(
        params.year,
        scenario=scenario,
        funding_data=params.funding_data,
        treated_region=params.treated_region,
    ).set_index("year")["mnok"]
    per_year = (money + money.shift(1)) / 2  # two-year period ending in `year`
    is_treated = sub["region"] == params.treated_region
    nok = sub["year"].map(per_year) * 1e6 / sub["population"]
    sub["dose"] = np.where(is_treated, nok, 0.0)
    return sub.loc[sub["dose"].notna()].reset_index(drop=True)


def displacement_panel(params: Params, group: str) -> pd.DataFrame:
    """Counts for the target (treated unit), buffer (its neighbours) and scaled controls.

    The weighted displacement difference assumes that target and control would
    have changed by the same *absolute* amount. The rest of Norway is many times
    larger than Oslo or its neighbours, so it enters twice, scaled to the
    pre-start mean of the area it is compared with: ``control_target`` and
    ``control_buffer`` (equal relative trends). Using scaled counts as Poisson
    variances overstates the control's variance (scale < 1), so the test is
    conservative.

    Returns
    -------
    pandas.DataFrame
        ``region`` ("target", "buffer", "control_target", "control_buffer"), ``year``, ``count``.
    """
    panel, _ = offence_panel(group, year_max=params.year, min_coverage=0.0)
    target = panel.loc[panel["region"] == params.treated_region, ["year", "count"]]
    buf = panel.loc[panel["region"].isin(OSLO_NEIGHBOURS)]
    n = len(OSLO_NEIGHBOURS)
    buf = (
        buf.groupby("year")
        .filter(lambda d: len(d) == n)
        .groupby("year", as_index=False)["count"]
        .sum()
    )
    rest = rest_of_norway(group, treated=params.treated_region, year_max=params.year)
    control = rest.merge(buf, on="year", suffixes=("", "_buf"))
    control = control.assign(count=control["count"] - control["count_buf"])[["year", "count"]]
    years = sorted(set(target["year"]) & set(buf["year"]) & set(control["year"]))
    pre = [y for y in years if y < params.start_year]

    def scaled(area: pd.DataFrame) -> pd.DataFrame:
        k = (
            area.loc[area["year"].isin(pre), "count"].mean()
            / control.loc[control["year"].isin(pre), "count"].mean()
        )
        return control.assign(count=control["count"] * k)

    parts = [
        target.assign(region="target"),
        buf.assign(region="buffer"),
        scaled(target).assign(region="control_target"),
        scaled(buf).assign(region="control_buffer"),
    ]
    out = pd.concat(parts, ignore_index=True)
    return out.loc[out["year"].isin(years), ["region", "year", "count"]].reset_index(drop=True)


def exploratory_text(result: object, lang: Lang = "nb", *, treated: str = "Oslo") -> str:
    """A supplementary result in words, labelled exploratory and without a direction claim.

    Parameters
    ----------
    result : DoseResponseResult or DisplacementResult
        From :func:`ptvlib.dose_response` or :func:`ptvlib.displacement`.
    lang : {"nb", "en"}
        Language.
    treated : str
        Name of the only unit with a dose.

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        *result* is neither kind.
    """
    from ptvlib.basics import numbers as fmt
    from ptvlib.basics.exceptions import ParameterError
    from ptvlib.basics.literals import check_literal
    from ptvlib.estimators.displacement_results import DisplacementResult
    from ptvlib.estimators.dose import DoseResponseResult

    check_literal("lang", lang, Lang)
    words = _EXPLORATORY[lang]
    if isinstance(result, DoseResponseResult):
        ratio = result.family == "poisson"
        lo, hi = result.ci
        if ratio:
            est = fmt.percent_change(result.estimate, lang, decimals=1)
            word = "til" if lang == "nb" else "to"
            ci = (
                f"{fmt.percent_change(lo, lang, decimals=1)} {word} "
                f"{fmt.percent_change(hi, lang, decimals=1)}"
            )
        else:
            est, ci = fmt.number(result.estimate, lang), fmt.interval(lo, hi, lang)
        return words["dose"].format(
            per=fmt.number(result.per, lang), est=est, ci=ci, treated=treated
        )
    if isinstance(result, DisplacementResult):
        return words["wdd"].format(
            wdd=fmt.number(result.wdd, lang, signed=True, decimals=0),
            target=fmt.number(result.wdd_target, lang, signed=True, decimals=0),
            buffer=fmt.number(result.wdd_buffer, lang, signed=True, decimals=0),
        )
    raise ParameterError(
        f"result={type(result).__name__} is not allowed; allowed: DoseResponseResult, "
        "DisplacementResult"
    )
