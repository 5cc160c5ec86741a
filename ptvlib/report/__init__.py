"""The report: page texts, page figures, the batch runner and the HTML output.

Notebooks import from :mod:`ptvlib` and from here: :mod:`~ptvlib.report.texts`
(the text catalogue of the pages), :mod:`~ptvlib.report.figures` (page
figures), and the runner's API below (:func:`run_report`, :func:`write_sidecar`).
"""

from __future__ import annotations

from ptvlib.report.runner import (
    NOTEBOOKS_DIR,
    Failure,
    ReportResult,
    forced_error,
    notebook_parameters,
    notebooks,
    read_sidecar,
    run_report,
    write_sidecar,
)

__all__ = [
    "NOTEBOOKS_DIR",
    "Failure",
    "ReportResult",
    "forced_error",
    "notebook_parameters",
    "notebooks",
    "read_sidecar",
    "run_report",
    "write_sidecar",
]
