"""Enforcement outcomes in public sources: the key figures as they are.

Public sources give only scattered enforcement figures (clear-up, cases,
seizures, confiscation) for Oslo: no panel, shifting definitions, police
district borders that changed in 2017. :func:`oslo_keyfigures` shows them with
their sources and draws no causal conclusion.
"""

from __future__ import annotations

import pandas as pd

from ptvlib.basics.literals import Lang, check_literal

__all__ = ["ENFORCEMENT_CATEGORIES", "oslo_keyfigures"]

#: Key-figure categories shown as enforcement outcomes.
ENFORCEMENT_CATEGORIES: tuple[str, ...] = (
    "clearance",
    "dismissal",
    "investigated",
    "charges_sanctions",
    "drug_cases",
    "seizures",
    "confiscation",
)


def oslo_keyfigures(lang: Lang = "nb", *, include_national: bool = True) -> pd.DataFrame:
    """Enforcement key figures for Oslo (and the whole country), one row per figure with its source."""
    from ptvlib.data.loading import load

    check_literal("lang", lang, Lang)
    k = load("enforcement_keyfigures")
    scopes = ["oslo_pd", "oslo_kommune", "oslo_subarea"] + (
        ["national"] if include_national else []
    )
    sel = k.loc[k["category"].isin(ENFORCEMENT_CATEGORIES) & k["scope"].isin(scopes)]
    cols = [
        "category",
        "period",
        "geography",
        "indicator",
        "value_text",
        "unit_of_value",
        "approximate",
        "derived",
        "source_url",
    ]
    out = sel.sort_values(["category", "year", "geography"])[cols].reset_index(drop=True)
    if lang == "nb":
        out = out.rename(
            columns={
                "category": "kategori",
                "period": "periode",
                "geography": "område",
                "indicator": "indikator",
                "value_text": "verdi",
                "unit_of_value": "enhet",
                "approximate": "omtrentlig",
                "derived": "utledet",
                "source_url": "kilde",
            }
        )
    return out
