"""Benchmark: placebo-in-space synthetic control, ptvlib vs pysyncon (same run, same panel).

Builds a seeded simulated panel shaped like Norwegian municipality data
(~350 units x 17 years, Poisson crime rates per 1 000 residents around 30-100,
an Oslo-like treated unit at the top), then times

(a) ptvlib's placebo-in-space over every donor (exact simplex QP per fit), and
(b) pysyncon ``Dataprep`` + ``Synth.fit`` with ``custom_V`` chosen so that V is
    the identity on the raw pre-period outcomes (the same problem), for a
    subset of K fits (the treated unit and K - 1 placebo units), extrapolated
    per fit.

It also compares the treated unit's weights from both (max abs difference and
pre-period fit). pysyncon is a bench-only dependency (``pip install .[bench]``).

Run ``python bench/bench_synth.py [--k 5] [--units 350] [--seed 2018]``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ptvlib.estimators.synth import synthetic_control  # noqa: E402

__all__ = ["main", "simulate_panel"]

START = 2018
YEARS = np.arange(2007, 2024)  # 17 periods: 11 pre, 6 post
TREATED = "0301 Oslo"


def simulate_panel(n_units: int = 350, seed: int = 2018) -> pd.DataFrame:
    """Seeded long panel of crime rates per 1 000 (``kommune``, ``year``, ``rate``).

    Populations are log-normal (median ~5 000; Oslo 700 000); each unit has a
    level between 30 and 100 per 1 000, a shared downward trend with unit
    loadings, a common shock and Poisson counting noise. The treated unit has
    the highest level (105) and no effect.
    """
    rng = np.random.default_rng(seed)
    n_don = n_units - 1
    pop = np.r_[700_000, np.clip(rng.lognormal(np.log(5_000), 1.0, n_don), 200, 300_000)]
    level = np.r_[105.0, rng.uniform(30, 100, n_don)]
    t = (YEARS - YEARS[0])[:, None]
    trend = -0.02 * t * rng.normal(1.0, 0.4, n_units)[None, :]
    shock = 0.05 * np.sin(t / 2.5) * rng.normal(1.0, 0.5, n_units)[None, :]
    rate = level[None, :] * np.exp(trend + shock)
    counts = rng.poisson(rate * pop[None, :] / 1_000)
    observed = counts / pop[None, :] * 1_000
    names = [TREATED] + [f"{1000 + i:04d} K{i:03d}" for i in range(n_don)]
    return pd.DataFrame(
        {
            "kommune": np.repeat(np.array(names, dtype=object), YEARS.size),
            "year": np.tile(YEARS, n_units),
            "rate": observed.T.ravel(),
        }
    )


def _ours(df: pd.DataFrame, repeats: int) -> tuple[float, float, int, pd.Series, float]:
    """Median seconds for one fit and for the placebo-in-space; n placebo fits; weights."""
    kw = {"unit": "kommune", "time": "year", "outcome": "rate", "treated": TREATED, "start": START}
    fit_s, plac_s = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Oslo is above every donor: expected warning
        synthetic_control(df, **kw).placebo("space")  # warm-up (imports)
        for _ in range(repeats):
            t0 = time.perf_counter()
            res = synthetic_control(df, **kw)
            t1 = time.perf_counter()
            pl = res.placebo("space")
            t2 = time.perf_counter()
            fit_s.append(t1 - t0)
            plac_s.append(t2 - t1)
    n = len(pl.table) - 1
    return float(np.median(fit_s)), float(np.median(plac_s)), n, res.weights, res.pre_rmspe


def _pysyncon_fit(
    df: pd.DataFrame, treated: str, controls: list[str]
) -> tuple[float, float, pd.Series]:
    """One pysyncon fit with V = identity on raw pre-period outcomes; (prep s, fit s, weights)."""
    from pysyncon import Dataprep, Synth

    pre = [int(y) for y in YEARS if y < START]
    t0 = time.perf_counter()
    dp = Dataprep(
        foo=df,
        predictors=[],
        predictors_op="mean",
        dependent="rate",
        unit_variable="kommune",
        time_variable="year",
        treatment_identifier=treated,
        controls_identifier=controls,
        time_predictors_prior=pre,
        time_optimize_ssr=pre,
        special_predictors=[("rate", [y], "mean") for y in pre],
    )
    X0, X1 = dp.make_covariate_mats()
    Z0, Z1 = dp.make_outcome_mats()
    # pysyncon divides each predictor row by its sd across units; V = sd^2 undoes it.
    v = (pd.concat([X0, X1], axis=1).std(axis=1) ** 2).to_numpy()
    t1 = time.perf_counter()
    synth = Synth()
    synth.fit(X0=X0, X1=X1, Z0=Z0, Z1=Z1, custom_V=v)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, pd.Series(np.asarray(synth.W), index=X0.columns)


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Run the benchmark, print the table and return it.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (``--k``, ``--units``, ``--seed``, ``--repeats``,
        ``--no-treated``).

    Returns
    -------
    pandas.DataFrame
        Columns ``task, n_fits, seconds, per_fit_ms, ratio_vs_baseline``; the
        ratio is the baseline's time per fit (pysyncon ``Dataprep`` +
        ``Synth.fit`` on K placebo units) divided by the row's.
    """
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, default=5, help="pysyncon placebo fits to time (default 5)")
    ap.add_argument("--units", type=int, default=350, help="units in the panel (default 350)")
    ap.add_argument("--seed", type=int, default=2018)
    ap.add_argument("--repeats", type=int, default=3, help="repeats of the ptvlib timing (median)")
    ap.add_argument(
        "--no-treated",
        action="store_true",
        help="skip pysyncon's treated-unit fit (slow: SLSQP runs to its 1000-iteration limit)",
    )
    args = ap.parse_args(argv)

    df = simulate_panel(args.units, args.seed)
    units = list(dict.fromkeys(df["kommune"]))
    donors = units[1:]
    pre = df[df["year"] < START].pivot(index="year", columns="kommune", values="rate")
    print(
        f"panel: {len(units)} units x {YEARS.size} years ({YEARS[0]}-{YEARS[-1]}), start {START}, "
        f"{len(pre)} pre-periods; rates per 1 000 {df['rate'].min():.0f}-{df['rate'].max():.0f}",
        flush=True,
    )
    fit_s, plac_s, n_plac, w_ours, pre_rmspe = _ours(df, args.repeats)
    rows = [
        ("ptvlib synthetic_control (treated fit)", 1, fit_s),
        ("ptvlib placebo-in-space (all donors)", n_plac, plac_s),
    ]

    def finish(rows: list[tuple[str, int, float]], base_row: int | None) -> pd.DataFrame:
        table = pd.DataFrame(rows, columns=["task", "n_fits", "seconds"])
        table["per_fit_ms"] = 1e3 * table["seconds"] / table["n_fits"]
        base = float(table["per_fit_ms"].iloc[base_row]) if base_row is not None else np.nan
        table["ratio_vs_baseline"] = base / table["per_fit_ms"]
        with pd.option_context("display.float_format", "{:,.3f}".format, "display.width", 120):
            print("\n" + table.to_string(index=False))
        return table

    try:
        import pysyncon  # noqa: F401
    except ImportError:  # pragma: no cover
        print("pysyncon is not installed (pip install .[bench]); no baseline")
        return finish(rows, None)

    def rmspe(target: str, w: pd.Series) -> float:
        w = w / w.sum()
        fit = pre[w.index].to_numpy() @ w.to_numpy()
        return float(np.sqrt(np.mean((pre[target].to_numpy() - fit) ** 2)))

    from ptvlib.estimators._simplex import simplex_lstsq

    prep, solve, gaps = [], [], []
    for d in donors[: args.k]:
        controls = [u for u in donors if u != d]
        print(f"pysyncon placebo fit for {d} ...", flush=True)
        p, s, w = _pysyncon_fit(df, d, controls)
        prep.append(p)
        solve.append(s)
        exact = simplex_lstsq(pre[controls].to_numpy(), pre[d].to_numpy())
        gaps.append((d, rmspe(d, pd.Series(exact, index=controls)), rmspe(d, w)))
    k = len(prep)
    rows += [
        ("pysyncon Dataprep matrices (placebo units)", k, sum(prep)),
        ("pysyncon Synth.fit SLSQP (placebo units)", k, sum(solve)),
        ("pysyncon Dataprep + Synth.fit [baseline]", k, sum(prep) + sum(solve)),
    ]
    base_row = len(rows) - 1
    w_base = None
    if not args.no_treated:
        print(f"pysyncon fit for the treated unit {TREATED} ...", flush=True)
        p, s, w_base = _pysyncon_fit(df, TREATED, donors)
        rows.append(("pysyncon Dataprep + Synth.fit (treated unit)", 1, p + s))
    table = finish(rows, base_row)

    per_fit = float(table["per_fit_ms"].iloc[base_row])
    print(
        f"\nextrapolated pysyncon time for all {n_plac} placebo fits: "
        f"{per_fit * n_plac / 1e3:,.0f} s (ptvlib: {plac_s:.3f} s)"
    )
    for d, ours, theirs in gaps:
        print(f"pre-RMSPE of placebo {d}: ptvlib {ours:.6f}, pysyncon {theirs:.6f}")
    if w_base is not None:
        diff = (w_ours.reindex(w_base.index) - w_base).abs()
        top = w_ours[w_ours > 1e-6]
        print(
            f"treated-unit weights, ptvlib vs pysyncon: max abs difference {diff.max():.2e}, "
            f"sum of abs differences {diff.sum():.2e} "
            f"({top.size} ptvlib donors > 1e-6, largest {top.max():.4f}); pre-RMSPE ptvlib "
            f"{pre_rmspe:.6f} (check {rmspe(TREATED, w_ours):.6f}), "
            f"pysyncon {rmspe(TREATED, w_base):.6f}"
        )
    return table


if __name__ == "__main__":
    main()
