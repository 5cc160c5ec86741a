"""HTML export of an executed notebook: a report page, sanitised, in the report's language.

:func:`export_html` writes one page with the code hidden, ``<html lang>``
and ``<title>`` in the report language, the report's style sheet (screen and
print) and no scripts. Every HTML or Markdown output — and every Markdown
cell — is rendered and then sanitised with bleach (:class:`ReportSanitizer`):
unknown tags are escaped, ``on*`` attributes and ``javascript:`` links
dropped, ``<script>`` and ``<style>`` blocks removed. This is the second
line of defence; the pages already escape every value they show
(:mod:`ptvlib.report.escape`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ptvlib.basics.io import atomic_write_text
from ptvlib.basics.literals import Lang
from ptvlib.report.texts import CATALOGUE, text

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "TEMPLATES_DIR",
    "export_html",
    "page_title",
    "scrub_notebook",
    "scrub_paths",
]

#: Folder of the report's nbconvert template (``ptv_report``).
TEMPLATES_DIR: Path = Path(__file__).resolve().parent / "templates"

#: Tags the pages and ordinary notebook outputs (tables, lists, headings) need.
ALLOWED_TAGS: frozenset[str] = frozenset(
    "a abbr aside b blockquote br caption code dd del details div dl dt em figcaption figure "
    "footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li mark nav ol p pre q s section small "
    "span strong sub summary sup table tbody td tfoot th thead tr u ul".split()
)

#: Attributes allowed on those tags (no event handlers, no inline style).
ALLOWED_ATTRIBUTES: dict[str, list[str]] = {
    "*": ["class", "id", "role", "lang", "title", "aria-label"],
    "a": ["href", "rel"],
    "img": ["src", "alt", "width", "height"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
    "details": ["open"],
    "ol": ["start"],
}

_BLOCKS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", flags=re.I | re.S)
#: An absolute path (POSIX or Windows) inside a message: shown by its last part only.
_PATH = re.compile(r"(?:[A-Za-z]:\\|/)(?:[^\s'\"<>:|/\\]+[/\\])+([^\s'\"<>:|/\\]*)")


def scrub_paths(message: str) -> str:
    """*message* with absolute paths cut to their last part (no machine path on a page).

    Examples
    --------
    >>> scrub_paths("No such file: '/home/ana/data/export.csv' (see /tmp/x/)")
    "No such file: 'export.csv' (see )"
    """
    return _PATH.sub(lambda m: m.group(1), message)


def _sanitizer_class() -> Any:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    from nbconvert.preprocessors.sanitize import SanitizeHTML

    class ReportSanitizer(SanitizeHTML):
        """Render Markdown to HTML first, then sanitise every HTML output and cell."""

        def sanitize_html_tags(self, html_str: str) -> str:
            return str(super().sanitize_html_tags(_BLOCKS.sub("", html_str)))

        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> Any:
            if cell.cell_type == "markdown":
                cell.source = self.sanitize_html_tags(markdown2html_mistune(cell.source))
                return cell, resources
            if cell.cell_type == "code":
                for out in cell.get("outputs", []):
                    if out.get("output_type") == "error":
                        # The last line only: a traceback lists the machine's paths.
                        out["traceback"] = [scrub_paths(f"{out.get('ename')}: {out.get('evalue')}")]
                    elif out.get("output_type") == "stream":
                        out["text"] = scrub_paths(str(out.get("text", "")))
                    data = out.get("data", {})
                    if "text/markdown" in data:
                        rendered = markdown2html_mistune(data.pop("text/markdown"))
                        data.setdefault("text/html", rendered)
            return super().preprocess_cell(cell, resources, index)

    return ReportSanitizer


def scrub_notebook(nb_path: Path) -> None:
    """Cut machine paths from an executed notebook (papermill's paths, the injected parameters).

    The executed ``.ipynb`` is shared with the report; it names files, not folders.
    """
    import nbformat

    node = nbformat.read(nb_path, as_version=4)
    meta = node.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if meta.get(key):
            meta[key] = Path(str(meta[key])).name
    for key, value in list(meta.get("parameters", {}).items()):
        if isinstance(value, str):
            meta["parameters"][key] = scrub_paths(value)
    for cell in node.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = scrub_paths(cell.source)
    atomic_write_text(nb_path, nbformat.writes(node))


def page_title(stem: str, lang: Lang) -> str:
    """A page's title in *lang*: the catalogue's ``page.<stem>``, else the stem in words."""
    key = f"page.{stem}"
    return text(key, lang) if key in CATALOGUE else stem.replace("_", " ")


def export_html(nb_path: Path, html_path: Path, *, stem: str, lang: Lang) -> None:
    """Write the report page of the executed notebook *nb_path* to *html_path* (atomically)."""
    import nbformat
    from nbconvert import HTMLExporter

    node = nbformat.read(nb_path, as_version=4)
    exporter = HTMLExporter(
        template_name="ptv_report", extra_template_basedirs=[str(TEMPLATES_DIR)]
    )
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.language_code = lang
    sanitizer = _sanitizer_class()(
        tags=sorted(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES, strip=False
    )
    exporter.register_preprocessor(sanitizer, enabled=True)
    title = f"{page_title(stem, lang)} – {text('report.title', lang)}"
    node.metadata.pop("title", None)
    body, _ = exporter.from_notebook_node(node, resources={"metadata": {"name": title}})
    atomic_write_text(html_path, body)
