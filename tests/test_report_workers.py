"""How ``ptv report`` spreads its work: start order, threads per kernel, what the parent does once, locks.

The wall time itself is measured in ``bench/bench_report.py`` (a ratio against
the papermill CLI in the same run); these tests check the mechanisms behind it.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ptvlib.basics.io import FileLock
from ptvlib.report import processes, runner


def test_the_longest_notebook_starts_first_and_the_readers_of_its_cache_last() -> None:
    jobs = [{"notebook": str(p)} for p in runner.notebooks()]
    order = [Path(j["notebook"]).stem for j in runner._scheduled(jobs)]
    assert order[0] == "03_funding_effect"
    assert order[-1] == "05_assessment_summary"
    # The others keep their numbered order, and nothing is lost or repeated.
    middle = [s for s in order if s not in ("03_funding_effect", "05_assessment_summary")]
    assert middle == sorted(middle)
    assert sorted(order) == sorted(Path(j["notebook"]).stem for j in jobs)


def test_parallel_kernels_share_the_cores_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processes, "cpu_count", lambda: 4)
    assert processes.thread_env(2, {}) == dict.fromkeys(processes.THREAD_VARIABLES, "2")
    assert processes.thread_env(1, {}) == dict.fromkeys(processes.THREAD_VARIABLES, "4")
    assert set(processes.thread_env(8, {}).values()) == {"1"}
    # What the user set is theirs.
    mine = processes.thread_env(2, {"OPENBLAS_NUM_THREADS": "3"})
    assert "OPENBLAS_NUM_THREADS" not in mine and mine["OMP_NUM_THREADS"] == "2"


def test_the_parent_imports_without_the_iri_checker_and_warms_the_export() -> None:
    code = (
        "import sys\n"
        "from ptvlib.report.worker_setup import prepare_workers\n"
        "prepare_workers('en')\n"
        "assert 'papermill' in sys.modules and 'nbconvert' in sys.modules\n"
        "assert 'rfc3987_syntax' not in sys.modules, 'the IRI checker was imported'\n"
        "import nbformat\n"
        "from nbformat.v4 import new_code_cell, new_notebook\n"
        "nbformat.validate(new_notebook(cells=[new_code_cell('1')]))\n"
        "bad = new_notebook(); bad['cells'] = [{'cell_type': 'nonsense'}]\n"
        "try:\n"
        "    nbformat.validate(bad)\n"
        "except nbformat.ValidationError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('validation no longer rejects a bad notebook')\n"
        "import rfc3987_syntax  # still importable for anything else\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def _try_lock(path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        queue.put("held")
    else:
        queue.put("free")
    finally:
        os.close(fd)


def test_a_file_lock_keeps_a_second_process_out_until_it_is_released(tmp_path: Path) -> None:
    path = tmp_path / "sub" / ".x.lock"
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    with FileLock(path):
        child = ctx.Process(target=_try_lock, args=(str(path), queue))
        child.start()
        child.join(30)
        assert queue.get(timeout=30) == "held"
    child = ctx.Process(target=_try_lock, args=(str(path), queue))
    child.start()
    child.join(30)
    assert queue.get(timeout=30) == "free"


def test_a_file_lock_that_cannot_be_created_does_not_stop_the_work(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with FileLock(blocker / "cannot" / ".x.lock") as lock:  # a file is in the way
        assert lock.fd is None


def _run_with_deaths(deaths: int, message: str, out_dir: str, queue) -> None:  # type: ignore[no-untyped-def]
    """In a forked child (``_run_one`` redirects stderr): a kernel that dies *deaths* times."""
    import papermill

    from ptvlib.report import runner

    calls = []

    def fake(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) <= deaths:
            raise RuntimeError(message)

    papermill.execute_notebook = fake
    job = {"notebook": "nb/01_x.ipynb", "out_dir": out_dir, "parameters": {}, "kernel": "k",
           "timeout": 10, "lang": "nb"}  # fmt: skip
    queue.put((runner._run_one(job), len(calls)))


@pytest.mark.parametrize(
    ("deaths", "message", "ok", "calls"),
    [
        (1, "Kernel died before replying to kernel_info", True, 2),
        (2, "Kernel died before replying to kernel_info", True, 3),
        (3, "Kernel died before replying to kernel_info", False, 3),
        (1, "Kernel died while waiting for execute reply", False, 1),  # a cell ran: not again
    ],
)
def test_a_kernel_that_dies_before_it_answers_is_started_again(
    tmp_path: Path, deaths: int, message: str, ok: bool, calls: int
) -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_run_with_deaths, args=(deaths, message, str(tmp_path), queue))
    child.start()
    status, n = queue.get(timeout=60)
    child.join(timeout=60)
    assert (status["ok"], n) == (ok, calls)
    if not ok:
        assert status["cell"] == "(kernel)" and message in status["error"]
    if deaths and ok:
        log = (tmp_path / "logs" / "01_x.log").read_text()
        assert "starting its kernel again" in log
