"""Table schemas: columns, dtypes, allowed values, unique keys, non-negative counts.

Every table :func:`ptvlib.load` returns is checked against its schema on every
load (fresh build or parquet cache). A violation raises one
:class:`~ptvlib.SchemaError` that names the table, the column, a few
bad values and what is allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import SchemaError

__all__ = ["Column", "Schema", "coerce", "validate"]

Kind = Literal["str", "int", "float", "bool"]

_PANDAS_DTYPES: dict[str, str] = {"str": "str", "int": "int64", "float": "float64", "bool": "bool"}


@dataclass(frozen=True)
class Column:
    """One column of a schema.

    Attributes
    ----------
    name : str
        Column name.
    kind : {"str", "int", "float", "bool"}
        Logical type; the frame's dtype must match it.
    description : str
        What the column holds (shown by ``ptv data info``).
    allowed : tuple, optional
        Allowed values (NaN/empty excluded when *nullable*).
    nullable : bool
        Whether missing values are allowed.
    nonnegative : bool
        Values must be >= 0 (where present).
    """

    name: str
    kind: Kind
    description: str = ""
    allowed: tuple[object, ...] | None = None
    nullable: bool = False
    nonnegative: bool = False


@dataclass(frozen=True)
class Schema:
    """Declared shape of a table: columns in order, unique key columns.

    Attributes
    ----------
    name : str
        Dataset name used in messages.
    columns : tuple of Column
    keys : tuple of str
        Columns that together identify a row (checked for duplicates).
    nonnegative_when : tuple of (column, value) pairs
        Rows where ``column == value`` must have ``value >= 0`` (e.g. counts).
    """

    name: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...] = ()
    nonnegative_when: tuple[tuple[str, object], ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        """Column names in order."""
        return [c.name for c in self.columns]

    def describe(self) -> pd.DataFrame:
        """Frame of column, type, description, allowed values."""
        return pd.DataFrame(
            {
                "column": [c.name for c in self.columns],
                "type": [c.kind for c in self.columns],
                "description": [c.description for c in self.columns],
                "allowed": [
                    ", ".join(map(str, c.allowed)) if c.allowed else "" for c in self.columns
                ],
                "nullable": [c.nullable for c in self.columns],
            }
        )


def _fail(schema: Schema, message: str) -> SchemaError:
    return SchemaError(f"table {schema.name!r}: {message}")


def _show(values: Sequence[object], limit: int = 5) -> str:
    shown = ", ".join(repr(v) for v in list(values)[:limit])
    return shown + (", …" if len(values) > limit else "")


def coerce(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Return a copy of *frame* with the schema's columns, order and dtypes.

    Strings become pandas' ``str`` dtype (missing stays missing), ints
    ``int64``, floats ``float64``, bools ``bool``.
    """
    missing = [c for c in schema.names if c not in frame.columns]
    if missing:
        raise _fail(schema, f"missing column(s) {missing}; expected columns {schema.names}")
    out = frame.loc[:, schema.names].copy()
    for col in schema.columns:
        out[col.name] = out[col.name].astype(_PANDAS_DTYPES[col.kind])
    return out.reset_index(drop=True)


def validate(frame: pd.DataFrame, schema: Schema, *, check_keys: bool = True) -> pd.DataFrame:
    """Check *frame* against *schema*; return it unchanged if it passes.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    schema : Schema
        What it must be.
    check_keys : bool, default True
        Check that the key columns are unique; a caller that has checked the
        same keys already (on integer codes) may skip this pass.

    Raises
    ------
    SchemaError
        On the first violation: missing/extra column, wrong dtype, missing
        values in a non-nullable column, values outside ``allowed``, negative
        values, duplicate keys.

    Examples
    --------
    >>> s = Schema("demo", (Column("region", "str"), Column("value", "float", nonnegative=True)),
    ...            keys=("region",))
    >>> validate(pd.DataFrame({"region": ["0301"], "value": [-1.0]}), s)
    Traceback (most recent call last):
    ...
    ptvlib.SchemaError: table 'demo': column 'value' has negative values (-1.0) in 1 row(s); allowed: >= 0
    """
    if list(frame.columns) != schema.names:
        missing = [c for c in schema.names if c not in frame.columns]
        extra = [c for c in frame.columns if c not in schema.names]
        raise _fail(
            schema,
            f"columns differ from the schema (missing {missing}, unexpected {extra}); "
            f"expected {schema.names}",
        )
    for col in schema.columns:
        s = frame[col.name]
        want = _PANDAS_DTYPES[col.kind]
        ok = {
            "str": pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s),
            "int": pd.api.types.is_integer_dtype(s),
            "float": pd.api.types.is_float_dtype(s),
            "bool": pd.api.types.is_bool_dtype(s),
        }[col.kind]
        if not ok:
            raise _fail(schema, f"column {col.name!r} has dtype {s.dtype}; expected {want}")
        isna = s.isna()
        if not col.nullable and isna.any():
            rows = list(np.flatnonzero(isna.to_numpy()))
            raise _fail(schema, f"column {col.name!r} has missing values in rows {_show(rows)}")
        if col.allowed is not None:
            bad = s[~isna & ~s.isin(list(col.allowed))].unique().tolist()
            if bad:
                raise _fail(
                    schema,
                    f"column {col.name!r} has value(s) {_show(bad)}; allowed: {_show(col.allowed, 20)}",
                )
        if col.nonnegative:
            neg = s[~isna & (s < 0)]
            if len(neg):
                raise _fail(
                    schema,
                    f"column {col.name!r} has negative values ({_show(neg.unique().tolist())}) "
                    f"in {len(neg)} row(s); allowed: >= 0",
                )
    for rule_col, rule_value in schema.nonnegative_when:
        sel = frame[rule_col] == rule_value
        neg = frame.loc[sel & (frame["value"] < 0), "value"]
        if len(neg):
            raise _fail(
                schema,
                f"column 'value' is negative ({_show(neg.tolist())}) where {rule_col}={rule_value!r}; "
                "counts must be >= 0",
            )
    if schema.keys and check_keys:
        dup = frame.duplicated(list(schema.keys), keep=False)
        if dup.any():
            example = frame.loc[dup, list(schema.keys)].head(3).to_dict("records")
            raise _fail(
                schema,
                f"{int(dup.sum())} rows share key {list(schema.keys)}; keys must be unique, "
                f"e.g. {example}",
            )
    return frame
