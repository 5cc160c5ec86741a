"""Benchmark: `ptv report` against running the same notebooks one after another with papermill's CLI.

Both run in this one command on the same machine, in *paired runs* (default 3;
the order of the two sides alternates from one pair to the next, so a drift
in the machine's load does not favour one side), and the table gives each
pair's ratio and their median. `ptv report` imports papermill once, forks
parallel workers, and runs the notebooks in parallel kernels; the baseline runs
`papermill <nb> <out>` for each notebook in turn (an interpreter, papermill's
import and a kernel start per notebook). A per-notebook breakdown (kernel start
and overhead, imports, compute) of the median pair comes from papermill's cell
timings; the CPU seconds (this process's children: interpreters, workers,
kernels) show how much work each side did, apart from how it was spread over
the cores.

What each side may reuse (the comparison is fair only with these rules):

* Both start every run from the same state: a fresh ``PTV_CACHE_DIR`` holding
  the processed tables (built once, untimed, and copied for every run) and no
  assessment, group test or calibration.
* Within its own run each side may reuse what an earlier notebook of the same
  run stored in that cache folder (``assess/``: group tests and assessments):
  notebook 05 reads what 03 computed, on both sides.
* Neither side preloads anything into a kernel: every kernel starts bare and
  imports what its notebook imports. The environment is the same (this
  process's); ``ptv report`` limits the BLAS/OpenMP threads of *its* kernels
  to cores / parallel kernels because it runs them side by side, which does
  not change a number (``results.json`` is identical).
* ``ptv report`` does more than the baseline: it also writes each page's HTML,
  ``results.json`` and the index, all inside its timed run.

Run: ``python bench/bench_report.py [--jobs 2] [--runs 3]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _children_cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def _tables_cache(folder: Path) -> None:
    """Build the processed tables (no assessment) into *folder*."""
    env = {**os.environ, "PTV_CACHE_DIR": str(folder)}
    warm = "import ptvlib; [ptvlib.load(n) for n in ptvlib.datasets()['name']]; ptvlib.source_agreement()"
    subprocess.run([sys.executable, "-c", warm], check=True, env=env)


def _fresh_env(template: Path, folder: Path) -> dict[str, str]:
    """Environment with its own PTV_CACHE_DIR: a copy of *template* (tables, nothing assessed)."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(template, folder)
    return {**os.environ, "PTV_CACHE_DIR": str(folder)}


def _sequential(tmp: Path, env: dict[str, str]) -> tuple[float, float, dict[str, float]]:
    """Every notebook with the papermill CLI, one after another: (wall s, CPU s, per notebook)."""
    per: dict[str, float] = {}
    cpu0, started = _children_cpu(), time.perf_counter()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        t0 = time.perf_counter()
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(nb),
                str(tmp / f"seq_{nb.name}"),
                "--no-progress-bar",
                "-p",
                "output_dir",
                str(tmp / "seq"),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env=env,
        )
        per[nb.stem] = time.perf_counter() - t0
    return time.perf_counter() - started, _children_cpu() - cpu0, per


def _report(tmp: Path, env: dict[str, str], jobs: int) -> tuple[float, float, dict[str, Any]]:
    """``ptv report``: (wall s, CPU s, results.json)."""
    out = tmp / "rep"
    shutil.rmtree(out, ignore_errors=True)
    cpu0, started = _children_cpu(), time.perf_counter()
    subprocess.run(
        [str(BIN / "ptv"), "report", "--out", str(out), "--jobs", str(jobs), "-q"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env=env,
    )
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu0
    year_dir = next(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    return wall, cpu, json.loads((year_dir / "results.json").read_text())


def main(jobs: int = 2, runs: int = 3) -> float:
    """Run *runs* pairs, print the table, return the median ratio report / sequential."""
    pairs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        template = tmp_path / "tables"
        _tables_cache(template)
        for run in range(runs):
            # Each side starts from the same state: tables built, nothing else cached.
            env_seq = _fresh_env(template, tmp_path / "cache-seq")
            env_rep = _fresh_env(template, tmp_path / "cache-rep")
            if run % 2 == 0:
                seq = _sequential(tmp_path, env_seq)
                rep = _report(tmp_path, env_rep, jobs)
            else:
                rep = _report(tmp_path, env_rep, jobs)
                seq = _sequential(tmp_path, env_seq)
            pairs.append({"seq": seq, "rep": rep, "ratio": rep[0] / seq[0]})

    print(
        f"{'pair':>4s} {'papermill CLI s':>15s} {'CPU s':>7s} {'ptv report s':>12s} {'CPU s':>7s} {'ratio':>6s}"
    )
    for k, p in enumerate(pairs, 1):
        (sw, sc, _), (rw, rc, _) = p["seq"], p["rep"]
        print(f"{k:4d} {sw:15.1f} {sc:7.1f} {rw:12.1f} {rc:7.1f} {p['ratio']:6.2f}")
    ratio = statistics.median(p["ratio"] for p in pairs)
    print(f"median ratio ptv report --jobs {jobs} / papermill CLI one after another: {ratio:.2f}")
    print()
    mid = sorted(pairs, key=lambda p: p["ratio"])[len(pairs) // 2]
    seq_per, results = mid["seq"][2], mid["rep"][2]
    print(
        f"{'notebook (median pair)':26s} {'papermill CLI s':>15s} {'report wall':>11s} "
        f"{'kernel+overhead':>15s} {'imports':>8s} {'compute':>8s}"
    )
    for r in results["notebooks"]:
        t = r["timings"]
        print(
            f"{r['notebook']:26s} {seq_per[r['notebook']]:15.1f} {t['wall']:11.1f} "
            f"{t['kernel_start_and_overhead']:15.1f} {t['imports']:8.1f} {t['compute']:8.1f}"
        )
    return ratio


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    main(args.jobs, args.runs)
