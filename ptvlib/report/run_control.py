"""Run-control values: how ``ptv report`` tells a notebook's kernel where to write, and the test hook.

They are not analysis parameters: they never appear in a notebook's
parameters cell. The runner sets them in the kernel's environment; the
notebook's page (:func:`ptvlib.report.page.open_page`) reads them.
"""

from __future__ import annotations

__all__ = ["ENV_FORCE_ERROR", "ENV_OWN_DATA_NAME", "ENV_REPORT_DIR", "RUN_CONTROL"]

#: Folder for the page's headline numbers, set by ``ptv report`` for each kernel.
ENV_REPORT_DIR = "PTV_REPORT_DIR"
#: Test hook: the notebook stem that must fail on purpose (set by ``ptv report``).
ENV_FORCE_ERROR = "PTV_FORCE_ERROR"
#: The name of the analyst's own-data file (the kernels read a validated copy of it).
ENV_OWN_DATA_NAME = "PTV_OWN_DATA_NAME"
#: Fields of :class:`~ptvlib.assessment.params.Params` that control a run, not an analysis.
RUN_CONTROL: frozenset[str] = frozenset({"output_dir", "force_error"})
