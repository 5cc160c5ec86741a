"""JSON-stat decoding and cube-selection arithmetic, shared by the SSB and Oslo statbank clients.

Two shapes are accepted:

* JSON-stat **2.0** ``{"version": "2.0", "class": "dataset", "id": [...], "size": [...],
  "dimension": {...}, "value": ..., "status": ...}`` (PxWebApi v2, ``outputFormat=json-stat2``);
* the older JSON-stat **1.x bundle** ``{"dataset": {"dimension": {"id": [...], "size": [...],
  "role": {...}, <dim>: {...}}, "value": ..., ...}}`` (SSB's retired v0 "dataset" API).

Cells are in row-major order: the *last* dimension in ``id`` varies fastest
(https://json-stat.org/format/#value). ``value`` and ``status`` may each be an
array, an object keyed by the cell index as a string (sparse), and ``status``
may also be one string that applies to every cell.

SSB's table symbols
-------------------
SSB publishes a missing cell as ``null`` with a symbol in ``status``:

=========  ==============================================  ==========================
symbol     meaning (SSB's standard table symbols)          ``value`` in the frame
=========  ==============================================  ==========================
``.``      not possible to give figures (category unused)  NaN (even if a number came)
``..``     figures not available                           NaN
``...``    figures not yet available (older tables)        NaN
``:``      suppressed for confidentiality                  NaN
``-``      nil, nothing to report                          the number sent (0.0), NaN if null
other      e.g. provisional flags                          the number sent
=========  ==============================================  ==========================

``-`` is *not* turned into 0.0 when the cell is ``null``: the frame never
invents a number the source did not send; the ``status`` column keeps the
symbol so a caller can decide. Only the meaning of ``.`` is confirmed by a real
response (the note in table 13615); the others follow SSB's published symbol
list and are not relied on by any computation here.
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import DataError, ParameterError

__all__ = [
    "MISSING_SYMBOLS",
    "Decoded",
    "Dimension",
    "decode",
    "find_dataset",
    "load_json",
    "parse_dimensions",
    "row_major",
    "expand_patterns",
    "normalise_selection",
    "split_codes",
    "split_selection",
]

#: Status symbols that mean "no number": the value is forced to NaN.
MISSING_SYMBOLS: frozenset[str] = frozenset({".", "..", "...", ":"})


class Dimension(NamedTuple):
    """One dimension of a JSON-stat dataset, categories in their published order."""

    id: str
    label: str
    codes: list[str]
    labels: list[str]


class Decoded(NamedTuple):
    """Result of :func:`decode`: the tidy frame, its dimensions and dataset-level info."""

    frame: pd.DataFrame
    dimensions: list[Dimension]
    info: dict[str, Any]


def load_json(data: bytes | str | Mapping[str, Any], *, where: str) -> Mapping[str, Any]:
    """Parse *data* (bytes, text or an already parsed mapping) into a JSON object.

    Raises :class:`DataError` naming *where* when the text is not a JSON object
    (truncated JSON, an HTML error page, an empty body).
    """
    if isinstance(data, Mapping):
        return data
    if isinstance(data, bytes | bytearray):
        head = bytes(data[:200]).lstrip()
    elif isinstance(data, str):
        head = data[:200].lstrip().encode("utf-8", "replace")
    else:
        raise DataError(f"{where}: expected bytes, str or a dict, got {type(data).__name__}")
    if not head:
        raise DataError(f"{where}: the response body is empty")
    if head[:1] == b"<":
        snippet = " ".join(head.decode("utf-8", "replace").split())[:80]
        raise DataError(f"{where}: got an HTML/XML page instead of JSON-stat ({snippet!r})")
    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{where}: the response is not valid JSON (truncated?): {exc}") from exc
    if not isinstance(obj, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    return obj


def find_dataset(obj: Mapping[str, Any], *, where: str) -> Mapping[str, Any]:
    """Return the JSON-stat dataset inside *obj* (2.0 dataset or 1.x bundle)."""
    cls = obj.get("class")
    if cls == "dataset" or (cls is None and "dimension" in obj and "id" in obj):
        return obj
    if cls is not None:
        raise DataError(f"{where}: JSON-stat class {cls!r} is not supported; expected 'dataset'")
    candidates = {k: v for k, v in obj.items() if isinstance(v, Mapping) and "dimension" in v}
    if "dataset" in candidates:
        return candidates["dataset"]
    if len(candidates) == 1:
        return next(iter(candidates.values()))
    if not candidates:
        keys = ", ".join(sorted(map(str, obj))[:8]) or "none"
        raise DataError(
            f"{where}: not a JSON-stat dataset (no 'dimension'; top-level keys: {keys})"
        )
    raise DataError(f"{where}: the JSON-stat bundle holds {len(candidates)} datasets; expected one")


def _ids_and_sizes(ds: Mapping[str, Any], where: str) -> tuple[list[str], list[int] | None]:
    dim_obj = ds.get("dimension")
    if not isinstance(dim_obj, Mapping):
        raise DataError(f"{where}: JSON-stat 'dimension' is missing or not an object")
    ids = ds.get("id", dim_obj.get("id"))  # 2.0 at top level, 1.x inside "dimension"
    sizes = ds.get("size", dim_obj.get("size"))
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise DataError(f"{where}: JSON-stat 'id' must be a list of dimension names, got {ids!r}")
    if sizes is not None and (
        not isinstance(sizes, list)
        or len(sizes) != len(ids)
        or not all(isinstance(s, int) and s >= 0 for s in sizes)
    ):
        raise DataError(f"{where}: JSON-stat 'size' {sizes!r} does not match 'id' {ids!r}")
    return ids, sizes


def _category_codes(dim_id: str, category: Mapping[str, Any], where: str) -> list[str]:
    index = category.get("index")
    if isinstance(index, list):
        return [str(c) for c in index]
    if isinstance(index, Mapping):
        try:
            order = sorted(index.items(), key=lambda item: int(item[1]))
        except (TypeError, ValueError) as exc:
            raise DataError(f"{where}: category index of {dim_id!r} is not numeric") from exc
        positions = [int(pos) for _, pos in order]
        if positions != list(range(len(positions))):
            raise DataError(f"{where}: category index of {dim_id!r} is not 0..n-1: {positions}")
        return [str(code) for code, _ in order]
    labels = category.get("label")
    if index is None and isinstance(labels, Mapping) and labels:
        return [str(c) for c in labels]  # a one-category dimension may omit "index"
    raise DataError(f"{where}: dimension {dim_id!r} has no category index")


def parse_dimensions(ds: Mapping[str, Any], *, where: str) -> list[Dimension]:
    """Dimensions of dataset *ds* in ``id`` order, each with codes and labels.

    Checks that every category list has the length given by ``size``.
    """
    ids, sizes = _ids_and_sizes(ds, where)
    dim_obj = ds["dimension"]
    out: list[Dimension] = []
    for k, dim_id in enumerate(ids):
        spec = dim_obj.get(dim_id)
        if not isinstance(spec, Mapping) or not isinstance(spec.get("category"), Mapping):
            raise DataError(f"{where}: dimension {dim_id!r} is listed in 'id' but not described")
        category = spec["category"]
        codes = _category_codes(dim_id, category, where)
        if sizes is not None and sizes[k] != len(codes):
            raise DataError(
                f"{where}: dimension {dim_id!r} has size {sizes[k]} but {len(codes)} categories"
            )
        label_map = category.get("label") if isinstance(category.get("label"), Mapping) else {}
        labels = [str(label_map.get(code, code)) for code in codes]
        out.append(Dimension(dim_id, str(spec.get("label", dim_id)), codes, labels))
    return out


def _number(v: Any) -> float:
    if v is None or isinstance(v, bool):
        return math.nan
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _cells(raw: Any, n: int, name: str, where: str, fill: Any) -> list[Any]:
    """Expand a dense list or a sparse ``{"index": v}`` object to a list of *n* cells."""
    if raw is None:
        return [fill] * n
    if isinstance(raw, list):
        if len(raw) != n:
            raise DataError(f"{where}: '{name}' has {len(raw)} cells but the dimensions give {n}")
        return raw
    if isinstance(raw, Mapping):
        out = [fill] * n
        for key, v in raw.items():
            try:
                i = int(key)
            except (TypeError, ValueError) as exc:
                raise DataError(f"{where}: '{name}' key {key!r} is not a cell index") from exc
            if not 0 <= i < n:
                raise DataError(f"{where}: '{name}' index {i} is outside 0..{n - 1}")
            out[i] = v
        return out
    raise DataError(f"{where}: '{name}' must be a list or an object, got {type(raw).__name__}")


def decode(data: bytes | str | Mapping[str, Any], *, where: str) -> Decoded:
    """Decode a JSON-stat response into a tidy frame (see the module docstring).

    Columns: for each dimension ``<dim>`` (code) and ``<dim>_label``, then
    ``value`` (float64) and ``status`` (string, ``""`` when no symbol).
    """
    ds = find_dataset(load_json(data, where=where), where=where)
    dims = parse_dimensions(ds, where=where)
    taken = {"value", "status"}
    for d in dims:
        if d.id in taken or f"{d.id}_label" in taken:
            raise DataError(f"{where}: dimension name {d.id!r} clashes with another column")
        taken.update({d.id, f"{d.id}_label"})
    n = math.prod(len(d.codes) for d in dims)
    if "value" not in ds:
        raise DataError(f"{where}: JSON-stat 'value' is missing (metadata instead of data?)")
    values = np.array([_number(v) for v in _cells(ds["value"], n, "value", where, None)], float)
    raw_status = ds.get("status")
    if isinstance(raw_status, str):
        status = np.full(n, raw_status, dtype=object)
    else:
        cells = _cells(raw_status, n, "status", where, "")
        status = np.array(["" if s is None else str(s) for s in cells], dtype=object)
    if n:
        values[np.isin(status, list(MISSING_SYMBOLS))] = np.nan

    columns: dict[str, Any] = {}
    position = np.arange(n)
    stride = n
    for d in dims:
        stride //= max(len(d.codes), 1)
        which = (position // max(stride, 1)) % max(len(d.codes), 1)
        columns[d.id] = pd.Series(np.array(d.codes, dtype=object)[which], dtype="str")
        columns[f"{d.id}_label"] = pd.Series(np.array(d.labels, dtype=object)[which], dtype="str")
    columns["value"] = pd.Series(values, dtype="float64")
    columns["status"] = pd.Series(status, dtype="str")
    frame = pd.DataFrame(columns)
    info = {key: ds[key] for key in ("label", "source", "updated", "note") if key in ds}
    frame.attrs.update(info)
    frame.attrs["dimensions"] = [d.id for d in dims]
    return Decoded(frame, dims, info)


def row_major(frame: pd.DataFrame, dims: Sequence[str]) -> pd.DataFrame:
    """Sort joined parts back into JSON-stat order (codes ranked by first appearance)."""
    keys = [pd.factorize(frame[d])[0] for d in reversed(dims)]
    return frame.iloc[np.lexsort(keys)].reset_index(drop=True)


def split_codes(text: str) -> list[str]:
    """Split ``"a,b,range(1,2)"`` on the commas outside parentheses."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return [i.strip() for i in items]


def split_selection(
    query: Mapping[str, list[str]], max_cells: int, fixed: Mapping[str, int]
) -> list[dict[str, list[str]]]:
    """Split a selection into parts of at most *max_cells* cells, largest dimension first.

    The cell count is the product of the number of codes per dimension.
    Dimensions in *fixed* (expressions such as ``top(3)``) count as the given
    size and are never split; a selection that cannot be split is returned whole.
    """
    sizes = {d: fixed.get(d, len(v)) for d, v in query.items()}
    cells = math.prod(sizes.values())
    splittable = [d for d in query if d not in fixed and len(query[d]) > 1]
    if cells <= max_cells or not splittable:
        return [dict(query)]
    dim = max(splittable, key=lambda d: len(query[d]))
    per = max(1, max_cells // (cells // sizes[dim]))
    parts: list[dict[str, list[str]]] = []
    for start in range(0, len(query[dim]), per):
        sub = {d: (v[start : start + per] if d == dim else v) for d, v in query.items()}
        parts.extend(split_selection(sub, max_cells, fixed))
    return parts


def normalise_selection(query: Any) -> dict[str, list[str]]:
    """Check a ``{dimension: codes}`` selection; codes as a list or a comma-separated string."""
    if not isinstance(query, Mapping) or not query:
        raise ParameterError(
            f"query={query!r} is not allowed; allowed: a non-empty dict "
            "{dimension: codes} such as {'Tid': ['2023']}"
        )
    out: dict[str, list[str]] = {}
    for dim, values in query.items():
        if not isinstance(dim, str) or not dim.strip() or "[" in dim or "]" in dim:
            raise ParameterError(f"query dimension {dim!r} is not allowed; allowed: a name")
        items = split_codes(values) if isinstance(values, str) else list(values)
        if not items or not all(isinstance(v, str) and v.strip() for v in items):
            raise ParameterError(f"query[{dim!r}]={values!r} is not allowed; allowed: codes")
        out[dim] = [v.strip() for v in items]
    return out


def expand_patterns(values: Sequence[str], codes: Sequence[str]) -> list[str]:
    """Replace ``*``/``?`` patterns by the matching *codes* (published order, no repeats)."""
    picked: list[str] = []
    for v in values:
        hits = fnmatch.filter(codes, v) if re.search(r"[*?]", v) else [v]
        picked.extend(h for h in hits if h not in picked)
    return picked or list(values)
