"""A report page as a notebook builds it: one object that shows everything a reader sees.

A notebook opens its page in one line, right after its parameters cell::

    page = open_page("03_funding_effect", globals())
    params = page.params

:func:`open_page` validates the parameters the notebook declares (only
those; the others keep their defaults), raises the test hook's forced error
(``PTV_FORCE_ERROR``, set by ``ptv report``), applies the plot theme, catches
warnings so that they are shown on the page instead of lost, and shows the
page header: a link back to the index, the title in the report language and
the data-provenance banner.

Everything else the page shows goes through its methods, so text comes from
the catalogue (:mod:`ptvlib.report.texts`), numbers and tables from the one
formatter (:mod:`ptvlib.report.tables`), and values from data or parameters
are escaped (:mod:`ptvlib.report.escape`):

* :meth:`Page.heading`, :meth:`Page.text` (catalogue paragraphs),
  :meth:`Page.sentence` (catalogue sentence with escaped values),
  :meth:`Page.note` and :meth:`Page.bullets` (library text, escaped);
* :meth:`Page.table` and :meth:`Page.figure`;
* :meth:`Page.caveat` — collected and shown once, at the end of the page;
* :meth:`Page.finish` — caveats, warnings, footer, and the headline numbers
  written for the index (to ``PTV_REPORT_DIR`` when ``ptv report`` runs the
  notebook; nothing is written in an interactive session).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ptvlib.assessment.params import Params, validate_params
from ptvlib.basics.literals import Lang
from ptvlib.report import provenance
from ptvlib.report.escape import Html, html_format, html_text
from ptvlib.report.run_control import (
    ENV_FORCE_ERROR,
    ENV_OWN_DATA_NAME,
    ENV_REPORT_DIR,
    RUN_CONTROL,
)
from ptvlib.report.tables import Col, table
from ptvlib.report.texts import CATALOGUE, text

__all__ = [
    "ENV_FORCE_ERROR",
    "ENV_REPORT_DIR",
    "RUN_CONTROL",
    "Page",
    "declared_params",
    "open_page",
]

_PARAM_FIELDS = frozenset(Params.__dataclass_fields__) - RUN_CONTROL


def declared_params(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The analysis parameters found in a notebook's namespace (its parameters cell).

    Examples
    --------
    >>> declared_params({"year": 2024, "lang": "en", "plt": object(), "output_dir": "x"})
    {'lang': 'en', 'year': 2024}
    """
    return {k: namespace[k] for k in sorted(_PARAM_FIELDS) if k in namespace}


def open_page(notebook: str, namespace: Mapping[str, Any]) -> Page:
    """Validate the notebook's parameters and open its page (see the module docstring).

    Parameters
    ----------
    notebook : str
        The notebook's stem (``"03_funding_effect"``): names the page, its
        title in the catalogue (``page.<stem>``) and its sidecar.
    namespace : mapping
        The notebook's ``globals()``: the parameters it declares are taken
        from it.

    Returns
    -------
    Page

    Raises
    ------
    ParameterError
        A declared parameter is invalid (names it, the value and what is allowed).
    RuntimeError
        ``PTV_FORCE_ERROR`` names this notebook (test hook of ``ptv report``).
    """
    declared = declared_params(namespace)
    params = validate_params(declared)
    page = Page(notebook, params, declared=frozenset(declared))
    forced = os.environ.get(ENV_FORCE_ERROR, "")
    if forced == notebook:
        raise RuntimeError(f"forced failure of {notebook} ({ENV_FORCE_ERROR}={forced!r})")
    page.start()
    return page


def _display(obj: Any, **kwargs: Any) -> Any:
    from IPython.display import display

    return display(obj, **kwargs)


class Page:
    """One report page (see the module docstring).

    Parameters
    ----------
    notebook : str
        Notebook stem.
    params : Params
        Validated parameters.
    declared : frozenset of str
        The parameters the notebook declares (own data is listed as a source
        only on pages that use it).
    """

    def __init__(
        self, notebook: str, params: Params, *, declared: frozenset[str] = frozenset()
    ) -> None:
        self.notebook = notebook
        self.params = params
        self.declared = declared
        self.lang: Lang = params.lang
        self.caveats: list[str] = []
        own = os.environ.get(ENV_OWN_DATA_NAME, "") or params.own_data
        self.own_file = Path(own).name if own else ""
        self.sources: list[provenance.SourceRecord] = provenance.default_records(
            self.own_file if "own_data" in declared else ""
        )
        self.product_warnings: list[str] = []
        self.technical: list[str] = []
        self._banner: Any = None
        self._warned_sources: list[provenance.SourceRecord] = []
        self.sidecar: Path | None = None
        self._previous_showwarning: Any = None

    # ------------------------------------------------------------ text
    def t(self, key: str, **values: Any) -> str:
        """The catalogue entry *key* in the page's language (plain text, values as given)."""
        return text(key, self.lang, **values)

    def title(self) -> str:
        """The page title from the catalogue (``page.<stem>``), else the stem in words."""
        key = f"page.{self.notebook}"
        if key in CATALOGUE:
            return self.t(key)
        return self.notebook.replace("_", " ")

    def start(self) -> None:
        """Theme, warning capture and the page header (link to the index, title, banner)."""
        from ptvlib.basics.style import set_theme

        self._previous_showwarning = warnings.showwarning
        warnings.showwarning = self._showwarning
        set_theme()
        head = (
            f"<nav class='ptv-nav'><a href='index.html'>{html_text(self.t('nav.back'))}</a></nav>"
            f"<h1 class='ptv-title'>{html_text(self.title())}</h1>"
            f"<p class='ptv-subtitle'>{html_text(self.t('report.title'))} · "
            f"{html_text(self.t('report.subtitle', year=self.params.year))}</p>"
        )
        _display(Html(head))
        self._banner = _display(provenance.banner(self.sources, self.lang), display_id=True)

    def heading(self, key: str, *, level: int = 2, **values: Any) -> None:
        """Show the catalogue heading *key* (values escaped)."""
        tag = f"h{min(max(level, 2), 4)}"
        _display(Html(f"<{tag}>{html_format(self.t(key), **values)}</{tag}>"))

    def text(self, key: str) -> None:
        """Show the catalogue paragraph *key* (static Markdown, no values)."""
        from IPython.display import Markdown

        _display(Markdown(self.t(key)))

    def sentence(self, key: str, **values: Any) -> None:
        """Show the catalogue sentence *key* with its fields filled by escaped *values*."""
        _display(Html(f"<p>{html_format(self.t(key), **values)}</p>"))

    def note(self, message: str, *, css: str = "") -> None:
        """Show a text from the library (a verdict, an error message) as a paragraph, escaped."""
        cls = f" class='{html_text(css)}'" if css else ""
        _display(Html(f"<p{cls}>{html_text(message)}</p>"))

    def bullets(self, items: Iterable[str], *, markup: bool = False) -> None:
        """Show *items* as a list; each is escaped unless *markup* (built with escape helpers)."""
        lis = "".join(f"<li>{i if markup else html_text(i)}</li>" for i in items)
        if lis:
            _display(Html(f"<ul class='ptv-list'>{lis}</ul>"))

    def html(self, fragment: Html) -> None:
        """Show a fragment built with the escape helpers (e.g. from :mod:`ptvlib.report.tables`)."""
        _display(fragment)

    def synthetic_banner(self) -> None:
        """Mark the page as showing synthetic data (required wherever simulated data is shown)."""
        _display(Html(f"<p class='ptv-synthetic'>{html_text(self.t('page.synthetic'))}</p>"))
        self.caveat("caveat.synthetic")
        # The own-data source is synthetic: on this page's banner, the index's and the PDF footer.
        marked = [
            provenance.SourceRecord("own", table=r.table, detail=provenance.SYNTHETIC)
            for r in self.sources
            if r.kind == "own"
        ]
        self.sources = provenance.records_from([*self.sources, *marked])
        if self._banner is not None:
            self._banner.update(provenance.banner(self.sources, self.lang))

    # ------------------------------------------------------- tables, figures
    def table(
        self,
        data: Any,
        columns: Sequence[Col],
        *,
        caption: str | None = None,
        collapse: int = 15,
        notes: Iterable[str] = (),
        narrow: bool = False,
    ) -> None:
        """Show *data* through the report's table formatter (:func:`ptvlib.report.tables.table`).

        *narrow* tables take the width of their content instead of the page's.
        """
        _display(
            table(
                data,
                columns,
                self.lang,
                caption=caption,
                collapse=collapse,
                notes=notes,
                css="ptv-narrow" if narrow else "",
            )
        )

    def figure(self, fig: Any, *, alt: str | None = None) -> None:
        """Show a matplotlib figure as a PNG with alternative text, and close it.

        The alternative text is *alt*, else the figure's titles (what a screen
        reader or a text-only copy of the page says instead of the image).
        """
        import base64
        import io

        import matplotlib.pyplot as plt

        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        titles = [fig.get_suptitle()]
        titles += [t for ax in fig.axes for t in (ax.get_title(loc="left"), ax.get_title()) if t]
        described = alt or "; ".join(dict.fromkeys(t.strip() for t in titles if t.strip()))
        _display(
            {"image/png": base64.b64encode(buf.getvalue()).decode("ascii")},
            raw=True,
            metadata={"image/png": {"alt": described or self.t("fig.alt")}},
        )
        plt.close(fig)

    # ------------------------------------------------------------- caveats
    def caveat(self, key: str, **values: Any) -> None:
        """Add the catalogue caveat *key* to the page's caveats (each shown once)."""
        self.caveat_text(self.t(key, **values))

    def caveat_causal(self) -> None:
        """Add the causal caveat (:data:`ptvlib.estimators._base.CAUSAL_CAVEAT`), once per page."""
        from ptvlib.estimators._base import CAUSAL_CAVEAT

        self.caveat_text(CAUSAL_CAVEAT[self.lang])

    def caveat_text(self, message: str) -> None:
        """Add a caveat text (library text in the page's language); duplicates are ignored."""
        if message and message not in self.caveats:
            self.caveats.append(message)

    def add_sources(self, records: Iterable[Any]) -> None:
        """Add provenance records (the data layer's, or :class:`~ptvlib.report.provenance.SourceRecord`)."""
        for rec in provenance.records_from(records):
            if rec not in self.sources:
                self.sources.append(rec)
        if self._banner is not None:
            self._banner.update(provenance.banner(self.sources, self.lang))

    def _data_layer_sources(self) -> None:
        """The data layer's records of the tables this page loaded, in the banner.

        They say for each table where it came from and of when; when they
        record a fallback, the fallbacks caught as warnings are dropped (the
        same event, told twice).
        """
        layer = provenance.from_data_layer()
        if any(r.kind in ("cache", "fallback") for r in layer):
            self.sources = [r for r in self.sources if r not in self._warned_sources]
        self.add_sources(layer)

    # ------------------------------------------------------------ warnings
    def _showwarning(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        """Show a warning on the page (never lost, never with a machine path)."""
        text_ = str(message)
        record = provenance.record_from_warning(category, text_)
        if record is not None:
            self._warned_sources.append(record)
            self.add_sources([record])
        ours = category.__module__.startswith("ptvlib") or "ptvlib" in Path(filename).parts
        entry = f"{category.__name__}: {text_}"
        if not (ours or record is not None):
            if entry not in self.technical:
                self.technical.append(entry)
            return
        if text_ in self.product_warnings:
            return
        self.product_warnings.append(text_)
        key = next(
            (
                f"warning.{c.__name__}"
                for c in category.__mro__
                if f"warning.{c.__name__}" in CATALOGUE
            ),
            None,
        )
        title = html_text(self.t("page.warning"))
        if key is not None:
            shown = html_text(self.t(key))
            if entry not in self.technical:  # the original wording stays available
                self.technical.append(entry)
        else:
            label_ = html_text(self.t("warning.original"))
            shown = f"{label_}: <span class='ptv-verbatim'>{html_text(text_)}</span>"
        _display(
            Html(
                f"<aside class='ptv-warning' role='note'><strong>{title}:</strong> {shown}</aside>"
            )
        )

    # -------------------------------------------------------------- finish
    def finish(
        self,
        headlines: Sequence[Mapping[str, Any]] = (),
        *,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Show the caveats, warnings and footer, and write the headline numbers for the index.

        Parameters
        ----------
        headlines : sequence of mapping
            The page's headline rows (built by :mod:`ptvlib.report.headlines`).
        extra : mapping, optional
            More top-level keys of the sidecar (e.g. ``answerability`` and
            ``calibration`` from the assessment).

        The sidecar's path is kept in :attr:`sidecar` (None in an interactive
        session, where nothing is written).
        """
        from ptvlib.basics.numbers import date_text
        from ptvlib.basics.version import __version__
        from ptvlib.report.runner import write_sidecar

        self._data_layer_sources()
        if self.caveats:
            items = "".join(f"<li>{html_text(c)}</li>" for c in self.caveats)
            _display(
                Html(
                    f"<section class='ptv-caveats'><h2>{html_text(self.t('page.caveats'))}</h2>"
                    f"<ul>{items}</ul></section>"
                )
            )
        if self.technical:
            items = "".join(
                f"<li><span class='ptv-verbatim'>{html_text(w)}</span></li>" for w in self.technical
            )
            summary = html_text(self.t("page.technical", n=len(self.technical)))
            _display(
                Html(
                    f"<details class='ptv-technical'><summary>{summary}</summary>"
                    f"<ul>{items}</ul></details>"
                )
            )
        now = datetime.now(UTC).astimezone()
        footer = self.t(
            "page.footer",
            when=date_text(now, self.lang, time=True),
            version=__version__,
            year=self.params.year,
        )
        _display(Html(f"<footer class='ptv-footer'>{html_text(footer)}</footer>"))
        if self._previous_showwarning is not None:
            warnings.showwarning = self._previous_showwarning
        out = os.environ.get(ENV_REPORT_DIR, "")
        if not out:
            return
        shown = self.params.as_dict()
        for key in RUN_CONTROL:
            shown.pop(key, None)
        if shown.get("own_data"):
            shown["own_data"] = self.own_file
        if shown.get("funding_data"):
            shown["funding_data"] = Path(str(shown["funding_data"])).name
        payload_extra = {
            "title": self.title(),
            "provenance": [r.as_dict() for r in self.sources],
            "warnings": self.product_warnings,
            "technical_messages": self.technical,
            **dict(extra or {}),
        }
        self.sidecar = write_sidecar(
            out, self.notebook, headlines, params=shown, notes=self.caveats, extra=payload_extra
        )
