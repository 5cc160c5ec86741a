"""A seeded synthetic own-data file to try the own-data workflow (labelled as synthetic)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ptvlib.basics.style import SYNTHETIC_LABEL

__all__ = ["demo_own_data"]


def demo_own_data(path: str | Path, *, seed: int = 2018, rate_ratio: float = 0.85) -> Path:
    """Write a seeded **synthetic** bydel panel in the own-data format (CSV).

    Poisson counts of ``cases``, ``seizures`` and ``confiscations`` for the 15
    Oslo bydeler, 2012–2024, with real bydel populations as exposure and a
    known effect (*rate_ratio* on cases from 2018) in Søndre Nordstrand
    (030115) and Gamle Oslo (030101). Every row's ``source`` says
    ``SYNTETISKE DATA / SYNTHETIC DATA``.

    Returns
    -------
    pathlib.Path
        The file written (atomically).
    """
    from ptvlib.basics.io import atomic_write_text
    from ptvlib.data.loading import load
    from ptvlib.data.regions import bydeler

    rng = np.random.default_rng(seed)
    pop = load("population")
    codes = bydeler()["code"].tolist()
    years = np.arange(2012, 2025)
    treated = {"030115", "030101"}
    base = {"cases": 60.0, "seizures": 6.0, "confiscations": 1.2}  # per 1 000 inhabitants
    level = dict(zip(codes, rng.lognormal(0.0, 0.35, len(codes)), strict=True))
    rows = []
    for code in codes:
        p = pop.loc[pop["region"] == code].set_index("year")["value"]
        for y in years:
            trend = 1.0 - 0.02 * (y - 2012)
            for ind, rate in base.items():
                mu = rate * level[code] * trend * p[y] / 1000.0
                if ind == "cases" and code in treated and y >= 2018:
                    mu *= rate_ratio
                rows.append((code, int(y), ind, int(rng.poisson(mu))))
    frame = pd.DataFrame(rows, columns=["region", "year", "indicator", "value"])
    frame["unit"] = "count"
    frame["source"] = SYNTHETIC_LABEL
    target = Path(path)
    atomic_write_text(target, frame.to_csv(index=False))
    return target
