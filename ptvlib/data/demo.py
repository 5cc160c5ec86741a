"""A seeded synthetic own-data export with a known truth, to try and to check the bydel designs.

Everything here is **SYNTETISKE DATA / SYNTHETIC DATA**: every row's
``source`` says so, and every page that shows it carries the label.

The generator draws monthly counts for Oslo's 15 bydeler (and Sentrum, whose
resident population is tiny next to its offences) from a model with the
features that make real bydel data hard:

* an area level per series (log-normal, sd 0.35) and an area-specific linear
  trend (sd 0.01 a year on the log scale), so trends are not parallel;
* city-wide year shocks and a seasonal cycle per series (shared by all areas);
* area × year shocks with AR(1) persistence (sd 0.06, ρ = 0.5) and monthly
  gamma-Poisson overdispersion (shape 40);
* real bydel populations (``ptvlib.load("population")``) as exposure;
* a known multiplicative effect per indicator × offence group
  (:data:`DEMO_EFFECTS`) in the treated areas from January of their start
  year, with staggered starts (:data:`DEMO_SCHEDULE`).

:func:`demo_own_frame` returns the rows in memory (fast; used by the coverage
test over many seeds), :func:`demo_own_data` writes them to a CSV file in the
own-data format.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ptvlib.basics.style import SYNTHETIC_LABEL

__all__ = ["DEMO_EFFECTS", "DEMO_SCHEDULE", "demo_own_data", "demo_own_frame"]

#: True rate ratio of each (indicator, offence_group) series in the treated areas.
DEMO_EFFECTS: dict[tuple[str, str], float] = {
    ("cases", "violence"): 0.80,
    ("cases", "property_theft"): 0.90,
    ("cases", "drugs"): 1.20,
    ("seizures", "total"): 1.00,
    ("confiscations", "total"): 1.00,
}

#: Treated bydeler and their first treated year in the synthetic data (staggered).
DEMO_SCHEDULE: dict[str, int] = {"030115": 2018, "030101": 2019}

# Base rate per 1 000 inhabitants a year, trend a year (log scale), seasonal amplitude.
_SERIES: dict[tuple[str, str], tuple[float, float, float]] = {
    ("cases", "violence"): (10.0, -0.010, 0.10),
    ("cases", "property_theft"): (25.0, -0.030, 0.08),
    ("cases", "drugs"): (6.0, -0.020, 0.05),
    ("seizures", "total"): (6.0, -0.010, 0.05),
    ("confiscations", "total"): (1.2, 0.000, 0.00),
}
_SENTRUM = "030116"
_SENTRUM_LEVEL = 25.0  # offences by scene: many times the residents' rate


def demo_own_frame(
    *,
    seed: int = 2018,
    effects: Mapping[tuple[str, str], float] | None = None,
    schedule: Mapping[str, int] | None = None,
    years: tuple[int, int] = (2012, 2024),
    frequency: Literal["month", "year"] = "month",
    sentrum: bool = True,
) -> pd.DataFrame:
    """Seeded synthetic own-data rows (long format) with a known effect per series.

    Parameters
    ----------
    seed : int
        Seed: the same seed gives identical rows.
    effects : mapping, optional
        True rate ratio per ``(indicator, offence_group)``; default
        :data:`DEMO_EFFECTS`. Series not in the mapping are not generated.
    schedule : mapping, optional
        Treated bydel code → first treated year; default :data:`DEMO_SCHEDULE`.
    years : (int, int)
        First and last year (inclusive; 2005–2025 have populations).
    frequency : {"month", "year"}
        Monthly rows (``period`` ``"2018-01"``) or yearly sums.
    sentrum : bool
        Add Sentrum (030116): offences by scene, a resident population of
        ~1 000, no effect.

    Returns
    -------
    pandas.DataFrame
        ``region, period, year, indicator, offence_group, value, unit, source``
        (``source`` = :data:`~ptvlib.basics.style.SYNTHETIC_LABEL`).

    Examples
    --------
    >>> rows = demo_own_frame(seed=1)
    >>> rows["period"].iloc[0], len(rows), bool(rows["source"].str.contains("SYNTHETIC").all())
    ('2012-01', 12480, True)
    """
    from ptvlib.basics.exceptions import ParameterError
    from ptvlib.data.loading import load
    from ptvlib.data.regions import bydeler

    if frequency not in ("month", "year"):
        raise ParameterError(f"frequency={frequency!r} is not allowed; allowed: 'month', 'year'")
    effects = dict(DEMO_EFFECTS if effects is None else effects)
    schedule = dict(DEMO_SCHEDULE if schedule is None else schedule)
    unknown = [k for k in effects if k not in _SERIES]
    if unknown:
        raise ParameterError(f"effects={unknown!r} are not demo series; allowed: {list(_SERIES)}")
    codes = bydeler()["code"].tolist() + ([_SENTRUM] if sentrum else [])
    bad = [c for c in schedule if c not in codes]
    if bad:
        raise ParameterError(f"schedule={bad!r} are not bydel codes; allowed: {codes}")
    y0, y1 = years
    yrs = np.arange(y0, y1 + 1)
    pop_all = load("population")
    pop = (
        pop_all.loc[pop_all["region"].isin(codes) & pop_all["year"].between(y0, y1)]
        .pivot(index="region", columns="year", values="value")
        .reindex(index=codes, columns=yrs)
    )
    if pop.isna().to_numpy().any():
        raise ParameterError(f"years={years!r}: populations exist for 2005 … 2025 only")
    rng = np.random.default_rng(seed)
    n_a, n_y = len(codes), len(yrs)
    months = np.arange(12)
    t_year = (yrs - y0).astype(float)
    frames = []
    for (ind, grp), (rate, slope, season) in _SERIES.items():
        if (ind, grp) not in effects:
            continue
        level = rng.normal(0.0, 0.35, n_a)
        if sentrum:
            level[-1] = np.log(_SENTRUM_LEVEL) + rng.normal(0.0, 0.1)
        area_slope = rng.normal(0.0, 0.01, n_a)
        year_shock = rng.normal(0.0, 0.04, n_y)
        ar = np.empty((n_a, n_y))
        ar[:, 0] = rng.normal(0.0, 0.06, n_a)
        for j in range(1, n_y):
            ar[:, j] = 0.5 * ar[:, j - 1] + rng.normal(0.0, 0.06 * np.sqrt(1 - 0.25), n_a)
        phase = rng.uniform(0, 2 * np.pi)
        seas = season * np.sin(2 * np.pi * months / 12 + phase)  # (12,)
        exposure = pop.to_numpy() if not sentrum else pop.to_numpy().copy()
        if sentrum:
            exposure[-1] = 1_500.0  # scene-based offences: a notional stable base, not residents
        log_mu = (
            np.log(rate * exposure / 1000.0 / 12.0)[:, :, None]
            + level[:, None, None]
            + (slope * t_year)[None, :, None]
            + (area_slope[:, None] * t_year[None, :])[:, :, None]
            + year_shock[None, :, None]
            + ar[:, :, None]
            + seas[None, None, :]
        )  # (A, Y, 12)
        rr = float(effects[(ind, grp)])
        for code, start in schedule.items():
            i = codes.index(code)
            log_mu[i, yrs >= start, :] += np.log(rr)
        mu = np.exp(log_mu)
        lam = rng.gamma(40.0, mu / 40.0)
        counts = rng.poisson(lam).astype(float)
        if frequency == "year":
            values = counts.sum(axis=2)
            period = np.broadcast_to(yrs.astype(str)[None, :], (n_a, n_y)).ravel()
            year = np.broadcast_to(yrs[None, :], (n_a, n_y)).ravel()
            region = np.repeat(codes, n_y)
        else:
            values = counts
            labels = np.array([f"{y}-{m + 1:02d}" for y in yrs for m in months])
            period = np.broadcast_to(labels[None, :], (n_a, n_y * 12)).ravel()
            year = np.broadcast_to(np.repeat(yrs, 12)[None, :], (n_a, n_y * 12)).ravel()
            region = np.repeat(codes, n_y * 12)
        frames.append(
            pd.DataFrame(
                {
                    "region": region,
                    "period": period,
                    "year": year.astype("int64"),
                    "indicator": ind,
                    "offence_group": grp,
                    "value": values.ravel(),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["unit"] = "count"
    out["source"] = SYNTHETIC_LABEL
    return out


def demo_own_data(
    path: str | Path,
    *,
    seed: int = 2018,
    rate_ratio: float | None = None,
    frequency: Literal["month", "year"] = "month",
    sentrum: bool = True,
) -> Path:
    """Write a seeded **synthetic** bydel export in the own-data format (CSV).

    The rows of :func:`demo_own_frame`: monthly counts of ``cases`` (by
    offence group), ``seizures`` and ``confiscations`` for the 15 Oslo
    bydeler and Sentrum, 2012–2024, with the known effects of
    :data:`DEMO_EFFECTS` in Søndre Nordstrand (030115, from 2018) and Gamle
    Oslo (030101, from 2019). Every row's ``source`` says
    ``SYNTETISKE DATA / SYNTHETIC DATA``.

    Parameters
    ----------
    path : str or pathlib.Path
        File to write (atomically).
    seed : int
        Seed.
    rate_ratio : float, optional
        Replace the true effect on ``cases`` / ``violence``.
    frequency : {"month", "year"}
        Monthly or yearly rows.
    sentrum : bool
        Include Sentrum (030116).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    from ptvlib.basics.io import atomic_write_text

    effects = dict(DEMO_EFFECTS)
    if rate_ratio is not None:
        effects[("cases", "violence")] = float(rate_ratio)
    frame = demo_own_frame(seed=seed, effects=effects, frequency=frequency, sentrum=sentrum)
    frame["value"] = frame["value"].astype("int64")
    target = Path(path)
    atomic_write_text(target, frame.to_csv(index=False))
    return target
