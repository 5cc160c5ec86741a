"""Validate own data once, read it many times: stamped parquet files.

A report runs several notebook kernels; each used to parse and validate the
analyst's file again. :func:`ptvlib.data.own.write_validated` validates it once
and writes a parquet file whose footer carries a **stamp** (key ``ptv_own``):

* ``schema_version`` — :data:`~ptvlib.data.own.OWN_SCHEMA_VERSION` when written;
* ``content_sha256`` — SHA-256 of every byte before the parquet footer (all
  column data), so a changed byte is seen;
* the source file's path, size, modification time and SHA-256, and the
  options it was read with.

:func:`ptvlib.load_own` on a stamped file checks the stamp and returns the
table without validating again (a hash of the file's bytes instead of a parse).
A file whose bytes no longer match (tampered, damaged), that an older version
stamped, or whose source file changed since, is validated again — from the
source when it still exists — with a :class:`OwnDataStampWarning` saying why.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from ptvlib.basics.exceptions import OwnDataError
from ptvlib.basics.io import sha256_file

__all__ = ["Check", "OwnDataStampWarning", "check_stamped", "source_stamp", "stamped_bytes"]

_KEY = b"ptv_own"


class OwnDataStampWarning(UserWarning):
    """A validated own-data parquet could not be trusted as it is; it was validated again."""


def _prefix_digest(data: bytes) -> str:
    """SHA-256 of a parquet file's bytes before the footer (``<footer><len:4>PAR1``)."""
    if len(data) < 12 or data[-4:] != b"PAR1":
        raise ValueError("not a parquet file")
    footer = int.from_bytes(data[-8:-4], "little")
    return hashlib.sha256(data[: len(data) - 8 - footer]).hexdigest()


def _parquet_bytes(table: Any, stamp: dict[str, Any]) -> bytes:
    import pyarrow.parquet as pq

    meta = {**(table.schema.metadata or {}), _KEY: json.dumps(stamp, sort_keys=True).encode()}
    buf = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(meta), buf, compression="zstd")
    return buf.getvalue()


def stamped_bytes(frame: pd.DataFrame, stamp: dict[str, Any]) -> bytes:
    """The parquet bytes of a validated *frame* with *stamp* and its content checksum.

    Parameters
    ----------
    frame : pandas.DataFrame
        A validated own-data table.
    stamp : dict
        What to record (schema version, source, options); ``content_sha256`` is added.

    Returns
    -------
    bytes
    """
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    stamp = {**stamp, "content_sha256": ""}
    stamp["content_sha256"] = _prefix_digest(_parquet_bytes(table, stamp))
    data = _parquet_bytes(table, stamp)
    if (
        _prefix_digest(data) != stamp["content_sha256"]
    ):  # pragma: no cover - writer not deterministic
        raise OwnDataError("the parquet writer is not deterministic; cannot stamp the file")
    return data


def source_stamp(source: Path, options: dict[str, Any], version: str) -> dict[str, Any]:
    """What a stamp records about *source* (path, size, time, SHA-256) and how it was read."""
    st = source.stat()
    return {
        "schema_version": version,
        "source": str(source),
        "source_size": st.st_size,
        "source_mtime_ns": st.st_mtime_ns,
        "source_sha256": sha256_file(source),
        "options": {k: v for k, v in options.items() if v is not None},
    }


def _stamp(path: Path) -> dict[str, Any] | None:
    import pyarrow.parquet as pq

    try:
        kv = pq.read_metadata(path).metadata or {}
    except Exception:
        return None
    if _KEY not in kv:
        return None
    try:
        stamp = json.loads(kv[_KEY])
    except ValueError:
        return {}
    return stamp if isinstance(stamp, dict) else {}


class Check(NamedTuple):
    """What :func:`check_stamped` found.

    Attributes
    ----------
    frame : pandas.DataFrame or None
        The table, when the stamp holds.
    source : pathlib.Path or None
        The source to read again, when it changed since the file was stamped.
    options : dict
        The options it was read with.
    origin : pathlib.Path or None
        The source named in the stamp (to read it with other options, e.g. by
        month when the stamped copy holds years).
    """

    frame: pd.DataFrame | None
    source: Path | None
    options: dict[str, Any]
    origin: Path | None = None


def check_stamped(path: Path, version: str, columns: list[str]) -> Check:
    """Check a stamped parquet (see the module docstring); warn when it cannot be trusted.

    Parameters
    ----------
    path : pathlib.Path
        Any own-data file; only stamped parquet files are answered here.
    version : str
        The current schema version.
    columns : list of str
        The own-data schema's columns.

    Returns
    -------
    Check
        ``frame`` set when the stamp holds; ``source`` set when the source
        changed since (read it again); neither for an unstamped file or a
        stamp that fails (validate the file as any other).
    """
    none = Check(None, None, {})
    if path.suffix.lower() not in (".parquet", ".pq"):
        return none
    stamp = _stamp(path)
    if stamp is None:
        return none

    def again(why: str) -> None:
        warnings.warn(
            f"own_data={str(path)!r}: {why}; validating it again", OwnDataStampWarning, stacklevel=4
        )

    if stamp.get("schema_version") != version:
        again(f"stamped by schema version {stamp.get('schema_version')!r}, now {version!r}")
        return none
    try:
        intact = _prefix_digest(path.read_bytes()) == stamp.get("content_sha256")
    except (OSError, ValueError):
        intact = False
    if not intact:
        again("its bytes changed after it was validated (edited or damaged)")
        return none
    source = Path(str(stamp.get("source", "")))
    options = dict(stamp.get("options", {}))
    if source.is_file():
        st = source.stat()
        moved = (st.st_size, st.st_mtime_ns) != (
            stamp.get("source_size"),
            stamp.get("source_mtime_ns"),
        )
        if moved and sha256_file(source) != stamp.get("source_sha256"):
            again(f"its source {str(source)!r} changed since it was validated")
            return Check(None, source, options)
    frame = pd.read_parquet(path)
    if list(frame.columns) != columns:
        again("its columns are not the own-data schema")
        return none
    frame.attrs = {"own_data": {**stamp.get("read", {}), "validated_copy": str(path)}}
    return Check(frame, None, options, source)
