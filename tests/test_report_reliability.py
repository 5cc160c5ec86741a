"""``ptv report`` as a user runs it (a real subprocess): paths, stale output, concurrency, interrupts.

* relative and ``~`` paths reach the kernels (they run in the report folder);
* a run whose notebooks fail never shows the previous run's verdicts;
* a second run into the same folder is refused while the first runs; Ctrl-C
  stops scheduling and every kernel, exits 130 and keeps the previous report;
* when ``ptv`` is SIGKILLed its workers and kernels die too, and the next run
  does not trust what was left half-written;
* report files follow the umask.

The interrupt tests use small notebooks written here (one waits until it is
stopped), so what is tested is the runner, not how long an analysis takes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
from pathlib import Path

import psutil
import pytest
from _procs import (
    WAIT,
    alive,
    kernels_of,
    kill_all,
    ptv,
    quick,
    results,
    start_ptv,
    wait_for,
    write_notebooks,
)

from ptvlib.basics import config
from ptvlib.data.demo import demo_own_data

pytestmark = pytest.mark.slow

AREAS = "030115,030101"


def _own_did(report: Path) -> list[dict]:
    side = json.loads((report / "06_bydel.json").read_text(encoding="utf-8"))
    return [h for h in side["headlines"] if h.get("design_key") == "own_ri"]


def test_relative_and_home_paths_reach_the_kernels(tmp_path: Path) -> None:
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    demo_own_data(work / "export.csv")
    shutil.copy(work / "export.csv", home / "export.csv")
    (work / "mydata").symlink_to(config.PROJECT_DIR / "data")
    (work / "params.yaml").write_text('treated_areas: ["030115", "030101"]\n', encoding="utf-8")
    env = {"PTV_CACHE_DIR": "relcache", "PTV_DATA_DIR": "mydata", "HOME": str(home)}
    nb = ["--notebook", "06_bydel", "-q"]

    # The README's example: a relative own_data, a relative -f file, relative PTV_*_DIR.
    proc = ptv(
        ["report", "--out", "out", *nb, "-f", "params.yaml", "-p", "own_data", "export.csv"],
        cwd=work,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = work / "out" / "2024"
    assert len(_own_did(report)) >= 3, "notebook 06 ran its designs on the own data"
    # The kernels found the relative file (the designs ran); the report names the file, never
    # a folder of this machine (results.json is shared with the report).
    assert results(report)["params"]["own_data"] == "export.csv"
    assert list((work / "relcache" / "tables").glob("population-*.parquet")), "cache in cwd"
    assert not list(report.rglob("relcache")), "no cache inside the report"
    assert not list(report.rglob("*.parquet")), "the own data are not copied into the report"

    # PTV_OWN_DATA with ~ (no own_data parameter).
    proc = ptv(
        ["report", "--out", "out", *nb, "-p", "treated_areas", AREAS],
        cwd=work,
        env=env | {"PTV_OWN_DATA": "~/export.csv"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert results(report)["params"]["own_data"] == "export.csv"
    assert len(_own_did(report)) >= 3


def test_a_failed_run_never_shows_the_previous_verdicts(tmp_path: Path) -> None:
    args = ["report", "--out", "out", "--notebook", "05_assessment_summary", "-q"]
    args += ["-p", "offence_groups", "violence"]
    first = ptv(args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    report = tmp_path / "out" / "2024"
    earlier = results(report)["notebooks"][0]["sidecar"]["headlines"]
    texts = [h["text"] for h in earlier if h.get("text")]
    first_index = (report / "index.html").read_text(encoding="utf-8")
    assert texts and "class='ptv-badge" in first_index
    verdict_line = "Vold og mishandling: uavklart etter 2018 (primærutfall)."
    assert verdict_line in first_index

    again = ptv(
        [*args, "-p", "start_year", "2020", "-p", "force_error", "05_assessment_summary"],
        cwd=tmp_path,
    )
    assert again.returncode == 1, again.stderr[-3000:]
    index = (report / "index.html").read_text(encoding="utf-8")
    assert "data-failed='05_assessment_summary'" in index
    for text in [*texts, verdict_line]:
        assert text not in index, "a verdict of the previous run is shown"
    assert "class='ptv-badge" not in index
    assert not (report / "05_assessment_summary.json").exists()
    res = results(report)
    assert res["params"]["start_year"] == 2020 and res["notebooks"][0]["sidecar"] is None


def test_a_second_run_is_refused_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    quick_nbs = write_notebooks(tmp_path / "quick", {"01_quick": quick("01_quick", "earlier run")})
    wait_nbs = write_notebooks(tmp_path / "wait", {f"0{i}_wait": WAIT for i in (1, 2, 3)})
    markers = tmp_path / "markers"
    markers.mkdir()
    env = {"PTV_TEST_MARKERS": str(markers)}
    earlier = ptv(
        ["report", "--out", "out", "--jobs", "100"],
        cwd=tmp_path,
        env=env | {"PTV_NOTEBOOKS_DIR": str(quick_nbs)},
    )
    assert earlier.returncode == 0, earlier.stderr[-3000:]
    assert "jobs=100 capped at 1: 1 notebook(s)" in earlier.stderr
    report = tmp_path / "out" / "2024"
    before = {p.name: p.read_bytes() for p in report.rglob("*") if p.is_file()}

    a = start_ptv(
        ["report", "--out", "out", "--jobs", "2"],
        cwd=tmp_path,
        env=env | {"PTV_NOTEBOOKS_DIR": str(wait_nbs)},
    )
    tree = []
    try:
        wait_for(
            lambda: len(kernels_of(a.pid)) == 2 and len(list(markers.glob("0?_wait.started"))) == 2,
            "two kernels running",
        )
        tree = psutil.Process(a.pid).children(recursive=True)
        # The kernels run in a staging folder, not in the report a reader sees.
        cwd = Path(next(markers.glob("01_wait.started")).read_text())
        assert cwd.parent == tmp_path / "out" and cwd.name.startswith(".2024.ptv-run-")

        b = ptv(
            ["report", "--out", "out"],
            cwd=tmp_path,
            env={"PTV_NOTEBOOKS_DIR": str(quick_nbs)},
            timeout=120,
        )
        assert b.returncode == 4, b.stderr
        assert f"another ptv report (pid {a.pid} on " in b.stderr and "Traceback" not in b.stderr

        a.send_signal(signal.SIGINT)  # to ptv alone, not its process group
        assert a.wait(timeout=60) == 130
    finally:
        kill_all([*tree, *kernels_of(a.pid)])
        if a.poll() is None:
            a.kill()
    assert "interrupted" in (tmp_path / "ptv.err").read_text()
    wait_for(lambda: not alive(tree), "workers and kernels gone", deadline=30)
    assert not (markers / "03_wait.started").exists(), "no notebook started after Ctrl-C"
    assert {p.name: p.read_bytes() for p in report.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".2024.ptv-lock", "2024"]


def test_killing_ptv_kills_its_kernels_and_nothing_half_written_is_trusted(tmp_path: Path) -> None:
    wait_nbs = write_notebooks(tmp_path / "wait", {"01_wait": WAIT, "02_wait": WAIT})
    quick_nbs = write_notebooks(
        tmp_path / "quick", {"01_quick": quick("01_quick", "after the kill")}
    )
    markers = tmp_path / "markers"
    markers.mkdir()
    env = {"PTV_TEST_MARKERS": str(markers), "PTV_NOTEBOOKS_DIR": str(wait_nbs)}
    a = start_ptv(["report", "--out", "out", "--jobs", "2"], cwd=tmp_path, env=env)
    tree = []
    try:
        wait_for(lambda: len(kernels_of(a.pid)) == 2, "two kernels running")
        tree = psutil.Process(a.pid).children(recursive=True)
        assert len(tree) >= 4, "two workers and their kernels"
        a.kill()  # SIGKILL: ptv cannot clean up anything itself
        a.wait(timeout=30)
        wait_for(lambda: not alive(tree), "orphaned workers and kernels to die", deadline=30)
    finally:
        kill_all(tree)
    out = tmp_path / "out"
    assert not (out / "2024").exists(), "nothing was published"
    left = [p for p in out.iterdir() if p.name.startswith(".2024.ptv-run-")]
    assert left, "the dead run's staging folder is left behind"

    proc = ptv(
        ["report", "--out", "out"],
        cwd=tmp_path,
        env={"PTV_NOTEBOOKS_DIR": str(quick_nbs)},
        preexec=lambda: os.umask(0o027),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (row,) = results(out / "2024")["notebooks"]
    assert (
        row["notebook"] == "01_quick" and row["sidecar"]["headlines"][0]["text"] == "after the kill"
    )
    assert sorted(p.name for p in out.iterdir()) == [".2024.ptv-lock", "2024"], "leftovers removed"
    # Files and folders follow the umask (027 here), not the 0600 of a temporary file.
    for path in (out / "2024").rglob("*"):
        want = 0o750 if path.is_dir() else 0o640
        assert stat.S_IMODE(path.stat().st_mode) == want, path.name
    assert stat.S_IMODE((out / "2024").stat().st_mode) == 0o750
