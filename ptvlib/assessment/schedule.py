"""Which areas got the money, and from when: the treatment schedule of the bydel designs.

The schedule comes, in this order, from

1. ``treatment_schedule`` (``-p treatment_schedule 030115:2018,030101:2019``):
   area code and first treated year, as the analyst knows them;
2. ``treated_areas`` with ``start_year`` (every listed area from the same year);
3. the embedded funding table (:func:`default_schedule`): only allocations to
   the police whose source names a place that lies in **one** bydel. Today
   that is "Oslo sør" / "Holmlia" → Søndre Nordstrand (030115) from 2018.
   Sources that name an area spanning several bydeler ("Oslo indre øst",
   2019, 7 MNOK) or no area at all ("Områdesatsingen i Oslo", 2020) are
   listed with the request to give the schedule: the project does not guess
   which bydel got the money.

``buffer_areas`` (``-p buffer_areas 030114,030113``) are neighbouring areas
where an effect could spill over (displacement or diffusion of benefits):
they are left out of the comparison areas and analysed on their own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ptvlib.basics.exceptions import ParameterError
from ptvlib.basics.literals import Lang, check_literal

__all__ = [
    "MULTI_BYDEL_AREAS",
    "PLACE_BYDEL",
    "Schedule",
    "default_schedule",
    "parse_schedule",
    "resolve_schedule",
]

#: Places that funding sources name, and the one bydel each lies in.
PLACE_BYDEL: dict[str, str] = {
    "oslo sør": "030115",  # Oslo Sør-satsingen = Bydel Søndre Nordstrand
    "holmlia": "030115",
    "mortensrud": "030115",
    "søndre nordstrand": "030115",
    "tøyen": "030101",
    "grønland": "030101",
    "gamle oslo": "030101",
}

#: Areas that funding sources name and that span more than one bydel.
MULTI_BYDEL_AREAS: dict[str, str] = {
    "oslo indre øst": "Gamle Oslo, Grünerløkka and parts of neighbouring bydeler",
    "groruddalen": "Bjerke, Grorud, Stovner and Alna",
}

_ENTRY = re.compile(r"^\s*([^:\s]+)\s*(?::\s*(\d{4}))?\s*$")


@dataclass(frozen=True)
class Schedule:
    """A treatment schedule and where it came from.

    Attributes
    ----------
    starts : dict
        Area code → first treated year.
    origin : {"treatment_schedule", "treated_areas", "funding_table"}
        Which input gave it.
    sources : dict
        Area code → the source(s) behind the start (URL or parameter).
    asks : list of dict
        Funding rows that do not name a single bydel: ``year``, ``amount_mnok``,
        ``text``, ``reason``, ``source_url``.
    notes : list of str
        Other facts about timing (e.g. a source dating an effort earlier), in
        English; ``timing`` and ``absent`` hold the same facts as data.
    buffers : dict
        Buffer area → start year (the start of the nearest schedule entry
        unless given).
    timing : list of dict
        Funding rows that date an effort in a bydel without an amount:
        ``year``, ``text`` (as in the source), ``source_url``.
    absent : list of str
        Funding-table areas that are not in the data (not used).
    """

    starts: dict[str, int]
    origin: str
    sources: dict[str, str] = field(default_factory=dict)
    asks: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    buffers: dict[str, int] = field(default_factory=dict)
    timing: list[dict[str, Any]] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)

    def table(self, lang: Lang = "nb") -> pd.DataFrame:
        """One row per scheduled and buffer area: code, name, start, role, source."""
        from ptvlib.data.regions import region_name

        check_literal("lang", lang, Lang)
        rows = []
        for code, start in self.starts.items():
            rows.append((code, start, "treated", self.sources.get(code, self.origin)))
        for code, start in self.buffers.items():
            rows.append((code, start, "buffer", "buffer_areas"))

        def name(code: str) -> str:
            try:
                return region_name(code)
            except Exception:  # an analyst's own area code
                return code

        frame = pd.DataFrame(rows, columns=["area", "start", "role", "source"])
        frame.insert(1, "name", [name(c) for c in frame["area"]])
        return frame


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def parse_schedule(
    entries: Iterable[str], *, field_name: str = "treatment_schedule", require_year: bool = True
) -> dict:
    """Parse ``["030115:2018", "030101:2019"]`` into ``{"030115": 2018, ...}``.

    With ``require_year=False`` (``buffer_areas``) an entry may be a bare
    area code, which maps to ``None``.

    Raises
    ------
    ParameterError
        An entry that is not ``CODE:YEAR`` (or ``CODE`` when allowed), a year
        outside 1990–2100, or an area given twice.

    Examples
    --------
    >>> parse_schedule(["030115:2018", "030101:2019"])
    {'030115': 2018, '030101': 2019}
    >>> parse_schedule(["030114"], field_name="buffer_areas", require_year=False)
    {'030114': None}
    """
    out: dict[str, int | None] = {}
    for entry in entries:
        m = _ENTRY.match(str(entry))
        if not m or (require_year and m.group(2) is None):
            raise ParameterError(
                f"{field_name} entry {entry!r} is not allowed; allowed: AREA:YEAR such as "
                "'030115:2018'"
            )
        code, year = m.group(1), m.group(2)
        if code in out:
            raise ParameterError(f"{field_name}: area {code!r} is given twice")
        if year is not None and not 1990 <= int(year) <= 2100:
            raise ParameterError(
                f"{field_name} entry {entry!r}: year {year} is not allowed; allowed: 1990 … 2100"
            )
        out[code] = int(year) if year is not None else None
    return out


def default_schedule(funding: pd.DataFrame | None = None) -> Schedule:
    """The schedule the embedded funding table supports, with the source of each entry.

    Only police allocations (``kind == "allocation"``) that the source ties to
    Oslo are used; a start is the first budget year whose source names a place
    in :data:`PLACE_BYDEL`. Rows naming an area in :data:`MULTI_BYDEL_AREAS`,
    or Oslo-specific police money with no area, become ``asks``.

    Examples
    --------
    >>> s = default_schedule()
    >>> s.starts, s.origin
    ({'030115': 2018}, 'funding_table')
    >>> sorted({a["year"] for a in s.asks})
    [2019, 2020]
    """
    if funding is None:
        from ptvlib.data.loading import load

        funding = load("funding")
    rows = funding.loc[funding["oslo_specific"] & funding["police"]]
    starts: dict[str, int] = {}
    sources: dict[str, list[str]] = {}
    asks: list[dict[str, Any]] = []
    notes: list[str] = []
    timing: list[dict[str, Any]] = []
    for r in rows.sort_values(["year", "row"]).itertuples(index=False):
        text = _norm(f"{r.purpose} {r.note}")
        places = [code for place, code in PLACE_BYDEL.items() if place in text]
        multi = [place for place in MULTI_BYDEL_AREAS if place in text]
        if r.kind != "allocation":
            if places and r.kind == "amount_not_stated":
                timing.append(
                    {
                        "year": int(r.year),
                        "text": str(r.purpose).strip(),
                        "source_url": r.source_url,
                    }
                )
                notes.append(
                    f"{r.year}: {r.purpose.strip()} ({r.source_url}) — timing only, no amount"
                )
            elif r.kind == "amount_not_stated":
                asks.append(_ask(r, "the source names no area"))
            continue
        for place in multi:
            asks.append(_ask(r, f"'{place}' spans several bydeler ({MULTI_BYDEL_AREAS[place]})"))
        for code in dict.fromkeys(places):
            if code not in starts or r.year < starts[code]:
                starts[code] = int(r.year)
            sources.setdefault(code, [])
            if r.source_url not in sources[code]:
                sources[code].append(r.source_url)
    return Schedule(
        starts=starts,
        origin="funding_table",
        sources={k: " ; ".join(v) for k, v in sources.items()},
        asks=asks,
        notes=notes,
        timing=timing,
    )


def _ask(r: Any, reason: str) -> dict[str, Any]:
    return {
        "year": int(r.year),
        "amount_mnok": None if pd.isna(r.amount_mnok) else float(r.amount_mnok),
        "text": str(r.purpose).strip(),
        "reason": reason,
        "source_url": str(r.source_url),
    }


def resolve_schedule(
    treatment_schedule: Iterable[str],
    treated_areas: Iterable[str],
    start_year: int,
    buffer_areas: Iterable[str] = (),
    *,
    areas: Iterable[str] | None = None,
) -> Schedule:
    """The schedule of a run from its parameters (see the module docstring for the order).

    Parameters
    ----------
    treatment_schedule : iterable of str
        ``AREA:YEAR`` entries.
    treated_areas : iterable of str
        Areas all starting in *start_year* (used when no schedule is given).
    start_year : int
        Start of *treated_areas*.
    buffer_areas : iterable of str
        ``AREA`` or ``AREA:YEAR``: spillover areas.
    areas : iterable of str, optional
        Areas in the data: every scheduled or buffer area must be one; funding
        defaults outside them are dropped with a note.

    Raises
    ------
    ParameterError
        Bad entries, an area not in the data, both a schedule and different
        ``treated_areas``, a buffer area that is also treated.

    Examples
    --------
    >>> resolve_schedule(["030115:2018", "030101:2019"], [], 2018).starts
    {'030115': 2018, '030101': 2019}
    >>> resolve_schedule([], ["030115"], 2017).origin
    'treated_areas'
    """
    parsed = parse_schedule(treatment_schedule)
    listed = list(dict.fromkeys(treated_areas))
    if parsed and listed and set(listed) != set(parsed):
        raise ParameterError(
            f"treated_areas={listed!r} and treatment_schedule={list(treatment_schedule)!r} name "
            "different areas; allowed: one of them, or the same areas"
        )
    known = set(areas) if areas is not None else None
    if parsed:
        schedule = Schedule(
            starts={c: int(y) for c, y in parsed.items() if y is not None},
            origin="treatment_schedule",
            sources=dict.fromkeys(parsed, "treatment_schedule"),
        )
    elif listed:
        schedule = Schedule(
            starts=dict.fromkeys(listed, int(start_year)),
            origin="treated_areas",
            sources=dict.fromkeys(listed, "treated_areas"),
        )
    else:
        schedule = default_schedule()
        if known is not None:
            absent = [c for c in schedule.starts if c not in known]
            if absent:
                notes = [
                    *schedule.notes,
                    f"funding-table areas {absent} are not in the data and are not used",
                ]
                schedule = Schedule(
                    starts={c: y for c, y in schedule.starts.items() if c not in absent},
                    origin=schedule.origin,
                    sources={c: s for c, s in schedule.sources.items() if c not in absent},
                    asks=schedule.asks,
                    notes=notes,
                    timing=schedule.timing,
                    absent=absent,
                )
    if known is not None and schedule.origin != "funding_table":
        bad = [c for c in schedule.starts if c not in known]
        if bad:
            raise ParameterError(
                f"{schedule.origin}: {bad} not in own_data; allowed: {', '.join(sorted(known)[:20])}"
            )
    buffers_raw = parse_schedule(buffer_areas, field_name="buffer_areas", require_year=False)
    both = [c for c in buffers_raw if c in schedule.starts]
    if both:
        raise ParameterError(f"buffer_areas {both} are also treated; allowed: untreated areas")
    if known is not None:
        bad = [c for c in buffers_raw if c not in known]
        if bad:
            raise ParameterError(
                f"buffer_areas: {bad} not in own_data; allowed: {', '.join(sorted(known)[:20])}"
            )
    first = min(schedule.starts.values()) if schedule.starts else int(start_year)
    buffers = {c: (y if y is not None else first) for c, y in buffers_raw.items()}
    return Schedule(
        starts=schedule.starts,
        origin=schedule.origin,
        sources=schedule.sources,
        asks=schedule.asks,
        notes=schedule.notes,
        buffers=buffers,
        timing=schedule.timing,
        absent=schedule.absent,
    )
