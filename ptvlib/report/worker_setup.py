"""What a report run's parent does once, before it forks the workers, so that no worker repeats it.

The workers of ``ptv report`` (:mod:`ptvlib.report.processes`) are forked from
the parent: whatever the parent has imported or compiled they inherit for
free, and whatever they import or compile themselves is paid once per
notebook, on the cores the kernels need. :func:`prepare_workers`

* imports papermill and nbconvert (the workers run and export with them);
* keeps jsonschema's optional IRI format checker out of the run: importing
  ``rfc3987_syntax`` (which jsonschema tries at import) builds 39 Lark
  parsers, 1.1–1.7 s on the project's 2-core machine — more than papermill
  and nbconvert themselves (0.5–1.0 s) — only for the ``iri`` formats, which
  notebook validation never uses (nbformat's schema names no such format and
  it validates without a format checker). The module stays importable for
  anything else in the process;
* warms the HTML export: one export of a small notebook in the report's
  language compiles the page template, nbformat's validator, the sanitiser's
  regular expressions and CSS selectors; a page's export then takes about
  0.1 s instead of 0.4 s in each worker.

None of this touches a kernel: every kernel still starts bare and imports
what its notebook imports.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from ptvlib.basics.literals import Lang

__all__ = ["prepare_workers"]

#: Imported by jsonschema only for its ``iri`` format checks (see the module docstring).
_UNUSED_AT_IMPORT = "rfc3987_syntax"


def _import_runners() -> None:
    """papermill and nbconvert, with jsonschema imported without its IRI checker."""
    blocked = _UNUSED_AT_IMPORT not in sys.modules
    if blocked:
        sys.modules[_UNUSED_AT_IMPORT] = None  # type: ignore[assignment]  # ImportError
    try:
        import nbconvert  # noqa: F401
        import papermill  # noqa: F401
    finally:
        if blocked and sys.modules.get(_UNUSED_AT_IMPORT, 0) is None:
            del sys.modules[_UNUSED_AT_IMPORT]


def _warm_export(lang: Lang) -> None:
    """Export a small notebook with every kind of output a page has (nothing is kept)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from ptvlib.report.export import export_html

    outputs = [
        new_output(
            "display_data",
            data={
                "text/html": "<p class='ptv-note'>x</p>",
                "text/markdown": "**x**",
                "image/png": "iVBORw0KGgo=",
            },
        ),
        new_output("stream", name="stdout", text="x"),
    ]
    node = new_notebook(cells=[new_markdown_cell("# x"), new_code_cell("x", outputs=outputs)])
    with tempfile.TemporaryDirectory(prefix="ptv-warm-") as tmp:
        path = Path(tmp) / "warm.ipynb"
        nbformat.write(node, path)
        export_html(path, Path(tmp) / "warm.html", stem="warm", lang=lang)


def prepare_workers(lang: Lang) -> None:
    """Import and compile, in this (the parent) process, what every worker needs.

    Parameters
    ----------
    lang : {"nb", "en"}
        The report's language (the page template is compiled for it).
    """
    _import_runners()
    try:
        _warm_export(lang)
    except Exception:  # only an optimisation: a real export that fails is reported per page
        pass
