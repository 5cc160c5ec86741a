"""Benchmark: `ptv report` against running the same notebooks one after another with papermill's CLI.

Both run in this one command on the same machine, so the ratio is meaningful
even when absolute times drift. `ptv report` imports papermill once, forks
parallel workers, and runs the notebooks in parallel kernels; the baseline runs
`papermill <nb> <out>` for each notebook in turn (an interpreter, papermill's
import and a kernel start per notebook). A per-notebook breakdown (kernel start
and overhead, imports, compute) comes from papermill's cell timings.

Run: ``python bench/bench_report.py [--jobs 2]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _fresh_cache(root: Path, name: str) -> dict[str, str]:
    """Environment with its own PTV_CACHE_DIR holding the processed tables but no assessments."""
    env = {**os.environ, "PTV_CACHE_DIR": str(root / name)}
    warm = "import ptvlib; [ptvlib.load(n) for n in ptvlib.datasets()['name']]; ptvlib.source_agreement()"
    subprocess.run([sys.executable, "-c", warm], check=True, env=env)
    return env


def main(jobs: int = 2) -> float:
    """Run both, print the table, return the ratio report / sequential."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        # Each side starts from the same state: tables built, nothing else cached.
        env_seq = _fresh_cache(tmp_path, "cache-seq")
        env_rep = _fresh_cache(tmp_path, "cache-rep")

        started = time.perf_counter()
        seq = {}
        for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
            t0 = time.perf_counter()
            subprocess.run(
                [
                    str(BIN / "papermill"),
                    str(nb),
                    str(tmp_path / f"seq_{nb.name}"),
                    "--no-progress-bar",
                    "-p",
                    "output_dir",
                    str(tmp_path / "seq"),
                ],
                cwd=ROOT,
                check=True,
                capture_output=True,
                env=env_seq,
            )
            seq[nb.stem] = time.perf_counter() - t0
        sequential = time.perf_counter() - started

        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "ptv"), "report", "--out", str(tmp_path / "rep"), "--jobs", str(jobs), "-q"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env=env_rep,
        )
        report = time.perf_counter() - started
        year_dir = next(
            p for p in (tmp_path / "rep").iterdir() if p.is_dir() and not p.name.startswith(".")
        )
        results = json.loads((year_dir / "results.json").read_text())

    print(f"{'run':44s} {'seconds':>8s} {'ratio':>7s}")
    print(f"{'papermill CLI, notebooks one after another':44s} {sequential:8.1f} {1.0:7.2f}")
    print(f"{f'ptv report --jobs {jobs}':44s} {report:8.1f} {report / sequential:7.2f}")
    print()
    print(
        f"{'notebook':26s} {'papermill CLI s':>15s} {'report wall':>11s} {'kernel+overhead':>15s} {'imports':>8s} {'compute':>8s}"
    )
    for r in results["notebooks"]:
        t = r["timings"]
        print(
            f"{r['notebook']:26s} {seq[r['notebook']]:15.1f} {t['wall']:11.1f} "
            f"{t['kernel_start_and_overhead']:15.1f} {t['imports']:8.1f} {t['compute']:8.1f}"
        )
    return report / sequential


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2)
    main(parser.parse_args().jobs)
