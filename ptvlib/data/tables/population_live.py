"""The ``population`` table from Statistics Norway's live tables 07459 and 10826.

* **07459** "Befolkning, etter region, kjønn, alder, statistikkvariabel og år"
  (population on 1 January): country, counties and municipalities, each year
  on the codes valid that year;
* **10826** "Befolkning, etter bydel": Oslo's bydeler (030101 … 030115),
  Sentrum (030116) and Marka (030117), some codes with a letter suffix
  (``030116a``), which is dropped.

Why 10826 for the bydeler (and not Oslo kommune's BEF005): the embedded bydel
figures come from csdata, which built them from SSB 10826, so live years
continue the embedded series without a break in definition (BEF005 is not the
same count: 716 309 persons in the 15 bydeler in 2024 against 713 067, up to
1 476 more in St. Hanshaugen); and it uses the SSB client already in place.

Harmonisation to 2024 borders (as the embedded csdata table): a code valid in
year *y* is mapped with :func:`ptvlib.data.regions.redistricting`; merged
municipalities are summed. A municipality split by a reform (weight < 1) is
**not** divided between its successors: its population goes whole to the
successors' analysis unit (``1508+1580`` …, level ``municipality_group``), and
the successors themselves get rows only from the year they existed. Codes after
2024 are taken as 2024 codes. Counties are sums of their 2024 municipalities.
Kjønn and alder are left out of the query, so the API returns their totals
(elimination).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import DataError
from ptvlib.data import regions

__all__ = [
    "BYDEL_TABLE",
    "MUNICIPAL_TABLE",
    "QUERY",
    "build_population_live",
    "bydel_from_10826",
    "municipal_from_07459",
]

#: Statistics Norway's table of population by municipality and year.
MUNICIPAL_TABLE = "07459"
#: Statistics Norway's table of population by bydel.
BYDEL_TABLE = "10826"
#: Queries (kjønn and alder eliminated); the contents code is chosen from the labels.
QUERY: dict[str, dict[str, str]] = {
    MUNICIPAL_TABLE: {"Region": "*", "ContentsCode": "*", "Tid": "*"},
    BYDEL_TABLE: {"Region": "0301*", "ContentsCode": "*", "Tid": "*"},
}
DIMS = ("Region", "ContentsCode", "Tid")
_PERSONS = re.compile(r"person|folkemengd|befolkning|population", re.I)
_NOT_PERSONS = re.compile(r"andel|prosent|endring|per |share|change", re.I)
_OUTSIDE = re.compile(r"^(21|22|23|99)")  # Svalbard, Jan Mayen, continental shelf, unknown
_FIRST_YEAR = 2005


def _persons(cube: pd.DataFrame, table: str) -> pd.DataFrame:
    """Rows of the one ContentsCode that counts persons; codes without prefix; years as int."""
    missing = [d for d in DIMS if d not in cube.columns]
    if missing:
        raise DataError(f"SSB table {table}: dimension(s) {missing} missing; found {list(cube)}")
    labels = cube.drop_duplicates("ContentsCode").set_index("ContentsCode")["ContentsCode_label"]
    picked = [
        c
        for c, lab in labels.items()
        if _PERSONS.search(str(lab)) and not _NOT_PERSONS.search(str(lab))
    ]
    if len(picked) != 1:
        raise DataError(
            f"SSB table {table}: expected one ContentsCode counting persons, found "
            f"{picked or 'none'} among {labels.to_dict()}"
        )
    sub = cube.loc[cube["ContentsCode"] == picked[0]]
    years = pd.to_numeric(sub["Tid"], errors="coerce")
    if years.isna().any():
        raise DataError(
            f"SSB table {table}: Tid codes are not years: {sub.loc[years.isna(), 'Tid'].unique()[:5]}"
        )
    code = sub["Region"].astype("str").str.replace(r"^[A-Z]-", "", regex=True)
    return pd.DataFrame(
        {
            "code": code.to_numpy(),
            "year": years.astype("int64").to_numpy(),
            "value": sub["value"].astype("float64").to_numpy(),
        }
    )


def municipal_from_07459(cube: pd.DataFrame) -> pd.DataFrame:
    """Country, counties, municipalities and analysis units on 2024 borders, from 07459.

    Returns
    -------
    pandas.DataFrame
        ``region``, ``level``, ``year``, ``value`` (persons).

    Raises
    ------
    DataError
        A code with people in it cannot be placed on 2024 borders, or the
        cube lacks the expected dimensions or a persons count.
    """
    cells = _persons(cube, MUNICIPAL_TABLE)
    cells = cells.loc[cells["value"].notna() & (cells["year"] >= _FIRST_YEAR)]
    country = cells.loc[cells["code"] == "0", ["year", "value"]]
    mun = cells.loc[cells["code"].str.fullmatch(r"\d{4}") & ~cells["code"].str.match(_OUTSIDE)]
    red = regions.redistricting()
    last = int(red["calyear"].max())
    later = red.loc[red["calyear"] == last]
    later_years = sorted(set(mun["year"]) - set(red["calyear"]))
    red = pd.concat(
        [red, *[later.assign(calyear=y) for y in later_years if y > last]], ignore_index=True
    )
    merged = mun.merge(
        red, left_on=["code", "year"], right_on=["original_code", "calyear"], how="left"
    )
    lost = merged.loc[merged["current_code"].isna() & (merged["value"] > 0)]
    if len(lost):
        shown = sorted({f"{c} ({y})" for c, y in zip(lost["code"], lost["year"], strict=True)})
        raise DataError(
            f"SSB table {MUNICIPAL_TABLE}: municipality code(s) not on the redistricting table "
            f"for their year: {shown[:8]}"
        )
    merged = merged.loc[merged["current_code"].notna()]
    units = regions.analysis_units().set_index("current_code")["unit_code"]
    merged["unit"] = merged["current_code"].map(units)
    split = merged["weight"] < 1.0
    # a split municipality goes whole to its successors' analysis unit, never divided
    whole = merged.loc[~split].groupby(["current_code", "year"], as_index=False)["value"].sum()
    bad = merged.loc[split, ["current_code", "year"]].drop_duplicates()
    whole = whole.merge(bad, how="left", indicator=True)
    whole = whole.loc[whole["_merge"] == "left_only"].drop(columns="_merge")
    first = merged.drop_duplicates(["code", "year", "unit"])
    group = first.loc[first["unit"].str.contains("+", regex=False)]
    group = group.groupby(["unit", "year"], as_index=False)["value"].sum()
    county = regions.municipalities().set_index("code")["county_code"]
    # every original code once (a split one is in one county with all its successors)
    by_county = (
        first.assign(county=first["current_code"].map(county))
        .dropna(subset=["county"])
        .groupby(["county", "year"], as_index=False)["value"]
        .sum()
    )
    parts = [
        whole.rename(columns={"current_code": "region"}).assign(level="municipality"),
        group.rename(columns={"unit": "region"}).assign(level="municipality_group"),
        by_county.rename(columns={"county": "region"}).assign(level="county"),
        country.assign(region="0", level="country"),
    ]
    out = pd.concat([p[["region", "level", "year", "value"]] for p in parts], ignore_index=True)
    return out


def bydel_from_10826(cube: pd.DataFrame) -> pd.DataFrame:
    """Oslo's bydeler (030101 … 030115), Sentrum and Marka from 10826.

    Returns
    -------
    pandas.DataFrame
        ``region``, ``level`` (``bydel`` or ``area``), ``year``, ``value``.
    """
    cells = _persons(cube, BYDEL_TABLE)
    code = cells["code"].str.extract(r"^(0301(?:0[1-9]|1[0-7]))[a-z]?$", expand=False)
    cells = cells.assign(region=code).dropna(subset=["region"])
    cells = cells.loc[cells["value"].notna() & (cells["year"] >= _FIRST_YEAR)]
    out = cells.groupby(["region", "year"], as_index=False)["value"].sum()
    if not out["region"].isin(regions.bydeler()["code"]).any():
        raise DataError(f"SSB table {BYDEL_TABLE}: no Oslo bydel (030101 … 030115) in the response")
    out["level"] = np.where(out["region"].isin(["030116", "030117"]), "area", "bydel")
    return out[["region", "level", "year", "value"]]


def build_population_live(municipal: pd.DataFrame, bydel: pd.DataFrame) -> pd.DataFrame:
    """The ``population`` table (before validation) from the two harmonised parts."""
    out = pd.concat([municipal, bydel], ignore_index=True)
    names = {**regions._all_names(), "0": "Hele landet"}
    out["region_name"] = out["region"].map(names).fillna(out["region"]).astype("str")
    out["unit"] = "persons"
    out["source"] = f"ssb{MUNICIPAL_TABLE}_{BYDEL_TABLE}_api"
    return out.sort_values(["level", "region", "year"], ignore_index=True)
