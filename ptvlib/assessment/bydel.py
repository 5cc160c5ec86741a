"""Own data as bydel panels: one series per indicator × offence group, and what is left out.

:func:`own_series` splits an own-data frame (:func:`ptvlib.load_own`) into one
series per indicator × offence group × unit — **every** one in the file; a
series that cannot be analysed is returned in ``not_analysed`` with the
reason, never dropped silently. Monthly (``2016-01``, ``2016M01``) or
quarterly (``2016Q1``, ``2016K1``) periods are summed to years for the yearly
designs (a year counts only when every area has all its months) and kept as
months for the interrupted time series with seasonality.

Rates use the embedded bydel population (``ptvlib.load("population")``). An
area whose resident population is below :data:`MIN_RESIDENTS` (Sentrum:
538–1 626 residents 2005–2025; Marka) cannot serve as a denominator — its
offences are counted where they happen, not where people live — and is left
out of rate-based designs with that reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.basics.literals import Lang, RiScale

__all__ = [
    "MIN_RESIDENTS",
    "SERIES_MESSAGES",
    "OwnSeries",
    "own_series",
    "period_months",
    "population_table",
    "series_message",
]

#: Areas with fewer residents than this are not used with a population denominator.
MIN_RESIDENTS = 5_000

#: How each own-data unit is analysed: the scale, and whether population is the exposure.
UNIT_SCALE: dict[str, tuple[RiScale, bool]] = {
    "count": ("log", True),
    "persons": ("log", True),
    "NOK": ("log", True),
    "MNOK": ("log", True),
    "per_1000": ("log", False),
    "per_100000": ("log", False),
    "percent": ("level", False),
}

#: Why an area is left out of a series, and notes on a series, by language.
SERIES_MESSAGES: dict[str, dict[str, str]] = {
    "nb": {
        "no_population": "mangler innebygd folketall for noen år",
        "small_population": "så lite som {lo} innbyggere (lavest i perioden; under {min}): for få "
        "til å være nevner; lovbrudd der telles der de skjer",
        "given": "{reason}",
        "partial_years": "årene {years} har ikke alle {k} perioder for hvert område og er utelatt "
        "fra årsdesignene",
        "incomplete_years": "årene {years} er ufullstendige (måneder mangler) og er utelatt fra "
        "årsdesignene",
        "no_exposure": "innebygd folketall mangler for de fleste områdene: antall analyseres uten "
        "folketall (områdeeffektene tar nivået)",
    },
    "en": {
        "no_population": "no embedded population for every year",
        "small_population": "resident population as low as {lo} (lowest in the period; under {min}): "
        "too small to be a denominator; offences there are counted by scene",
        "given": "{reason}",
        "partial_years": "years {years} do not have all {k} periods for every area and are left "
        "out of the yearly designs",
        "incomplete_years": "years {years} are incomplete (months missing) and are left out of "
        "the yearly designs",
        "no_exposure": "no embedded population for most areas: counts are analysed without a "
        "population offset (area effects absorb the level)",
    },
}


def series_message(code: str, lang: str = "en", **values: Any) -> str:
    """A message of :data:`SERIES_MESSAGES` in *lang* with its fields filled.

    Whole numbers are written in *lang*'s format (``5 000``, ``5,000``).

    Examples
    --------
    >>> series_message("incomplete_years", "en", years=[2025])
    'years [2025] are incomplete (months missing) and are left out of the yearly designs'
    >>> series_message("small_population", "en", lo=958, min=5000).split(":")[0]
    'resident population as low as 958 (lowest in the period; under 5,000)'
    """
    from ptvlib.basics import numbers

    fmt: Lang = "en" if lang == "en" else "nb"
    shown = {
        k: numbers.integer(v, fmt) if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in values.items()
    }
    return SERIES_MESSAGES[lang][code].format(**shown)


_MONTH = re.compile(r"^\s*(\d{4})\s*(?:-|M|m)\s*(\d{1,2})\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s*(?:Q|K|q|k)\s*([1-4])\s*$")


@dataclass(frozen=True, eq=False)
class OwnSeries:
    """One indicator × offence group × unit of the own data, ready for the designs.

    Attributes
    ----------
    indicator, offence_group, unit : str
        What the series is.
    scale : {"log", "level"}
        Scale of the designs (see :data:`UNIT_SCALE`).
    yearly : pandas.DataFrame
        ``region, year, value`` (+ ``population`` when used as exposure).
    monthly : pandas.DataFrame or None
        ``region, year, month, t, value`` when the file is monthly (``t``
        counts months from the first); the areas of ``yearly``.
    exposure : bool
        Population is the exposure.
    excluded : dict
        Area → why it is not in this series' designs (English).
    notes : tuple of str
        E.g. incomplete years left out (English).
    excluded_codes : dict
        Area → ``(code, values)`` of :data:`SERIES_MESSAGES` (for other languages).
    note_codes : tuple
        ``(code, values)`` of each note.
    """

    indicator: str
    offence_group: str
    unit: str
    scale: RiScale
    yearly: pd.DataFrame = field(repr=False)
    monthly: pd.DataFrame | None = field(default=None, repr=False)
    exposure: bool = False
    excluded: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    excluded_codes: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    note_codes: tuple[tuple[str, dict[str, Any]], ...] = ()

    def excluded_text(self, lang: str = "nb") -> dict[str, str]:
        """Area → why it is left out, in *lang*."""
        return {a: series_message(c, lang, **v) for a, (c, v) in self.excluded_codes.items()}

    def notes_text(self, lang: str = "nb") -> list[str]:
        """The notes in *lang*."""
        return [series_message(c, lang, **v) for c, v in self.note_codes]

    @property
    def key(self) -> str:
        """``indicator/offence_group`` (plus the unit when it is not a count)."""
        base = f"{self.indicator}/{self.offence_group}"
        return base if self.unit == "count" else f"{base} ({self.unit})"

    @property
    def areas(self) -> list[str]:
        """Areas in the yearly panel."""
        return list(dict.fromkeys(self.yearly["region"]))


def period_months(frame: pd.DataFrame) -> tuple[pd.Series, int]:
    """Month (1–12) of each row and the periods per year (12, 4 or 1).

    Uses a ``month`` column when it holds months (``load_own(...,
    frequency="month")``: 1–12; yearly rows have 0), else the ``period``
    label: ``2016-01`` / ``2016M01`` (months), ``2016Q1`` / ``2016K1``
    (quarters, month = first month of the quarter), or a plain year.

    Examples
    --------
    >>> import pandas as pd
    >>> m, k = period_months(pd.DataFrame({"period": ["2016-01", "2016M02"]}))
    >>> m.tolist(), k
    ([1, 2], 12)
    """
    if "month" in frame.columns:
        month = pd.to_numeric(frame["month"], errors="coerce")
        if len(month) and month.between(1, 12).all():
            return month.astype("int64"), 12
    period = frame["period"].astype("str")
    labels = pd.Series(period.unique())
    m = labels.str.extract(_MONTH)
    if len(labels) and m[1].notna().all():
        lookup = dict(zip(labels, m[1].astype("int64"), strict=True))
        return period.map(lookup).astype("int64"), 12
    q = labels.str.extract(_QUARTER)
    if len(labels) and q[1].notna().all():
        lookup = dict(zip(labels, (q[1].astype("int64") - 1) * 3 + 1, strict=True))
        return period.map(lookup).astype("int64"), 4
    return pd.Series(1, index=frame.index, dtype="int64"), 1


def population_table() -> pd.DataFrame:
    """``region, year, population`` from the embedded population table."""
    from ptvlib.data.loading import load

    pop = load("population")[["region", "year", "value"]]
    return pop.rename(columns={"value": "population"})


def own_series(
    own: pd.DataFrame,
    *,
    year: int,
    drop_areas: dict[str, str] | None = None,
    monthly: pd.DataFrame | None = None,
) -> tuple[list[OwnSeries], list[dict[str, Any]]]:
    """Every indicator × offence group × unit of *own* as a series, and those that cannot be.

    Parameters
    ----------
    own : pandas.DataFrame
        Own data in :data:`ptvlib.data.own.OWN_DATA_SCHEMA` (not modified).
    year : int
        Last year used.
    drop_areas : dict, optional
        Areas to leave out of every series (area → reason, e.g. buffers).
    monthly : pandas.DataFrame, optional
        The same file read with ``frequency="month"``, when *own* holds its
        yearly sums (``load_own``'s default): its months feed the interrupted
        time series with seasonality.

    Returns
    -------
    (list of OwnSeries, list of dict)
        The series, and ``{"indicator", "offence_group", "unit", "reason", "code",
        "detail"}`` for each series that cannot be analysed (``reason`` in
        English; ``code`` and ``detail`` for the report's language).
    """
    pop = population_table()
    series: list[OwnSeries] = []
    skipped: list[dict[str, Any]] = []
    drop_areas = dict(drop_areas or {})
    keys = ["indicator", "offence_group", "unit"]
    months, per_year = period_months(own)
    own = own.assign(_month=months.to_numpy())
    companion: dict[Any, pd.DataFrame] = {}
    if per_year == 1 and monthly is not None and len(monthly):
        m_months, m_per_year = period_months(monthly)
        if m_per_year == 12:
            m = monthly.loc[monthly["year"] <= year].assign(_month=m_months.to_numpy())
            companion = {k: g for k, g in m.groupby(keys, sort=False)}
    for (ind, grp, unit), rows in own.groupby(keys, sort=False):
        label = {"indicator": ind, "offence_group": grp, "unit": unit}
        if unit not in UNIT_SCALE:
            skipped.append(
                label | {"reason": f"unit {unit!r} has no design", "code": "unit", "detail": unit}
            )
            continue
        if "period_years" in rows.columns and (rows["period_years"] == 2).any():
            skipped.append(
                label
                | {"reason": "two-year periods: the bydel designs need yearly or monthly rows"}
            )
            continue
        rows = rows.loc[rows["year"] <= year]
        if rows.empty:
            skipped.append(
                label | {"reason": f"no rows up to {year}", "code": "no_rows", "detail": year}
            )
            continue
        scale, wants_pop = UNIT_SCALE[str(unit)]
        made = _one_series(
            rows,
            str(ind),
            str(grp),
            str(unit),
            scale,
            wants_pop,
            pop,
            drop_areas,
            per_year,
            companion.get((ind, grp, unit)),
        )
        if isinstance(made, str):
            skipped.append(label | {"reason": made, "code": "no_complete_year", "detail": ""})
        else:
            series.append(made)
    return series, skipped


def _one_series(
    rows: pd.DataFrame,
    ind: str,
    grp: str,
    unit: str,
    scale: RiScale,
    wants_pop: bool,
    pop: pd.DataFrame,
    drop_areas: dict[str, str],
    per_year: int,
    monthly_rows: pd.DataFrame | None = None,
) -> OwnSeries | str:
    notes: list[tuple[str, dict[str, Any]]] = []
    excluded: dict[str, tuple[str, dict[str, Any]]] = {
        a: ("given", {"reason": r}) for a, r in drop_areas.items() if a in set(rows["region"])
    }
    rows = rows.loc[~rows["region"].isin(list(excluded))]
    years = rows["year"].to_numpy(dtype=np.int64)
    months = rows["_month"].to_numpy(dtype=np.int64)
    frame = pd.DataFrame(
        {
            "region": rows["region"].to_numpy(),
            "year": years,
            "month": months,
            "value": rows["value"].to_numpy(dtype=float),
        }
    )
    monthly = None
    if per_year > 1:
        n_areas = frame["region"].nunique()
        have = frame.loc[frame["value"].notna()].groupby("year")["region"].size()
        full = have.index[have >= n_areas * per_year]
        partial = sorted(set(frame["year"]) - set(full))
        if partial:
            notes.append(("partial_years", {"years": partial, "k": per_year}))
        if per_year == 12:
            monthly = frame.assign(t=(years - years.min()) * 12 + months - 1)
        yearly = (
            frame.loc[frame["year"].isin(full)]
            .groupby(["region", "year"], as_index=False, sort=False)["value"]
            .sum(min_count=1)
        )
    else:
        status = rows["status"].astype("str") if "status" in rows.columns else None
        partial = []
        if status is not None:
            incomplete = status.str.startswith("incomplete year").to_numpy()
            partial = sorted(set(years[incomplete].tolist()))
        if partial:
            notes.append(("incomplete_years", {"years": partial}))
        yearly = frame.loc[~frame["year"].isin(partial), ["region", "year", "value"]]
        if monthly_rows is not None:
            m = monthly_rows.loc[~monthly_rows["region"].isin(list(excluded))]
            m_years = m["year"].to_numpy(dtype=np.int64)
            m_months = m["_month"].to_numpy(dtype=np.int64)
            monthly = pd.DataFrame(
                {
                    "region": m["region"].to_numpy(),
                    "year": m_years,
                    "month": m_months,
                    "value": m["value"].to_numpy(dtype=float),
                    "t": (m_years - m_years.min()) * 12 + m_months - 1,
                }
            )
    if yearly.empty:
        return "no complete year"
    exposure = False
    if wants_pop:
        merged = yearly.merge(pop, on=["region", "year"], how="left")
        has_pop = merged["population"].notna().groupby(merged["region"], sort=False).all()
        if has_pop.mean() >= 0.5:
            for area in has_pop.index[~has_pop]:
                excluded[str(area)] = ("no_population", {})
            small = merged.loc[merged["population"] < MIN_RESIDENTS]
            for area, grp_rows in small.groupby("region"):
                lo = int(grp_rows["population"].min())
                excluded[str(area)] = ("small_population", {"lo": lo, "min": MIN_RESIDENTS})
            out_areas = list(has_pop.index[~has_pop]) + list(small["region"])
            yearly = merged.loc[~merged["region"].isin(out_areas)]
            exposure = True
            if monthly is not None:
                monthly = monthly.loc[~monthly["region"].isin(out_areas)]
        else:
            notes.append(("no_exposure", {}))
    return OwnSeries(
        indicator=ind,
        offence_group=grp,
        unit=unit,
        scale=scale,
        yearly=yearly.reset_index(drop=True),
        monthly=None if monthly is None else monthly.reset_index(drop=True),
        exposure=exposure,
        excluded={a: series_message(c, "en", **v) for a, (c, v) in excluded.items()},
        notes=tuple(series_message(c, "en", **v) for c, v in notes),
        excluded_codes=excluded,
        note_codes=tuple(notes),
    )
