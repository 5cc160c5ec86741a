"""Seeded simulated panels and series with a known effect, for tests, docs and demos.

Every frame returned here is **synthetic**: it carries
``attrs["synthetic"] = True``, ``attrs["label"]`` and a ``label`` column equal
to :data:`ptvlib.report.figures.SYNTHETIC_LABEL` ("SYNTETISKE DATA / SYNTHETIC DATA"),
so it cannot be mistaken for real data in a table or a figure.

Notes
-----
Counts follow a log-linear model with a population offset,

.. math::  \\lambda_{ut} = P_{ut}\\,\\frac{r_0}{1000}\\exp\\big(a_u + b_t + \\gamma_u f_t
           + \\log(\\rho)\\,D_{ut} + \\delta\\,(t-s_u)\\,T_u\\,\\mathbb 1[t<s_u]\\big),

where :math:`a_u\\sim N(0,\\sigma_u^2)`, :math:`b_t\\sim N(0,\\sigma_t^2)`, an optional
interactive effect :math:`\\gamma_u f_t` (loading :math:`\\gamma_u\\sim N(0,\\sigma_f^2)`,
factor :math:`f_t` a centred Gaussian random walk scaled by :math:`1/\\sqrt{T}`: units on different trends, which
breaks parallel trends but not synthetic control or synthetic DiD),
:math:`D_{ut}` is 1 for treated units from their start :math:`s_u`, :math:`\\rho`
the true rate ratio and :math:`\\delta` an optional differential pre-trend.
:math:`Y_{ut}\\sim\\mathrm{Poisson}(\\lambda_{ut})`, or negative binomial (NB2,
variance :math:`\\lambda+\\alpha\\lambda^2`, drawn as a gamma–Poisson mixture)
when ``overdispersion=alpha`` is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ptvlib.basics.style import SYNTHETIC_LABEL

__all__ = ["simulate_its", "simulate_panel"]


def _mark(frame: pd.DataFrame) -> pd.DataFrame:
    frame["label"] = pd.Series(SYNTHETIC_LABEL, index=frame.index, dtype="str")
    frame.attrs["synthetic"] = True
    frame.attrs["label"] = SYNTHETIC_LABEL
    return frame


def _draw_counts(
    rng: np.random.Generator, lam: np.ndarray, overdispersion: float | None
) -> np.ndarray:
    if overdispersion is None or overdispersion == 0:
        return rng.poisson(lam)
    if overdispersion < 0:
        from ptvlib.basics.exceptions import ParameterError

        raise ParameterError(
            f"overdispersion={overdispersion!r} is not allowed; allowed: None or a number > 0"
        )
    shape = 1.0 / overdispersion
    return rng.poisson(rng.gamma(shape, lam / shape))


def simulate_panel(
    n_units: int = 30,
    periods: Iterable[int] = range(2008, 2025),
    start: int = 2018,
    treated: Sequence[str] | int = ("u00",),
    rate_ratio: float = 0.8,
    base_rate: float = 50.0,
    population: tuple[int, int] = (5_000, 700_000),
    unit_sd: float = 0.3,
    time_sd: float = 0.05,
    overdispersion: float | None = None,
    staggered: bool = False,
    seed: int = 0,
    *,
    pre_trend: float = 0.0,
    factor_sd: float = 0.0,
) -> pd.DataFrame:
    """Simulate a unit × year panel of counts with a known treatment effect.

    Parameters
    ----------
    n_units : int
        Number of units, named ``u00``, ``u01``, ...
    periods : iterable of int
        Years.
    start : int
        First treated year (of the first cohort when *staggered*).
    treated : sequence of str or int
        Treated unit names, or the number of treated units (the first *n*).
    rate_ratio : float
        True multiplicative effect on the rate from the start on.
    base_rate : float
        Typical rate per 1 000 inhabitants.
    population : (int, int)
        Range of unit populations (drawn log-uniformly; each unit then grows by
        0–2 % a year).
    unit_sd, time_sd : float
        Standard deviations of the log-scale unit and year effects.
    overdispersion : float, optional
        NB2 :math:`\\alpha`; None gives Poisson counts.
    staggered : bool
        Treated units start in cohorts ``start, start+1, start+2`` (cycling).
    seed : int
        Seed; the same seed gives the same frame.
    pre_trend : float
        Differential log-rate slope per year of treated units before their
        start (0 from the start on): a built-in violation of parallel trends.
    factor_sd : float
        Standard deviation :math:`\\sigma_f` of the units' loadings on a common
        random-walk factor (0: no interactive effect, the same draws as before).

    Returns
    -------
    pandas.DataFrame
        Columns ``unit, time, population, count, rate`` (per 1 000), ``treated``,
        ``post`` (treated and on/after the unit's start), ``true_rate_ratio``,
        ``expected_rate`` (per 1 000, effect included), ``start`` (Int64, NA for
        controls) and ``label``; ``attrs["synthetic"] is True``.

    Examples
    --------
    >>> df = simulate_panel(n_units=5, periods=range(2015, 2021), seed=1)
    >>> df.attrs["synthetic"], df.shape, sorted(df.loc[df.post, "unit"].unique())
    (True, (30, 11), ['u00'])
    >>> df["label"].iloc[0]
    'SYNTETISKE DATA / SYNTHETIC DATA'
    """
    from ptvlib.basics.exceptions import ParameterError

    years = np.asarray(list(periods), dtype=np.int64)
    if n_units < 2 or years.size < 2:
        raise ParameterError(
            f"n_units={n_units!r} and len(periods)={years.size} are not allowed; allowed: >= 2 each"
        )
    if rate_ratio <= 0 or base_rate <= 0:
        raise ParameterError("rate_ratio and base_rate must be > 0")
    width = max(2, len(str(n_units - 1)))
    names = [f"u{i:0{width}d}" for i in range(n_units)]
    if isinstance(treated, int | np.integer):
        treated_names = names[: int(treated)]
    else:
        treated_names = list(treated)
    unknown = [u for u in treated_names if u not in names]
    if unknown or not treated_names or len(treated_names) >= n_units:
        raise ParameterError(
            f"treated={treated!r} is not allowed; allowed: 1 … {n_units - 1} of {names[0]} … {names[-1]}"
        )
    rng = np.random.default_rng(seed)
    lo, hi = population
    pop0 = np.exp(rng.uniform(np.log(lo), np.log(hi), size=n_units))
    growth = rng.uniform(0.0, 0.02, size=n_units)
    unit_eff = rng.normal(0.0, unit_sd, size=n_units)
    time_eff = rng.normal(0.0, time_sd, size=years.size)
    starts = {u: start + (i % 3 if staggered else 0) for i, u in enumerate(treated_names)}

    u_idx = np.repeat(np.arange(n_units), years.size)
    t_idx = np.tile(np.arange(years.size), n_units)
    t = years[t_idx]
    unit = np.asarray(names, dtype=object)[u_idx]
    is_treated = np.isin(unit, treated_names)
    s_u = np.array([starts.get(u, np.iinfo(np.int64).max) for u in unit], dtype=np.int64)
    post = is_treated & (t >= s_u)
    pop = np.round(pop0[u_idx] * (1 + growth[u_idx]) ** (t - years[0])).astype(np.int64)
    trend = np.where(is_treated & ~post, pre_trend * (t - np.where(is_treated, s_u, 0)), 0.0)
    log_rate = (
        np.log(base_rate / 1000.0)
        + unit_eff[u_idx]
        + time_eff[t_idx]
        + np.log(rate_ratio) * post
        + trend
    )
    if factor_sd:
        # Drawn after everything else, so factor_sd=0 leaves earlier draws unchanged.
        frng = np.random.default_rng([seed, 1])
        factor = np.cumsum(frng.normal(0.0, 1.0, size=years.size))
        factor -= factor.mean()
        loading = frng.normal(0.0, factor_sd, size=n_units)
        log_rate = log_rate + loading[u_idx] * factor[t_idx] / np.sqrt(years.size)
    lam = pop * np.exp(log_rate)
    count = _draw_counts(rng, lam, overdispersion).astype(np.int64)
    frame = pd.DataFrame(
        {
            "unit": pd.array(unit, dtype="str"),
            "time": t,
            "population": pop,
            "count": count,
            "rate": 1000.0 * count / pop,
            "treated": is_treated,
            "post": post,
            "true_rate_ratio": np.where(post, rate_ratio, 1.0),
            "expected_rate": 1000.0 * np.exp(log_rate),
            "start": pd.array([starts[u] if u in starts else pd.NA for u in unit], dtype="Int64"),
        }
    )
    return _mark(frame)


def simulate_its(
    periods: Iterable[int] = range(1, 61),
    start: int = 37,
    rate_ratio: float = 0.85,
    slope_ratio: float = 1.0,
    base_rate: float = 2.0,
    trend: float = 0.0,
    seasonal_amplitude: float = 0.0,
    season_length: int = 12,
    population: float = 500_000.0,
    overdispersion: float | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate one monthly (or yearly) count series with a known interruption.

    .. math::  \\log\\lambda_t = \\log P + \\log\\tfrac{r_0}{1000} + \\tau (t-s)
               + \\log(\\rho)\\,\\mathbb 1[t\\ge s] + \\log(\\kappa)\\,(t-s)\\,\\mathbb 1[t\\ge s]
               + A\\sin(2\\pi t/m)

    Parameters
    ----------
    periods : iterable of int
        Time index (consecutive integers).
    start : int
        First period of the intervention.
    rate_ratio : float
        True level change :math:`\\rho` (rate ratio at the start).
    slope_ratio : float
        True slope change :math:`\\kappa` (rate ratio per period after the start).
    base_rate : float
        Rate per 1 000 per period at the start (without seasonality).
    trend : float
        Pre-existing log-rate slope :math:`\\tau` per period.
    seasonal_amplitude : float
        Amplitude :math:`A` of a sine seasonality on the log scale.
    season_length : int
        Periods per seasonal cycle :math:`m`.
    population : float
        Population (constant).
    overdispersion : float, optional
        NB2 :math:`\\alpha`; None gives Poisson counts.
    seed : int
        Seed.

    Returns
    -------
    pandas.DataFrame
        Columns ``time, population, count, rate`` (per 1 000), ``post``,
        ``true_rate_ratio``, ``expected_rate`` and ``label``;
        ``attrs["synthetic"] is True``.

    Examples
    --------
    >>> s = simulate_its(seed=3)
    >>> s.attrs["synthetic"], len(s), int(s["post"].sum())
    (True, 60, 24)
    """
    t = np.asarray(list(periods), dtype=np.int64)
    post = t >= start
    log_rate = (
        np.log(base_rate / 1000.0)
        + trend * (t - start)
        + np.log(rate_ratio) * post
        + np.log(slope_ratio) * (t - start) * post
        + seasonal_amplitude * np.sin(2 * np.pi * t / season_length)
    )
    rng = np.random.default_rng(seed)
    lam = population * np.exp(log_rate)
    count = _draw_counts(rng, lam, overdispersion).astype(np.int64)
    frame = pd.DataFrame(
        {
            "time": t,
            "population": np.full(t.size, float(population)),
            "count": count,
            "rate": 1000.0 * count / population,
            "post": post,
            "true_rate_ratio": np.where(post, rate_ratio * slope_ratio ** (t - start), 1.0),
            "expected_rate": 1000.0 * np.exp(log_rate),
        }
    )
    return _mark(frame)
