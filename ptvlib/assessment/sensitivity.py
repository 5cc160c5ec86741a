"""Timing sensitivity: the verdicts with the start a year earlier or later, and without COVID.

The money started in the 2018 budget, but the Holmlia effort began in the
summer of 2017 and an effect may take a year to show, so the start year is
uncertain; the two-year periods that contain 2020 or 2021 carry the COVID
shock, which hit a capital's crime differently from a small town's.
:func:`timing_sensitivity` reruns the whole decision rule (the calibrated
designs, Holm within each family) for

* ``start_year - 1`` and ``start_year + 1`` (where the data leave at least
  three pre-periods and two post-periods), and
* the default start without the periods 2019-2020, 2020-2021 and 2021-2022
  (:data:`~ptvlib.assessment.group_tests.COVID_YEARS`),

and :func:`robust_to` names the variants in which a verdict stays the same.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ptvlib.assessment.design_labels import DESIGNS
from ptvlib.assessment.group_tests import COVID_YEARS, group_tests
from ptvlib.assessment.params import Params
from ptvlib.assessment.verdicts import (
    DEFAULT_PRIMARY,
    PRIMARY_DESIGN,
    Evidence,
    apply_rule,
    family_of,
)
from ptvlib.basics.literals import Lang, check_literal

__all__ = ["VARIANT_LABELS", "robust_to", "sensitivity_table", "timing_sensitivity", "variants"]

#: Variant names in words (``{start}`` is the start year).
VARIANT_LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "default": "start {start} (hovedanalysen)",
        "start": "start {start}",
        "no_covid": "start {start} uten koronaperiodene",
    },
    "en": {
        "default": "start {start} (main analysis)",
        "start": "start {start}",
        "no_covid": "start {start} without the COVID periods",
    },
}


def variants(params: Params) -> list[tuple[str, int, tuple[int, ...]]]:
    """``(name, start, drop_years)`` of every timing variant, the main analysis first."""
    s = params.start_year
    out: list[tuple[str, int, tuple[int, ...]]] = [("default", s, ())]
    for other in (s - 1, s + 1):
        out.append(("start", other, ()))
    out.append(("no_covid", s, COVID_YEARS))
    return out


def _label(name: str, start: int, lang: Lang) -> str:
    return VARIANT_LABELS[lang][name].format(start=start)


def timing_sensitivity(params: Params, group: str | None = None) -> pd.DataFrame:
    """The decision rule under every timing variant.

    Parameters
    ----------
    params : Params
        Validated parameters; the rule runs over ``offence_groups``.
    group : str, optional
        Keep only this group's rows (the family is still the one of
        ``offence_groups``).

    Returns
    -------
    pandas.DataFrame
        One row per (variant, group): ``variant`` (``default``, ``start``,
        ``no_covid``), ``start``, ``drop_years``, ``group``, ``primary``,
        ``estimate`` (relative change), ``ci_low``, ``ci_high``, ``p_value``,
        ``p_adjusted``, ``n`` (pool units), ``code``; a variant the data
        cannot support has ``code`` NaN and the reason in ``error``.
    """
    groups = list(dict.fromkeys([*params.offence_groups, *([group] if group else [])]))
    rows: list[dict[str, Any]] = []
    for name, start, drop in variants(params):
        evidence: dict[str, list[Evidence]] = {}
        info: dict[str, dict[str, Any]] = {}
        # The primary designs decide whether a verdict can be other than inconclusive
        # (Holm over them); the other designs only matter where one rejects.
        for g in groups:
            primary = PRIMARY_DESIGN.get(g, DEFAULT_PRIMARY)
            only = None if name == "default" else (primary,)  # the main analysis has them all
            gt = group_tests(params, g, start=start, drop_years=drop, designs=only)
            if gt.pool is None or not gt.tests:
                info[g] = {"error": "; ".join(gt.errors.values())}
                continue
            evidence[g] = gt.evidence()
            t = gt.tests.get(primary)
            if t is not None:
                lo, hi = t.ci()
                info[g] = {"estimate": t.effect, "ci_low": lo, "ci_high": hi, "n": t.n}
        first = apply_rule(evidence) if evidence else {}
        for g, primary_out in first.items():
            if primary_out.code != "inconclusive":
                evidence[g] = group_tests(params, g, start=start, drop_years=drop).evidence()
        rule = apply_rule(evidence) if evidence else {}
        for g in groups:
            out = rule.get(g)
            rows.append(
                {
                    "variant": name,
                    "start": start,
                    "drop_years": drop,
                    "group": g,
                    "family": family_of(g),
                    "primary": PRIMARY_DESIGN.get(g, DEFAULT_PRIMARY),
                    "estimate": info.get(g, {}).get("estimate", math.nan),
                    "ci_low": info.get(g, {}).get("ci_low", math.nan),
                    "ci_high": info.get(g, {}).get("ci_high", math.nan),
                    "p_value": out.p_primary if out else math.nan,
                    "p_adjusted": out.p_adjusted if out else math.nan,
                    "n": info.get(g, {}).get("n", 0),
                    "code": out.code if out else None,
                    "error": info.get(g, {}).get("error", ""),
                }
            )
    table = pd.DataFrame(rows)
    if group is not None:
        table = table.loc[table["group"] == group].reset_index(drop=True)
    return table


def robust_to(table: pd.DataFrame, group: str, lang: Lang = "nb") -> tuple[list[str], list[str]]:
    """Variants (in words) where *group*'s verdict is the same as in the main analysis, and where not.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`timing_sensitivity` output.
    group : str
        Offence group.
    lang : {"nb", "en"}
        Language of the variant names.

    Returns
    -------
    same, different : list of str
        Variant names; a variant that could not run is in neither.
    """
    check_literal("lang", lang, Lang)
    part = table.loc[table["group"] == group]
    main = part.loc[part["variant"] == "default", "code"]
    if main.empty or main.isna().all():
        return [], []
    code = main.iloc[0]
    same: list[str] = []
    different: list[str] = []
    for r in part.loc[part["variant"] != "default"].itertuples():
        if r.code is None or (isinstance(r.code, float) and math.isnan(r.code)):
            continue
        (same if r.code == code else different).append(_label(str(r.variant), int(r.start), lang))
    return same, different


def sensitivity_table(table: pd.DataFrame, lang: Lang = "nb") -> pd.DataFrame:
    """:func:`timing_sensitivity` rows ready to show: the variant in words, estimates as rate ratios.

    Returns
    -------
    pandas.DataFrame
        ``label`` (the variant in the report language), ``group``, ``primary``
        and ``design`` (its key and name), ``estimate``, ``ci_low``,
        ``ci_high`` (rate ratios), ``scale``
        (``"ratio"``), ``p_value``, ``p_adjusted``, ``code``, ``n``.
    """
    check_literal("lang", lang, Lang)
    out = table.copy()
    out.insert(
        0,
        "label",
        [_label(str(v), int(s), lang) for v, s in zip(out["variant"], out["start"], strict=True)],
    )
    for col in ("estimate", "ci_low", "ci_high"):
        out[col] = 1.0 + out[col].astype(float)
    out["scale"] = "ratio"
    out["design"] = [DESIGNS[lang].get(k, k) for k in out["primary"]]
    return out[
        [
            "label",
            "group",
            "primary",
            "design",
            "estimate",
            "ci_low",
            "ci_high",
            "scale",
            "p_value",
            "p_adjusted",
            "code",
            "n",
        ]
    ]
