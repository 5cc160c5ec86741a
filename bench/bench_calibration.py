"""Benchmark: the full calibration over every eligible municipality and five groups, and `ptv report`.

Three timings, all in this one run:

1. ``ptvlib.calibrate(validate_params())`` — the decision rule with each of the
   ~80 untreated pool municipalities as the treated unit, five offence groups
   (about 410 assessments), cold (nothing cached: the pool, every
   leave-one-out and leave-two-out synthetic control, SDID and ASCM with their
   placebo runs, the permutations and the batch time-series fits are built
   once per group and stored) and warm (in this process);
2. the baseline: the same placebo tests with the public estimators refitted
   for each pseudo-treated unit (``synthetic_control(...).placebo("space")``,
   ``did`` once per comparison unit, ``its`` per unit), timed on a sample of
   units and scaled to the pool — what the calibration would cost without the
   vectorised engine;
3. the default ``ptv report`` from a fresh cache (tables built), whose ratio to
   the same notebooks run one after another with the papermill CLI is
   ``bench/bench_report.py``'s measure (target at most 0.5).

Run: ``python bench/bench_calibration.py [--sample 4] [--no-report]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GROUPS = ("total", "property_theft", "violence", "drugs", "public_order")


def _naive_unit(panel, unit: str, start: int) -> None:
    """One pseudo-treated unit's three placebo tests with the estimators, refitted from scratch."""
    from ptvlib.estimators.did import did
    from ptvlib.estimators.its import its
    from ptvlib.estimators.synth import synthetic_control

    kw = dict(unit="region", time="year", start=start, period_years=2)
    sc = synthetic_control(panel, outcome="log_rate", treated=unit, demean=True, **kw)
    sc.placebo("space")
    for other in panel["region"].unique():
        if other != unit:
            did(
                panel.loc[panel["region"] != unit],
                outcome="log_rate",
                treated=other,
                family="ols",
                **kw,
            )
    for other in panel["region"].unique():
        own = panel.loc[panel["region"] == other]
        its(
            own,
            time="year",
            outcome="count",
            start=start,
            exposure="population",
            family="quasipoisson",
            period_years=2,
        )


def _calibration(sample: int) -> tuple[float, float, float, int, int]:
    from ptvlib.assessment import group_tests as gt_module
    from ptvlib.assessment.calibration import calibrate
    from ptvlib.assessment.group_tests import group_tests
    from ptvlib.assessment.params import validate_params
    from ptvlib.basics import config

    params = validate_params()
    group_tests(params, "violence")  # tables loaded and cached before the clock starts
    for stored in (config.cache_dir() / "assess").glob("tests-*.pkl"):
        stored.unlink()  # nothing computed before: a cold start
    gt_module._MEMO.clear()
    t0 = time.perf_counter()
    cal = calibrate(params, groups=GROUPS)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    calibrate(params, groups=GROUPS)
    warm = time.perf_counter() - t0

    naive = 0.0
    for g in GROUPS:
        pool = group_tests(params, g).pool
        panel = pool.panel.loc[pool.panel["region"] != pool.treated]
        panel = panel.assign(log_rate=np.log(panel["rate"]))
        units = list(pool.units)[:: max(1, len(pool.units) // sample)][:sample]
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for u in units:
                _naive_unit(panel, u, params.start_year)
        naive += (time.perf_counter() - t0) / len(units) * pool.n
    return cold, warm, naive, cal.n_units, cal.n_assessments


def _report() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PTV_CACHE_DIR": str(Path(tmp) / "cache")}
        warm = "import ptvlib; [ptvlib.load(n) for n in ptvlib.datasets()['name']]; ptvlib.source_agreement()"
        subprocess.run([sys.executable, "-c", warm], check=True, env=env)
        t0 = time.perf_counter()
        subprocess.run(
            [str(BIN / "ptv"), "report", "--out", str(Path(tmp) / "rep"), "-q"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env=env,
        )
        return time.perf_counter() - t0


def main(sample: int = 4, report: bool = True) -> None:
    """Print the table."""
    with tempfile.TemporaryDirectory() as tmp:
        old = os.environ.get("PTV_CACHE_DIR")
        os.environ["PTV_CACHE_DIR"] = tmp  # a cache of this run only
        try:
            cold, warm, naive, n_units, n_assessments = _calibration(sample)
        finally:
            if old is None:
                os.environ.pop("PTV_CACHE_DIR", None)
            else:
                os.environ["PTV_CACHE_DIR"] = old
    print(
        f"calibration: {n_units} untreated municipalities x {len(GROUPS)} groups = "
        f"{n_assessments} assessments"
    )
    print(f"{'run':58s} {'seconds':>8s} {'ratio':>7s}")
    print(f"{'estimators refitted per pseudo-treated unit (scaled)':58s} {naive:8.1f} {1.0:7.2f}")
    print(
        f"{'ptvlib.calibrate, cold (every fit built once per group)':58s} {cold:8.2f} "
        f"{cold / naive:7.4f}"
    )
    print(f"{'ptvlib.calibrate, warm (in-process cache)':58s} {warm:8.3f} {warm / naive:7.5f}")
    if report:
        secs = _report()
        print(f"{'ptv report (default, fresh cache, tables built)':58s} {secs:8.1f} {'':>7s}")
        print("  (ratio to the papermill CLI run one notebook after another: bench_report.py)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample", type=int, default=4, help="units timed for the baseline")
    parser.add_argument("--no-report", action="store_true", help="skip the ptv report timing")
    args = parser.parse_args()
    main(args.sample, not args.no_report)
