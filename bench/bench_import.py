"""Benchmark: how long `import ptvlib` takes, against `import pandas` in the same run.

ptvlib imports pandas and numpy at module level (they are its data model) and
everything heavy (scipy, matplotlib, seaborn, requests, papermill) inside the
functions that need them. The ratio below is what ptvlib adds on top of
pandas; each import runs in a fresh interpreter, alternating, several times.

Run: ``python bench/bench_import.py``
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

REPEATS = 7


def _time(stmt: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", stmt], check=True)
    return time.perf_counter() - started


def main() -> dict[str, float]:
    """Print a table of median wall times and ratios; return the medians."""
    stmts = {
        "python -c pass (interpreter start)": "pass",
        "import pandas (baseline)": "import pandas",
        "import ptvlib": "import ptvlib",
        "import ptvlib, seaborn (what a notebook adds)": "import ptvlib, seaborn",
    }
    samples: dict[str, list[float]] = {k: [] for k in stmts}
    for _ in range(REPEATS):
        for label, stmt in stmts.items():
            samples[label].append(_time(stmt))
    med = {k: statistics.median(v) for k, v in samples.items()}
    base = med["import pandas (baseline)"]
    print(f"{'task':48s} {'median s':>9s} {'ratio vs pandas':>16s}")
    for label, value in med.items():
        print(f"{label:48s} {value:9.3f} {value / base:16.2f}")
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, ptvlib; print(sorted(m for m in ('scipy','matplotlib','seaborn','requests','papermill','statsmodels') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"heavy modules loaded by `import ptvlib`: {loaded}")
    return med


if __name__ == "__main__":
    main()
