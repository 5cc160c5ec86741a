"""Benchmark: own-data validation of 1 M and 5 M rows (time and peak memory), printed.

Each measurement runs in a fresh interpreter (so its peak resident memory is
its own, read from ``/proc/self/status`` ``VmHWM``, or ``ru_maxrss``). The
baseline of the same run is ``pandas.read_csv(path, engine="pyarrow")`` on the
same file: just reading it, no checks — the ratio says what validation costs
on top of reading.

Files (SYNTHETIC DATA, seeded; written in a temporary folder):

* ``monthly``: areas × 2005–2024 × 12 months × 11 offence groups, one indicator,
  as a police export by month (``region,level,period,indicator,offence_group,value``);
  ``load_own`` sums months to years;
* ``yearly``: areas × 2005–2024 × 12 indicators × 11 offence groups: every row is
  kept (the heaviest output).

Targets (issue 8): 5 M rows validated in < 10 s and < 1.5 GB peak. Then the
report runner's fast path: ``write_validated`` once, and ``load_own`` of the
stamped parquet (what each kernel pays).

Run: ``python bench/bench_own_data.py [--quick]`` (``--quick``: 1 M rows only)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

_GEN = r"""
import sys, numpy as np, pyarrow as pa, pyarrow.csv as pc
kind, n_areas, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
years = np.arange(2005, 2025)
groups = np.array(["total", "violence", "property_theft", "drugs", "public_order", "traffic",
                   "other_profit", "criminal_damage", "sexual", "other_offences", "other"])
areas = np.array([f"A{i:04d}" for i in range(n_areas)])
rng = np.random.default_rng(20240101)
if kind == "monthly":
    a, y, m, g = (x.ravel() for x in np.meshgrid(np.arange(n_areas), years, np.arange(1, 13),
                                                 np.arange(len(groups)), indexing="ij"))
    period = np.char.add(np.char.add(y.astype(str), "-"), np.char.zfill(m.astype(str), 2))
    cols = {"region": areas[a], "level": np.full(len(a), "area"), "period": period,
            "indicator": np.full(len(a), "cases"), "offence_group": groups[g]}
else:
    inds = np.array(["cases", "cleared", "prosecutions", "seizures", "confiscations", "charges",
                     "fines", "arrests", "searches", "reports", "warnings", "youth_cases"])
    a, y, i, g = (x.ravel() for x in np.meshgrid(np.arange(n_areas), years, np.arange(len(inds)),
                                                 np.arange(len(groups)), indexing="ij"))
    cols = {"region": areas[a], "level": np.full(len(a), "area"), "year": y.astype(str),
            "indicator": inds[i], "offence_group": groups[g]}
cols["value"] = rng.poisson(20, len(a)).astype(str)
pc.write_csv(pa.table(cols), out, write_options=pc.WriteOptions(quoting_style="none"))
print(len(a))
"""

_MEASURE = r"""
import json, sys, time
def peak_mb():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
what, path = sys.argv[1], sys.argv[2]
import pandas as pd
from ptvlib.data.own import load_own, write_validated
from ptvlib.data import regions
regions._all_names()  # the region tables, read once per process, are not the file's cost
before = peak_mb()
t = time.perf_counter()
if what == "baseline":
    rows = len(pd.read_csv(path, engine="pyarrow"))
elif what == "load_own":
    rows = len(load_own(path))
elif what == "write_validated":
    rows = len(load_own(write_validated(path, sys.argv[3])))
else:
    rows = len(load_own(path))
print(json.dumps({"seconds": time.perf_counter() - t, "peak_mb": peak_mb(), "start_mb": before,
                  "rows_out": rows}))
"""


def _run(args: list[str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return done.stdout.strip().splitlines()[-1]


def main(quick: bool = False) -> list[dict[str, object]]:
    """Generate the files, measure each step in a fresh process, print the table."""
    sizes = {"1M": 380} if quick else {"1M": 380, "5M": 2000}
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, areas in sizes.items():
            for kind in ("monthly", "yearly"):
                path = Path(tmp) / f"own_{label}_{kind}.csv"
                n = int(_run([_GEN, kind, str(areas), str(path)]))
                mb = path.stat().st_size / 1e6
                base = json.loads(_run([_MEASURE, "baseline", str(path)]))
                own = json.loads(_run([_MEASURE, "load_own", str(path)]))
                fast_path = Path(tmp) / f"own_{label}_{kind}.parquet"
                write = json.loads(_run([_MEASURE, "write_validated", str(path), str(fast_path)]))
                fast = json.loads(_run([_MEASURE, "stamped", str(fast_path)]))
                for step, m in (
                    ("pandas.read_csv (baseline)", base),
                    ("load_own (validate)", own),
                    ("write_validated + read back", write),
                    ("load_own(stamped parquet)", fast),
                ):
                    rows.append(
                        {
                            "file": f"{label} {kind} ({n:,} rows, {mb:.0f} MB)",
                            "step": step,
                            "seconds": m["seconds"],
                            "ratio": m["seconds"] / base["seconds"],
                            "peak_mb": m["peak_mb"],
                            "rows_out": m["rows_out"],
                        }
                    )
                fast_path.unlink(missing_ok=True)
                path.unlink()
    print("SYNTHETIC DATA (seeded); each step in a fresh interpreter; peak = VmHWM of that process")
    print(
        f"{'file':38s} {'step':30s} {'s':>7s} {'x read_csv':>10s} {'peak MB':>8s} {'rows out':>10s}"
    )
    for r in rows:
        print(
            f"{r['file']:38s} {r['step']:30s} {r['seconds']:7.2f} {r['ratio']:10.2f} "
            f"{r['peak_mb']:8.0f} {r['rows_out']:10,}"
        )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 M rows only")
    main(parser.parse_args().quick)
