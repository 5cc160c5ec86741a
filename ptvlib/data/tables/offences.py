"""Build SSB table 08487 (reported offences by municipality) on 2024 borders.

Four extracts of the same SSB table are joined (see their PROVENANCE.md):

========================  ===========================  ======  =====================
source id                 periods                      kind    municipal structure
========================  ===========================  ======  =====================
``ssb08487_3inar``        2007-2008 … 2015-2016        counts  2017, names only
``ssb08487_torbskar_rdat``  2014-2015 … 2016-2017      rates   2017
``ssb08487_torbskar``     2015-2016 … 2020-2021        rates   valid in the 2nd year
``ssb08487_chrilur``      2020-2021 … 2023-2024        counts  valid in the 2nd year
========================  ===========================  ======  =====================

Steps, each in code (raw files are never edited):

1. Read each extract into *cells* on its own (original) borders: code, period,
   offence group, value, status. Names in the 3inar extract are matched to
   codes through the 2017 labels of the torbskar extract, with the county
   suffix deciding the five names that exist twice (Våler, Herøy, Os, Nes,
   Sande, and Bø); the match is verified by population.
2. Complete the grid: every municipality valid in the period's structure ×
   every group. A cell the source left empty is SSB-suppressed (``":"``); a row
   the source dropped is ``"dropped"``.
3. Rates become counts as ``rate × population(1 January of the period's 2nd
   year) / 1000`` (SSB's own denominator) on the original borders, flagged
   ``derived``. Rates are rounded to 0.1, so a derived count carries up to
   ±0.05 × population/1000 rounding error.
4. Sum to 2024 analysis units (:func:`ptvlib.data.regions.analysis_units`); a unit
   whose parts are not all present is missing with status ``"partial"``.
5. Per unit, period and group take the first source that has a value, counts
   before derived counts. All sources are kept for :func:`source_agreement`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ptvlib.basics import config
from ptvlib.basics.exceptions import DataError
from ptvlib.data import regions

__all__ = [
    "PERIODS",
    "SOURCE_FILES",
    "STATUS",
    "build_cells",
    "build_offences",
    "source_agreement",
]

GROUPS = ("property_theft", "violence", "drugs", "public_order", "traffic", "other")
#: The 17 two-year periods of 08487 in the embedded data.
PERIODS: tuple[str, ...] = tuple(f"{y - 1}-{y}" for y in range(2008, 2025))

#: Status codes of a cell, with their meaning (bokmål, English).
STATUS: dict[str, tuple[str, str]] = {
    "": ("verdi finnes", "value present"),
    ":": (
        "prikket av SSB (4 eller færre lovbrudd) – mangler, ikke null",
        "suppressed by SSB (4 or fewer offences) – missing, not zero",
    ),
    "dropped": (
        "raden mangler i kilden (prikket eller fjernet av kildens forfatter)",
        "row absent from the source extract (suppressed, or removed by the extract's author)",
    ),
    "groups_missing": (
        "totalen kan ikke beregnes: minst én lovbruddsgruppe mangler",
        "total not computable: at least one offence group is missing",
    ),
    "no_population": (
        "rate uten folketall for gamle grenser: antall kan ikke utledes",
        "rate without a population on the old borders: count cannot be derived",
    ),
    "partial": (
        "en kommune som inngår i 2024-enheten mangler denne perioden",
        "a municipality that is part of the 2024 unit is missing in this period",
    ),
}

_ABBREV = {
    "Østf.": "Østfold",
    "Ak.": "Akershus",
    "Hedm.": "Hedmark",
    "Busk.": "Buskerud",
    "Vestf.": "Vestfold",
    "Telem.": "Telemark",
    "Hord.": "Hordaland",
    "M. og R.": "Møre og Romsdal",
    "Nordl.": "Nordland",
}
_GROUPS_3INAR = {
    "Eiendomstyveri": "property_theft",
    "Vold og mishandling": "violence",
    "Rusmiddellovbrudd": "drugs",
    "Ordens- og integritetskrenkelse": "public_order",
    "Trafikkovertredelse": "traffic",
    "Annet lovbrudd (inkl. Annet vinningslovbrudd, Eiendomsskade og Seksuallovbrudd)": "other",
}
_GROUPS_RDAT = {
    "Ialt": "total",
    "Eiendomstyveri": "property_theft",
    "Vold": "violence",
    "Rusmiddellovbrudd": "drugs",
    "Orden": "public_order",
    "Trafikkovertredelse": "traffic",
    "AnnetKrim": "other",
}
_GROUPS_KDATA = {
    "vinningskriminalitet": "property_theft",
    "voldskriminalitet": "violence",
    "nark_alko_kriminalitet": "drugs",
    "ordenslovbrudd": "public_order",
    "trafikklovbrudd": "traffic",
    "andre_lovbrudd": "other",
}
_GROUPS_CHRILUR = {
    "alt": "total",
    "eiendomstyveri": "property_theft",
    "vold_mishandling": "violence",
    "rusmidler": "drugs",
    "orden_integritet": "public_order",
    "trafikk": "traffic",
    "annet": "other",
}

#: Raw files each source reads (relative to ``data/raw``); their checksums key the cache.
SOURCE_FILES: dict[str, tuple[str, ...]] = {
    "ssb08487_3inar": ("ssb08487_kommune_2007_2016_3inar/norwegian_crime.csv",),
    "ssb08487_torbskar_rdat": (
        "ssb08487_kommune_rates_2014_2017_torbskar_kommuneRdat/kom_2016.csv",
        "ssb08487_kommune_rates_2014_2017_torbskar_kommuneRdat/kom_2017.csv",
    ),
    "ssb08487_torbskar": ("ssb08487_kommune_rates_2015_2020_torbskar/kommunedata.csv",),
    "ssb08487_chrilur": ("ssb08487_kommune_2020_2024_chrilur/anmeldt_20-24.csv",),
}
#: Which source wins where several have a value: counts before rates.
_PRECEDENCE = ("ssb08487_3inar", "ssb08487_chrilur", "ssb08487_torbskar_rdat", "ssb08487_torbskar")
#: Codes in the extracts that are not municipalities (whole country, Svalbard, unknown).
_NOT_MUNICIPALITIES = {"0000", "2100", "2111", "2200", "9999"}


@dataclass(frozen=True)
class _Source:
    id: str
    kind: str  # "count" or "rate"
    cells: pd.DataFrame  # orig_code, period, group, value, status
    calyear: dict[str, int]  # period -> year whose municipal structure the codes follow
    population: pd.DataFrame | None = None  # orig_code, year, pop (for rates)


def _second_year(period: str) -> int:
    return int(period[-4:])


def _read(raw: Path, rel: str, **kw: object) -> pd.DataFrame:
    path = raw / rel
    try:
        return pd.read_csv(path, **kw)
    except FileNotFoundError:
        raise DataError(f"raw file missing: {path}; restore data/raw from the repository") from None


def _melt(frame: pd.DataFrame, code: str, period: str, groups: dict[str, str]) -> pd.DataFrame:
    long = frame.melt(
        id_vars=[code, period], value_vars=list(groups), var_name="g", value_name="value"
    )
    return pd.DataFrame(
        {
            "orig_code": long[code].astype("str"),
            "period": long[period].astype("str"),
            "group": long["g"].map(groups).astype("str"),
            "value": pd.to_numeric(long["value"], errors="coerce").astype("float64"),
            "status": np.where(long["value"].isna(), ":", ""),
        }
    )


def _rdat(raw: Path) -> _Source:
    files = SOURCE_FILES["ssb08487_torbskar_rdat"]
    frames = [_read(raw, f, dtype={"kommune": str}) for f in files]
    both = pd.concat(frames, ignore_index=True)
    cells = _melt(both, "kommune", "interval", _GROUPS_RDAT)
    pop = pd.DataFrame(
        {"orig_code": both["kommune"], "year": both["year"].astype("int64"), "pop": both["bef_tot"]}
    )
    periods = sorted(cells["period"].unique())
    return _Source("ssb08487_torbskar_rdat", "rate", cells, dict.fromkeys(periods, 2017), pop)


def _labels_2017(raw: Path) -> pd.DataFrame:
    kom = _read(raw, SOURCE_FILES["ssb08487_torbskar_rdat"][0], dtype={"kommune": str})
    lab = kom[["kommune", "region.x", "year", "bef_tot"]].rename(columns={"region.x": "label"})
    # "1601 Trondheim (-2017)" -> "Trondheim"; "1903 Harstad - Hárstták" keeps its parts.
    lab["name"] = lab["label"].str.replace(r"^\d{4} ", "", regex=True)
    lab["name"] = lab["name"].str.replace(r" \((\d{4})?-(\d{4})?\)$", "", regex=True)
    return lab


def _name_keys(name: str) -> set[str]:
    """Name variants that identify a label: the full name and its Norwegian/Sami parts."""
    parts = name.split(" - ")
    keys = {name, *parts}
    keys.update(" - ".join(parts[:i]) for i in range(1, len(parts) + 1))
    return keys


def _norm_name(name: str) -> str:
    m = re.fullmatch(r"(.+?) \((.+)\)", name)
    if m and m.group(2) in _ABBREV:
        return f"{m.group(1)} ({_ABBREV[m.group(2)]})"
    return name


def _name_index(labels: pd.DataFrame) -> dict[str, str]:
    """Name variant -> code, keeping only variants that point to exactly one code."""
    seen: dict[str, set[str]] = {}
    for code, name in labels.drop_duplicates("kommune")[["kommune", "name"]].itertuples(
        index=False
    ):
        for key in _name_keys(name):
            seen.setdefault(key, set()).add(code)
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


def _3inar(raw: Path) -> _Source:
    src = _read(raw, SOURCE_FILES["ssb08487_3inar"][0])
    labels = _labels_2017(raw)
    index = _name_index(labels)
    names = src["place"].map(_norm_name)
    codes = names.map(
        lambda n: next((index[k] for k in (n, n.split(" - ")[0]) if k in index), None)
    )
    if codes.isna().any():
        bad = sorted(src.loc[codes.isna(), "place"].unique())
        raise DataError(
            f"3inar 08487 extract: municipality names without a unique 2017 code: {bad}"
        )
    if codes.groupby(codes).apply(lambda c: names[c.index].nunique()).gt(1).any():
        raise DataError("3inar 08487 extract: two names matched the same 2017 code")
    # Verify the name match with the population both files carry (1 January, same SSB table).
    check = pd.DataFrame({"kommune": codes, "year": src["year"], "population": src["population"]})
    check = check.merge(labels[["kommune", "year", "bef_tot"]], on=["kommune", "year"])
    off = check.loc[check["population"] != check["bef_tot"]]
    if len(off):
        raise DataError(
            "3inar 08487 extract: population differs from the 2017 labels' population for "
            f"{sorted(off['kommune'].unique())[:10]} – the name match is wrong"
        )
    cells = pd.DataFrame(
        {
            "orig_code": codes.astype("str"),
            "period": src["interval"].astype("str"),
            "group": src["crime_type"].map(_GROUPS_3INAR).astype("str"),
            "value": src["reports"].astype("float64"),
            "status": "",
        }
    )
    if cells["group"].isna().any():
        raise DataError(f"3inar 08487 extract: unknown offence groups {src['crime_type'].unique()}")
    periods = sorted(cells["period"].unique())
    return _Source("ssb08487_3inar", "count", cells, dict.fromkeys(periods, 2017))


def _kommunedata(raw: Path) -> _Source:
    src = _read(raw, SOURCE_FILES["ssb08487_torbskar"][0], dtype={"kommune_nr": str})
    src = src.assign(period=src["year"].map(lambda y: f"{y}-{y + 1}"))
    cells = _melt(src, "kommune_nr", "period", _GROUPS_KDATA)
    # bef_totalt is 1 January of the row's year (the period's first year); the denominator is
    # 1 January of the second year, i.e. the next row's bef_totalt.
    pop = pd.DataFrame(
        {
            "orig_code": src["kommune_nr"],
            "year": src["year"].astype("int64"),
            "pop": src["bef_totalt"],
        }
    )
    periods = sorted(cells["period"].unique())
    return _Source("ssb08487_torbskar", "rate", cells, {p: _second_year(p) for p in periods}, pop)


def _chrilur(raw: Path) -> _Source:
    src = _read(raw, SOURCE_FILES["ssb08487_chrilur"][0])
    src = src.loc[src["komnr"] != 0].copy()  # "Norge": national row, see national_offences
    src["orig_code"] = src["g_komnr"].astype("int64").map("{:04d}".format)
    cells = _melt(src, "orig_code", "år", _GROUPS_CHRILUR)
    periods = sorted(cells["period"].unique())
    return _Source("ssb08487_chrilur", "count", cells, {p: _second_year(p) for p in periods})


def _sources(raw: Path) -> list[_Source]:
    """Sources in order of precedence: counts first, then rates."""
    return [_3inar(raw), _chrilur(raw), _rdat(raw), _kommunedata(raw)]


def _population_lookup(
    sources: list[_Source], population: pd.DataFrame, red: pd.DataFrame
) -> pd.DataFrame:
    """Population on original borders, 1 January: (orig_code, year) -> pop.

    From the rate extracts themselves (SSB 07459 as joined by their author), and for
    codes that map one-to-one onto a 2024 municipality, from the population table.
    """
    parts = [s.population for s in sources if s.population is not None]
    own = (
        pd.concat(parts, ignore_index=True).dropna().drop_duplicates(["orig_code", "year"])
        if parts
        else None  # count-only sources (the SSB API): pd.concat drops None
    )
    # One-to-one codes: the original is the only code (weight 1) of its current municipality.
    n_orig = red.groupby(["calyear", "current_code"])["original_code"].transform("size")
    n_curr = red.groupby(["calyear", "original_code"])["current_code"].transform("size")
    one = red.loc[(n_orig == 1) & (n_curr == 1) & (red["weight"] == 1.0)]
    one = one.rename(columns={"calyear": "year"})[["original_code", "year", "current_code"]]
    pop = population.loc[population["level"] == "municipality", ["region", "year", "value"]]
    one = one.merge(pop, left_on=["current_code", "year"], right_on=["region", "year"])
    fallback = pd.DataFrame(
        {"orig_code": one["original_code"], "year": one["year"], "pop": one["value"]}
    )
    both = pd.concat([own, fallback], ignore_index=True)
    both = both.drop_duplicates(["orig_code", "year"], keep="first")
    estimated = _share_estimates(both, population, red)
    both = pd.concat([both, estimated], ignore_index=True)
    return both.drop_duplicates(["orig_code", "year"], keep="first")


def _share_estimates(
    known: pd.DataFrame, population: pd.DataFrame, red: pd.DataFrame
) -> pd.DataFrame:
    """Population of merged old municipalities where no extract gives it (1 January, year y+1).

    Estimated as the old municipality's share of its analysis unit one year
    earlier (from the extracts) times the unit's population in y+1 (csdata,
    summed over the unit's 2024 municipalities, which is exact for merged
    municipalities). Used only when *all* parts of the unit have a population
    in y, so the shares are complete. Counts from such a population are flagged
    ``derived`` like every rate-based count.
    """
    units = regions.analysis_units()
    link = red.merge(units, on="current_code")[["original_code", "calyear", "unit_code"]]
    link = link.drop_duplicates()
    prev = known.rename(columns={"orig_code": "original_code"})
    prev = prev.assign(calyear=prev["year"] + 1)[["original_code", "calyear", "pop"]]
    parts = link.merge(prev, on=["original_code", "calyear"], how="left")
    keys = ["calyear", "unit_code"]
    n_missing = parts["pop"].isna().groupby([parts[k] for k in keys]).transform("sum")
    parts = parts.loc[n_missing == 0]
    share = parts["pop"] / parts.groupby(keys)["pop"].transform("sum")
    pop = population.loc[population["level"] == "municipality", ["region", "year", "value"]]
    pop = pop.merge(units, left_on="region", right_on="current_code")
    unit_pop = pop.groupby(["unit_code", "year"], as_index=False)["value"].sum()
    parts = parts.assign(share=share).merge(
        unit_pop, left_on=["unit_code", "calyear"], right_on=["unit_code", "year"]
    )
    return pd.DataFrame(
        {
            "orig_code": parts["original_code"],
            "year": parts["calyear"],
            "pop": parts["share"] * parts["value"],
        }
    )


def _grid(source: _Source, red: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Complete a source's cells to every valid municipality × group; map to units."""
    keep_current = set(units["current_code"])
    rows = []
    for period, calyear in source.calyear.items():
        valid = red.loc[(red["calyear"] == calyear) & red["current_code"].isin(keep_current)]
        codes = sorted(valid["original_code"].unique())
        found = set(source.cells.loc[source.cells["period"] == period, "orig_code"])
        unknown = sorted(found - set(codes) - _NOT_MUNICIPALITIES)
        if unknown:
            raise DataError(
                f"{source.id}: codes {unknown[:10]} in period {period} are not municipalities "
                f"valid in {calyear}"
            )
        groups = sorted(source.cells["group"].unique())
        rows.append(
            pd.MultiIndex.from_product(
                [codes, [period], groups], names=["orig_code", "period", "group"]
            ).to_frame(index=False)
        )
        rows[-1]["calyear"] = calyear
    grid = pd.concat(rows, ignore_index=True)
    out = grid.merge(source.cells, on=["orig_code", "period", "group"], how="left")
    out["status"] = out["status"].fillna("dropped").astype("str")
    return out


def _to_counts(frame: pd.DataFrame, source: _Source, pop: pd.DataFrame) -> pd.DataFrame:
    if source.kind == "count":
        return frame.assign(derived=False)
    year2 = frame["period"].map(_second_year)
    key = pd.DataFrame({"orig_code": frame["orig_code"], "year": year2})
    p = key.merge(pop, on=["orig_code", "year"], how="left")["pop"].to_numpy()
    value = frame["value"].to_numpy() * p / 1000.0
    status = frame["status"].to_numpy().copy()
    status[np.isfinite(frame["value"].to_numpy()) & ~np.isfinite(p)] = "no_population"
    return frame.assign(value=value, status=status, derived=True)


def _add_total(frame: pd.DataFrame) -> pd.DataFrame:
    """Total = sum of the six groups where the source has no total of its own."""
    if "total" in set(frame["group"]):
        return frame
    keys = ["orig_code", "period", "calyear"]
    six = frame.loc[frame["group"].isin(GROUPS)]
    agg = (
        six.assign(n_missing=six["value"].isna().astype("int64"))
        .groupby(keys, sort=False)
        .agg(value=("value", "sum"), derived=("derived", "any"), n_missing=("n_missing", "sum"))
    )
    agg = agg.reset_index().assign(group="total")
    agg["value"] = agg["value"].where(agg["n_missing"] == 0)
    agg["status"] = np.where(agg["value"].isna(), "groups_missing", "")
    return pd.concat([frame, agg[frame.columns]], ignore_index=True)


#: Missing-value statuses by priority when a unit has no part present.
_MISSING_ORDER = (":", "groups_missing", "no_population", "dropped")


def _to_units(frame: pd.DataFrame, red: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Sum original-border cells to analysis units (vectorised).

    A unit's value is the sum of its parts when all are present; otherwise it is
    missing with status ``"partial"`` (some parts present) or the most telling
    missing status of its parts (``":"`` before ``"dropped"``).
    """
    link = red.merge(units, on="current_code")[["original_code", "calyear", "unit_code", "weight"]]
    link = link.groupby(["original_code", "calyear", "unit_code"], as_index=False)["weight"].sum()
    if not np.allclose(link["weight"], 1.0, atol=1e-6):
        bad = link.loc[~np.isclose(link["weight"], 1.0, atol=1e-6)].head(5).to_dict("records")
        raise DataError(f"redistricting weights do not sum to 1 within an analysis unit: {bad}")
    m = frame.merge(link, left_on=["orig_code", "calyear"], right_on=["original_code", "calyear"])
    present = m["value"].notna()
    rank = m["status"].map({s: i for i, s in enumerate(_MISSING_ORDER)}).fillna(len(_MISSING_ORDER))
    m = m.assign(
        present=present.astype("int64"),
        missing=(~present).astype("int64"),
        rank=rank.where(~present, len(_MISSING_ORDER) + 1).astype("int64"),
    )
    keys = ["unit_code", "period", "group"]
    g = m.groupby(keys, sort=True)
    out = g.agg(
        value=("value", "sum"),
        derived=("derived", "any"),
        present=("present", "sum"),
        missing=("missing", "sum"),
        rank=("rank", "min"),
    ).reset_index()
    complete = out["missing"] == 0
    out["value"] = out["value"].where(complete)
    names = np.array([*_MISSING_ORDER, "dropped", ""], dtype=object)
    status = names[np.minimum(out["rank"].to_numpy(), len(names) - 1)]
    status = np.where(complete, "", np.where(out["present"] > 0, "partial", status))
    out["status"] = status.astype(str)
    return out[keys + ["value", "derived", "status"]]


def build_cells(
    population: pd.DataFrame, raw: Path | None = None, sources: list[_Source] | None = None
) -> pd.DataFrame:
    """Every source harmonised to analysis units, before choosing one per cell.

    Parameters
    ----------
    population : pandas.DataFrame
        The ``population`` table (for rate → count on unchanged municipalities).
    raw : pathlib.Path, optional
        Raw data folder.
    sources : list, optional
        Sources to use (default: the four embedded extracts).

    Returns
    -------
    pandas.DataFrame
        Columns ``source``, ``unit_code``, ``period``, ``group``, ``value``
        (annual-average count), ``derived``, ``status``.
    """
    raw = raw or config.raw_dir()
    red = regions.redistricting()
    units = regions.analysis_units()
    sources = sources if sources is not None else _sources(raw)
    pop = _population_lookup(sources, population, red)
    parts = []
    for src in sources:
        cells = _to_counts(_grid(src, red, units), src, pop)
        cells = _add_total(cells)
        parts.append(_to_units(cells, red, units).assign(source=src.id))
    return pd.concat(parts, ignore_index=True)


def build_offences(
    population: pd.DataFrame, raw: Path | None = None, sources: list[_Source] | None = None
) -> pd.DataFrame:
    """Reported offences by analysis unit, period and group (counts and per 1 000).

    Parameters
    ----------
    population : pandas.DataFrame
        The ``population`` table (``region``, ``year``, ``value``) on 2024 borders,
        including the composite analysis units.
    raw : pathlib.Path, optional
        Raw data folder.
    sources : list, optional
        Sources in order of precedence (default: the four embedded extracts).

    Returns
    -------
    pandas.DataFrame
        Long frame in the ``reported_offences`` schema (see :mod:`ptvlib.data.catalog`).
    """
    cells = build_cells(population, raw, sources)
    ids = [s.id for s in sources] if sources is not None else list(_PRECEDENCE)
    order = {name: rank for rank, name in enumerate(ids)}
    cells = cells.assign(rank=cells["source"].map(order), has=cells["value"].notna())
    cells = cells.sort_values(
        ["unit_code", "period", "group", "has", "rank"], ascending=[True, True, True, False, True]
    )
    best = cells.drop_duplicates(["unit_code", "period", "group"], keep="first")
    full = pd.MultiIndex.from_product(
        [
            sorted(regions.analysis_units()["unit_code"].unique()),
            sorted(set(PERIODS) | set(cells["period"])),
            ("total", *GROUPS),
        ],
        names=["unit_code", "period", "group"],
    ).to_frame(index=False)
    best = full.merge(best, on=["unit_code", "period", "group"], how="left")
    best["status"] = best["status"].fillna("dropped")
    best["derived"] = best["derived"].fillna(False).astype("bool")
    best["source"] = best["source"].fillna("")
    best["year"] = best["period"].map(_second_year).astype("int64")
    pop = population[["region", "year", "value"]].rename(
        columns={"region": "unit_code", "value": "pop"}
    )
    best = best.merge(pop, on=["unit_code", "year"], how="left")
    names = (
        regions.analysis_units().drop_duplicates("unit_code").set_index("unit_code")["unit_name"]
    )
    base = pd.DataFrame(
        {
            "region": best["unit_code"],
            "region_name": best["unit_code"].map(names),
            "level": np.where(
                best["unit_code"].str.contains("+", regex=False),
                "municipality_group",
                "municipality",
            ),
            "period": best["period"],
            "year": best["year"],
            "period_years": 2,
            "indicator": "reported_offences",
            "offence_group": best["group"],
            "status": best["status"],
            "derived": best["derived"],
            "source": best["source"],
        }
    )
    counts = base.assign(value=best["value"].to_numpy(), unit="count")
    rates = base.assign(value=(best["value"] / best["pop"] * 1000.0).to_numpy(), unit="per_1000")
    return pd.concat([counts, rates], ignore_index=True)


def source_agreement(population: pd.DataFrame, raw: Path | None = None) -> pd.DataFrame:
    """Where two extracts cover the same unit, period and group: how far apart are they?

    Returns
    -------
    pandas.DataFrame
        One row per overlapping pair: ``unit_code``, ``period``, ``group``,
        ``source_a``, ``value_a``, ``source_b``, ``value_b``, ``rel_diff``
        (``(b - a) / a``), ``derived_b``.
    """
    cells = build_cells(population, raw).dropna(subset=["value"])
    a = cells.rename(columns={"source": "source_a", "value": "value_a", "derived": "derived_a"})
    b = cells.rename(columns={"source": "source_b", "value": "value_b", "derived": "derived_b"})
    pairs = a.merge(b, on=["unit_code", "period", "group"])
    pairs = pairs.loc[pairs["source_a"] < pairs["source_b"]]
    pairs = pairs.assign(rel_diff=(pairs["value_b"] - pairs["value_a"]) / pairs["value_a"])
    cols = [
        "unit_code",
        "period",
        "group",
        "source_a",
        "value_a",
        "source_b",
        "value_b",
        "rel_diff",
    ]
    return pairs[cols + ["derived_a", "derived_b"]].reset_index(drop=True)
