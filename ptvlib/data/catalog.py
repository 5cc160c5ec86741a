"""Registry of datasets: name → raw files and live source, schema, description, caveats.

``ptvlib.datasets()`` lists them; ``ptvlib.load(name)`` builds, validates and
caches them. Adding a dataset means adding one :class:`Dataset` entry here and
a builder (and, for a live refresh, a fetcher in :mod:`ptvlib.data.live`); the
tests are parametrised over this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ptvlib.basics import config
from ptvlib.basics.exceptions import UnknownDatasetError
from ptvlib.data.schema import Column, Schema

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BYDEL_OFFENCES", "DATASETS", "Dataset", "files_of", "get"]

_08487_STATUS = (
    "",
    ":",
    "..",
    ".",
    "-",
    "...",
    "dropped",
    "groups_missing",
    "no_population",
    "partial",
)
_GROUP_NAMES = config.OFFENCE_GROUPS
_EXTRA_GROUPS = ("other_profit", "criminal_damage", "sexual", "other_offences")


def _offence_columns(
    levels: tuple[str, ...], groups: tuple[str, ...], years: tuple[int, ...]
) -> tuple[Column, ...]:
    return (
        Column(
            "region", "str", "region code: municipality (2024 borders), analysis unit or '0'/'Ialt'"
        ),
        Column("region_name", "str", "display name"),
        Column("level", "str", "geographic level", allowed=levels),
        Column("period", "str", "period label, e.g. '2019-2020' (two-year average) or '2019'"),
        Column("year", "int", "last year of the period"),
        Column("period_years", "int", "years in the period (08487: 2)", allowed=years),
        Column("indicator", "str", "what is counted", allowed=("reported_offences",)),
        Column("offence_group", "str", "offence group", allowed=groups),
        Column(
            "value",
            "float",
            "annual average (count) or per 1 000 inhabitants",
            nullable=True,
            nonnegative=True,
        ),
        Column("unit", "str", "unit of value", allowed=("count", "per_1000")),
        Column(
            "status",
            "str",
            "'' = present; SSB symbol or reason the value is missing",
            allowed=_08487_STATUS,
        ),
        Column("derived", "bool", "count derived as rate × population / 1000 (rounding error)"),
        Column("source", "str", "source extract of the value (empty where none has it)"),
    )


REPORTED_OFFENCES = Schema(
    "reported_offences",
    _offence_columns(("municipality", "municipality_group"), _GROUP_NAMES, (2,)),
    keys=("region", "period", "offence_group", "unit"),
)
NATIONAL_OFFENCES = Schema(
    "national_offences",
    _offence_columns(("country",), _GROUP_NAMES + _EXTRA_GROUPS, (1, 2)),
    keys=("region", "period", "offence_group", "unit"),
)
_BYDEL_GROUPS = _GROUP_NAMES[:-1] + ("other_profit", "criminal_damage", "sexual", "other_offences")
BYDEL_OFFENCES = Schema(
    "bydel_offences",
    (
        Column(
            "region",
            "str",
            "030101 … 030115 bydel, 030116 Sentrum, 030199 unknown bydel incl. Marka, 0301 Oslo",
        ),
        Column("region_name", "str", "display name"),
        Column("level", "str", "geographic level", allowed=("bydel", "area", "municipality")),
        Column("period", "str", "the year, e.g. '2024'"),
        Column("year", "int", "calendar year"),
        Column("period_years", "int", "years in the period (1)", allowed=(1,)),
        Column("indicator", "str", "what is counted", allowed=("reported_offences",)),
        Column(
            "offence_group",
            "str",
            "SSB lovbruddsgruppe (KRI002 has no 'other' aggregate: its four parts instead)",
            allowed=_BYDEL_GROUPS,
        ),
        Column(
            "value",
            "float",
            "reported offences with the scene of crime in the area (count)",
            nullable=True,
            nonnegative=True,
        ),
        Column("unit", "str", "unit of value", allowed=("count",)),
        Column(
            "status",
            "str",
            "'' = present; the statbank's symbol when missing",
            allowed=("", ".", "..", "...", ":", "-"),
        ),
        Column("source", "str", "oslo_kri002_web_2024 (embedded) or oslo_statbank_kri002_api"),
    ),
    keys=("region", "period", "offence_group", "unit"),
)
POPULATION = Schema(
    "population",
    (
        Column(
            "region",
            "str",
            "region code ('0' country, '03' county, '0301' municipality, '030111' bydel)",
        ),
        Column("region_name", "str", "display name"),
        Column(
            "level",
            "str",
            "geographic level",
            allowed=("country", "county", "municipality", "municipality_group", "bydel", "area"),
        ),
        Column("year", "int", "year (population on 1 January)"),
        Column("value", "float", "persons", nonnegative=True),
        Column("unit", "str", "unit", allowed=("persons",)),
        Column("source", "str", "source id"),
    ),
    keys=("region", "year"),
)
FUNDING = Schema(
    "funding",
    (
        Column("year", "int", "budget year"),
        Column(
            "amount_mnok",
            "float",
            "amount in million NOK as proposed/reported (NaN: not stated)",
            nullable=True,
        ),
        Column("recipient", "str", "who receives the money"),
        Column("purpose", "str", "purpose as stated in the source"),
        Column("scope", "str", "Oslo-specific, national, district ..."),
        Column("status", "str", "proposed / granted / reported ..."),
        Column("note", "str", "quote or note"),
        Column("source_url", "str", "source web page"),
        Column("source_file", "str", "raw file (data/raw/...)"),
        Column("oslo_specific", "bool", "the source says the money is for Oslo"),
        Column("police", "bool", "the recipient is the police"),
        Column(
            "kind",
            "str",
            "allocation / amount_not_stated / overspend_prognosis",
            allowed=("allocation", "amount_not_stated", "overspend_prognosis"),
        ),
        Column("row", "int", "row number across the funding files"),
    ),
    keys=("row",),
)
KEYFIGURES = Schema(
    "enforcement_keyfigures",
    (
        Column("period", "str", "year or part of year as stated ('2021', '2021H1', '2018-2021')"),
        Column("geography", "str", "geography as stated in the source"),
        Column("indicator", "str", "indicator as stated in the source"),
        Column("value", "float", "value (percent changes can be negative)"),
        Column("value_text", "str", "value as transcribed ('~30000', '<200')"),
        Column("unit_of_value", "str", "unit as stated"),
        Column("approximate", "bool", "the source gives an approximate value"),
        Column(
            "bound",
            "str",
            "'upper'/'lower' when the source gives a bound",
            allowed=("", "upper", "lower"),
        ),
        Column("derived", "bool", "computed by the transcriber from a figure and a stated change"),
        Column("note", "str", "note"),
        Column("source_url", "str", "source web page"),
        Column("source_file", "str", "raw file"),
        Column("year", "int", "last calendar year of the period"),
        Column(
            "category",
            "str",
            "kind of figure",
            allowed=(
                "clearance",
                "dismissal",
                "confiscation",
                "seizures",
                "drug_cases",
                "charges_sanctions",
                "investigated",
                "staffing",
                "youth",
                "reported_offences",
                "other",
            ),
        ),
        Column(
            "scope",
            "str",
            "geographic scope",
            allowed=("national", "oslo_pd", "oslo_kommune", "oslo_subarea", "other_district"),
        ),
        Column("row", "int", "row number"),
    ),
    keys=("row",),
)
COUNTY_TABLES = Schema(
    "county_tables",
    (
        Column("table", "str", "which SSB selected table"),
        Column("year", "int", "calendar year"),
        Column("region", "str", "county, country or municipality-size group as printed"),
        Column("measure", "str", "column of the printed table"),
        Column("value", "float", "absolute number", nonnegative=True),
        Column("source_url", "str", "ssb.no page"),
    ),
    keys=("table", "year", "region", "measure"),
)
POLICE_RESOURCES = Schema(
    "police_resources",
    (
        Column("period", "str", "year as stated"),
        Column("district", "str", "police district"),
        Column("district_structure", "str", "27 old districts / 12 districts"),
        Column("measure", "str", "what the value is"),
        Column("value", "float", "value"),
        Column("unit", "str", "unit"),
        Column("note", "str", "note"),
        Column("source_url", "str", "source web page"),
        Column("year", "int", "last year of the period"),
    ),
)


@dataclass(frozen=True)
class Dataset:
    """One entry of the registry.

    Attributes
    ----------
    name : str
        Name passed to :func:`ptvlib.load`.
    description : str
        One line (English).
    schema : Schema
        Checked on every load.
    build : callable
        ``build(raw_dir, inputs) -> DataFrame`` for the embedded snapshot;
        *inputs* maps each name in :attr:`inputs` to its loaded table.
    ssb_table : str or None
        Statistics Norway table id for a live refresh (``source="ssb"``).
    caveats : str
        What the data cannot tell (shown by ``ptv data info``).
    licence : str
        Licence of the underlying data.
    inputs : tuple of str
        Datasets this one is built from; the loader loads them first and
        passes them to *build* (so the catalogue never calls the loader).
    live_source : str
        The live source ``ptv data update`` refreshes from (empty: none; the
        table then stays embedded, also under ``PTV_DATA_SOURCE=ssb``).
    as_of : str
        What the embedded snapshot is and of when (shown with the provenance).
    """

    name: str
    description: str
    schema: Schema
    build: Callable[[Path, Mapping[str, pd.DataFrame]], pd.DataFrame]
    ssb_table: str | None = None
    caveats: str = ""
    licence: str = "Statistics Norway data: CC BY 4.0 / NLOD 2.0 (Kilde: Statistisk sentralbyrå)"
    inputs: tuple[str, ...] = ()
    live_source: str = ""
    as_of: str = ""


def _build_offences(raw: Path, inputs: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    from ptvlib.data.tables import offences

    return offences.build_offences(inputs["population"], raw)


def _builder(name: str) -> Callable[[Path, Mapping[str, pd.DataFrame]], pd.DataFrame]:
    def build(raw: Path, inputs: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
        from ptvlib.data.tables import builders

        return getattr(builders, name)(raw)

    build.__name__ = name
    return build


def _build_bydel(raw: Path, inputs: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    from ptvlib.data.tables import bydel_offences

    return bydel_offences.build_bydel_offences(raw)


def _files(name: str) -> tuple[str, ...]:
    from ptvlib.data.tables import builders as _tables
    from ptvlib.data.tables import bydel_offences as _bydel
    from ptvlib.data.tables import offences as _offences

    if name == "bydel_offences":
        return _bydel.FILES
    if name == "reported_offences":
        files = tuple(f for fs in _offences.SOURCE_FILES.values() for f in fs)
        return (
            files
            + _tables.FILES["population"]
            + (
                "population_kommune_bydel_2005_2025_csdata/locations_redistricting_b2024.csv",
                "population_kommune_bydel_2005_2025_csdata/locations_names_b2024.csv",
                "population_kommune_bydel_2005_2025_csdata/locations_hierarchy_b2024.csv",
            )
        )
    return _tables.FILES[name]


_HARM = (
    "Two-year annual averages (overlapping periods, serially correlated); suppressed cells "
    "(4 or fewer offences) are missing, not zero; municipality level only (bydel crime is not "
    "public); 2016-2017 … 2019-2020 counts are derived from rates per 1 000 (rounding ±0.05 × "
    "population/1000); reported drug and public-order offences follow police activity."
)

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "reported_offences",
            "Reported offences (SSB 08487) by municipality on 2024 borders, 2007-2008 … 2023-2024, 7 offence groups, counts and per 1 000",
            REPORTED_OFFENCES,
            _build_offences,
            ssb_table="08487",
            caveats=_HARM,
            inputs=("population",),
            live_source="Statistics Norway table 08487 (PxWebApi v2)",
            as_of="SSB 08487 extracts in data/raw, latest period 2023-2024 (chrilur extract of 2025-12-19)",
        ),
        Dataset(
            "bydel_offences",
            "Reported offences by scene of crime in Oslo's bydeler (Oslo kommune's statbank KRI002): embedded 2024 cross-section, live all years and groups",
            BYDEL_OFFENCES,
            _build_bydel,
            caveats=(
                "Embedded: one year (2024), all offence groups only, 15 bydeler and Sentrum, a "
                "third-party transcription; the '99 unknown bydel incl. Marka' row is missing, so "
                "the sum falls short of Oslo's total. Sentrum has ~1 500 residents: rates per "
                "1 000 are not comparable. Oslo kommune notes that Sporveien's criminal-damage "
                "reports are registered in Nordstrand. Police activity drives drug and public-order "
                "counts."
            ),
            licence="Oslo kommune, Statistikkbanken (public statistics; no licence stated in the stored material: check Oslo kommune's terms before republishing)",
            live_source="Oslo kommune's statbank table KRI002 (PxWeb API v1)",
            as_of="KRI002 2024 cross-section, transcribed in DM2XXX/wandroz-site @ ea76498",
        ),
        Dataset(
            "national_offences",
            "Reported offences for the whole country: 08487 two-year averages 2007-2008 … 2023-2024 and single-year totals 2005–2024",
            NATIONAL_OFFENCES,
            _builder("build_national"),
            caveats="'Ialt' includes offences with unknown or foreign scene of crime; single-year figures transcribed from ssb.no pages of different dates.",
            as_of="recorded SSB response of 2025-08-14 (08487 updated 2025-05-26) and ssb.no pages to 2024",
        ),
        Dataset(
            "population",
            "Population on 1 January 2005–2025: country, counties, municipalities (2024 borders), analysis units, Oslo's 15 bydeler",
            POPULATION,
            _builder("build_population"),
            caveats="Pre-reform municipality figures are csdata's harmonised estimates on 2024 borders; bydel population is residence-based.",
            licence="SSB data under NLOD 2.0 via the csdata R package (MIT)",
            ssb_table="07459+10826",
            live_source="Statistics Norway tables 07459 (municipalities) and 10826 (bydeler), PxWebApi v2",
            as_of="csdata b2024 population of 1 January 2005-2025 (repository HEAD of 2026-08-22)",
        ),
        Dataset(
            "funding",
            "Funding events for the Oslo police effort in vulnerable areas and national gang/network money, 2017–2025, each with its source URL",
            FUNDING,
            _builder("build_funding"),
            caveats="Amounts as proposed/reported in press releases and news, not audited accounts; no clean annual Oslo series exists in public sources; some years conflict between sources. Replace with the actual allocations per area and year: ptvlib.data.own_funding.load_funding(path).",
            licence="Factual figures from public web pages (government pages NLOD); news text not reproduced",
            as_of="web pages transcribed up to budget year 2025",
        ),
        Dataset(
            "enforcement_keyfigures",
            "Scattered clear-up, case, seizure, confiscation, sanction and youth-crime figures from public pages, one row per figure with its source",
            KEYFIGURES,
            _builder("build_keyfigures"),
            caveats="Not a panel: point figures with shifting definitions; Oslo police district includes Asker and Bærum from 1 May 2017; police (STRASAK) counts differ from SSB's.",
            licence="Factual figures from public web pages; news text not reproduced",
            as_of="web pages transcribed up to 2025",
        ),
        Dataset(
            "county_tables",
            "SSB single-year county tables 2016–2018: persons sanctioned, victims, offences by municipality size",
            COUNTY_TABLES,
            _builder("build_county_tables"),
            caveats="Single-year snapshots, some cut off where the archived page ended; residence-based, not scene of crime.",
            as_of="archived ssb.no pages, 2016-2018",
        ),
        Dataset(
            "police_resources",
            "Police-district budget frames (2013–2019) and police staffing per 1 000 inhabitants (2008, 2017–2018)",
            POLICE_RESOURCES,
            _builder("build_police_resources"),
            caveats="Budget frames are start-of-year allocations including national tasks; district borders changed in 2016–2017.",
            licence="Factual figures from public web pages",
            as_of="web pages transcribed, budget years 2013-2019",
        ),
    )
}


def get(name: str) -> Dataset:
    """Return the registry entry *name*.

    Raises
    ------
    UnknownDatasetError
        Names the bad value and every known dataset.

    Examples
    --------
    >>> get("population").name
    'population'
    >>> get("crime")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ptvlib.UnknownDatasetError: dataset='crime' is not known; allowed: ...
    """
    try:
        return DATASETS[name]
    except (KeyError, TypeError):
        allowed = ", ".join(sorted(DATASETS))
        raise UnknownDatasetError(f"dataset={name!r} is not known; allowed: {allowed}") from None


def files_of(name: str) -> tuple[str, ...]:
    """Raw files (relative to ``data/raw``) that dataset *name* is built from."""
    return _files(get(name).name)
