"""Typed parameters shared by the notebooks and the ``ptv`` command.

Every notebook's ``parameters`` cell holds literal defaults for the fields of
:class:`Params`; the next cell calls :func:`validate_params` on them. ``ptv
report`` validates the same values (from ``--year``, ``-p NAME VALUE`` and
``-f params.yaml``) **before any kernel starts**, so a typo fails in a second
with a message naming the parameter, the bad value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from ptvlib.assessment.exclusions import DEFAULT_EXCLUDED
from ptvlib.basics import config
from ptvlib.basics.exceptions import OwnDataError, ParameterError, PtvError
from ptvlib.basics.literals import Comparison, Lang, Straddle

__all__ = [
    "Params",
    "data_years",
    "parse_cli_value",
    "validate_params",
]

#: Fewest two-year periods before the start (estimators refuse fewer).
MIN_PRE_PERIODS = 3


def data_years() -> tuple[int, int]:
    """First and last period end-year of the reported-offences table.

    Read from the raw data (cheap: no table build), so validation is fast.
    """
    from ptvlib.data.tables.offences import PERIODS

    years = [int(p[-4:]) for p in PERIODS]
    return min(years), max(years)


@dataclass(frozen=True)
class Params:
    """Parameters of one assessment run (notebook or ``ptv report``).

    Attributes
    ----------
    year : int
        Assessment year: use periods ending in or before it.
    treated_region : str
        Treated unit (default Oslo, ``"0301"``).
    start_year : int
        First year of the funding (default 2018).
    comparison : str
        ``large_cities``, ``all_municipalities``, ``rest_of_norway`` or
        ``synthetic``: the comparison group of the descriptive figures and the
        dose–response; the designs that decide a verdict use the comparison
        pool (``donor_min_population``, ``excluded_regions``).
    offence_groups : list of str
        Offence groups to analyse.
    lang : str
        ``nb`` (bokmål) or ``en``.
    own_data : str
        Path to the analyst's own data file, or ``""`` (then ``PTV_OWN_DATA``
        is used when set).
    own_columns : list of str
        Column mapping of ``own_data``, one ``HEADER=field`` per column whose
        header is not recognised (``["Bydel=region", "År=year",
        "Antall=value"]``; ``-p own_columns Bydel=region,År=year,Antall=value``);
        fields as :data:`ptvlib.data.own.OWN_DATA_SCHEMA` and ``period``.
    funding_data : str
        The analyst's own funding table (actual allocations per area and year,
        read by :func:`ptvlib.load_funding`), or ``""``: then the public
        ``funding`` table. The treated unit's money per year is the sum over
        its rows (the municipality and its bydeler, e.g. ``0301…``); it feeds
        the funding figure, the dose–response and the funding's share of the
        budget.
    treated_areas : list of str
        Own-data regions that received the funding (all from ``start_year``).
    treatment_schedule : list of str
        Own-data areas with their first funded year, ``AREA:YEAR``
        (``["030115:2018", "030101:2019"]``; ``-p treatment_schedule
        030115:2018,030101:2019``). Empty: ``treated_areas``, else the areas
        the funding table names (see :mod:`ptvlib.assessment.schedule`).
    buffer_areas : list of str
        Neighbouring own-data areas where an effect could spill over
        (``AREA`` or ``AREA:YEAR``): left out of the comparison areas and
        analysed on their own.
    straddle : str
        Two-year period that straddles the start: ``drop`` or ``post``.
    n_large : int
        Number of large cities in the ``large_cities`` comparison.
    donor_min_population : int
        Comparison pool of the calibrated designs (synthetic control,
        difference-in-differences, time series ranked against untreated
        units): municipalities with at least this many inhabitants the year
        before the start (0 = every municipality). The default 10 000 keeps
        about 80 units, so that a placebo p-value can reach the family-wise
        level (see :mod:`ptvlib.assessment.pools`).
    excluded_regions : list of str
        Municipalities (2024 codes) left out of every comparison pool; default
        the airport and border municipalities of
        :data:`~ptvlib.assessment.exclusions.DEFAULT_EXCLUDED`.
    output_dir : str
        Folder for the headline-numbers sidecar (set by ``ptv report``); ``""`` = none.
    force_error : str
        Test only: the notebook stem that should raise on purpose.
    """

    year: int = 2024
    treated_region: str = config.DEFAULT_TREATED_REGION
    start_year: int = config.DEFAULT_START_YEAR
    comparison: Comparison = "large_cities"
    offence_groups: list[str] = field(
        default_factory=lambda: ["total", "property_theft", "violence", "drugs", "public_order"]
    )
    lang: Lang = "nb"
    own_data: str = ""
    own_columns: list[str] = field(default_factory=list)
    funding_data: str = ""
    treated_areas: list[str] = field(default_factory=list)
    treatment_schedule: list[str] = field(default_factory=list)
    buffer_areas: list[str] = field(default_factory=list)
    straddle: Straddle = "drop"
    n_large: int = 10
    donor_min_population: int = 10_000
    excluded_regions: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDED))
    output_dir: str = ""
    force_error: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for papermill parameters and JSON)."""
        return dataclasses.asdict(self)

    def own_column_map(self) -> dict[str, str] | None:
        """``own_columns`` as ``{header: field}`` for :func:`ptvlib.load_own` (None when empty).

        Raises
        ------
        ParameterError
            An entry that is not ``HEADER=field``.

        Examples
        --------
        >>> Params(own_columns=["Bydel=region", " År = year"]).own_column_map()
        {'Bydel': 'region', 'År': 'year'}
        """
        if not self.own_columns:
            return None
        out: dict[str, str] = {}
        for entry in self.own_columns:
            header, sep, name = entry.partition("=")
            if not sep or not header.strip() or not name.strip():
                raise ParameterError(
                    f"own_columns={self.own_columns!r}: {entry!r} is not HEADER=field; allowed: "
                    "entries such as 'Bydel=region', 'År=year', 'Antall=value'"
                )
            out[header.strip()] = name.strip()
        return out


_TYPES: dict[str, type] = {
    "year": int,
    "treated_region": str,
    "start_year": int,
    "comparison": str,
    "offence_groups": list,
    "lang": str,
    "own_data": str,
    "own_columns": list,
    "funding_data": str,
    "treated_areas": list,
    "treatment_schedule": list,
    "buffer_areas": list,
    "straddle": str,
    "n_large": int,
    "donor_min_population": int,
    "excluded_regions": list,
    "output_dir": str,
    "force_error": str,
}


def _type_name(t: type) -> str:
    return {int: "int", str: "str", list: "list of str"}[t]


def _check_type(name: str, value: Any) -> Any:
    want = _TYPES[name]
    ok = isinstance(value, want) and not (want is int and isinstance(value, bool))
    if want is list and ok:
        ok = all(isinstance(v, str) for v in value)
    if not ok:
        raise ParameterError(
            f"{name}={value!r} has type {type(value).__name__}; expected {_type_name(want)}"
        )
    return value


def parse_cli_value(name: str, text: str) -> Any:
    """Turn a command-line string into the parameter's type.

    Lists accept JSON (``'["violence","drugs"]'``) or comma-separated text.

    Raises
    ------
    ParameterError
        Unknown parameter name, or text that is not of the parameter's type.

    Examples
    --------
    >>> parse_cli_value("year", "2023"), parse_cli_value("offence_groups", "violence,drugs")
    (2023, ['violence', 'drugs'])
    """
    if name not in _TYPES:
        raise ParameterError(f"unknown parameter {name!r}; allowed: {', '.join(sorted(_TYPES))}")
    want = _TYPES[name]
    if want is int:
        try:
            return int(text)
        except ValueError:
            raise ParameterError(f"{name}={text!r} is not an int") from None
    if want is list:
        text = text.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as err:
                raise ParameterError(f"{name}={text!r} is not a JSON list: {err}") from None
            return _check_type(name, value)
        return [v.strip() for v in text.split(",") if v.strip()]
    return text


def validate_params(values: Mapping[str, Any] | None = None, **kwargs: Any) -> Params:
    """Validate parameters and return them as :class:`Params`.

    Parameters
    ----------
    values : mapping, optional
        Parameter values (e.g. ``locals()`` of a notebook's parameters cell;
        names that are not parameters are ignored only when they start with
        ``_`` or are modules/functions, otherwise they are an error).
    **kwargs
        More values (override *values*).

    Returns
    -------
    Params

    Raises
    ------
    ParameterError
        Names the parameter, the bad value and what is allowed.
    OwnDataError
        ``own_data`` is given but fails validation.

    Examples
    --------
    >>> validate_params(year=2024, start_year=2018).start_year
    2018
    >>> validate_params(year=1990)
    Traceback (most recent call last):
    ...
    ptvlib.ParameterError: year=1990 is outside the data; allowed: 2012 … 2024
    """
    merged: dict[str, Any] = dict(values or {})
    merged.update(kwargs)
    unknown = sorted(k for k in merged if k not in _TYPES)
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {unknown}; allowed: {', '.join(sorted(_TYPES))}"
        )
    for name, value in merged.items():
        _check_type(name, value)
    if not merged.get("own_data") and config.own_data_path() is not None:
        merged["own_data"] = str(config.own_data_path())  # PTV_OWN_DATA, when no own_data is given
    p = Params(**merged)
    first, last = data_years()
    earliest_start = first + MIN_PRE_PERIODS
    if not earliest_start + 1 <= p.year <= last:
        raise ParameterError(
            f"year={p.year} is outside the data; allowed: {earliest_start + 1} … {last}"
        )
    if not earliest_start <= p.start_year <= p.year - 1:
        raise ParameterError(
            f"start_year={p.start_year} is not allowed with year={p.year}; allowed: "
            f"{earliest_start} … {p.year - 1} (at least {MIN_PRE_PERIODS} two-year periods "
            "before the start and one after it)"
        )
    from ptvlib.data.regions import analysis_units, validate_region

    code = validate_region(p.treated_region, field="treated_region")
    if code not in set(analysis_units()["unit_code"]):
        raise ParameterError(
            f"treated_region={p.treated_region!r} is not a municipality or analysis unit of the "
            "offences table; allowed: a 2024 municipality code such as '0301' (Oslo)"
        )
    for name, alias in (
        ("comparison", Comparison),
        ("lang", Lang),
        ("straddle", Straddle),
    ):
        if getattr(p, name) not in get_args(alias):
            allowed = ", ".join(get_args(alias))
            raise ParameterError(f"{name}={getattr(p, name)!r} is not allowed; allowed: {allowed}")
    bad = [g for g in p.offence_groups if g not in config.OFFENCE_GROUPS]
    if bad or not p.offence_groups:
        raise ParameterError(
            f"offence_groups={p.offence_groups!r} is not allowed; allowed: a non-empty list of "
            f"{', '.join(config.OFFENCE_GROUPS)}"
        )
    if not 2 <= p.n_large <= 50:
        raise ParameterError(f"n_large={p.n_large} is not allowed; allowed: 2 … 50")
    if not 0 <= p.donor_min_population <= 200_000:
        raise ParameterError(
            f"donor_min_population={p.donor_min_population} is not allowed; allowed: 0 … 200000"
        )
    _check_excluded(p, set(analysis_units()["unit_code"]))
    _check_own_data(p)
    _check_funding_data(p)
    return p


def _check_excluded(p: Params, units: set[str]) -> None:
    bad = [c for c in p.excluded_regions if c not in units]
    if bad:
        raise ParameterError(
            f"excluded_regions={p.excluded_regions!r}: {bad} are not municipalities of the "
            "offences table; allowed: 2024 municipality codes such as '3209' (Ullensaker)"
        )
    if p.treated_region in p.excluded_regions:
        raise ParameterError(
            f"excluded_regions={p.excluded_regions!r} contains the treated region "
            f"{p.treated_region!r}; allowed: comparison municipalities only"
        )


def _check_own_data(p: Params) -> None:
    from ptvlib.assessment.schedule import parse_schedule, resolve_schedule

    parse_schedule(p.treatment_schedule)
    parse_schedule(p.buffer_areas, field_name="buffer_areas", require_year=False)
    columns = p.own_column_map()
    if not p.own_data:
        for name in ("own_columns", "treated_areas", "treatment_schedule", "buffer_areas"):
            if getattr(p, name):
                raise ParameterError(
                    f"{name}={getattr(p, name)!r} needs own_data; allowed: [] without own_data"
                )
        return
    path = Path(p.own_data).expanduser()
    if not path.exists():
        raise ParameterError(
            f"own_data={p.own_data!r} does not exist; allowed: a path to a CSV, Excel or parquet file"
        )
    from ptvlib.data.own import load_own

    try:
        own = load_own(path, columns=columns)
    except OwnDataError as err:
        head = str(err).split("\n", 1)[0]
        raise OwnDataError(
            f"own_data={p.own_data!r} failed validation: {head}", err.problems
        ) from None
    except PtvError:
        raise
    regions = set(own["region"])
    bad = [a for a in p.treated_areas if a not in regions]
    if bad:
        raise ParameterError(
            f"treated_areas={p.treated_areas!r}: {bad} not in own_data; allowed: "
            f"{', '.join(sorted(regions)[:20])}"
        )
    resolve_schedule(
        p.treatment_schedule, p.treated_areas, p.start_year, p.buffer_areas, areas=regions
    )


def _check_funding_data(p: Params) -> None:
    if not p.funding_data:
        return
    path = Path(p.funding_data).expanduser()
    if not path.is_file():
        raise ParameterError(
            f"funding_data={p.funding_data!r} does not exist; allowed: a path to a CSV, Excel or "
            "parquet file with area, year and amount (`ptv data template funding` writes one)"
        )
    from ptvlib.data.own_funding import load_funding

    try:
        load_funding(path)
    except OwnDataError as err:
        head = str(err).split("\n", 1)[0]
        raise OwnDataError(
            f"funding_data={p.funding_data!r} failed validation: {head}", err.problems
        ) from None
