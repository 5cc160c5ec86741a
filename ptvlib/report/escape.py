"""Escaping of every value a page shows: the first line of defence against stored markup.

Values from data or parameters (indicator names, area codes, region names,
sources, file names, parameter values, error messages) may hold markup —
``<script>``, ``<img onerror=...>`` or a Markdown link to ``javascript:``.
The pages never put such a value into HTML or Markdown as it is: they go
through these helpers, which turn it into inert text.

* :func:`html_text` — a value as HTML text (``<`` → ``&lt;`` …, quotes too, so
  the result is also safe inside an attribute value);
* :func:`html_format` — a trusted template (from the text catalogue) with
  escaped values;
* :func:`md_text` — a value as literal Markdown text (every Markdown
  punctuation character backslash-escaped, then HTML-escaped);
* :func:`safe_url` — a link target only if it is ``http(s)`` or relative,
  never ``javascript:``, ``data:`` or ``vbscript:``;
* :class:`Html` — a displayable fragment (``_repr_html_``) for notebooks.

The HTML export sanitises every output again (:mod:`ptvlib.report.export`):
a second line of defence, not a replacement for these helpers.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Html", "html_format", "html_text", "md_text", "safe_url", "url_label"]

#: Characters with a meaning in CommonMark/GFM inline or block syntax.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")


def _plain(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def html_text(value: Any) -> str:
    """*value* as HTML text, safe in element content and in quoted attribute values.

    Examples
    --------
    >>> html_text("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> html_text('a "b" & \\'c\\''), html_text(None)
    ('a &quot;b&quot; &amp; &#x27;c&#x27;', '')
    """
    return html.escape(_plain(value), quote=True)


def html_format(template: str, /, **values: Any) -> str:
    """Fill a trusted *template* (``str.format`` fields) with HTML-escaped *values*.

    The template itself is not escaped: it comes from the text catalogue and
    may hold markup such as ``<strong>``.

    Examples
    --------
    >>> html_format("<strong>{name}</strong> ({n})", name="<b>x</b>", n=3)
    '<strong>&lt;b&gt;x&lt;/b&gt;</strong> (3)'
    """
    return template.format(**{k: html_text(v) for k, v in values.items()})


def md_text(value: Any) -> str:
    """*value* as literal text inside Markdown: no link, emphasis, HTML or code survives.

    Examples
    --------
    >>> md_text("[x](javascript:alert(1))")
    '\\\\[x\\\\]\\\\(javascript\\\\:alert\\\\(1\\\\)\\\\)'
    >>> md_text("<script>")
    '&lt;script&gt;'
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", _plain(value))
    return html.escape(escaped, quote=False)


def safe_url(value: Any) -> str | None:
    """*value* if it is an ``http``/``https`` URL or a relative path, else None.

    Examples
    --------
    >>> safe_url("https://www.ssb.no/statbank/table/08487"), safe_url("03_funding_effect.html")
    ('https://www.ssb.no/statbank/table/08487', '03_funding_effect.html')
    >>> safe_url("javascript:alert(1)"), safe_url(" JaVaScRiPt:alert(1)"), safe_url("data:x")
    (None, None, None)
    """
    text = _plain(value).strip()
    if not text or any(ord(c) < 32 for c in text):
        return None
    parts = urlsplit(text)
    if parts.scheme:
        return text if parts.scheme.lower() in ("http", "https") and parts.netloc else None
    if text.startswith("//") or ":" in text.split("/", 1)[0]:
        return None
    return text


def url_label(value: Any) -> str:
    """Short readable label of a URL: its host without ``www.`` (``ssb.no``).

    Examples
    --------
    >>> url_label("https://www.ssb.no/statbank/table/08487"), url_label("not a url")
    ('ssb.no', 'not a url')
    """
    text = _plain(value).strip()
    host = urlsplit(text).netloc
    return host.removeprefix("www.") if host else text


class Html:
    """An HTML fragment that notebooks display as HTML (``display(Html(...))``).

    Build it only from escaped values (:func:`html_text`, :func:`html_format`)
    and trusted catalogue templates.

    Parameters
    ----------
    markup : str
        The fragment.
    text : str, optional
        Plain-text form (``text/plain`` output, e.g. for a console).
    """

    def __init__(self, markup: str, text: str = "") -> None:
        self.markup = markup
        self.text = text or re.sub(r"<[^>]+>", "", markup)

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return html.unescape(self.text)
