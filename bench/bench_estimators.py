"""Benchmark: the new estimators against the libraries they are checked with (same run).

* Poisson DiD with unit and month effects and a population offset on a simulated
  550 areas x 156 months panel (``simulate_panel``, 55 treated): ``ptvlib.did``
  against pyfixest 0.60 ``fepois`` (same model, CRV1 by unit), both warm; also the
  event study, and 50 placebo refits through ``DidResult.refit``.
* Synthetic DiD on California's Proposition 99 (``tests/data``): ``synthetic_did``
  (exact weights, every donor as placebo) against diff-diff 3.13 ``SyntheticDiD``
  (Frank-Wolfe, 200 placebo draws, its default); also ``solver="frank_wolfe"``.
* Augmented synthetic control on Prop 99 against pysyncon 1.7 ``AugSynth`` (one fit;
  ours includes the 38 placebo fits).
* Callaway & Sant'Anna on a 400-unit staggered panel against diff-diff ``CallawaySantAnna``.

Ratios are the baseline's median seconds divided by ptvlib's (> 1: ptvlib is faster).
No timing is asserted anywhere; run ``python bench/bench_estimators.py [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ptvlib.estimators.ascm import augmented_synth  # noqa: E402
from ptvlib.estimators.did import did  # noqa: E402
from ptvlib.estimators.sdid import synthetic_did  # noqa: E402
from ptvlib.estimators.simulate import simulate_panel  # noqa: E402
from ptvlib.estimators.staggered import staggered_did  # noqa: E402

__all__ = ["main"]

PROP99 = ROOT / "tests" / "data" / "abadie_2010_california_prop99" / "california_prop99.csv"


def _median(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    """Median seconds of *repeats* calls after one warm-up call; the last result."""
    out = fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def _fixed_effects(repeats: int) -> list[dict[str, object]]:
    import pyfixest as pf

    df = simulate_panel(n_units=550, periods=range(1, 157), start=97, treated=55, seed=1)
    treated = [f"u{i:03d}" for i in range(55)]
    kw = {"unit": "unit", "time": "time", "treated": treated, "start": 97}
    pois = {**kw, "outcome": "count", "exposure": "population", "family": "poisson"}
    d = pd.DataFrame(
        {
            "unit": df["unit"].astype(object),
            "time": df["time"],
            "y": df["count"],
            "rate": df["rate"],
            "lp": np.log(df["population"]),
            "D": df["post"].astype(float),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, res = _median(lambda: did(df, **pois), repeats)  # type: ignore[arg-type]
        base, fit = _median(
            lambda: pf.fepois("y ~ D | unit + time", data=d, offset="lp", vcov={"CRV1": "unit"}),
            repeats,
        )
        ols, res_ols = _median(lambda: did(df, **kw, outcome="rate"), repeats)  # type: ignore[arg-type]
        ols_base, fit_ols = _median(
            lambda: pf.feols("rate ~ D | unit + time", data=d, vcov={"CRV1": "unit"}), repeats
        )
        es, _ = _median(res.event_study, repeats)  # type: ignore[attr-defined]
        refit, _ = _median(
            lambda: [res.refit([f"u{i:03d}" for i in range(j, j + 55)]) for j in range(55, 105)],  # type: ignore[attr-defined]
            1,
        )
    diff = abs(res.coef - float(fit.coef().iloc[0]))  # type: ignore[attr-defined]
    diff_ols = abs(res_ols.coef - float(fit_ols.coef().iloc[0]))  # type: ignore[attr-defined]
    label = "550 x 156"
    return [
        {
            "task": f"Poisson DiD {label}",
            "ptvlib_s": ours,
            "baseline": "pyfixest fepois",
            "baseline_s": base,
            "agree": diff,
        },
        {
            "task": f"OLS DiD {label}",
            "ptvlib_s": ols,
            "baseline": "pyfixest feols",
            "baseline_s": ols_base,
            "agree": diff_ols,
        },
        {
            "task": f"Poisson event study {label}",
            "ptvlib_s": es,
            "baseline": "",
            "baseline_s": np.nan,
            "agree": np.nan,
        },
        {
            "task": f"50 Poisson placebo refits {label}",
            "ptvlib_s": refit,
            "baseline": "",
            "baseline_s": np.nan,
            "agree": np.nan,
        },
    ]


def _prop99() -> pd.DataFrame:
    wide = pd.read_csv(PROP99)
    return wide.melt(id_vars="Year", var_name="state", value_name="packs")


def _sdid(repeats: int) -> list[dict[str, object]]:
    from diff_diff import SyntheticDiD

    long = _prop99()
    kw = {
        "unit": "state",
        "time": "Year",
        "outcome": "packs",
        "treated": "California",
        "start": 1989,
    }
    data = long.assign(treated=(long["state"] == "California").astype(int))

    def reference() -> object:
        return SyntheticDiD(seed=1).fit(
            data,
            outcome="packs",
            treatment="treated",
            unit="state",
            time="Year",
            post_periods=list(range(1989, 2001)),
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, res = _median(lambda: synthetic_did(long, **kw), repeats)  # type: ignore[arg-type]
        fw, res_fw = _median(lambda: synthetic_did(long, **kw, solver="frank_wolfe"), 1)  # type: ignore[arg-type]
        base, ref = _median(reference, repeats)
    return [
        {
            "task": "SDID Prop 99, exact (fit + 38 placebos)",
            "ptvlib_s": ours,
            "baseline": "diff-diff SyntheticDiD",
            "baseline_s": base,
            "agree": abs(res.att - ref.att),
        },  # type: ignore[attr-defined]
        {
            "task": "SDID Prop 99, frank_wolfe (fit + 38 placebos)",
            "ptvlib_s": fw,
            "baseline": "diff-diff SyntheticDiD",
            "baseline_s": base,
            "agree": abs(res_fw.att - ref.att),
        },  # type: ignore[attr-defined]
    ]


def _ascm(repeats: int) -> list[dict[str, object]]:
    from pysyncon import AugSynth, Dataprep

    long = _prop99()
    controls = sorted(set(long["state"]) - {"California"})

    def reference() -> float:
        dp = Dataprep(
            foo=long,
            predictors=[],
            predictors_op="mean",
            dependent="packs",
            unit_variable="state",
            time_variable="Year",
            treatment_identifier="California",
            controls_identifier=controls,
            time_predictors_prior=range(1970, 1989),
            time_optimize_ssr=range(1970, 1989),
        )
        aug = AugSynth()
        aug.fit(dataprep=dp, use_covariates=False)
        z0, z1 = dp.make_outcome_mats(time_period=range(1970, 2001))
        return float((z1 - z0 @ aug.W).loc[1989:].mean())

    kw = {
        "unit": "state",
        "time": "Year",
        "outcome": "packs",
        "treated": "California",
        "start": 1989,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, res = _median(lambda: augmented_synth(long, **kw), repeats)  # type: ignore[arg-type]
        base, att = _median(reference, repeats)
    return [
        {
            "task": "ASCM Prop 99 (ptvlib: fit + 38 placebos)",
            "ptvlib_s": ours,
            "baseline": "pysyncon AugSynth (fit)",
            "baseline_s": base,
            "agree": abs(res.att - float(att)),
        },  # type: ignore[attr-defined, arg-type]
    ]


def _staggered(repeats: int) -> list[dict[str, object]]:
    from diff_diff import CallawaySantAnna

    df = simulate_panel(
        n_units=400,
        treated=240,
        staggered=True,
        rate_ratio=0.8,
        population=(50_000, 200_000),
        seed=3,
    )
    df = df.assign(g=df["start"].fillna(0).astype(int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, res = _median(
            lambda: staggered_did(
                df, unit="unit", time="time", outcome="rate", first_treated="start"
            ),
            repeats,
        )
        base, ref = _median(
            lambda: CallawaySantAnna().fit(
                df, outcome="rate", unit="unit", time="time", first_treat="g"
            ),
            repeats,
        )
    return [
        {
            "task": "Callaway-Sant'Anna 400 x 17",
            "ptvlib_s": ours,
            "baseline": "diff-diff CallawaySantAnna",
            "baseline_s": base,
            "agree": abs(res.att - ref.overall_att),
        },  # type: ignore[attr-defined]
    ]


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Run the benchmarks, print the table and return it.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (``--repeats``).

    Returns
    -------
    pandas.DataFrame
        ``task, ptvlib_s, baseline, baseline_s, ratio, agree``: medians in seconds,
        ``ratio = baseline_s / ptvlib_s`` and the absolute difference of the two estimates.
    """
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed repeats after a warm-up (median)")
    args = ap.parse_args(argv)
    rows = (
        _fixed_effects(args.repeats)
        + _sdid(args.repeats)
        + _ascm(args.repeats)
        + _staggered(args.repeats)
    )
    table = pd.DataFrame(rows)
    table["ratio"] = table["baseline_s"] / table["ptvlib_s"]
    table = table[["task", "ptvlib_s", "baseline", "baseline_s", "ratio", "agree"]]
    with pd.option_context("display.width", 160, "display.max_colwidth", 50):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    return table


if __name__ == "__main__":
    main()
