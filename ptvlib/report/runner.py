"""Batch run of the notebooks (papermill) and the HTML report of one assessment year.

``run_report`` runs every ``notebooks/NN_*.ipynb`` with the same validated
parameters in parallel kernels, then writes to ``<out>/<year>/``:

* ``<stem>.ipynb`` — the executed notebook,
* ``<stem>.html`` — its HTML page with the code hidden (figures embedded),
* ``<stem>.json`` — the notebook's headline numbers (written by the notebook
  through :func:`write_sidecar`),
* ``results.json`` — every notebook's status, timings and headline numbers,
* ``index.html`` — the summary page linking everything, marking failures with
  the cell and the error.

A failing notebook does not stop the others. Papermill is imported once in the
parent; workers are forked from it, so they do not import it again.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ptvlib.assessment.params import Params
from ptvlib.basics import config
from ptvlib.basics.io import atomic_write_text
from ptvlib.basics.version import __version__
from ptvlib.report.html import write_index

__all__ = [
    "NOTEBOOKS_DIR",
    "Failure",
    "forced_error",
    "ReportResult",
    "notebook_parameters",
    "notebooks",
    "read_sidecar",
    "run_report",
    "write_sidecar",
]

#: Folder of the project's notebooks (the checkout's, or the installed wheel's copy).
NOTEBOOKS_DIR: Path = config.notebooks_dir()


@dataclass(frozen=True)
class Failure:
    """A notebook that failed: which one, in which cell, with what error."""

    notebook: str
    cell: str
    error: str


@dataclass(frozen=True)
class ReportResult:
    """Outcome of :func:`run_report`.

    Attributes
    ----------
    index : pathlib.Path
        The report's ``index.html``.
    failed : list of Failure
        Notebooks that failed (empty when all ran).
    results : dict
        Contents of ``results.json``.
    """

    index: Path
    failed: list[Failure] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)


def notebooks(names: Iterable[str] | None = None) -> list[Path]:
    """The project's notebooks in order, optionally only those whose stem is in *names*.

    Raises
    ------
    ParameterError
        A requested notebook does not exist.
    """
    from ptvlib.basics.exceptions import ParameterError

    found = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise ParameterError(
            f"no notebooks (NN_name.ipynb) found in {NOTEBOOKS_DIR}; reinstall ptv-analyse or "
            "run it from the project folder"
        )
    if names is None:
        return found
    wanted = list(names)
    stems = {p.stem: p for p in found}
    bad = [n for n in wanted if n not in stems]
    if bad:
        raise ParameterError(f"notebook={bad} not found; allowed: {', '.join(stems)}")
    return [stems[n] for n in wanted]


def notebook_parameters() -> list[dict[str, Any]]:
    """Every parameter declared in the notebooks' ``parameters`` cells.

    Returns
    -------
    list of dict
        ``name``, ``type``, ``help`` and ``notebooks`` (stems that declare it).
    """
    import papermill

    rows: dict[str, dict[str, Any]] = {}
    for nb in notebooks():
        for name, info in papermill.inspect_notebook(str(nb)).items():
            row = rows.setdefault(
                name,
                {
                    "name": name,
                    "type": info["inferred_type_name"],
                    "help": info["help"],
                    "notebooks": [],
                },
            )
            row["notebooks"].append(nb.stem[:2])
    for row in rows.values():
        row["notebooks"] = ",".join(row["notebooks"])
    return list(rows.values())


# ---------------------------------------------------------------- sidecars
def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        return _jsonable(value.item())
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def write_sidecar(
    output_dir: str | os.PathLike[str],
    notebook: str,
    headlines: Sequence[Mapping[str, Any]],
    *,
    params: Params | Mapping[str, Any] | None = None,
    notes: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> Path | None:
    """Write a notebook's headline numbers as ``<output_dir>/<notebook>.json``.

    Parameters
    ----------
    output_dir : path-like
        Folder (``""`` = interactive run: nothing is written).
    notebook : str
        Notebook stem.
    headlines : sequence of mapping
        Rows such as ``{"outcome": ..., "design": ..., "estimate": ..., "ci_low": ...,
        "ci_high": ..., "p_value": ..., "verdict": ..., "text": ...}``.
    params : Params or mapping, optional
        Parameters of the run (recorded).
    notes : sequence of str
        Caveats to show next to the numbers.
    extra : mapping, optional
        More top-level keys (the page title, data provenance, warnings,
        ``answerability`` and ``calibration`` of the assessment); they never
        replace the keys above.

    Returns
    -------
    pathlib.Path or None
        The file written, or None when *output_dir* is empty.
    """
    if not str(output_dir):
        return None
    p = params.as_dict() if isinstance(params, Params) else dict(params or {})
    payload = {
        "notebook": notebook,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "ptvlib_version": __version__,
        "params": p,
        "headlines": list(headlines),
        "notes": list(notes),
    }
    payload.update({k: v for k, v in dict(extra or {}).items() if k not in payload})
    target = Path(output_dir) / f"{notebook}.json"
    atomic_write_text(target, json.dumps(_jsonable(payload), ensure_ascii=False, indent=2))
    return target


def read_sidecar(output_dir: str | os.PathLike[str], notebook: str) -> dict[str, Any] | None:
    """Read ``<output_dir>/<notebook>.json`` (None if absent)."""
    path = Path(output_dir) / f"{notebook}.json"
    if not path.exists():
        return None
    return dict(json.loads(path.read_text(encoding="utf-8")))


# ------------------------------------------------------------------ worker
def _kernel_name() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    return "ptv-analyse" if "ptv-analyse" in specs else "python3"


def _export_html(nb_path: Path, html_path: Path, stem: str, lang: str) -> None:
    from ptvlib.report.export import export_html, scrub_notebook

    scrub_notebook(nb_path)
    export_html(nb_path, html_path, stem=stem, lang=lang)  # type: ignore[arg-type]


def _run_control_env(job: dict[str, Any]) -> None:
    """Run-control values for the kernel: where the page writes its numbers, the test hook.

    They reach the notebook through the environment (the kernel inherits this
    worker's), not through its parameters cell.
    """
    from ptvlib.report.run_control import ENV_FORCE_ERROR, ENV_REPORT_DIR

    os.environ[ENV_REPORT_DIR] = str(job["out_dir"])
    os.environ[ENV_FORCE_ERROR] = str(job.get("force_error", ""))


def _timings(nb_path: Path, wall: float) -> dict[str, float]:
    """Kernel start, imports (first code cell) and compute, from papermill's cell metadata."""
    import nbformat

    node = nbformat.read(nb_path, as_version=4)
    durations = [
        float(c.metadata.get("papermill", {}).get("duration") or 0.0)
        for c in node.cells
        if c.cell_type == "code"
    ]
    cells = sum(durations)
    imports = durations[0] if durations else 0.0
    return {
        "wall": round(wall, 3),
        "kernel_start_and_overhead": round(max(wall - cells, 0.0), 3),
        "imports": round(imports, 3),
        "compute": round(max(cells - imports, 0.0), 3),
    }


def _run_one(job: dict[str, Any]) -> dict[str, Any]:
    """Execute one notebook and export its HTML (runs in a worker process)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    src, out_dir = Path(job["notebook"]), Path(job["out_dir"])
    stem = src.stem
    # The kernel inherits this worker's stderr: send its log lines to a file, not the terminal.
    logs = out_dir / "logs"
    logs.mkdir(exist_ok=True)
    with open(logs / f"{stem}.log", "ab") as log:
        os.dup2(log.fileno(), 2)
    executed = out_dir / f"{stem}.ipynb"
    _run_control_env(job)
    started = time.perf_counter()
    status: dict[str, Any] = {"notebook": stem, "ok": True, "cell": "", "error": ""}
    try:
        papermill.execute_notebook(
            str(src),
            str(executed),
            parameters=job["parameters"],
            kernel_name=job["kernel"],
            progress_bar=False,
            cwd=str(out_dir),
            execution_timeout=job["timeout"],
        )
    except PapermillExecutionError as err:
        status.update(ok=False, cell=f"In [{err.exec_count}]", error=f"{err.ename}: {err.evalue}")
    except Exception as err:  # kernel died, timeout, bad notebook ...
        status.update(ok=False, cell="(kernel)", error=f"{type(err).__name__}: {err}")
    wall = time.perf_counter() - started
    if executed.exists():
        try:
            _export_html(executed, out_dir / f"{stem}.html", stem, job["lang"])
            status["timings"] = _timings(executed, wall)
        except Exception as err:  # HTML export of a broken notebook
            status.update(
                ok=False,
                cell=status["cell"] or "(html export)",
                error=status["error"] or f"HTML export failed: {err}",
            )
    status.setdefault("timings", {"wall": round(wall, 3)})
    return status


# ----------------------------------------------------------------- runner
def _parameters_for(nb: Path, params: Params, out_dir: Path) -> dict[str, Any]:
    import papermill

    declared = papermill.inspect_notebook(str(nb))
    values = params.as_dict()
    return {k: v for k, v in values.items() if k in declared}


def run_report(
    params: Params,
    *,
    out: Path = Path("reports"),
    jobs: int = 2,
    notebooks: Sequence[str] | None = None,
    timeout: int = 1200,
    progress: bool = True,
) -> ReportResult:
    """Run the notebooks for ``params.year`` and write the HTML report.

    Parameters
    ----------
    params : Params
        Validated parameters (see :func:`ptvlib.assessment.params.validate_params`).
    out : pathlib.Path
        Output root; the report goes to ``out/<year>/``.
    jobs : int
        Notebooks run in parallel.
    notebooks : sequence of str, optional
        Stems to run (default: all).
    timeout : int
        Seconds allowed per cell.
    progress : bool
        Print one line per notebook start/finish to stderr.

    Returns
    -------
    ReportResult
    """
    # Imported once here: the forked workers inherit them instead of importing them again.
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    from ptvlib.report import runner as _self

    nbs = _self.notebooks(notebooks)
    out_dir = (Path(out) / str(params.year)).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    kernel = _kernel_name()
    job_list = [
        {
            "notebook": str(nb),
            "out_dir": str(out_dir),
            "parameters": _parameters_for(nb, params, out_dir),
            "kernel": kernel,
            "timeout": timeout,
            "lang": params.lang,
            "force_error": params.force_error,
        }
        for nb in nbs
    ]
    # Slowest first, so the long notebook does not start last on a busy worker.
    job_list.sort(key=lambda j: Path(str(j["notebook"])).stem != "03_funding_effect")
    started = time.perf_counter()
    statuses: dict[str, dict[str, Any]] = {}

    def say(msg: str) -> None:
        if progress:
            print(msg, file=sys.stderr, flush=True)

    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    total = len(job_list)
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=ctx) as pool:
        futures = {pool.submit(_run_one, job): job for job in job_list}
        say(f"running {total} notebooks in {max(1, jobs)} parallel kernel(s) ...")
        for fut in as_completed(futures):
            st = fut.result()
            statuses[st["notebook"]] = st
            mark = "ok" if st["ok"] else f"FAILED at {st['cell']}: {st['error']}"
            wall = st["timings"]["wall"]
            say(f"[{len(statuses)}/{total}] {st['notebook']} {mark} ({wall:.1f} s)")
    elapsed = time.perf_counter() - started
    results = _write_results(params, out_dir, [nb.stem for nb in nbs], statuses, elapsed)
    index = write_index(params, out_dir, results)
    failed = [
        Failure(s["notebook"], s["cell"], s["error"]) for s in results["notebooks"] if not s["ok"]
    ]
    return ReportResult(index=index, failed=failed, results=results)


def _write_results(
    params: Params,
    out_dir: Path,
    order: list[str],
    statuses: dict[str, dict[str, Any]],
    elapsed: float,
) -> dict[str, Any]:
    rows = []
    for stem in order:
        st = dict(statuses[stem])
        st["sidecar"] = read_sidecar(out_dir, stem)
        st["html"] = f"{stem}.html" if (out_dir / f"{stem}.html").exists() else ""
        rows.append(st)
    results = {
        "year": params.year,
        "lang": params.lang,
        "params": _shown_params(params),
        "ptvlib_version": __version__,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "elapsed_seconds": round(elapsed, 2),
        "notebooks": rows,
    }
    atomic_write_text(
        out_dir / "results.json", json.dumps(_jsonable(results), ensure_ascii=False, indent=2)
    )
    return results


def _shown_params(params: Params) -> dict[str, Any]:
    """Parameters as recorded in results.json: no run-control values, no machine paths."""
    from ptvlib.report.run_control import RUN_CONTROL

    shown = {k: v for k, v in params.as_dict().items() if k not in RUN_CONTROL}
    if shown.get("own_data"):
        shown["own_data"] = Path(str(shown["own_data"])).name
    return shown


def forced_error(params: Params, notebook: str) -> None:
    """Raise on purpose when ``params.force_error`` names *notebook* (test-only parameter).

    Lets the test suite check that a failing notebook does not stop ``ptv report``.

    Raises
    ------
    RuntimeError
        When ``params.force_error == notebook``.
    """
    if params.force_error == notebook:
        raise RuntimeError(f"forced failure of {notebook} (force_error={params.force_error!r})")
