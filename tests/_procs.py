"""Helpers for tests that run ``ptv`` as a real subprocess and watch its process tree."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import nbformat
import psutil

PTV = str(Path(sys.executable).with_name("ptv"))

_PR_CAPBSET_DROP = 24
# CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER: what lets root ignore file permissions.
_FILE_OVERRIDES = (1, 2, 3)


def obey_file_permissions() -> None:
    """``preexec_fn``: the child cannot ignore file permissions, even when run by root.

    Drops root's file-permission capabilities from the bounding set, so the
    program exec'd next runs without them (no-op for an ordinary user, who has
    none). A read-only folder is then read-only for the child for real.
    """
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in _FILE_OVERRIDES:
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def ptv(
    args: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``ptv *args`` and wait for it."""
    return subprocess.run(
        [PTV, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=preexec,
        check=False,
    )


def start_ptv(args: Sequence[str], *, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start ``ptv *args`` without waiting (its output goes to files in *cwd*)."""
    return subprocess.Popen(
        [PTV, *args],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=open(cwd / "ptv.out", "w"),
        stderr=open(cwd / "ptv.err", "w"),
        text=True,
    )


def kernels_of(pid: int) -> list[psutil.Process]:
    """The ipykernel processes below *pid*."""
    try:
        procs = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []
    out = []
    for p in procs:
        try:
            if "ipykernel" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.Error:
            continue
    return out


def wait_for(condition: Callable[[], bool], what: str, deadline: float = 120.0) -> None:
    """Poll *condition* until it holds (a deadline, not a timing assertion)."""
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.2)


def alive(procs: Sequence[psutil.Process]) -> list[psutil.Process]:
    """Those of *procs* still running (zombies count as gone)."""
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.Error:
            continue
    return out


def kill_all(procs: Sequence[psutil.Process]) -> None:
    """Clean-up after a failed test: SIGKILL whatever is left."""
    for p in alive(procs):
        try:
            p.kill()
        except psutil.Error:
            pass


def write_notebooks(folder: Path, bodies: dict[str, str]) -> Path:
    """Small notebooks for the runner's own tests: ``{stem: code}``, each with a parameters cell.

    The parameters cell declares ``year`` and ``output_dir`` (what the runner
    passes); the body runs after it. A marker ``<stem>.started`` is written into
    ``$PTV_TEST_MARKERS`` first, so a test can see which notebooks started.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for stem, body in bodies.items():
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell('year: int = 2024\noutput_dir: str = ""')
        params.metadata["tags"] = ["parameters"]
        start = (
            "import os, pathlib\n"
            "markers = os.environ.get('PTV_TEST_MARKERS')\n"
            "if markers:\n"
            f"    (pathlib.Path(markers) / {stem + '.started'!r}).write_text(os.getcwd())\n"
        )
        nb.cells = [nbformat.v4.new_code_cell("import time"), params]
        nb.cells += [nbformat.v4.new_code_cell(start), nbformat.v4.new_code_cell(body)]
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(nb, folder / f"{stem}.ipynb")
    return folder


#: A notebook body that records one headline and a verdict, like the real ones.
QUICK = (
    "from ptvlib.report import write_sidecar\n"
    "write_sidecar(output_dir, NAME, [{'outcome': 'x', 'design': 'd', 'estimate': 1.0, "
    "'verdict': 'decrease', 'text': TEXT}])"
)
#: A notebook body that runs until it is stopped.
WAIT = "time.sleep(600)"


def quick(stem: str, text: str) -> str:
    """The :data:`QUICK` body for notebook *stem* with verdict text *text*."""
    return f"NAME = {stem!r}\nTEXT = {text!r}\n" + QUICK


def results(folder: Path) -> dict:
    """``results.json`` of a report folder."""
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))
