"""On-disk cache of live responses (SSB, Oslo statbank), used by :mod:`ptvlib.data.sources.engine`.

One cache entry per (kind, table, query, language), named by :func:`cache_stem`:

* ``<stem>.index.json`` — the sidecar: ``table_id``, ``lang``, ``query``,
  ``fetched_at`` (UTC, ISO 8601 with ``Z``) and per response part its
  ``file``, ``url``, ``method``, ``body``, ``sha256`` and ``bytes``;
* ``<stem>.<sha256[:16]>.json`` — the raw bytes of each response part.

:func:`store` writes the parts first, then the sidecar, each atomically, and
only then removes files of an older entry with the same stem; so a crash
leaves either the old or the new entry whole. :func:`load` returns None for
an absent or damaged entry (a part's SHA-256 differs from the sidecar).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from ptvlib.basics.io import atomic_write_bytes, atomic_write_text

__all__ = ["Part", "cache_stem", "load", "store"]


class Part(NamedTuple):
    """One response as sent and received.

    Attributes
    ----------
    url : str
        Request URL.
    method : {"GET", "POST"}
        HTTP method.
    body : dict or None
        JSON body of a POST request.
    raw : bytes
        Response body.
    """

    url: str
    method: str
    body: dict[str, Any] | None
    raw: bytes


def cache_stem(kind: str, table_id: str, lang: str, query: dict[str, list[str]]) -> str:
    """File-name stem of a cache entry.

    Parameters
    ----------
    kind : {"data", "meta"}
        Which endpoint.
    table_id : str
        Table number.
    lang : str
        Language as sent to SSB.
    query : dict of str to list of str
        Normalised selection (empty for metadata).

    Returns
    -------
    str
        ``<table>-<kind>-<lang>-<first 20 hex digits of the key's SHA-256>``.

    Examples
    --------
    >>> cache_stem("meta", "08487", "no", {})[:14]
    '08487-meta-no-'
    """
    key = json.dumps(
        {"kind": kind, "table": table_id, "lang": lang, "query": query}, sort_keys=True
    )
    return f"{table_id}-{kind}-{lang}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"


def store(
    root: Path,
    stem: str,
    table_id: str,
    lang: str,
    query: dict[str, list[str]],
    parts: list[Part],
) -> str:
    """Write the response bytes, then the sidecar (atomically); return ``fetched_at``.

    Parameters
    ----------
    root : pathlib.Path
        Cache folder (created if missing).
    stem : str
        From :func:`cache_stem`.
    table_id, lang : str
        Recorded in the sidecar.
    query : dict of str to list of str
        Recorded in the sidecar.
    parts : list of Part
        Every response of the request, in order.

    Returns
    -------
    str
        The fetch time written to the sidecar, e.g. ``"2025-01-31T12:00:00Z"``.
    """
    fetched_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    entries = []
    for p in parts:
        digest = hashlib.sha256(p.raw).hexdigest()
        target = root / f"{stem}.{digest[:16]}.json"
        if not (target.exists() and target.read_bytes() == p.raw):
            atomic_write_bytes(target, p.raw)
        entries.append(
            {
                "file": target.name,
                "url": p.url,
                "method": p.method,
                "body": p.body,
                "sha256": digest,
                "bytes": len(p.raw),
            }
        )
    record = {
        "table_id": table_id,
        "lang": lang,
        "query": query,
        "fetched_at": fetched_at,
        "parts": entries,
    }
    index = root / f"{stem}.index.json"
    atomic_write_text(index, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    keep = {e["file"] for e in entries} | {index.name}
    for old in root.glob(f"{stem}.*.json"):
        if old.name not in keep:
            old.unlink(missing_ok=True)
    return fetched_at


def load(root: Path, stem: str) -> tuple[dict[str, Any], list[bytes]] | None:
    """The cached sidecar and response bytes of an entry.

    Parameters
    ----------
    root : pathlib.Path
        Cache folder.
    stem : str
        From :func:`cache_stem`.

    Returns
    -------
    tuple of (dict, list of bytes) or None
        The sidecar record and each part's bytes; None if the entry is absent,
        unreadable or damaged (a SHA-256 mismatch, no parts, no ``fetched_at``).
    """
    try:
        record = json.loads((root / f"{stem}.index.json").read_text(encoding="utf-8"))
        parts = record["parts"]
        raws = [(root / p["file"]).read_bytes() for p in parts]
        intact = all(
            hashlib.sha256(r).hexdigest() == p["sha256"] for r, p in zip(raws, parts, strict=True)
        )
        if not raws or not intact or not isinstance(record["fetched_at"], str):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return record, raws
