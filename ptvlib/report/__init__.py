"""The report: pages, their texts, tables and figures, the batch runner, HTML and PDF output.

A notebook opens its page with :func:`open_page` and shows everything
through it; the pieces it uses:

* :mod:`~ptvlib.report.texts` — the text catalogue (bokmål and English);
* :mod:`~ptvlib.report.tables` — the one table formatter (:class:`Col`, :func:`table`);
* :mod:`~ptvlib.report.figures` — page figures;
* :mod:`~ptvlib.report.headlines` — the headline rows a page writes for the index;
* :mod:`~ptvlib.report.sections` and :mod:`~ptvlib.report.summary` — shared
  sections and the words for the assessment's results;
* :mod:`~ptvlib.report.escape` — escaping of every value a page shows;
* :mod:`~ptvlib.report.provenance` — the data-provenance banner.

``ptv report`` runs the notebooks (:func:`run_report`), writes ``index.html``
(:mod:`~ptvlib.report.html`) and, with ``--pdf``, ``report.pdf``
(:mod:`~ptvlib.report.pdf`).
"""

from __future__ import annotations

from ptvlib.report.page import Page, open_page
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
from ptvlib.report.tables import Col, table

__all__ = [
    "NOTEBOOKS_DIR",
    "Col",
    "Failure",
    "Page",
    "ReportResult",
    "forced_error",
    "notebook_parameters",
    "notebooks",
    "open_page",
    "read_sidecar",
    "run_report",
    "table",
    "write_sidecar",
]
