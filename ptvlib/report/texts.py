"""The text catalogue: every word a report page shows, in bokmål and English.

One catalogue, three parts by role: paragraphs of the pages
(:mod:`~ptvlib.report._catalogue_pages`), short texts — headings, column
headers with units, design and verdict labels, figure labels, sentences with
fields (:mod:`~ptvlib.report._catalogue_labels`) — and the names of datasets,
extracts and statuses (:mod:`~ptvlib.report._catalogue_data`); page 6 (bydeler)
has its paragraphs and labels in :mod:`~ptvlib.report._catalogue_bydel`. Every entry
has both languages; a page is in one language (bokmål by default, English
with ``lang="en"``), and a test fails on any entry of the other language
found in a rendered page.

Notebooks do not hold text: they ask the page for a key
(``page.text("03.intro")``, ``page.heading("03.h.funding")``); an analyst's
own notebook can add keys with :func:`register`.
"""

from __future__ import annotations

from typing import Any

from ptvlib.basics.config import OFFENCE_GROUP_LABELS
from ptvlib.basics.exceptions import ParameterError
from ptvlib.basics.literals import Lang, check_literal
from ptvlib.report._catalogue_bydel import BYDEL_LABELS, BYDEL_PAGE_TEXTS
from ptvlib.report._catalogue_data import DATA_LABELS
from ptvlib.report._catalogue_labels import LABELS
from ptvlib.report._catalogue_pages import PAGE_TEXTS

__all__ = ["CATALOGUE", "OFFENCE_GROUP_LABELS", "TEXTS", "label", "md", "register", "text"]

#: Paragraphs of the pages (static Markdown), by key and language.
TEXTS: dict[str, dict[str, str]] = {**PAGE_TEXTS, **BYDEL_PAGE_TEXTS}

#: Every entry of the catalogue, by key and language.
CATALOGUE: dict[str, dict[str, str]] = {**TEXTS, **LABELS, **BYDEL_LABELS, **DATA_LABELS}


def _entry(key: str, lang: Lang) -> str:
    check_literal("lang", lang, Lang)
    try:
        return CATALOGUE[key][lang]
    except KeyError:
        near = sorted(k for k in CATALOGUE if k.split(".")[0] == key.split(".")[0])[:12]
        raise ParameterError(
            f"text key {key!r} is not in the catalogue; allowed: keys such as {', '.join(near)}"
        ) from None


def text(key: str, lang: Lang = "nb", /, **values: Any) -> str:
    """The entry *key* in *lang*, with ``{fields}`` filled from *values* as they are.

    The caller escapes values that come from data or parameters (the page
    helpers do it with :func:`ptvlib.report.escape.html_format`).

    Raises
    ------
    ParameterError
        Unknown key or language.

    Examples
    --------
    >>> text("05.intro", "en")
    "One page: this year's verdict per outcome, which designs count, and the caveats."
    >>> text("report.subtitle", "nb", year=2024)
    'Vurdering for 2024'
    """
    entry = _entry(key, lang)
    return entry.format(**values) if values else entry


def label(prefix: str, code: str, lang: Lang = "nb", *, default: str | None = None) -> str:
    """The catalogue label ``prefix.code`` (e.g. ``label("design", "synth")``), or *default*.

    Examples
    --------
    >>> label("group", "violence", "en"), label("design", "xyz", "nb", default="xyz")
    ('Violence and maltreatment', 'xyz')
    """
    key = f"{prefix}.{code}"
    if key in CATALOGUE:
        return _entry(key, lang)
    if default is not None:
        return default
    return _entry(key, lang)  # raises with the allowed keys


def md(key: str, lang: Lang = "nb") -> Any:
    """The paragraph *key* as an IPython Markdown object (static text, no values)."""
    from IPython.display import Markdown

    return Markdown(text(key, lang))


def register(entries: dict[str, dict[str, str]]) -> None:
    """Add entries (``{key: {"nb": ..., "en": ...}}``) for an analyst's own notebook.

    Raises
    ------
    ParameterError
        An entry lacks one of the languages or replaces an existing key with
        other text.
    """
    for key, by_lang in entries.items():
        if set(by_lang) != {"nb", "en"} or not all(str(v).strip() for v in by_lang.values()):
            raise ParameterError(f"text key {key!r} needs non-empty 'nb' and 'en'; got {by_lang!r}")
        if key in CATALOGUE and CATALOGUE[key] != by_lang:
            raise ParameterError(f"text key {key!r} is already in the catalogue with other text")
        CATALOGUE[key] = dict(by_lang)
