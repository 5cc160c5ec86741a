"""Shared input handling of the indicator functions (private).

Numbers may be scalars, lists, arrays or Series; when any input is a Series the
result keeps its index, and two Series must hold the same labels.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import DataError, ParameterError

__all__ = ["_check_nonnegative", "_check_positive_number", "_inputs", "_numeric", "_wrap"]


def _numeric(name: str, x: Any) -> tuple[np.ndarray, pd.Index | None, bool]:
    """Float array of *x*, its index (Series only) and whether *x* was a scalar."""
    if isinstance(x, pd.DataFrame):
        raise ParameterError(f"{name} must be a number, array or Series, not a DataFrame")
    scalar = np.ndim(x) == 0 and not isinstance(x, pd.Series)
    index = x.index if isinstance(x, pd.Series) else None
    series = (
        x if isinstance(x, pd.Series) else pd.Series(np.atleast_1d(np.asarray(x, dtype=object)))
    )
    try:
        values = pd.to_numeric(series, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    except (ValueError, TypeError):
        bad = next(v for v in series if not _is_number(v))
        raise ParameterError(f"{name} must be numeric; got non-numeric value {bad!r}") from None
    return values, index, scalar


def _is_number(v: Any) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def _inputs(**named: Any) -> tuple[dict[str, np.ndarray], pd.Index | None, bool]:
    """Convert and align named inputs; returns arrays, the common index and scalar flag."""
    parsed = {k: _numeric(k, v) for k, v in named.items()}
    index: pd.Index | None = None
    first = ""
    for k, (_, idx, _) in parsed.items():
        if idx is not None and index is None:
            index, first = idx, k
    out: dict[str, np.ndarray] = {}
    for k, (vals, idx, _) in parsed.items():
        if idx is not None and index is not None and not idx.equals(index):
            if idx.has_duplicates or index.has_duplicates or set(idx) != set(index):
                raise ParameterError(
                    f"{k} and {first} have different index labels; pass Series with the "
                    "same labels (any order) or plain arrays"
                )
            vals = pd.Series(vals, index=idx).reindex(index).to_numpy()
        out[k] = vals
    sizes = {k: v.size for k, v in out.items() if not parsed[k][2]}
    if len(set(sizes.values())) > 1:
        raise ParameterError(f"inputs have different lengths: {sizes}")
    n = next(iter(sizes.values()), 1)
    out = {k: (np.full(n, v[0]) if parsed[k][2] else v) for k, v in out.items()}
    return out, index, all(p[2] for p in parsed.values())


def _wrap(values: np.ndarray, index: pd.Index | None, scalar: bool, name: str) -> Any:
    if scalar:
        return float(values[0])
    if index is not None:
        return pd.Series(values, index=index, name=name)
    return values


def _check_nonnegative(name: str, values: np.ndarray, index: pd.Index | None) -> None:
    bad = np.flatnonzero(values < 0)
    if bad.size:
        i = int(bad[0])
        where = f" (label {index[i]!r})" if index is not None else f" (position {i})"
        raise DataError(f"{name}={float(values[i])!r}{where} is negative; allowed: values ≥ 0")


def _check_positive_number(name: str, value: Any) -> float:
    if (
        not _is_number(value)
        or isinstance(value, bool)
        or not (float(value) > 0)
        or not math.isfinite(float(value))
    ):
        raise ParameterError(f"{name}={value!r} is not allowed; allowed: a positive finite number")
    return float(value)


# --------------------------------------------------------------------------- rates
