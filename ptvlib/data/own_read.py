"""Read an own-data file as analysts have it: CSV in any common dialect, Excel, parquet.

:func:`read_table` returns every cell as text (``""`` when empty), the row
number a person sees for each data row, and — for Excel and parquet — the
cells that were numbers already, so they are never re-read from text.

CSV (``.csv``, ``.txt``, ``.tsv``)
    Encoding: a byte-order mark decides (UTF-8, UTF-16 as Excel's "Unicode
    text"); otherwise UTF-8, falling back to Windows-1252 (which Norwegian
    Excel writes) and Latin-1. Delimiter: ``;``, tab, ``,`` or ``|``, the one
    that splits the first lines into the same number (> 1) of fields. Title
    lines above the header are skipped: the header is the first line with two
    recognised column names (else the first line with the full field count).
    Read with pyarrow's multi-threaded reader, every column as text.
Excel (``.xlsx``, ``.xlsm``)
    The first sheet or the one named; title rows above the header skipped as
    for CSV; empty rows skipped (row numbers stay the sheet's). Dates become
    ``YYYY-MM-DD``.
Parquet (``.parquet``, ``.pq``)
    Numeric columns keep their numbers; everything is also given as text.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import OwnDataError
from ptvlib.data.own_coded import Coded
from ptvlib.data.own_columns import recognise

__all__ = ["CSV_SUFFIXES", "EXCEL_SUFFIXES", "PARQUET_SUFFIXES", "RawTable", "read_table"]

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
_DELIMITERS = (";", "\t", ",", "|")
_HEAD_BYTES = 1 << 18
_SCAN = 30


@dataclass
class RawTable:
    """An own-data file as text.

    Attributes
    ----------
    frame : pandas.DataFrame or None
        Every column as ``str``, headers stripped (Excel, parquet).
    numeric : dict of str to numpy.ndarray
        Per column, the values of cells that were numbers in the file (NaN
        elsewhere); Excel and parquet only.
    rows : numpy.ndarray or None
        The row number of each data row as a person sees it (spreadsheet row,
        1 = the first line of the file); None for CSV, whose line numbers are
        found on demand (blank lines skipped by the reader still count).
    how : dict of str to str
        What was detected: ``encoding``, ``delimiter``, ``sheet``, ``header_row``.
    path : pathlib.Path or None
        The CSV file, to find line numbers.
    table : pyarrow.Table or None
        CSV: every column dictionary-encoded, one dictionary per column (no
        per-row strings are ever built).
    """

    frame: pd.DataFrame | None
    numeric: dict[str, np.ndarray] = field(default_factory=dict)
    rows: np.ndarray | None = None
    how: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    table: Any = None

    @property
    def columns(self) -> list[str]:
        """Headers in file order."""
        return list(self.table.column_names) if self.table is not None else list(self.frame.columns)  # type: ignore[union-attr]

    _n: int = field(default=-1, repr=False)

    @property
    def n(self) -> int:
        """Data rows."""
        if self.table is not None:
            return int(self.table.num_rows)
        return self._n if self._n >= 0 else len(self.frame)  # type: ignore[arg-type]

    def column(self, header: str | None, default: str = "") -> Coded:
        """The column *header* factorised (*default* for every row when None)."""
        if header is None:
            return Coded.of(None, self.n, default)
        if self.table is not None:
            return Coded.of_arrow(self.table[header])
        return Coded.of(self.frame[header], self.n)  # type: ignore[index]

    def release(self) -> None:
        """Drop the file's cells (once every column needed has been read with :meth:`column`)."""
        self._n = self.n
        self.table = None
        if self.frame is not None:
            self.frame = self.frame.iloc[:0]

    def row_of(self, positions: np.ndarray) -> np.ndarray:
        """Row numbers of the data rows at *positions* (0-based)."""
        pos = np.asarray(positions, dtype="int64")
        if self.rows is not None:
            return self.rows[pos]
        return _csv_lines(self.path, int(self.how["header_row"]), pos)


def _fail(path: Path, message: str) -> OwnDataError:
    return OwnDataError(f"own_data={str(path)!r} {message}")


def _header_index(rows: list[list[str]]) -> int:
    """The header among the first rows: two recognised names, else the first full-width row."""
    for i, row in enumerate(rows[:_SCAN]):
        if sum(recognise(c) is not None for c in row if c.strip()) >= 2:
            return i
    widths = [sum(bool(c.strip()) for c in r) for r in rows[:_SCAN]]
    full = max(widths, default=0)
    return next((i for i, w in enumerate(widths) if w == full), 0)


def _clean_headers(path: Path, cells: list[Any]) -> list[str]:
    names = [
        str(c if c is not None else "").replace("\ufeff", "").strip().strip('"') for c in cells
    ]
    while names and not names[-1]:
        names.pop()
    empty = [i + 1 for i, n in enumerate(names) if not n]
    if empty:
        raise _fail(
            path, f"has column(s) without a header at position(s) {empty}; headers: {names}"
        )
    dup = [n for n, k in Counter(names).items() if k > 1]
    if dup:
        raise _fail(path, f"has duplicate column header(s) {dup}; headers: {names}")
    return names


# ----------------------------------------------------------------------------- CSV
def _csv_lines(path: Path | None, header_row: int, positions: np.ndarray) -> np.ndarray:
    """Line numbers of data rows: the non-blank lines after the header, counted up to the
    largest position asked for (so asking about the first rows reads only the start)."""
    if path is None or not positions.size:
        return positions + header_row + 1
    want = int(positions.max())
    found: list[int] = []
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if number <= header_row or not line.strip():
                continue
            found.append(number)
            if len(found) > want:
                break
    table = np.array(found + [found[-1] if found else header_row] * (want + 1 - len(found)))
    return table[positions]


def _encoding(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "cp1252"
    return "utf-8"


def _sniff(lines: list[str]) -> str:
    """The delimiter that splits the lines into the most consistent field count > 1."""
    best, best_score = ",", (-1.0, 0)
    sample = [ln for ln in lines if ln.strip()][:_SCAN]
    for delim in _DELIMITERS:
        counts = [len(r) for r in csv.reader(sample, delimiter=delim)]
        if not counts:
            continue
        mode, hits = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (hits / len(counts), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_csv(path: Path, encoding: str | None, sep: str | None) -> RawTable:
    import pyarrow as pa
    import pyarrow.csv as pc

    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if not head.strip():
        raise _fail(path, "is empty")
    enc = encoding or _encoding(head)
    text = head.decode(enc, errors="replace").lstrip("\ufeff")
    lines = text.splitlines()[: 4 * _SCAN]
    if len(head) == _HEAD_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line of the sample may be cut
    delim = sep or _sniff(lines)
    parsed = list(csv.reader(lines, delimiter=delim))
    nonblank = [i for i, r in enumerate(parsed) if any(c.strip() for c in r)]
    at = _header_index([parsed[i] for i in nonblank])
    header_line = nonblank[at] if nonblank else 0
    names = _clean_headers(path, list(parsed[header_line]) if parsed else [])
    width = len(parsed[header_line]) if parsed else 0
    columns = [*names, *[f"_extra{i}" for i in range(width - len(names))]]

    def read(enc: str) -> pa.Table:
        return pc.read_csv(
            path,
            read_options=pc.ReadOptions(
                encoding=enc, skip_rows=header_line + 1, column_names=columns, block_size=1 << 24
            ),
            parse_options=pc.ParseOptions(delimiter=delim),
            convert_options=pc.ConvertOptions(
                column_types={c: pa.dictionary(pa.int32(), pa.string()) for c in columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )

    try:
        try:
            table = read(enc)
        except (pa.ArrowInvalid, UnicodeDecodeError) as err:
            if encoding is not None or "UTF8" not in str(err) and "utf-8" not in str(err):
                raise
            enc = "cp1252"
            try:
                table = read(enc)
            except UnicodeDecodeError:
                enc = "latin-1"
                table = read(enc)
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as err:
        raise _fail(
            path,
            f"could not be read as CSV (encoding {enc}, delimiter {delim!r}, header on line "
            f"{header_line + 1}): {err}",
        ) from None
    table = table.unify_dictionaries()
    extra = [c for c in columns if c.startswith("_extra")]
    if extra:
        filled = [c for c in extra if any(str(v).strip() for v in _dictionary(table[c]))]
        if filled:
            raise _fail(path, f"has values in columns without a header (after {names[-1]!r})")
        table = table.drop_columns(extra)
    how = {"encoding": enc, "delimiter": delim, "header_row": str(header_line + 1)}
    return RawTable(None, {}, None, how, path, table)


def _dictionary(column: Any) -> list[Any]:
    chunks = [c for c in column.chunks if len(c)]
    return chunks[0].dictionary.to_pylist() if chunks else []


# --------------------------------------------------------------------------- Excel
def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


def _read_excel(path: Path, sheet: str | None) -> RawTable:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:
        raise _fail(path, f"could not be read as an Excel workbook: {err}") from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise _fail(path, f"has no sheet {sheet!r}; sheets: {book.sheetnames}")
            ws = book[sheet]
        else:
            ws = book.worksheets[0]
        cells = [list(r) for r in ws.iter_rows(values_only=True)]
        name = ws.title
    finally:
        book.close()
    texts = [[_cell_text(v) for v in r] for r in cells]
    nonblank = [i for i, r in enumerate(texts) if any(r)]
    if not nonblank:
        raise _fail(path, f"sheet {name!r} is empty")
    at = _header_index([texts[i] for i in nonblank])
    header = nonblank[at]
    names = _clean_headers(path, cells[header])
    body = [i for i in nonblank if i > header]
    k = len(names)
    data: dict[str, list[str]] = {c: [] for c in names}
    numeric: dict[str, np.ndarray] = {}
    nums = np.full((len(body), k), np.nan)
    for j, i in enumerate(body):
        row = cells[i]
        if any(v is not None and str(v).strip() for v in row[k:]):
            raise _fail(path, f"sheet {name!r} row {i + 1} has values right of the last header")
        for c in range(k):
            v = row[c] if c < len(row) else None
            data[names[c]].append(_cell_text(v))
            if isinstance(v, int | float) and not isinstance(v, bool):
                nums[j, c] = float(v)
    for c, col in enumerate(names):
        if not np.isnan(nums[:, c]).all():
            numeric[col] = nums[:, c]
    frame = pd.DataFrame({c: pd.Series(v, dtype="str") for c, v in data.items()})
    rows = np.array([i + 1 for i in body], dtype="int64")
    return RawTable(frame, numeric, rows, {"sheet": name, "header_row": str(header + 1)})


# ------------------------------------------------------------------------- parquet
def _read_parquet(path: Path) -> RawTable:
    try:
        src = pd.read_parquet(path)
    except Exception as err:
        raise _fail(path, f"could not be read as parquet: {err}") from None
    _clean_headers(path, list(src.columns))
    frame: dict[str, pd.Series] = {}
    numeric: dict[str, np.ndarray] = {}
    for col in src.columns:
        s = src[col]
        name = str(col).strip()
        if pd.api.types.is_bool_dtype(s):
            frame[name] = s.map({True: "TRUE", False: "FALSE"}).fillna("").astype("str")
        elif pd.api.types.is_numeric_dtype(s):
            vals = s.to_numpy(dtype="float64", na_value=np.nan)
            numeric[name] = vals
            finite = np.where(np.isfinite(vals), vals, 0.0)
            whole = np.isfinite(vals) & (np.mod(finite, 1) == 0) & (np.abs(finite) < 1e15)
            ints = np.where(whole, finite, 0.0).astype("int64")
            text = np.where(whole, np.char.mod("%d", ints), vals.astype(str))
            frame[name] = pd.Series(np.where(np.isnan(vals), "", text), dtype="str")
        elif pd.api.types.is_datetime64_any_dtype(s):
            frame[name] = s.dt.strftime("%Y-%m-%d").fillna("").astype("str")
        else:
            frame[name] = s.astype("str").where(s.notna(), "").str.strip()
    n = len(src)
    return RawTable(pd.DataFrame(frame), numeric, np.arange(1, n + 1, dtype="int64"), {})


def read_table(
    path: Path, *, sheet: str | None = None, encoding: str | None = None, sep: str | None = None
) -> RawTable:
    """Read an own-data file (see the module docstring).

    Parameters
    ----------
    path : pathlib.Path
        The file; its suffix decides the format.
    sheet : str, optional
        Excel sheet name (default: the first sheet).
    encoding : str, optional
        CSV encoding (default: detected).
    sep : str, optional
        CSV delimiter (default: detected).

    Returns
    -------
    RawTable

    Raises
    ------
    OwnDataError
        Unsupported type, unreadable file, a header missing or repeated, or
        values outside the headed columns.
    """
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, encoding, sep)
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, sheet)
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(path)
    hint = "; save it as .xlsx" if suffix in (".xls", ".ods") else ""
    raise _fail(
        path,
        f"has file type {suffix or '(none)'!r}, which is not supported{hint}; allowed: "
        + ", ".join(CSV_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES),
    )
