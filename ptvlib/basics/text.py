"""Comparable forms of labels and headers (Norwegian letters, case, punctuation).

One normaliser for every place that matches a label typed by a person or a
source against a known one: bydel names, lovbruddsgrupper, column headers.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["text_key"]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def text_key(text: str) -> str:
    """Comparable form of a label: lowercase, no diacritics or punctuation, single spaces.

    ``ø``, ``æ`` and ``å`` become ``o``, ``ae`` and ``a``; a byte-order mark and
    other invisible characters are dropped.

    Parameters
    ----------
    text : str
        Any label.

    Returns
    -------
    str

    Examples
    --------
    >>> text_key("  Ordens- og  integritetskrenkelse "), text_key("Søndre Nordstrand")
    ('ordens og integritetskrenkelse', 'sondre nordstrand')
    >>> text_key("\\ufeffÅr"), text_key("St. Hanshaugen")
    ('ar', 'st hanshaugen')
    """
    t = text.casefold().replace("ø", "o").replace("æ", "ae").replace("å", "a")
    t = "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
    return " ".join(_NON_ALNUM.sub(" ", t).split())
