"""Where a page's data came from: the provenance banner at the top of every page.

A page (and the index) shows one banner listing its data sources: the
embedded snapshot and its data version, a table fetched live and when, a
table that fell back to the embedded snapshot or to the last good copy
because the source was unavailable (with the reason), and the analyst's own
file. It takes a list of records, so the data layer's provenance records can
be passed as they are (:func:`records_from`); until a page has them it shows
what is known (:func:`default_records`) plus the fallbacks it caught as
warnings (:func:`record_from_warning`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from ptvlib.basics import config
from ptvlib.basics.literals import Lang
from ptvlib.basics.style import SYNTHETIC_LABEL
from ptvlib.report.escape import Html, html_text
from ptvlib.report.texts import label, text

__all__ = [
    "SYNTHETIC",
    "SourceKind",
    "SourceRecord",
    "banner",
    "default_records",
    "from_data_layer",
    "record_from_warning",
    "records_from",
]

#: How a table reached the page.
SourceKind = Literal["embedded", "live", "cache", "fallback", "own"]

_KINDS = ("embedded", "live", "cache", "fallback", "own")
#: ``detail`` of an own-data record whose file holds synthetic (demo) data.
SYNTHETIC = "synthetic"
#: The data layer's ``origin`` values (:func:`ptvlib.provenance`) and other names, as kinds.
_ORIGINS = {
    "live_cache": "cache",
    "embedded_fallback": "fallback",
    "ssb": "live",
    "api": "live",
    "snapshot": "embedded",
}


@dataclass(frozen=True)
class SourceRecord:
    """One data source of a page.

    Attributes
    ----------
    kind : {"embedded", "live", "cache", "fallback", "own"}
        Embedded snapshot; fetched live; the last good copy of a live table;
        the embedded snapshot used because the source failed; own data.
    table : str
        Dataset name (``reported_offences``), a source table (``08487``) or
        a file name (own data).
    when : str
        When it was fetched or built (ISO date or time), if known.
    detail : str
        Why it fell back, or a version.
    """

    kind: SourceKind
    table: str = ""
    when: str = ""
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        """Plain dict (for the sidecar JSON)."""
        return asdict(self)


def _first(record: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return str(value)
    return ""


def records_from(items: Iterable[Mapping[str, Any] | SourceRecord]) -> list[SourceRecord]:
    """Provenance records from mappings with the data layer's or the sidecar's keys.

    Accepts ``kind``/``origin``/``source`` for the kind (the data layer's
    ``live_cache`` and ``embedded_fallback`` become ``cache`` and
    ``fallback``; ``live`` also as ``ssb``/``api``), ``table``/``dataset``/
    ``name``, ``when``/``fetched``/``fetched_at``/``as_of``/``built``,
    ``detail``/``note``/``reason``/``message``.
    Unknown kinds are kept as ``embedded`` only when nothing else fits; the
    same record twice is listed once, and an own-data file that one page
    found synthetic (``detail`` :data:`SYNTHETIC`) is synthetic everywhere.

    Examples
    --------
    >>> records_from([{"dataset": "reported_offences", "source": "ssb", "fetched_at": "2026-12-01"}])
    [SourceRecord(kind='live', table='reported_offences', when='2026-12-01', detail='')]
    >>> records_from([{"dataset": "population", "origin": "live_cache", "as_of": "2026-11-30",
    ...                "note": "timeout", "source": "SSB 07459"}])[0].kind
    'cache'

    """
    out: list[SourceRecord] = []
    for item in items:
        if isinstance(item, SourceRecord):
            rec = item
        else:
            kind = _first(item, "kind", "origin", "source").lower()
            kind = _ORIGINS.get(kind, kind)
            if kind not in _KINDS:
                kind = "embedded"
            rec = SourceRecord(
                kind=kind,  # type: ignore[arg-type]
                table=_first(item, "table", "dataset", "name"),
                when=_first(item, "when", "fetched", "fetched_at", "as_of", "built"),
                detail=_first(item, "detail", "note", "reason", "message"),
            )
        if rec not in out:
            out.append(rec)
    synthetic = {r.table for r in out if r.kind == "own" and r.detail == SYNTHETIC}
    return [
        r for r in out if not (r.kind == "own" and r.table in synthetic and r.detail != SYNTHETIC)
    ]


def default_records(own_data: str = "") -> list[SourceRecord]:
    """What is known without the data layer's records: the embedded snapshot, and own data.

    The snapshot is named by the data build version; a live table or a
    fallback is added by the page when it happens.
    """
    from ptvlib.data.loading import BUILD_VERSION

    recs = []
    if config.data_source() == "embedded" or config.offline():
        recs.append(SourceRecord("embedded", detail=BUILD_VERSION))
    else:
        recs.append(SourceRecord("embedded", detail=BUILD_VERSION, when=config.data_source()))
    if own_data:
        recs.append(SourceRecord("own", table=Path(own_data).name))
    return recs


_SSB_TABLE = re.compile(r"SSB table (\w+)")
_FETCHED = re.compile(r"fetched (\S+?);")


def record_from_warning(category: type[Warning], message: str) -> SourceRecord | None:
    """A fallback record from the data layer's warnings (``SsbFallbackWarning``,
    ``StaleDataWarning``), else None.

    Examples
    --------
    >>> class StaleDataWarning(UserWarning): ...
    >>> record_from_warning(StaleDataWarning, "SSB table 08487: using the cached copy fetched "
    ...                     "2026-11-30T10:00:00+00:00; reason: timeout")  # doctest: +ELLIPSIS
    SourceRecord(kind='cache', table='08487', when='2026-11-30T10:00:00+00:00', detail='SSB...')
    """
    names = {c.__name__ for c in category.__mro__}
    if not names & {"SsbFallbackWarning", "StaleDataWarning"}:
        return None
    found = _SSB_TABLE.search(message)
    table = found.group(1) if found else ""
    fetched = _FETCHED.search(message)
    stale = "StaleDataWarning" in names or "last good copy" in message
    kind: SourceKind = "cache" if stale else "fallback"
    return SourceRecord(kind, table=table, when=fetched.group(1) if fetched else "", detail=message)


def _table_name(table: str, lang: Lang) -> str:
    return label("dataset_name", table, lang, default=table)


def from_data_layer() -> list[SourceRecord]:
    """The data layer's records of every table loaded in this process (:func:`ptvlib.provenance`)."""
    from ptvlib.data.loading import provenance as data_provenance

    frame = data_provenance()
    return records_from(frame.to_dict("records"))


def banner(records: Iterable[SourceRecord | Mapping[str, Any]], lang: Lang = "nb") -> Html:
    """The provenance banner of a page: fallbacks first, then live tables, own data, the snapshot.

    Embedded tables share one line (the snapshot's data version and, per
    table, the date of its extract when known).
    """
    recs = records_from(records)
    order = {"fallback": 0, "cache": 1, "live": 2, "own": 3}
    items = []
    for r in sorted((r for r in recs if r.kind != "embedded"), key=lambda r: order[r.kind]):
        table = html_text(_table_name(r.table, lang))
        when = html_text(_when(r.when, lang))
        detail = f"<span class='ptv-verbatim'>{html_text(r.detail)}</span>" if r.detail else "–"
        if r.kind == "live":
            source = html_text(text("banner.ssb", lang))
            line = text("banner.live", lang, table=table, source=source, when=when)
        elif r.kind == "cache":
            line = text("banner.cache", lang, table=table, when=when or "–")
            line += f" ({detail})" if r.detail else ""
        elif r.kind == "fallback":
            line = text("banner.fallback", lang, table=table, detail=detail)
        elif r.detail == SYNTHETIC:
            marked = f"<strong class='ptv-synthetic-label'>{html_text(SYNTHETIC_LABEL)}</strong>"
            line = text("banner.own_synthetic", lang, file=f"<code>{table}</code>", label=marked)
        else:
            line = text("banner.own", lang, file=f"<code>{table}</code>")
        css = " class='ptv-fallback'" if r.kind in ("fallback", "cache") else ""
        items.append(f"<li{css}>{line}</li>")
    embedded = [r for r in recs if r.kind == "embedded"]
    if embedded:
        version = next((r.detail for r in embedded if not r.table and r.detail), "")
        mode = next((r.when for r in embedded if not r.table and r.when in ("auto", "ssb")), "")
        tables: list[tuple[str, str]] = []
        for r in embedded:
            if not r.table or any(r.table == t for t, _ in tables):
                continue
            tables.append((r.table, _when(r.when, lang) if r.when else ""))
        listed = ", ".join(
            html_text(_table_name(t, lang)) + (f" ({html_text(w)})" if w else "") for t, w in tables
        )
        line = html_text(text("banner.embedded", lang, version=version or "–", tables=""))
        if listed:
            line += ": " + listed
        line += " · " + html_text(text(f"banner.mode.{mode or 'embedded'}", lang))
        if config.offline():
            line += html_text(text("banner.offline", lang))
        items.append(f"<li>{line}</li>")
    warn = " ptv-banner-warn" if any(r.kind in ("fallback", "cache") for r in recs) else ""
    title = html_text(text("banner.title", lang))
    return Html(
        f"<aside class='ptv-banner{warn}' role='note'><strong>{title}:</strong>"
        f"<ul>{''.join(items)}</ul></aside>"
    )


_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)


def _when(value: str, lang: Lang) -> str:
    """A date or time in words (``19. desember 2025``); the last date found in a description."""
    import datetime as dt

    from ptvlib.basics.numbers import date_text

    if not value or value in ("auto", "ssb"):
        return ""
    found = _DATE.findall(value)
    if not found:
        return ""
    stamp = found[-1].replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return ""
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone()
    return str(date_text(parsed, lang, time=len(stamp) > 10))
