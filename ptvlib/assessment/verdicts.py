"""How the designs' results combine into one verdict per outcome.

The combination rule and the multiplicity adjustment live here, in one
place, so that notebooks, the report and the calibration use the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["COMBINED_LABELS", "combine_directions", "holm"]


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values (NaN entries stay NaN).

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics* 6(2), 65–70.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if not ok.any():
        return out
    q = p[ok]
    order = np.argsort(q)
    m = len(q)
    adj = np.maximum.accumulate((m - np.arange(m)) * q[order])
    res = np.empty_like(q)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


#: Verdict codes in words, by language.
COMBINED_LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "decrease": "samstemt nedgang",
        "increase": "samstemt økning",
        "weak_decrease": "svak indikasjon på nedgang",
        "weak_increase": "svak indikasjon på økning",
        "conflicting": "motstridende",
        "inconclusive": "uavklart",
    },
    "en": {
        "decrease": "consistent decrease",
        "increase": "consistent increase",
        "weak_decrease": "weak indication of a decrease",
        "weak_increase": "weak indication of an increase",
        "conflicting": "conflicting",
        "inconclusive": "inconclusive",
    },
}


def combine_directions(directions: Sequence[str]) -> str:
    """Combine the designs' directions into one conservative verdict code.

    All designs agree on a direction → that direction; some point one way and
    the rest are inconclusive → ``weak_<direction>``; directions disagree →
    ``conflicting``; otherwise ``inconclusive``.

    Examples
    --------
    >>> combine_directions(["decrease", "decrease"]), combine_directions(["decrease", "inconclusive"])
    ('decrease', 'weak_decrease')
    >>> combine_directions(["decrease", "increase"]), combine_directions([])
    ('conflicting', 'inconclusive')
    """
    found = set(directions)
    signed = found - {"inconclusive"}
    if len(signed) > 1:
        return "conflicting"
    if not signed:
        return "inconclusive"
    (d,) = signed
    return d if "inconclusive" not in found else f"weak_{d}"
