"""The public bydel picture: Oslo kommune's reported offences by bydel (KRI002) per 1 000 residents.

``ptvlib.load("bydel_offences")`` holds Oslo kommune's statbank table KRI002
(reported offences by the bydel where they happened). The embedded snapshot
is one year (2024): a cross-section, which can describe where offences are
reported but cannot show a change, so no design can run on it. The live
table (``ptv data update bydel_offences``) has every year, and
:func:`public_bydel_series` turns it into the own-data format so the bydel
designs run on it as on the police's own export.

Rates use the embedded bydel population. **Sentrum** (030116) has about
1 500 residents against thousands of offences, because offences are counted
where they happen and Sentrum is where the city's nightlife, shops and
stations are: a rate per resident would be several thousand per 1 000 and is
not shown (the count is). The unknown-bydel row (030199, including Marka)
has no population. Oslo's rate is given for the 15 bydeler and, for the
count, with Sentrum and the unknown row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ptvlib.basics.literals import Lang, check_literal

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["BydelPicture", "bydel_picture", "load_bydel_offences", "public_bydel_series"]

#: Areas shown without a rate, and why (by language).
NO_RATE: dict[str, dict[str, str]] = {
    "nb": {
        "030116": "Sentrum: om lag {pop} innbyggere; lovbrudd telles der de skjer, så en rate per "
        "innbygger gir ikke mening",
        "030199": "ukjent bydel (med Marka): ingen befolkning",
    },
    "en": {
        "030116": "Sentrum: about {pop} residents; offences are counted where they happen, so a "
        "rate per resident is meaningless",
        "030199": "unknown bydel (with Marka): no population",
    },
}

#: Known reporting quirks of KRI002 (Oslo kommune's own note on the table).
QUIRKS: dict[str, dict[str, str]] = {
    "nb": {
        "030114": "Nordstrand har Sporveiens anmeldelser av skadeverk (registrert på en adresse i "
        "bydelen): tallet er for høyt"
    },
    "en": {
        "030114": "Nordstrand includes Sporveien's criminal-damage reports (registered at an "
        "address in the bydel): the figure is too high"
    },
}


def load_bydel_offences() -> pd.DataFrame | None:
    """``ptvlib.load("bydel_offences")``, or None where this installation does not have it."""
    from ptvlib.basics.exceptions import UnknownDatasetError
    from ptvlib.data.loading import load

    try:
        return load("bydel_offences")
    except UnknownDatasetError:
        return None


@dataclass(frozen=True, eq=False)
class BydelPicture:
    """Reported offences and rates per 1 000 residents by bydel for one year.

    Attributes
    ----------
    year : int
        The year.
    table : pandas.DataFrame
        ``region, name, offences, population, rate_per_1000, note`` (15
        bydeler by rate, then Sentrum and the unknown row without a rate).
    oslo_15 : (float, float, float)
        Offences, population and rate per 1 000 of the 15 bydeler.
    oslo_all : float
        Offences with Sentrum and the unknown row.
    years : tuple of int
        Years in the table (one for the embedded snapshot).
    source : str
        The table's source id.
    """

    year: int
    table: pd.DataFrame = field(repr=False)
    oslo_15: tuple[float, float, float]
    oslo_all: float
    years: tuple[int, ...]
    source: str

    @property
    def is_panel(self) -> bool:
        """More than one year: the bydel designs can run on the public table."""
        return len(self.years) > 1

    def plot(self, ax: Axes | None = None, *, lang: Lang = "nb") -> Figure:
        """Horizontal bars of the rate per 1 000 by bydel, Oslo's rate as a line."""
        from ptvlib.basics.style import COLORS, figure_axes

        check_literal("lang", lang, Lang)
        fig, ax = figure_axes(ax, figsize=(8.0, 5.0))
        t = self.table.dropna(subset=["rate_per_1000"]).iloc[::-1]
        ax.barh(t["name"], t["rate_per_1000"], color=COLORS["comparison"])
        ax.axvline(self.oslo_15[2], color=COLORS["treated"], lw=1.5, ls="--")
        if lang == "nb":
            ax.set_xlabel(f"anmeldte lovbrudd per 1 000 innbyggere, {self.year}")
            ax.set_title("Lovbrudd etter gjerningsbydel (KRI002); stiplet: Oslo", loc="left")
        else:
            ax.set_xlabel(f"reported offences per 1 000 residents, {self.year}")
            ax.set_title("Offences by bydel of the scene (KRI002); dashed: Oslo", loc="left")
        return fig


def bydel_picture(
    year: int | None = None,
    *,
    offences: pd.DataFrame | None = None,
    population: pd.DataFrame | None = None,
    lang: Lang = "nb",
) -> BydelPicture | None:
    """Offences and rates per 1 000 by bydel (all offence groups) for *year*.

    Parameters
    ----------
    year : int, optional
        Year (default: the latest in the table).
    offences : pandas.DataFrame, optional
        A ``bydel_offences`` frame (default: ``ptvlib.load("bydel_offences")``).
    population : pandas.DataFrame, optional
        A ``population`` frame (default: ``ptvlib.load("population")``).
    lang : {"nb", "en"}
        Language of the notes.

    Returns
    -------
    BydelPicture or None
        None when there is no bydel table.

    Raises
    ------
    ParameterError
        *year* is not in the table.
    """
    from ptvlib.basics import numbers as fmt
    from ptvlib.basics.exceptions import ParameterError
    from ptvlib.data.loading import load
    from ptvlib.data.regions import bydeler

    check_literal("lang", lang, Lang)
    off = load_bydel_offences() if offences is None else offences
    if off is None or off.empty:
        return None
    pop = load("population") if population is None else population
    tot = off.loc[(off["offence_group"] == "total") & (off["unit"] == "count")]
    years = tuple(sorted(int(y) for y in tot["year"].unique()))
    if year is None:
        year = years[-1]
    if year not in years:
        raise ParameterError(f"year={year} is not in bydel_offences; allowed: {list(years)}")
    rows = tot.loc[tot["year"] == year, ["region", "value"]].rename(columns={"value": "offences"})
    p = pop.loc[pop["year"] == year, ["region", "value"]].rename(columns={"value": "population"})
    frame = rows.merge(p, on="region", how="left")
    known = bydeler(include_extra=True)
    names = dict(zip(known["code"], known["name"], strict=True))
    names.setdefault("030199", "Uoppgitt bydel" if lang == "nb" else "Unknown bydel")
    frame = frame.loc[frame["region"] != "0301"]
    frame.insert(1, "name", [names.get(r, r) for r in frame["region"]])
    is_bydel = frame["region"].isin(list(bydeler()["code"]))
    frame["rate_per_1000"] = (1000.0 * frame["offences"] / frame["population"]).where(is_bydel)
    notes = []
    for r, pop_v in zip(frame["region"], frame["population"], strict=True):
        if r in NO_RATE[lang]:
            notes.append(NO_RATE[lang][r].format(pop=fmt.integer(pop_v, lang)))
        else:
            notes.append(QUIRKS[lang].get(r, ""))
    frame["note"] = notes
    frame = pd.concat(
        [
            frame.loc[is_bydel].sort_values("rate_per_1000", ascending=False),
            frame.loc[~is_bydel],
        ],
        ignore_index=True,
    )
    b = frame.loc[frame["region"].isin(list(bydeler()["code"]))]
    n15, p15 = float(b["offences"].sum()), float(b["population"].sum())
    source = str(off["source"].iloc[0]) if "source" in off.columns and len(off) else ""
    return BydelPicture(
        year=int(year),
        table=frame,
        oslo_15=(n15, p15, 1000.0 * n15 / p15),
        oslo_all=float(frame["offences"].sum()),
        years=years,
        source=source,
    )


def public_bydel_series(offences: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The bydel table as own data (every offence group, every year), or None with one year.

    The rows keep their source id, so a report says where they came from.
    """
    off = load_bydel_offences() if offences is None else offences
    if off is None or off["year"].nunique() < 2:
        return None
    keep = off.loc[off["region"] != "0301"]
    return keep[
        ["region", "year", "period", "indicator", "offence_group", "value", "unit", "source"]
    ].reset_index(drop=True)
