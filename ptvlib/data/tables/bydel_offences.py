"""Reported offences by Oslo bydel (gjerningsbydel): Oslo kommune's statbank table KRI002.

Two ways in, one schema (:data:`ptvlib.data.catalog.BYDEL_OFFENCES`):

* **embedded** — :func:`build_bydel_offences`: the 2024 cross-section of
  ``data/raw/oslo_kri002_bydel_2024_from_web`` (15 bydeler and Sentrum, all
  offence groups; a third-party transcription of KRI002, see its PROVENANCE.md);
* **live** — :func:`kri002_roles` reads the table's PxWeb v1 metadata and
  :func:`from_kri002` turns the fetched cube into the same schema, every year
  and every offence group the table has.

Areas and codes (decided here, used everywhere)
-----------------------------------------------
KRI002's 18 gjerningsbydeler become the codes of the ``population`` table:

=====================================  ==========  ===========  ============================
KRI002 area                            region      level        population table
=====================================  ==========  ===========  ============================
the 15 bydeler (01 … 15)               030101 …    ``bydel``    030101 … 030115 (same code)
                                       030115
16 Sentrum                             030116      ``area``     030116 Sentrum (~1 500
                                                                residents: rates per 1 000
                                                                are not comparable)
99 Uoppgitt gjerningsbydel, inkl.      030199      ``area``     none: unknown place plus
Marka                                                           Marka, not the Marka of the
                                                                population table (030117)
an "Oslo i alt" total, if published    0301        municipality 0301
=====================================  ==========  ===========  ============================

Areas are recognised by their **value texts** (case, diacritics, a ``Bydel``
prefix and a leading code tolerated), never by position or code: the time
variable by its ``time`` flag, the area variable as the one whose texts are
bydel names, the offence-group variable as the one whose texts are SSB's
lovbruddsgrupper. Anything not found is a :class:`~ptvlib.SchemaError` that
names the table and lists the variables found.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ptvlib.basics import config
from ptvlib.basics.exceptions import DataError, SchemaError
from ptvlib.data import regions
from ptvlib.data.groups import GROUP_TEXTS
from ptvlib.data.sources.oslo.metadata import PxMetadata, PxVariable, text_key, year_of

__all__ = [
    "EXTRA_AREAS",
    "FILES",
    "GROUP_TEXTS",
    "KRI002_PATH",
    "Kri002Roles",
    "build_bydel_offences",
    "consistency_with_08487",
    "from_kri002",
    "kri002_roles",
]

#: KRI002 under the API root of Oslo kommune's statbank.
KRI002_PATH = "Kriminalitet/KRI002.px"
_RAW = "oslo_kri002_bydel_2024_from_web/oslo_kri002_bydel_2024.csv"
#: Raw files of the embedded table (relative to data/raw).
FILES: tuple[str, ...] = (_RAW,)

#: Areas beside the 15 bydeler: code, name, level.
EXTRA_AREAS: dict[str, tuple[str, str]] = {
    "030116": ("Sentrum", "area"),
    "030199": ("Uoppgitt gjerningsbydel, inkl. Marka", "area"),
    "0301": ("Oslo", "municipality"),
}

_GROUP_KEYS = {text_key(k): v for k, v in GROUP_TEXTS.items()}
_COUNT = re.compile(r"anmeld|antall|lovbrudd")
_RATE = re.compile(r"\bper\b|\bpr\b|1000|1 000|prosent|andel")
_TOTAL_AREA = {"oslo", "oslo i alt", "i alt", "hele oslo", "oslo kommune", "oslo total"}


_area_key = regions.name_key


def _bydel_keys() -> dict[str, str]:
    b = regions.bydeler()
    return {_area_key(name): code for code, name in zip(b["code"], b["name"], strict=True)}


def area_code(text: str) -> str | None:
    """Project code of a KRI002 area label, or None when not recognised.

    Examples
    --------
    >>> [area_code(t) for t in ["Bydel Søndre Nordstrand", "16 Sentrum",
    ...  "Uoppgitt gjerningsbydel, inkludert Marka", "Bergen"]]
    ['030115', '030116', '030199', None]
    """
    key = _area_key(text)
    code = _bydel_keys().get(key)
    if code is not None:
        return code
    if key == "sentrum":
        return "030116"
    if "uoppgitt" in key or "ukjent" in key or key == "marka":
        return "030199"
    if key in _TOTAL_AREA:
        return "0301"
    return None


# ------------------------------------------------------------------ embedded
def build_bydel_offences(raw: Path | None = None) -> pd.DataFrame:
    """The embedded 2024 cross-section: 15 bydeler and Sentrum, all offence groups.

    The file's bydel codes (01 … 16) become 030101 … 030116; each name must be
    the population table's name of that code (else :class:`~ptvlib.DataError`).
    The file's ``population`` column (BEF005) is not used: rates are computed
    with the ``population`` table.
    """
    raw = raw or config.raw_dir()
    src = pd.read_csv(raw / _RAW, dtype=str)
    code = "0301" + src["bydel_code"].str.zfill(2)
    known = {**dict(zip(regions.bydeler()["code"], regions.bydeler()["name"], strict=True))}
    known["030116"] = "Sentrum"
    bad = [(c, n) for c, n in zip(code, src["bydel_name"], strict=True) if known.get(c) != n]
    if bad:
        raise DataError(f"{_RAW}: bydel code and name do not agree with the region table: {bad}")
    level = np.where(code == "030116", "area", "bydel")
    return _frame(
        code,
        pd.Series(level, dtype="str"),
        src["year"].astype("int64"),
        pd.Series("total", index=src.index, dtype="str"),
        src["reported_offences_all_groups"].astype("float64"),
        pd.Series("", index=src.index, dtype="str"),
        "oslo_kri002_web_2024",
    )


def _frame(
    code: pd.Series,
    level: pd.Series,
    year: pd.Series,
    group: pd.Series,
    value: pd.Series,
    status: pd.Series,
    source: str,
) -> pd.DataFrame:
    names = {**regions._all_names(), **{c: n for c, (n, _) in EXTRA_AREAS.items()}}
    code = code.reset_index(drop=True).astype("str")
    out = pd.DataFrame(
        {
            "region": code,
            "region_name": code.map(names).astype("str"),
            "level": level.reset_index(drop=True).astype("str"),
            "period": year.reset_index(drop=True).astype("str"),
            "year": year.reset_index(drop=True).astype("int64"),
            "period_years": 1,
            "indicator": "reported_offences",
            "offence_group": group.reset_index(drop=True).astype("str"),
            "value": value.reset_index(drop=True).astype("float64"),
            "unit": "count",
            "status": status.reset_index(drop=True).astype("str"),
            "source": source,
        }
    )
    return out.sort_values(["year", "offence_group", "region"], ignore_index=True)


# ---------------------------------------------------------------------- live
@dataclass(frozen=True)
class Kri002Roles:
    """Which KRI002 variable plays which role, found from the metadata.

    Attributes
    ----------
    area, time, group : PxVariable
        Gjerningsbydel, year, lovbruddsgruppe.
    fixed : dict of str to str
        Other variables selected at one value (e.g. the count in
        ``statistikkvariabel``); variables allowing elimination are left out.
    """

    area: PxVariable
    time: PxVariable
    group: PxVariable
    fixed: dict[str, str]

    def query(self) -> dict[str, list[str]]:
        """Every area, year and offence group; one value of each fixed variable."""
        return {
            self.area.code: list(self.area.values),
            self.group.code: list(self.group.values),
            self.time.code: list(self.time.values),
            **{code: [value] for code, value in self.fixed.items()},
        }


def _count_value(var: PxVariable) -> str | None:
    """The value of a contents variable that is a count (not a rate or a share)."""
    hits = [
        code
        for code, text in var.labels.items()
        if _COUNT.search(text_key(text)) and not _RATE.search(text_key(text))
    ]
    return hits[0] if len(hits) >= 1 else None


def kri002_roles(meta: PxMetadata) -> Kri002Roles:
    """Find the area, time, offence-group and contents variables of KRI002 (see module doc).

    Raises
    ------
    SchemaError
        A role is not found (names the table, the role and every variable found),
        fewer than 10 of the 15 bydeler are among the area texts, or a time label
        has no year.
    """
    where = f"Oslo statbank table {meta.table_id}"
    time = meta.time_variable()
    no_year = [t for t in time.value_texts if year_of(t) is None]
    if no_year:
        raise SchemaError(f"{where}: time value text(s) without a year: {no_year[:5]}")
    bydel_keys = _bydel_keys()
    area = meta.find(
        lambda t: _area_key(t) in bydel_keys, role="area (gjerningsbydel)", exclude=(time.code,)
    )
    found = {bydel_keys[k] for k in map(_area_key, area.value_texts) if k in bydel_keys}
    if len(found) < 10:
        raise SchemaError(
            f"{where}: the area variable {area.code!r} names only {len(found)} of Oslo's 15 "
            f"bydeler; variables: {meta.describe()}"
        )
    group = meta.find(
        lambda t: text_key(t) in _GROUP_KEYS,
        role="offence group (lovbruddsgruppe: 'Alle lovbruddsgrupper', 'Vold og mishandling' …)",
        exclude=(time.code, area.code),
    )
    fixed: dict[str, str] = {}
    for var in meta.variables:
        if var.code in (time.code, area.code, group.code):
            continue
        if len(var.values) == 1:
            fixed[var.code] = var.values[0]
            continue
        count = _count_value(var)
        if count is not None:
            fixed[var.code] = count
        elif not var.elimination:
            raise SchemaError(
                f"{where}: variable {var.describe()} has several values, none a count of "
                "reported offences, and cannot be eliminated"
            )
    return Kri002Roles(area, time, group, fixed)


def from_kri002(cube: pd.DataFrame, roles: Kri002Roles) -> pd.DataFrame:
    """A fetched KRI002 cube in the ``bydel_offences`` schema (before validation).

    Areas and offence groups that are not recognised are left out with a
    :class:`UserWarning` naming them (a new category at the source should be
    seen, and must not stop the refresh); missing cells keep the source's
    symbol in ``status`` and are NaN.

    Raises
    ------
    DataError
        A role's variable is missing from the cube, or no bydel is left.
    """
    needed = [roles.area.code, roles.time.code, roles.group.code]
    missing = [c for c in needed if f"{c}_label" not in cube.columns]
    if missing:
        raise DataError(f"Oslo statbank table KRI002: the data lack variable(s) {missing}")
    area_labels = cube[f"{roles.area.code}_label"].astype("str")
    codes = area_labels.map({t: area_code(t) for t in area_labels.unique()})
    groups = (
        cube[f"{roles.group.code}_label"].astype("str").map(lambda t: _GROUP_KEYS.get(text_key(t)))
    )
    dropped = {
        "area(s)": sorted(area_labels[codes.isna()].unique()),
        "offence group(s)": sorted(cube.loc[groups.isna(), f"{roles.group.code}_label"].unique()),
    }
    for what, labels in dropped.items():
        if labels:
            warnings.warn(
                f"Oslo statbank table KRI002: {what} not recognised and left out: {labels}",
                UserWarning,
                stacklevel=2,
            )
    keep = codes.notna() & groups.notna()
    if not codes[keep].str.len().eq(6).any():
        raise DataError("Oslo statbank table KRI002: no bydel left after mapping the areas")
    sub = cube.loc[keep]
    code = codes[keep].astype("str")
    years = sub[f"{roles.time.code}_label"].astype("str").map(year_of).astype("int64")
    level = code.map(lambda c: EXTRA_AREAS[c][1] if c in EXTRA_AREAS else "bydel")
    return _frame(
        code,
        level,
        years,
        groups[keep].astype("str"),
        sub["value"],
        sub["status"],
        "oslo_statbank_kri002_api",
    )


# --------------------------------------------------------------- consistency
def consistency_with_08487(bydel: pd.DataFrame, offences: pd.DataFrame) -> pd.DataFrame:
    """KRI002's 2024 bydel sums against SSB 08487's Oslo figure for 2023-2024.

    Parameters
    ----------
    bydel : pandas.DataFrame
        The ``bydel_offences`` table.
    offences : pandas.DataFrame
        The ``reported_offences`` table (08487).

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``measure``, ``value``.

    Notes
    -----
    The two figures are not the same quantity, so they are expected to differ
    by a few per cent, not to agree:

    * 08487 gives the **annual average of two years** (2023 and 2024), KRI002
      one year (2024);
    * 08487 counts offences whose **scene** is Oslo kommune, wherever in Oslo;
      the embedded KRI002 rows cover the 15 bydeler and Sentrum only — the
      "99 Uoppgitt gjerningsbydel, inkludert Marka" row (unknown place in Oslo,
      and Marka) is not in the transcription, so the bydel sum must fall short;
    * Oslo kommune's table is its own extract of the police register and may
      be revised on another schedule than SSB's.
    """
    total = bydel.loc[(bydel["offence_group"] == "total") & (bydel["year"] == 2024)]
    sums = total.groupby("level")["value"].sum()
    fifteen = float(sums.get("bydel", np.nan))
    sentrum = float(total.loc[total["region"] == "030116", "value"].sum())
    oslo = offences.loc[
        (offences["region"] == regions.OSLO)
        & (offences["period"] == "2023-2024")
        & (offences["offence_group"] == "total")
        & (offences["unit"] == "count"),
        "value",
    ]
    ssb = float(oslo.iloc[0]) if len(oslo) else np.nan
    with_sentrum = fifteen + sentrum
    rows = [
        ("kri002_2024_15_bydeler", fifteen),
        ("kri002_2024_sentrum", sentrum),
        ("kri002_2024_15_bydeler_and_sentrum", with_sentrum),
        ("ssb08487_oslo_2023_2024_annual_average", ssb),
        ("difference_08487_minus_kri002", ssb - with_sentrum),
        ("ratio_kri002_to_08487", with_sentrum / ssb),
    ]
    return pd.DataFrame(rows, columns=["measure", "value"])
