"""The bydel verdict pipeline on 200 seeds of the demo generator: intervals cover, nulls stay quiet.

Each seed draws a synthetic bydel export (:func:`ptvlib.data.demo.demo_own_frame`:
15 bydeler + Sentrum, staggered starts, overdispersed monthly counts with area
trends and AR(1) shocks, here as their yearly sums — the same numbers the
monthly file gives, ``tests/test_demo.py`` — to keep the run short) with a
known rate ratio per indicator × offence group, and runs the deciding pipeline (:func:`assess_own_frame` with
``shown=False``: randomization inference with its interval, Holm over the five
series, synthetic control where the gate passes, the combined code — the same
codes as the full report). The rates are printed in the run's "measured rates" summary
(``tests/conftest.py``).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from ptvlib.assessment.own import assess_own_frame
from ptvlib.assessment.schedule import Schedule
from ptvlib.data.demo import DEMO_EFFECTS, DEMO_SCHEDULE, demo_own_frame

pytestmark = pytest.mark.slow

SEEDS = range(200)


def test_intervals_cover_the_truth_and_true_nulls_are_rarely_signals(measured) -> None:  # type: ignore[no-untyped-def]
    schedule = Schedule(starts=dict(DEMO_SCHEDULE), origin="treatment_schedule")
    covered = {k: 0 for k in DEMO_EFFECTS}
    signals = {k: 0 for k in DEMO_EFFECTS}
    started, cpu = time.perf_counter(), time.process_time()
    for seed in SEEDS:
        frame = demo_own_frame(seed=seed, frequency="year")
        report = assess_own_frame(frame, schedule, year=2024, shown=False, seed=seed)
        assert len(report) == len(DEMO_EFFECTS) and report.not_analysed == []
        for a in report:
            key = (a.indicator, a.offence_group)
            truth = DEMO_EFFECTS[key]
            lo, hi = a.designs["ri"].ci
            covered[key] += lo <= truth <= hi
            signals[key] += a.combined != "inconclusive"
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    n = len(SEEDS)
    pooled = sum(covered.values()) / (n * len(covered))
    nulls = [k for k, v in DEMO_EFFECTS.items() if math.isclose(v, 1.0)]
    null_rate = sum(signals[k] for k in nulls) / (n * len(nulls))
    measured(
        f"bydel designs over {n} seeds of the demo generator ({elapsed:.0f} s wall, "
        f"{cpu:.0f} s CPU): pooled RI 95 % coverage {pooled:.1%}, true nulls called a signal "
        f"{null_rate:.1%}"
    )
    for k, rr in DEMO_EFFECTS.items():
        measured(
            f"  {k[0] + '/' + k[1]:<22} true RR {rr:.2f}: RI 95 % interval covers "
            f"{covered[k] / n:6.1%}; non-inconclusive verdict {signals[k] / n:6.1%}"
        )
    assert pooled >= 0.93
    assert min(covered.values()) / n >= 0.90
    assert null_rate <= 0.05
    effects = [k for k, v in DEMO_EFFECTS.items() if abs(np.log(v)) >= np.log(1.2)]
    assert min(signals[k] for k in effects) / n >= 0.3, "real effects of 20 % are found often"
