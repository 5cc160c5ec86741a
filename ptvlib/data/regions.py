"""Regions: municipality codes across reforms, Oslo bydeler, comparison groups.

Everything is harmonised to **2024 borders** (357 municipalities). Three
municipalities were *split* by a reform after 2005 (Tysfjord in 2020,
Snillfjord in 2020, Ålesund/Haram in 2024); offences recorded on the old
borders cannot be divided between the successors without inventing numbers, so
their successors form one **analysis unit** with a composite code::

    "1508+1580"        Ålesund + Haram
    "1806+1875"        Narvik + Hábmer - Hamarøy
    "5055+5056+5059"   Heim + Hitra + Orkland

All other 2024 municipalities are their own unit. Mergers (several old
municipalities into one new) are summed exactly.

Sources: the redistricting, hierarchy and name tables of the csdata R package
(Folkehelseinstituttet), ``data/raw/population_kommune_bydel_2005_2025_csdata``;
display names are SSB's (as in the 08487 extract of chrilur/lovbrudd), falling back to csdata's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ptvlib.basics import config
from ptvlib.basics.exceptions import UnknownRegionError
from ptvlib.basics.text import text_key

__all__ = [
    "OSLO",
    "OSLO_POLICE_DISTRICT",
    "analysis_units",
    "bydeler",
    "counties",
    "match_names",
    "municipalities",
    "name_key",
    "redistricting",
    "region_name",
    "validate_region",
]

#: Oslo kommune.
OSLO = "0301"
#: Oslo politidistrikt since 1 May 2017: Oslo, Bærum and Asker (2024 codes).
OSLO_POLICE_DISTRICT: tuple[str, ...] = ("0301", "3201", "3203")

_CSDATA = "population_kommune_bydel_2005_2025_csdata"
_CHRILUR = "ssb08487_kommune_2020_2024_chrilur/anmeldt_20-24.csv"
#: First and last calendar year whose municipal structure the project uses.
_YEARS = (2005, 2024)


def _code(location_code: pd.Series) -> pd.Series:
    return location_code.str.split("_nor", n=1).str[1]


@lru_cache(maxsize=4)
def _tables(raw: Path) -> dict[str, pd.DataFrame]:
    folder = raw / _CSDATA
    names = pd.read_csv(folder / "locations_names_b2024.csv", dtype=str)
    hierarchy = pd.read_csv(folder / "locations_hierarchy_b2024.csv", dtype=str)
    redis = pd.read_csv(
        folder / "locations_redistricting_b2024.csv",
        dtype={"location_code_current": str, "location_code_original": str, "granularity_geo": str},
    )
    ssb_names = pd.read_csv(raw / _CHRILUR, usecols=["navn", "komnr", "år"])
    return {"names": names, "hierarchy": hierarchy, "redis": redis, "ssb_names": ssb_names}


def _t(name: str) -> pd.DataFrame:
    return _tables(config.raw_dir())[name]


@lru_cache(maxsize=4)
def _municipalities(raw: Path) -> pd.DataFrame:
    t = _tables(raw)
    names = t["names"]
    mun = names.loc[names["granularity_geo"] == "municip", ["location_code", "location_name"]]
    mun = mun.assign(code=_code(mun["location_code"])).rename(columns={"location_name": "name"})
    ssb = t["ssb_names"].sort_values("år").drop_duplicates("komnr", keep="last")
    ssb = ssb.assign(code=ssb["komnr"].map("{:04d}".format)).set_index("code")["navn"]
    mun["name"] = mun["code"].map(ssb).fillna(mun["name"]).astype("str")
    hier = t["hierarchy"].dropna(subset=["county_code"]).drop_duplicates("municip_code")
    hier = hier.assign(code=_code(hier["municip_code"]), county_code=_code(hier["county_code"]))
    out = mun[["code", "name"]].merge(hier[["code", "county_code"]], on="code", how="left")
    county_names = counties().set_index("code")["name"]
    out["county_name"] = out["county_code"].map(county_names)
    return out.sort_values("code", ignore_index=True)


def municipalities() -> pd.DataFrame:
    """The 357 municipalities on 2024 borders.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (4 digits, str), ``name`` (SSB's display name),
        ``county_code``, ``county_name``.

    Examples
    --------
    >>> m = municipalities()
    >>> len(m), m.set_index("code").loc["0301", "name"]
    (357, 'Oslo')
    """
    return _municipalities(config.raw_dir()).copy()


def counties() -> pd.DataFrame:
    """The 15 counties on 2024 borders (``code``, ``name``)."""
    names = _t("names")
    c = names.loc[names["granularity_geo"] == "county", ["location_code", "location_name"]]
    out = pd.DataFrame(
        {"code": _code(c["location_code"]), "name": c["location_name"].astype("str")}
    )
    out.loc[out["code"] == "03", "name"] = "Oslo"
    return out.sort_values("code", ignore_index=True)


def bydeler(*, include_extra: bool = False) -> pd.DataFrame:
    """Oslo's 15 bydeler (city districts), codes ``030101`` … ``030115``.

    Parameters
    ----------
    include_extra : bool
        Also return Sentrum (``030116``) and Marka (``030117``), which SSB
        lists beside the bydeler but which are not bydeler.

    Returns
    -------
    pandas.DataFrame
        Columns ``code``, ``name``, ``kind`` ("bydel" or "extra").

    Examples
    --------
    >>> b = bydeler()
    >>> len(b), b.set_index("code").loc["030115", "name"]
    (15, 'Søndre Nordstrand')
    """
    names = _t("names")
    keep = ["wardoslo", "extrawardoslo"] if include_extra else ["wardoslo"]
    b = names.loc[names["granularity_geo"].isin(keep)]
    out = pd.DataFrame(
        {
            "code": _code(b["location_code"]),
            "name": b["location_name"].astype("str"),
            "kind": b["granularity_geo"].map({"wardoslo": "bydel", "extrawardoslo": "extra"}),
        }
    )
    return out.sort_values("code", ignore_index=True)


@lru_cache(maxsize=4)
def _redistricting(raw: Path) -> pd.DataFrame:
    r = _tables(raw)["redis"]
    r = r.loc[(r["granularity_geo"] == "municip") & r["calyear"].between(*_YEARS)]
    # csdata already lists the 2024 codes in 2023 (beside the 2020–2023 codes), although
    # they took effect on 1 January 2024 and no reform took effect on 1 January 2023:
    # treat 2023 as the 2020–2023 structure.
    first_year = r.groupby("location_code_original")["calyear"].transform("min")
    r = r.loc[~((r["calyear"] == 2023) & (first_year == 2023))]
    return pd.DataFrame(
        {
            "original_code": _code(r["location_code_original"]),
            "calyear": r["calyear"].astype("int64"),
            "current_code": _code(r["location_code_current"]),
            "weight": r["weighting"].astype("float64"),
        }
    ).reset_index(drop=True)


def redistricting() -> pd.DataFrame:
    """Municipality codes valid in each year (2005–2024) mapped to 2024 codes.

    Returns
    -------
    pandas.DataFrame
        Columns ``original_code``, ``calyear`` (year in which the original code
        was valid), ``current_code`` (2024) and ``weight`` (share of the
        original that csdata allocates to the current municipality; below 1
        only for the three split municipalities, see the module docstring).

    Notes
    -----
    csdata lists the 2024 codes already under 2023; they are removed there, so
    2023 has the 356 codes of the 2020–2023 structure.

    Examples
    --------
    >>> r = redistricting()
    >>> r.query("original_code == '0101' and calyear == 2015")[["current_code", "weight"]]
    ... # doctest: +NORMALIZE_WHITESPACE
          current_code  weight
    ...         3101     1.0
    """
    return _redistricting(config.raw_dir()).copy()


@lru_cache(maxsize=4)
def _analysis_units(raw: Path) -> pd.DataFrame:
    red = _redistricting(raw)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    split = red.loc[red["weight"] < 1.0]
    for _, grp in split.groupby(["original_code", "calyear"]):
        codes = grp["current_code"].tolist()
        for other in codes[1:]:
            parent[find(other)] = find(codes[0])
    mun = _municipalities(raw)
    groups: dict[str, list[str]] = {}
    for code in mun["code"]:
        groups.setdefault(find(code), []).append(code)
    names = mun.set_index("code")["name"]
    rows: list[dict[str, str]] = []
    for members in groups.values():
        members = sorted(members)
        unit = "+".join(members)
        unit_name = " + ".join(str(names[m]) for m in members)
        rows.extend({"current_code": m, "unit_code": unit, "unit_name": unit_name} for m in members)
    return pd.DataFrame(rows).sort_values("current_code", ignore_index=True)


def analysis_units() -> pd.DataFrame:
    """Map each 2024 municipality to its analysis unit (composite where split).

    Returns
    -------
    pandas.DataFrame
        Columns ``current_code``, ``unit_code``, ``unit_name``.

    Examples
    --------
    >>> u = analysis_units().set_index("current_code")
    >>> u.loc["1580", "unit_code"], u.loc["0301", "unit_code"]
    ('1508+1580', '0301')
    >>> sorted(c for c in u["unit_code"].unique() if "+" in c)
    ['1508+1580', '1806+1875', '5055+5056+5059']
    """
    return _analysis_units(config.raw_dir()).copy()


def region_name(code: str) -> str:
    """Display name of a country/county/municipality/unit/bydel code.

    Raises
    ------
    UnknownRegionError
        If the code is not known.

    Examples
    --------
    >>> region_name("0301"), region_name("030111"), region_name("1806+1875")
    ('Oslo', 'Stovner', 'Narvik + Hábmer - Hamarøy')
    """
    return _all_names().get(code) or _raise_unknown(code)


@lru_cache(maxsize=4)
def _names_cached(raw: Path) -> dict[str, str]:
    out: dict[str, str] = {"0": "Hele landet", "Ialt": "I alt (inkl. ukjent gjerningssted)"}
    out.update(dict(zip(counties()["code"], counties()["name"], strict=True)))
    m = _municipalities(raw)
    out.update(dict(zip(m["code"], m["name"], strict=True)))
    u = _analysis_units(raw)
    out.update(dict(zip(u["unit_code"], u["unit_name"], strict=True)))
    b = bydeler(include_extra=True)
    out.update(dict(zip(b["code"], b["name"], strict=True)))
    return out


def _all_names() -> dict[str, str]:
    return _names_cached(config.raw_dir())


def _raise_unknown(code: object) -> str:
    raise UnknownRegionError(
        f"region={code!r} is not a known region code; allowed: a 2024 municipality code "
        "(4 digits, e.g. '0301' Oslo), an analysis unit ('1508+1580'), a county code "
        "('03'), an Oslo bydel ('030101'…'030115') or '0' (the whole country)"
    )


def validate_region(code: object, *, field: str = "region") -> str:
    """Return *code* as a str if it is a known region code, else raise.

    Accepts an int for a municipality (``301`` → ``"0301"``).

    Raises
    ------
    UnknownRegionError
        Names the field, the bad value and what is allowed.

    Examples
    --------
    >>> validate_region(301)
    '0301'
    """
    text = f"{code:04d}" if isinstance(code, int) and not isinstance(code, bool) else str(code)
    if text in _all_names():
        return text
    try:
        _raise_unknown(code)
    except UnknownRegionError as err:
        raise UnknownRegionError(str(err).replace("region=", f"{field}=", 1)) from None
    raise AssertionError("unreachable")  # pragma: no cover


_NAME_WORDS = {"bydel", "kommune", "fylke", "fylkeskommune", "bydelen"}


def name_key(text: str) -> str:
    """Comparable form of a place name: :func:`~ptvlib.basics.text.text_key` without a leading
    code or a 'Bydel'/'kommune' word.

    Examples
    --------
    >>> name_key("Bydel Søndre Nordstrand"), name_key("01 Gamle Oslo"), name_key("Bærum kommune")
    ('sondre nordstrand', 'gamle oslo', 'baerum')
    """
    words = [w for w in text_key(text).split() if w not in _NAME_WORDS]
    while words and words[0].isdigit():
        words = words[1:]
    return " ".join(words)


@lru_cache(maxsize=4)
def _name_index(raw: Path) -> dict[str, frozenset[str]]:
    """Name key → codes, over Oslo's bydeler and areas, 2024 municipalities and counties."""
    entries = list(
        zip(bydeler(include_extra=True)["code"], bydeler(include_extra=True)["name"], strict=True)
    )
    m = _municipalities(raw)
    entries += list(zip(m["code"], m["name"], strict=True))
    c = counties()
    entries += [
        (code, name) for code, name in zip(c["code"], c["name"], strict=True) if code != "03"
    ]
    index: dict[str, set[str]] = {}
    for code, name in entries:
        keys = {name_key(name), name_key(re.sub(r"\(.*?\)", "", name))}
        keys |= {name_key(part) for part in re.split(r"\s+-\s+|-", name) if part.strip()}
        for key in keys - {""}:
            index.setdefault(key, set()).add(code)
    return {k: frozenset(v) for k, v in index.items()}


def match_names(texts: Iterable[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Codes of place names as a person writes them (case, diacritics, 'Bydel ' tolerated).

    Oslo's bydeler, Sentrum and Marka, the 2024 municipalities and the counties
    (Oslo county is the municipality 0301) are searched. Names shared by several
    places (``Herøy``, ``Våler``) are ambiguous, never guessed.

    Parameters
    ----------
    texts : iterable of str
        Names.

    Returns
    -------
    (dict, dict)
        ``{name: code}`` for names with one match, ``{name: [codes]}`` for
        ambiguous ones; other names are in neither.

    Examples
    --------
    >>> found, ambiguous = match_names(["BYDEL GRORUD", "Sondre Nordstrand", "Herøy", "Atlantis"])
    >>> found, ambiguous
    ({'BYDEL GRORUD': '030110', 'Sondre Nordstrand': '030115'}, {'Herøy': ['1515', '1818']})
    """
    index = _name_index(config.raw_dir())
    found: dict[str, str] = {}
    ambiguous: dict[str, list[str]] = {}
    for text in texts:
        codes = index.get(name_key(text))
        if codes is None:
            continue
        if len(codes) == 1:
            found[text] = next(iter(codes))
        else:
            ambiguous[text] = sorted(codes)
    return found, ambiguous
