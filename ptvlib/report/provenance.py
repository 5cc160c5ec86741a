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
from ptvlib.report.escape import Html, html_text
from ptvlib.report.texts import label, text

__all__ = [
    "SourceKind",
    "SourceRecord",
    "banner",
    "default_records",
    "record_from_warning",
    "records_from",
]

#: How a table reached the page.
SourceKind = Literal["embedded", "live", "cache", "fallback", "own"]

_KINDS = ("embedded", "live", "cache", "fallback", "own")


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

    Accepts ``kind``/``source``/``origin`` for the kind (``live`` also as
    ``ssb``/``api``), ``table``/``dataset``/``name``, ``when``/``fetched``/
    ``fetched_at``/``as_of``/``built``, ``detail``/``reason``/``message``.
    Unknown kinds are kept as ``embedded`` only when nothing else fits; the
    same record twice is listed once.

    Examples
    --------
    >>> records_from([{"dataset": "reported_offences", "source": "ssb", "fetched_at": "2026-12-01"}])
    [SourceRecord(kind='live', table='reported_offences', when='2026-12-01', detail='')]
    """
    out: list[SourceRecord] = []
    for item in items:
        if isinstance(item, SourceRecord):
            rec = item
        else:
            kind = _first(item, "kind", "source", "origin").lower()
            kind = {"ssb": "live", "api": "live", "snapshot": "embedded"}.get(kind, kind)
            if kind not in _KINDS:
                kind = "embedded"
            rec = SourceRecord(
                kind=kind,  # type: ignore[arg-type]
                table=_first(item, "table", "dataset", "name"),
                when=_first(item, "when", "fetched", "fetched_at", "as_of", "built"),
                detail=_first(item, "detail", "reason", "message"),
            )
        if rec not in out:
            out.append(rec)
    return out


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


def banner(records: Iterable[SourceRecord | Mapping[str, Any]], lang: Lang = "nb") -> Html:
    """The provenance banner of a page: one line per source, fallbacks first."""
    from ptvlib.basics.numbers import date_text

    recs = records_from(records)
    order = {"fallback": 0, "cache": 1, "live": 2, "own": 3, "embedded": 4}
    items = []
    for r in sorted(recs, key=lambda r: order[r.kind]):
        table = html_text(_table_name(r.table, lang))
        when = html_text(_when(r.when, lang, date_text))
        if r.kind == "embedded":
            line = html_text(text("banner.embedded", lang, version=r.detail or "–", tables=""))
            mode = r.when if r.when in ("auto", "ssb") else "embedded"
            line += " · " + html_text(text(f"banner.mode.{mode}", lang))
            if config.offline():
                line += html_text(text("banner.offline", lang))
        elif r.kind == "live":
            line = text(
                "banner.live",
                lang,
                table=table,
                source=html_text(text("banner.ssb", lang)),
                when=when,
            )
        elif r.kind == "cache":
            line = text("banner.cache", lang, table=table, when=when or "–")
            if r.detail:
                line += f" <span class='ptv-verbatim'>{html_text(r.detail)}</span>"
        elif r.kind == "fallback":
            line = text(
                "banner.fallback",
                lang,
                table=table,
                detail=f"<span class='ptv-verbatim'>{html_text(r.detail)}</span>",
            )
        else:
            line = text("banner.own", lang, file=f"<code>{table}</code>")
        css = " class='ptv-fallback'" if r.kind in ("fallback", "cache") else ""
        items.append(f"<li{css}>{line}</li>")
    warn = " ptv-banner-warn" if any(r.kind in ("fallback", "cache") for r in recs) else ""
    title = html_text(text("banner.title", lang))
    return Html(
        f"<aside class='ptv-banner{warn}' role='note'><strong>{title}:</strong>"
        f"<ul>{''.join(items)}</ul></aside>"
    )


def _when(value: str, lang: Lang, date_text: Any) -> str:
    import datetime as dt

    if not value or value in ("auto", "ssb"):
        return ""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return str(date_text(parsed, lang, time=len(value) > 10))
