"""Benchmark: the bydel assessment on a bydel × month export, and randomization inference vs refits.

Run ``python bench/bench_bydel.py``. The data are the seeded synthetic demo
export (``SYNTETISKE DATA / SYNTHETIC DATA``): 15 bydeler and Sentrum × 156
months (2012–2024) × 3 indicators (violence cases, seizures, confiscations),
with the staggered schedule 030115 from 2018, 030101 from 2019.

Rows:

* the whole assessment (:func:`ptvlib.assess_own_frame`: monthly → yearly,
  randomization inference with interval and MDE, synthetic control over
  assignments, Poisson DiD, monthly ITS with seasonality) — the baseline of the
  table is randomization inference done the obvious way, one TWFE refit
  (``did``) per assignment, for the same three series;
* randomization inference alone, vectorised, on the yearly panel and on the
  monthly panel (15 × 156, month effects), and with 100 000 sampled
  assignments on a 60-area monthly panel.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ptvlib.assessment.own import assess_own_frame
from ptvlib.assessment.schedule import Schedule
from ptvlib.data.demo import DEMO_SCHEDULE, demo_own_frame
from ptvlib.data.loading import load
from ptvlib.estimators.did import did
from ptvlib.estimators.randomization import randomization_inference

__all__ = ["main"]

SERIES = {("cases", "violence"): 0.8, ("seizures", "total"): 1.0, ("confiscations", "total"): 1.0}


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _yearly(frame: pd.DataFrame, key: tuple[str, str], pop: pd.DataFrame) -> pd.DataFrame:
    rows = frame.loc[(frame["indicator"] == key[0]) & (frame["offence_group"] == key[1])]
    rows = rows.loc[rows["region"] != "030116"]
    out = rows.groupby(["region", "year"], as_index=False)["value"].sum()
    return out.merge(pop, on=["region", "year"])


def _naive_ri(panel: pd.DataFrame) -> float:
    """p-value by refitting the TWFE DiD for every ordered pair of areas (the obvious way)."""
    areas = sorted(panel["region"].unique())
    data = panel.assign(z=np.log(panel["value"] + 0.5) - np.log(panel["population"]))
    starts = list(DEMO_SCHEDULE.values())

    def coef(a: str, b: str) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return did(
                data,
                unit="region",
                time="year",
                outcome="z",
                treated=[a, b],
                start={a: starts[0], b: starts[1]},
                family="ols",
            ).coef

    actual = coef(*DEMO_SCHEDULE)
    stats = np.array([coef(a, b) for a in areas for b in areas if a != b])
    return float(np.mean(np.abs(stats) >= abs(actual) * (1 - 1e-9)))


def main() -> None:
    """Time the bydel × month assessment and the randomization inference variants."""
    frame = demo_own_frame(seed=2018, effects=SERIES)
    n_rows = len(frame)
    schedule = Schedule(starts=dict(DEMO_SCHEDULE), origin="treatment_schedule")
    pop = load("population")[["region", "year", "value"]].rename(columns={"value": "population"})
    yearly = {k: _yearly(frame, k, pop) for k in SERIES}

    t0 = time.perf_counter()
    p_naive = [_naive_ri(p) for p in yearly.values()]
    base = time.perf_counter() - t0
    rows = [("RI by refitting did() per assignment, 3 series (baseline)", base, 1.0)]

    report = assess_own_frame(frame, schedule, year=2024)
    sec = _best(lambda: assess_own_frame(frame, schedule, year=2024))
    rows.append(
        (f"whole assessment, {n_rows} monthly rows, 3 series, all designs", sec, base / sec)
    )
    sec = _best(lambda: assess_own_frame(frame, schedule, year=2024, shown=False))
    rows.append(("deciding designs only (RI + SC + Holm)", sec, base / sec))
    p_fast = [a.designs["ri"].p_value for a in report]

    def ri_yearly() -> None:
        for p in yearly.values():
            randomization_inference(
                p,
                unit="region",
                time="year",
                outcome="value",
                exposure="population",
                schedule=DEMO_SCHEDULE,
            )

    sec = _best(ri_yearly)
    rows.append(("RI + interval + MDE, yearly panels, 3 series", sec, base / sec))

    monthly = frame.loc[(frame["indicator"] == "cases") & (frame["region"] != "030116")].copy()
    monthly["t"] = (monthly["year"] - 2012) * 12 + monthly["period"].str[5:7].astype(int) - 1
    starts_m = {a: (s - 2012) * 12 for a, s in DEMO_SCHEDULE.items()}
    sec = _best(
        lambda: randomization_inference(
            monthly, unit="region", time="t", outcome="value", schedule=starts_m
        )
    )
    rows.append(("RI + interval + MDE, monthly panel 15 x 156", sec, float("nan")))

    rng = np.random.default_rng(1)
    big = pd.DataFrame(
        {
            "region": np.repeat([f"a{i:02d}" for i in range(60)], 156),
            "t": np.tile(np.arange(156), 60),
            "value": rng.poisson(40.0, 60 * 156).astype(float),
        }
    )
    sched_big = {"a00": 72, "a01": 84, "a02": 84}
    sec = _best(
        lambda: randomization_inference(
            big, unit="region", time="t", outcome="value", schedule=sched_big, draws=100_000
        ),
        repeat=1,
    )
    rows.append(("RI, 60 areas x 156 months, 100 000 sampled assignments", sec, float("nan")))

    width = max(len(r[0]) for r in rows)
    print(f"{'task':<{width}}  {'seconds':>9}  {'speed-up vs baseline':>20}")
    for task, s, ratio in rows:
        shown = f"{ratio:>19.0f}x" if np.isfinite(ratio) else f"{'–':>20}"
        print(f"{task:<{width}}  {s:>9.3f}  {shown}")
    same = np.allclose(p_naive, p_fast)
    print(
        f"\nRI p-values, refits vs vectorised: {np.round(p_naive, 4).tolist()} vs "
        f"{np.round(p_fast, 4).tolist()} ({'identical' if same else 'DIFFERENT'}); "
        "baseline timed once, others best of 3 (the 100 000-draw run once); same process. "
        "Data: SYNTETISKE DATA / SYNTHETIC DATA."
    )


if __name__ == "__main__":
    main()
