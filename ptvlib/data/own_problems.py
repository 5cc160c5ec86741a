"""Problems found in an own-data file, grouped by kind (private helper of :mod:`ptvlib.data.own`).

Each kind is one column and one expectation ("column 'value': expected a
number"); it is reported once, with how many rows have it and the first few
rows and values — never one line per row, so a file with 4 860 bad rows gives
a few lines, not 14 625. A row with two different problems counts once in the
total of bad rows. Checks that depend on another (a negative count needs a
number) run only where that one passed, so one mistake is reported once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import OwnDataError
from ptvlib.data.own_coded import Coded

__all__ = ["Problems"]

#: Examples shown per kind of problem.
EXAMPLES = 3


def _show(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 2] + "…'"


@dataclass
class _Kind:
    column: str
    expected: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


class Problems:
    """Collect problems by (column, expectation); raise them all at once.

    Parameters
    ----------
    n : int
        Data rows in the file.
    row_of : callable
        Maps data-row positions (0-based) to the row numbers a person sees in
        the file (spreadsheet rows, header included).
    """

    def __init__(self, n: int, row_of: Callable[[np.ndarray], np.ndarray]) -> None:
        self.n = n
        self._row_of = row_of
        self._kinds: dict[tuple[str, str], _Kind] = {}
        self.bad = np.zeros(n, dtype=bool)
        self._notes: list[str] = []

    def __bool__(self) -> bool:
        return bool(self._kinds or self._notes)

    def add(
        self,
        column: str,
        expected: str,
        mask: np.ndarray | pd.Series,
        values: Coded | pd.Series | np.ndarray | None = None,
    ) -> int:
        """Record the rows where *mask* holds; return how many there were.

        Parameters
        ----------
        column : str
            The column as the file names it (or the schema name).
        expected : str
            What the rows should hold, e.g. "a number".
        mask : array of bool
            One entry per data row.
        values : Coded, Series or array, optional
            The rows' values, shown for the first few (looked up only for them).
        """
        where = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not where.size:
            return 0
        self.bad[where] = True
        kind = self._kinds.setdefault((column, expected), _Kind(column, expected))
        kind.count += int(where.size)
        room = EXAMPLES - len(kind.examples)
        if room > 0:
            first = where[:room]
            rows = self._row_of(first)
            vals: Any
            if isinstance(values, Coded):
                vals = values.text_at(first)
            elif values is not None:
                vals = np.asarray(values, dtype=object)[first]
            else:
                vals = [None] * len(first)
            kind.examples += [
                f"row {r}" + (f" ({_show(v)})" if values is not None else "")
                for r, v in zip(rows, vals, strict=True)
            ]
        return int(where.size)

    def note(self, line: str) -> None:
        """Record a problem that is not about single rows (e.g. a whole column)."""
        self._notes.append(line)

    def lines(self) -> list[str]:
        """One line per kind, most frequent first; then the notes."""
        kinds = sorted(self._kinds.values(), key=lambda k: -k.count)
        out = [
            f"column {k.column!r}: {k.count:,} row(s) — expected {k.expected}; "
            + ", ".join(k.examples)
            + (", …" if k.count > len(k.examples) else "")
            for k in kinds
        ]
        return out + self._notes

    def raise_if_any(self, where: str, context: str) -> None:
        """Raise one :class:`~ptvlib.OwnDataError` with every kind (nothing if none).

        Parameters
        ----------
        where : str
            ``own_data='file.csv'``.
        context : str
            What was read (columns found, how they were mapped), appended to
            the first line.
        """
        if not self:
            return
        lines = self.lines()
        rows = int(self.bad.sum())
        head = f"{where}: {len(lines)} kind(s) of problem"
        if rows:
            head += f" in {rows:,} of {self.n:,} data rows"
        raise OwnDataError(f"{head}; {context}", lines)
