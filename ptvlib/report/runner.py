"""Batch run of the notebooks (papermill) and the HTML report of one assessment year.

``run_report`` runs every ``NN_*.ipynb`` of the notebooks folder
(:func:`ptvlib.basics.config.notebooks_dir`) with the same validated
parameters in parallel kernels, then publishes ``<out>/<year>/``:

* ``<stem>.ipynb`` — the executed notebook,
* ``<stem>.html`` — its HTML page with the code hidden (figures embedded),
* ``<stem>.json`` — the notebook's headline numbers (written by the notebook
  through :func:`write_sidecar`, stamped with the run id),
* ``results.json`` — every notebook's status, timings and headline numbers,
* ``index.html`` — the summary page linking everything, marking failures with
  the cell and the error,
* ``logs/`` — each kernel's log.

The run owns its output (:mod:`ptvlib.report.output`): kernels write into a
fresh staging folder that replaces the previous report in one atomic swap
when the run ends, and a second run into the same folder is refused. So the
index shows only what this run produced: a failed notebook is shown as failed,
never with an earlier run's numbers. Ctrl-C or the death of the parent stops
every worker and kernel (:mod:`ptvlib.report.processes`) and leaves the
previous report as it was.

Before any kernel starts, the paths the user gave (``own_data``,
``PTV_DATA_DIR``, ``PTV_CACHE_DIR``, ``PTV_OWN_DATA``, ``PTV_NOTEBOOKS_DIR``)
are made absolute against the caller's working directory and ``~`` (kernels
run in the report folder), and the own-data file is validated once and handed
to the kernels as a parquet file in the run's private work folder.

A failing notebook does not stop the others. Papermill and nbconvert are
imported, and the HTML export warmed, once in the parent
(:mod:`ptvlib.report.worker_setup`); workers are forked from it, so they do
not repeat it. The longest notebook starts first and the notebook that reads
the others' cached assessments last; each kernel gets its share of the cores'
BLAS threads (:func:`~ptvlib.report.processes.thread_env`) and is stopped at
once when its last cell has run.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ptvlib.assessment.params import Params
from ptvlib.basics import config, signed_cache
from ptvlib.basics.exceptions import ParameterError, WorkspaceError
from ptvlib.basics.io import atomic_write_text
from ptvlib.basics.version import __version__
from ptvlib.report.html import write_index
from ptvlib.report.output import ReportFolder, check_writable_folder
from ptvlib.report.processes import cpu_count, interrupts_raise, run_all, thread_env

__all__ = [
    "NOTEBOOKS_DIR",
    "RUN_ID_ENV",
    "Failure",
    "forced_error",
    "ReportResult",
    "notebook_parameters",
    "notebooks",
    "read_sidecar",
    "run_report",
    "write_sidecar",
]

#: Default folder of the notebooks: the checkout's, or the installed wheel's copy
#: (``PTV_NOTEBOOKS_DIR`` overrides it).
NOTEBOOKS_DIR: Path = (
    config.BUNDLE_DIR / "notebooks" if config.installed() else config.PROJECT_DIR / "notebooks"
)
#: Environment variable through which ``ptv report`` tells the kernels its run id.
RUN_ID_ENV = "PTV_RUN_ID"


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
    jobs : int
        Kernels that ran in parallel (``jobs`` capped by notebooks and cores).
    """

    index: Path
    failed: list[Failure] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    jobs: int = 1


def notebooks(names: Iterable[str] | None = None) -> list[Path]:
    """The notebooks in order, optionally only those whose stem is in *names*.

    They are the ``NN_*.ipynb`` files of :func:`ptvlib.basics.config.notebooks_dir`
    (``PTV_NOTEBOOKS_DIR``, default ``<project>/notebooks``).

    Raises
    ------
    WorkspaceError
        The folder holds no notebook (e.g. an installed package without them).
    ParameterError
        A requested notebook does not exist.
    """
    folder = config.notebooks_dir()
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise WorkspaceError(
            f"no notebooks (NN_*.ipynb) in {folder}; ptv report needs the project's notebooks: "
            "run it from a source checkout (pip install -e .) or set PTV_NOTEBOOKS_DIR to the "
            "notebooks folder"
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
        "run_id": os.environ.get(RUN_ID_ENV, ""),
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


def read_sidecar(
    output_dir: str | os.PathLike[str], notebook: str, *, run_id: str | None = None
) -> dict[str, Any] | None:
    """Read ``<output_dir>/<notebook>.json``.

    Parameters
    ----------
    output_dir : path-like
        Folder.
    notebook : str
        Notebook stem.
    run_id : str, optional
        Accept the sidecar only when it was written by this run.

    Returns
    -------
    dict or None
        None when absent, unreadable, or written by another run.
    """
    path = Path(output_dir) / f"{notebook}.json"
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(found, dict):
        return None
    if run_id is not None and found.get("run_id") != run_id:
        return None
    return dict(found)


# ------------------------------------------------------------------ worker
def _kernel_name() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    return "ptv-analyse" if "ptv-analyse" in specs else "python3"


def _export_html(nb_path: Path, html_path: Path, stem: str, lang: str) -> None:
    """The page of an executed notebook, in the report's language (:mod:`ptvlib.report.export`)."""
    from ptvlib.report.export import export_html, scrub_notebook

    scrub_notebook(nb_path)
    export_html(nb_path, html_path, stem=stem, lang=lang)  # type: ignore[arg-type]


def _run_control_env(params: Params, staging: Path) -> dict[str, str]:
    """Run-control values for the kernels, through their environment (never notebook parameters):
    where a page writes its numbers, the test hook, and the name of the analyst's own file
    (the kernels read a validated parquet copy of it)."""
    from ptvlib.report.run_control import ENV_FORCE_ERROR, ENV_OWN_DATA_NAME, ENV_REPORT_DIR

    return {
        ENV_REPORT_DIR: str(staging),
        ENV_FORCE_ERROR: params.force_error,
        ENV_OWN_DATA_NAME: Path(params.own_data).name if params.own_data else "",
    }


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


#: Fresh kernel starts after a kernel died before it answered (no cell had run). Two kernels
#: starting at the same moment in parallel workers can be handed the same free TCP port by
#: jupyter_client (it finds a free port, closes it, and the kernel binds it later); the kernel that
#: loses exits with "Address already in use" and the notebook would fail without having run.
_KERNEL_START_RETRIES = 2


def _died_at_start(err: BaseException) -> bool:
    """Whether *err* is a kernel that died before replying to ``kernel_info`` (nothing ran)."""
    return "before replying to kernel_info" in str(err)


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
    started = time.perf_counter()
    status: dict[str, Any] = {"notebook": stem, "ok": True, "cell": "", "error": ""}
    try:
        for attempt in range(1 + _KERNEL_START_RETRIES):
            try:
                papermill.execute_notebook(
                    str(src),
                    str(executed),
                    parameters=job["parameters"],
                    kernel_name=job["kernel"],
                    progress_bar=False,
                    cwd=str(out_dir),
                    execution_timeout=job["timeout"],
                    # Every output has arrived and the page wrote its numbers in its last cell:
                    # stop the kernel at once instead of waiting for its orderly exit (about
                    # 0.6 s a notebook on the 2-core machine; ptvlib registers no atexit hook).
                    shutdown_kernel="immediate",
                )
                break
            except RuntimeError as err:
                if not _died_at_start(err) or attempt == _KERNEL_START_RETRIES:
                    raise
                # No cell ran: start the notebook again (see _KERNEL_START_RETRIES).
                os.write(2, f"ptv: {stem}: {err}; starting its kernel again\n".encode())  # the log
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
def _parameters_for(nb: Path, params: Params) -> dict[str, Any]:
    import papermill

    declared = papermill.inspect_notebook(str(nb))
    # output_dir "." = the kernel's working folder, the run's staging folder: the executed
    # notebooks stay right after the staging folder is moved into place.
    values = params.as_dict() | {"output_dir": "."}
    return {k: v for k, v in values.items() if k in declared}


def _absolute(params: Params) -> Params:
    """``own_data`` and ``funding_data`` against the caller's working directory and ``~``.

    The kernels run elsewhere, so a relative path must not reach them.
    """

    def resolved(value: str) -> str:
        return str(Path(value).expanduser().resolve()) if value else value

    return dataclasses.replace(
        params, own_data=resolved(params.own_data), funding_data=resolved(params.funding_data)
    )


def _stage_own_data(params: Params, work: Path) -> str:
    """Validate the own-data file once and write a stamped parquet for the kernels; return its path.

    The kernels' :func:`ptvlib.load_own` recognises the stamp (schema version and
    checksums, the ``own_columns`` mapping it was read with; see
    :func:`ptvlib.write_validated`) and does not parse or validate again.
    """
    from ptvlib.data.own import write_validated

    target = work / "own_data.parquet"
    return str(write_validated(params.own_data, target, columns=params.own_column_map()))


def _worker_count(jobs: int, n_notebooks: int) -> tuple[int, str]:
    """Kernels to run in parallel, and why fewer than asked (empty when as asked)."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"jobs={jobs!r} is not allowed; allowed: 1 … {n_notebooks}")
    cores = cpu_count()
    used = min(jobs, n_notebooks, cores)
    if used == jobs:
        return used, ""
    why = f"{n_notebooks} notebook(s)" if used == n_notebooks else f"{cores} CPU core(s)"
    return used, f"jobs={jobs} capped at {used}: {why}"


#: Started first: the longest notebook (the assessments of every outcome), so that it
#: never starts last on a busy worker.
_RUN_FIRST: tuple[str, ...] = ("03_funding_effect",)
#: Started last: notebooks that read what others of the run stored in the cache
#: (05 reads 03's assessments and group tests); started earlier they would wait
#: for 03's locks with a core idle.
_RUN_LAST: tuple[str, ...] = ("05_assessment_summary",)


def _scheduled(jobs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """*jobs* in the order they start: :data:`_RUN_FIRST`, the others as given, :data:`_RUN_LAST`."""

    def rank(job: Mapping[str, Any]) -> int:
        stem = Path(str(job["notebook"])).stem
        return 0 if stem in _RUN_FIRST else 2 if stem in _RUN_LAST else 1

    return sorted(jobs, key=rank)


def _crashed(job: Mapping[str, Any], exitcode: int | None, seconds: float) -> dict[str, Any]:
    stem = Path(str(job["notebook"])).stem
    return {
        "notebook": stem,
        "ok": False,
        "cell": "(worker)",
        "error": f"the worker process running {stem} ended with exit code {exitcode}",
        "timings": {"wall": round(seconds, 3)},
    }


def run_report(
    params: Params,
    *,
    out: Path = Path("reports"),
    jobs: int = 2,
    notebooks: Sequence[str] | None = None,
    timeout: int = 1200,
    progress: bool = True,
) -> ReportResult:
    """Run the notebooks for ``params.year`` and publish the HTML report in ``out/<year>/``.

    Parameters
    ----------
    params : Params
        Validated parameters (see :func:`ptvlib.assessment.params.validate_params`).
    out : pathlib.Path
        Output root; the report goes to ``out/<year>/``, replacing an earlier
        report there only when the run ends.
    jobs : int
        Notebooks run in parallel: 1 or more, capped at the number of
        notebooks and of CPU cores (the result says what was used).
    notebooks : sequence of str, optional
        Stems to run (default: all).
    timeout : int
        Seconds allowed per cell (> 0).
    progress : bool
        Print one line per notebook start/finish to stderr.

    Returns
    -------
    ReportResult

    Raises
    ------
    ParameterError
        *jobs*, *timeout* or *notebooks* are not allowed.
    OwnDataError
        The own-data file fails validation.
    WorkspaceError
        No notebooks; ``out`` or the cache folder cannot be written; another
        run is writing the same report.
    KeyboardInterrupt
        Ctrl-C (or :class:`~ptvlib.report.processes.Interrupted` for SIGTERM/SIGHUP),
        after every worker and kernel has stopped; the previous report is unchanged.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
        raise ParameterError(f"timeout={timeout!r} is not allowed; allowed: seconds > 0")
    from ptvlib.report import runner as _self

    nbs = _self.notebooks(notebooks)
    workers, capped = _worker_count(jobs, len(nbs))
    params = _absolute(params)
    env = config.resolved_path_env()
    check_writable_folder(config.cache_dir(), "PTV_CACHE_DIR")
    signed_cache.installation_key()  # create or check the key once, before the kernels

    def say(msg: str) -> None:
        if progress:
            print(msg, file=sys.stderr, flush=True)

    # Imported and compiled once here: the forked workers inherit them instead of repeating it.
    from ptvlib.report.worker_setup import prepare_workers

    prepare_workers(params.lang)

    kernel = _kernel_name()
    started = time.perf_counter()
    statuses: dict[str, dict[str, Any]] = {}
    with interrupts_raise(), ReportFolder(out, str(params.year)) as folder:
        kernel_params = params
        if params.own_data:
            kernel_params = dataclasses.replace(
                params, own_data=_stage_own_data(params, folder.work)
            )
        job_list = [
            {
                "notebook": str(nb),
                "out_dir": str(folder.staging),
                "parameters": _parameters_for(nb, kernel_params),
                "kernel": kernel,
                "timeout": timeout,
                "lang": params.lang,
            }
            for nb in nbs
        ]
        job_list = _scheduled(job_list)
        total = len(job_list)
        say(
            f"running {total} notebook(s) in {workers} parallel kernel(s)"
            + (f" ({capped})" if capped else "")
            + f" into {folder.target} ..."
        )

        def done(st: dict[str, Any]) -> None:
            statuses[st["notebook"]] = st
            mark = "ok" if st["ok"] else f"FAILED at {st['cell']}: {st['error']}"
            say(
                f"[{len(statuses)}/{total}] {st['notebook']} {mark} ({st['timings']['wall']:.1f} s)"
            )

        run_all(
            _run_one,
            job_list,
            workers=workers,
            env=env
            | thread_env(workers)
            | {RUN_ID_ENV: folder.run_id}
            | _run_control_env(params, folder.staging),
            on_done=done,
            on_crash=_crashed,
        )
        elapsed = time.perf_counter() - started
        results = _write_results(
            params, folder, [nb.stem for nb in nbs], statuses, elapsed, workers
        )
        write_index(params, folder.staging, results)
        target = folder.publish()
    failed = [
        Failure(s["notebook"], s["cell"], s["error"]) for s in results["notebooks"] if not s["ok"]
    ]
    return ReportResult(index=target / "index.html", failed=failed, results=results, jobs=workers)


def _write_results(
    params: Params,
    folder: ReportFolder,
    order: list[str],
    statuses: dict[str, dict[str, Any]],
    elapsed: float,
    workers: int,
) -> dict[str, Any]:
    out_dir = folder.staging
    rows = []
    for stem in order:
        st = dict(statuses[stem])
        st["sidecar"] = read_sidecar(out_dir, stem, run_id=folder.run_id)
        st["html"] = f"{stem}.html" if (out_dir / f"{stem}.html").exists() else ""
        rows.append(st)
    results = {
        "year": params.year,
        "lang": params.lang,
        "params": _shown_params(params),
        "ptvlib_version": __version__,
        "run_id": folder.run_id,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "elapsed_seconds": round(elapsed, 2),
        "jobs": workers,
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
    for name in ("own_data", "funding_data"):
        if shown.get(name):
            shown[name] = Path(str(shown[name])).name
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
