"""Builders of the embedded tables other than 08487 (see :mod:`ptvlib.data.tables.offences`).

Each builder reads raw files (never edits them) and returns a frame in its
catalogue schema. Hand-transcribed web figures keep their source URL in every
row.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ptvlib.basics import config
from ptvlib.basics.exceptions import DataError
from ptvlib.data import regions

__all__ = [
    "build_county_tables",
    "build_funding",
    "build_keyfigures",
    "build_national",
    "build_population",
    "build_police_resources",
    "read_ragged_csv",
]

_POP = "population_kommune_bydel_2005_2025_csdata/population_jan1_by_location_year_b2024.csv"
_JSON08487 = "ssb08487_national_jsonstat_fixture_egil10/crime-rate_08487_v0_dataset97445_en.json"
_NAT_ANNUAL = "ssb_national_reported_offences_from_ssb_pages/ssb_reported_offences_national_annual_total_and_property_theft.csv"
_NAT_GROUPS = "ssb_national_reported_offences_from_ssb_pages/ssb_reported_offences_national_by_group_2018_2019_2024.csv"
_FUND = (
    "oslo_police_funding_and_keyfigures_from_web/funding_events.csv",
    "police_district_budgets_staffing_funding_from_web/funding_events_additional.csv",
)
_KEYFIG = {
    "police_district_and_national": "police_district_crime_and_outcome_keyfigures_from_web/police_district_and_national_keyfigures.csv",
    "oslo_pd": "oslo_police_funding_and_keyfigures_from_web/oslo_pd_keyfigures.csv",
    "kripos_national": "oslo_police_funding_and_keyfigures_from_web/kripos_national_drug_seizures.csv",
    "confiscation": "oslo_police_funding_and_keyfigures_from_web/confiscation_inndragning_keyfigures.csv",
    "oslo_youth_salto": "oslo_youth_crime_salto_and_subcity_keyfigures_from_web/oslo_youth_crime_and_subcity_keyfigures.csv",
}
_SANCTIONS = "ssb_county_tables_2016_2018_from_ssb_pages/persons_sanctioned_by_residence_county_2017_2018.csv"
#: SSB's names of the sanctions table's offence groups (its column keys are these names, snake-cased).
_SANCTION_GROUPS = {
    "all_groups": "alle lovbruddsgrupper",
    "annet_vinningslovbrudd": "annet vinningslovbrudd",
    "ordens_og_integritetskrenkelse": "ordens- og integritetskrenkelse",
}
_COUNTY_TABLES = {
    "persons_sanctioned": _SANCTIONS,
    "victims_2016": "ssb_county_tables_2016_2018_from_ssb_pages/victims_persons_by_residence_county_2016.csv",
    "property_theft_victims_2018": "ssb_county_tables_2016_2018_from_ssb_pages/property_theft_victims_by_residence_county_2018.csv",
    "offences_by_municipality_size_2018": "ssb_county_tables_2016_2018_from_ssb_pages/offences_reported_by_municipality_size_2018.csv",
}
_RESOURCES = {
    "budget_2013_2014": "police_district_budgets_staffing_funding_from_web/district_budget_frames_2013_2014_old27districts.csv",
    "budget_2016_2019": "police_district_budgets_staffing_funding_from_web/district_budget_frames_2016_2019_12districts.csv",
    "coverage": "police_district_budgets_staffing_funding_from_web/police_coverage_by_district.csv",
}

#: Raw files per table (relative to data/raw), for cache checksums.
FILES: dict[str, tuple[str, ...]] = {
    "population": (_POP,),
    "national_offences": (_JSON08487, _NAT_ANNUAL, _NAT_GROUPS),
    "funding": _FUND,
    "enforcement_keyfigures": (*_KEYFIG.values(), _SANCTIONS),
    "county_tables": tuple(_COUNTY_TABLES.values()),
    "police_resources": tuple(_RESOURCES.values()),
}


def _raw(raw: Path | None) -> Path:
    return raw or config.raw_dir()


def read_ragged_csv(path: Path, *, merge_into: str) -> pd.DataFrame:
    """Read a hand-transcribed CSV whose rows may carry an unquoted comma.

    A row with more fields than the header has its surplus fields joined back
    (with ``","``) into column *merge_into*, where the transcriber left a comma
    unquoted (e.g. ``NOK (approx. 'i overkant av 3,7 millioner')``). All
    values are returned as strings.

    Raises
    ------
    DataError
        A row with fewer fields than the header.
    """
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    at = header.index(merge_into)
    fixed = []
    for n, row in enumerate(body, start=2):
        if not row:
            continue
        extra = len(row) - len(header)
        if extra < 0:
            raise DataError(f"{path.name} line {n}: {len(row)} fields, expected {len(header)}")
        if extra:
            row = row[:at] + [",".join(row[at : at + extra + 1])] + row[at + extra + 1 :]
        fixed.append(row)
    return pd.DataFrame(fixed, columns=header, dtype="str")


# ---------------------------------------------------------------- population
def build_population(raw: Path | None = None) -> pd.DataFrame:
    """Population on 1 January 2005–2025: country, counties, municipalities, units, bydeler."""
    src = pd.read_csv(_raw(raw) / _POP, dtype={"code": str, "granularity_geo": str})
    src = src.loc[src["year"].between(2005, 2025)]
    level = {
        "nation": "country",
        "county": "county",
        "municip": "municipality",
        "wardoslo": "bydel",
        "extrawardoslo": "area",
    }
    src = src.loc[src["granularity_geo"].isin(level)]
    code = src["code"].where(src["granularity_geo"] != "nation", "0")
    out = pd.DataFrame(
        {
            "region": code.astype("str"),
            "level": src["granularity_geo"].map(level),
            "year": src["year"].astype("int64"),
            "value": src["pop_jan1_total"].astype("float64"),
        }
    )
    units = regions.analysis_units()
    composite = units.loc[units["unit_code"].str.contains("+", regex=False)]
    members = out.merge(composite, left_on="region", right_on="current_code")
    summed = members.groupby(["unit_code", "year"], as_index=False)["value"].sum()
    summed = summed.rename(columns={"unit_code": "region"}).assign(level="municipality_group")
    out = pd.concat([out, summed[out.columns]], ignore_index=True)
    names = {**regions._all_names(), "0": "Hele landet"}
    out["region_name"] = out["region"].map(names)
    out["unit"] = "persons"
    out["source"] = "csdata_ssb07459_10826"
    return out.sort_values(["level", "region", "year"], ignore_index=True)


# ------------------------------------------------------------ national 08487
_JSON_GROUPS = {
    "1AAAAA-9ZZZZz": "total",
    "1AAAAA-1ZZZZz": "property_theft",
    "4AAAAA-4ZZZZz": "violence",
    "6AAAAA-6ZZZZz": "drugs",
    "7AAAAA-7ZZZZz": "public_order",
    "8AAAAA-8ZZZZz": "traffic",
    "2AAAAA-3-5-9ZZZZz": "other",
}
_PAGE_GROUPS = {
    "Alle lovbruddsgrupper": "total",
    "Eiendomstyveri": "property_theft",
    "Vold og mishandling": "violence",
    "Rusmiddellovbrudd": "drugs",
    "Ordens- og integritetskrenkelse": "public_order",
    "Trafikkovertredelse": "traffic",
    "Annet vinningslovbrudd": "other_profit",
    "Eiendomsskade": "criminal_damage",
    "Seksuallovbrudd": "sexual",
    "Annet lovbrudd": "other_offences",
}
#: 08487's "other" group is the sum of these four groups of the annual statistics.
OTHER_PARTS = ("other_profit", "criminal_damage", "sexual", "other_offences")


def build_national(raw: Path | None = None) -> pd.DataFrame:
    """National reported offences: 08487 two-year averages and single-year totals."""
    from ptvlib.data.sources.ssb.client import decode_jsonstat

    raw = _raw(raw)
    cube = decode_jsonstat(json.loads((raw / _JSON08487).read_text(encoding="utf-8")))
    two = pd.DataFrame(
        {
            "region": cube["Gjerningssted"].astype("str"),
            "period": cube["Tid"].astype("str"),
            "offence_group": cube["LovbruddKrim"].map(_JSON_GROUPS),
            "unit": cube["ContentsCode"].map(
                {"AnmeldteLovbrudd": "count", "AnmLovbrPer1000": "per_1000"}
            ),
            "value": cube["value"].astype("float64"),
            "status": cube["status"].astype("str"),
        }
    )
    if two[["offence_group", "unit"]].isna().any().any():
        raise DataError(f"{_JSON08487}: unknown offence group or contents code")
    two["year"] = two["period"].str[-4:].astype("int64")
    two["period_years"] = 2
    two["source"] = "ssb08487_v0_dataset97445"

    annual = pd.read_csv(raw / _NAT_ANNUAL)
    one = annual.melt(
        id_vars=["year"], value_vars=["all_offences", "property_theft"], value_name="value"
    )
    one = one.assign(
        offence_group=one["variable"].map(
            {"all_offences": "total", "property_theft": "property_theft"}
        )
    )
    groups = pd.read_csv(raw / _NAT_GROUPS)
    groups = groups.assign(
        offence_group=groups["group_no"].map(_PAGE_GROUPS), value=groups["count"]
    )
    if groups["offence_group"].isna().any():
        raise DataError(f"{_NAT_GROUPS}: unknown offence group names")
    # Years with both files: the group file repeats total and property theft; they must agree.
    both = groups.merge(one, on=["year", "offence_group"], suffixes=("_g", "_a"))
    if (both["value_g"] != both["value_a"]).any():
        raise DataError(f"{_NAT_GROUPS} and {_NAT_ANNUAL} disagree on {both.to_dict('records')}")
    groups = groups.loc[~groups["offence_group"].isin(["total", "property_theft"])]
    other = (
        groups.loc[groups["offence_group"].isin(OTHER_PARTS)]
        .groupby("year", as_index=False)["value"]
        .sum()
        .assign(offence_group="other")
    )
    single = pd.concat(
        [
            one[["year", "offence_group", "value"]],
            groups[["year", "offence_group", "value"]],
            other,
        ],
        ignore_index=True,
    )
    single = single.assign(
        region="Ialt",
        period=single["year"].astype("str"),
        unit="count",
        status="",
        period_years=1,
        source="ssb_pages_annual",
        value=single["value"].astype("float64"),
    )
    out = pd.concat([two, single[two.columns]], ignore_index=True)
    out["region_name"] = out["region"].map(
        {"Ialt": "I alt (inkl. ukjent gjerningssted)", "0": "Hele landet"}
    )
    out["level"] = "country"
    out["indicator"] = "reported_offences"
    out["derived"] = False
    return out.sort_values(
        ["period_years", "region", "offence_group", "unit", "year"], ignore_index=True
    )


# ------------------------------------------------------------------- funding
def build_funding(raw: Path | None = None) -> pd.DataFrame:
    """Funding events with amounts (MNOK), scope and source URL for every row."""
    raw = _raw(raw)
    parts = []
    for rel in _FUND:
        f = pd.read_csv(raw / rel, dtype=str)
        note = f["quote_or_note"] if "quote_or_note" in f else f.get("note")
        parts.append(
            pd.DataFrame(
                {
                    "year": f["budget_year"].astype("int64"),
                    "amount_mnok": pd.to_numeric(f["amount_mnok"], errors="raise").astype(
                        "float64"
                    ),
                    "recipient": f["recipient"],
                    "purpose": f["purpose"],
                    "scope": f["scope"],
                    "status": f["status"],
                    "note": note.fillna("") if note is not None else "",
                    "source_url": f["source_url"],
                    "source_file": rel,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    scope = out["scope"].str.lower()
    out["oslo_specific"] = scope.str.startswith("oslo-specific")
    out["police"] = ~scope.str.contains("non-police") & out["recipient"].str.contains(
        "politi|Politi", regex=True
    )
    out["kind"] = np.where(
        out["status"].str.contains("prognos", case=False),
        "overspend_prognosis",
        np.where(out["amount_mnok"].isna(), "amount_not_stated", "allocation"),
    )
    out["row"] = np.arange(1, len(out) + 1, dtype="int64")
    for col in (
        "recipient",
        "purpose",
        "scope",
        "status",
        "note",
        "source_url",
        "source_file",
        "kind",
    ):
        out[col] = out[col].fillna("").astype("str")
    return out


# ------------------------------------------------------ enforcement keyfigures
_CATEGORIES = (
    ("clearance", r"oppklar"),
    ("dismissal", r"henlagt"),
    ("confiscation", r"inndrag|sikring av verdier"),
    ("seizures", r"beslag|seized"),
    ("drug_cases", r"narkotika"),
    ("charges_sanctions", r"siktede|straffede|sanction"),
    ("investigated", r"etterforsk"),
    ("staffing", r"bemanning"),
    ("youth", r"under 18|10-17|u18|gjengangere|unge "),
    (
        "reported_offences",
        r"anmeld|lovbrudd|lovbrot|forbrytelser|straffbare|drap|vold|ran\b|"
        r"tyveri|tjuveri|valdtekt|krenkelser|kroppsskader|seksuallovbrudd|vinning|murder",
    ),
)


def _category(text: str) -> str:
    low = text.lower()
    for name, pattern in _CATEGORIES:
        if re.search(pattern, low):
            return name
    return "other"


def _scope(geo: str) -> str:
    g = geo.lower()
    if g.startswith(("norway", "norge", "national")):
        return "national"
    if "bydel" in g or "sentrum" in g or "politistasjonskrets" in g or "+ gamle oslo" in g:
        return "oslo_subarea"
    if (
        g.startswith("oslo politidistrikt")
        or g.startswith("oslo (kripos")
        or g.startswith("oslo (hovedstaden")
    ):
        return "oslo_pd"
    if g.startswith("oslo"):
        return "oslo_kommune"
    return "other_district"


def _parse_value(text: str) -> tuple[float, bool, str]:
    t = text.strip().replace(" ", "")
    approx = t.startswith("~")
    bound = "upper" if t.startswith("<") else ("lower" if t.startswith(">") else "")
    t = t.lstrip("~<>")
    try:
        return float(t), approx, bound
    except ValueError:
        raise DataError(f"key figure value {text!r} is not a number") from None


def build_keyfigures(raw: Path | None = None) -> pd.DataFrame:
    """Scattered enforcement and crime key figures from public web pages, one row per figure."""
    raw = _raw(raw)
    parts = []
    for name, rel in _KEYFIG.items():
        path = raw / rel
        if name == "confiscation":
            f = read_ragged_csv(path, merge_into="unit_of_value")
        else:
            f = pd.read_csv(path, dtype=str)
        f = f.fillna("")
        period = f["year"] if "year" in f else f["period"]
        geo = f.get("unit") if name != "kripos_national" else f["scope"]
        if name == "oslo_youth_salto":
            geo = f["geography"]
        unit_of_value = f["unit_of_value"] if "unit_of_value" in f else f.get("unit", "")
        if name == "kripos_national":
            unit_of_value = f["unit"]
        if name == "oslo_youth_salto":
            unit_of_value = f["unit"]
        parsed = [_parse_value(v) for v in f["value"]]
        indicator = f["indicator"]
        if name == "oslo_youth_salto":
            indicator = f["indicator"] + " [" + f["age_group"] + "]"
        parts.append(
            pd.DataFrame(
                {
                    "period": period,
                    "geography": geo,
                    "indicator": indicator,
                    "value": [p[0] for p in parsed],
                    "value_text": f["value"],
                    "unit_of_value": unit_of_value,
                    "approximate": [p[1] for p in parsed],
                    "bound": [p[2] for p in parsed],
                    "derived": f["derived"].eq("yes") if "derived" in f else False,
                    "note": f.get("note", pd.Series("", index=f.index)),
                    "source_url": f["source_url"],
                    "source_file": rel,
                }
            )
        )
    sanc = pd.read_csv(raw / _SANCTIONS, dtype=str)
    sanc = sanc.loc[sanc["region"].isin(["Oslo", "Hele landet", "I alt"])]
    sl = sanc.melt(id_vars=["year", "region", "source_url"], var_name="group", value_name="value")
    sl = sl.loc[sl["value"].fillna("") != ""]
    parts.append(
        pd.DataFrame(
            {
                "period": sl["year"],
                # SSB's own words (the page shows this column as the source's wording)
                "geography": sl["region"].replace(
                    {
                        "Oslo": "Oslo (bostedsfylke)",
                        "Hele landet": "Hele landet (bosatte)",
                        "I alt": "I alt (inkl. ukjent bosted)",
                    }
                ),
                "indicator": "straffede personer, "
                + sl["group"].map(_SANCTION_GROUPS).fillna(sl["group"].str.replace("_", " ")),
                "value": sl["value"].astype("float64"),
                "value_text": sl["value"],
                "unit_of_value": "persons",
                "approximate": False,
                "bound": "",
                "derived": False,
                "note": "SSB selected table; county of residence, not scene of crime",
                "source_url": sl["source_url"],
                "source_file": _SANCTIONS,
            }
        )
    )
    out = pd.concat(parts, ignore_index=True)
    out["year"] = out["period"].str.extract(r"(\d{4})(?!.*\d{4})", expand=False).astype("int64")
    out["category"] = (out["indicator"] + " " + out["unit_of_value"]).map(_category)
    out["scope"] = out["geography"].map(_scope)
    out["row"] = np.arange(1, len(out) + 1, dtype="int64")
    for col in (
        "period",
        "geography",
        "indicator",
        "value_text",
        "unit_of_value",
        "bound",
        "note",
        "source_url",
        "source_file",
    ):
        out[col] = out[col].fillna("").astype("str")
    out["derived"] = out["derived"].astype("bool")
    out["approximate"] = out["approximate"].astype("bool")
    return out


# -------------------------------------------------------------- county tables
def build_county_tables(raw: Path | None = None) -> pd.DataFrame:
    """SSB single-year county tables (sanctions, victims, offences by municipality size), long."""
    raw = _raw(raw)
    parts = []
    for table, rel in _COUNTY_TABLES.items():
        f = pd.read_csv(raw / rel, dtype=str)
        keep = [c for c in ("year", "region", "source_url", "source_table") if c in f]
        long = f.melt(id_vars=keep, var_name="measure", value_name="value").dropna(subset=["value"])
        parts.append(
            pd.DataFrame(
                {
                    "table": table,
                    "year": long["year"].astype("int64"),
                    "region": long["region"],
                    "measure": long["measure"],
                    "value": long["value"].astype("float64"),
                    "source_url": long["source_url"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------- police resources
def build_police_resources(raw: Path | None = None) -> pd.DataFrame:
    """Police-district budget frames and staffing per 1 000 inhabitants, long."""
    raw = _raw(raw)
    b1 = pd.read_csv(raw / _RESOURCES["budget_2013_2014"], dtype=str)
    l1 = b1.melt(id_vars=["district_old", "source_url"], var_name="measure", value_name="value")
    l1 = l1.dropna(subset=["value"])
    yr = l1["measure"].str.extract(r"(\d{4})", expand=False)
    p1 = pd.DataFrame(
        {
            "period": yr.fillna("2013-2014"),
            "district": l1["district_old"],
            "district_structure": "27 old districts",
            "measure": l1["measure"],
            "value": l1["value"].astype("float64"),
            "unit": "1000 NOK",
            "note": "",
            "source_url": l1["source_url"],
        }
    )
    b2 = pd.read_csv(raw / _RESOURCES["budget_2016_2019"], dtype=str)
    p2 = pd.DataFrame(
        {
            "period": b2["year"],
            "district": b2["district"],
            "district_structure": "12 districts",
            "measure": b2["measure"],
            "value": b2["value"].astype("float64"),
            "unit": b2["unit"],
            "note": b2["note"],
            "source_url": b2["source_url"],
        }
    )
    c = pd.read_csv(raw / _RESOURCES["coverage"], dtype=str)
    p3 = pd.DataFrame(
        {
            "period": c["period"],
            "district": c["district"],
            "district_structure": c["district_structure"],
            "measure": c["measure"],
            "value": c["value"].astype("float64"),
            "unit": "årsverk per 1 000 inhabitants",
            "note": c["note"],
            "source_url": c["source_url"],
        }
    )
    out = pd.concat([p1, p2, p3], ignore_index=True)
    out["year"] = out["period"].str.extract(r"(\d{4})(?!.*\d{4})", expand=False).astype("int64")
    for col in (
        "period",
        "district",
        "district_structure",
        "measure",
        "unit",
        "note",
        "source_url",
    ):
        out[col] = out[col].fillna("").astype("str")
    return out
