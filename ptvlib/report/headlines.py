"""The headline records of each page: what a page writes for the index (its sidecar rows).

Every row has ``outcome`` and ``design`` (labels in the report language),
``offence_group`` and ``design_key`` (codes), ``estimate`` with its
``scale`` (``ratio``, ``difference``, ``percent``, ``count``, ``rate``,
``index``, ``rank`` or ``number``), ``ci_low``/``ci_high``, ``p_value`` with
``p_kind``, ``verdict`` (a direction or verdict code, or empty) and ``text``.
Rows of the assessment keep every key it gives (``mde``, ``counts``,
``why_not``, ...); the builders here only add what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ptvlib.assessment.params import Params
from ptvlib.basics import numbers
from ptvlib.basics.literals import Lang
from ptvlib.data.regions import region_name
from ptvlib.report.summary import DIFFERENCE_DESIGNS, P_KIND
from ptvlib.report.texts import label, text

__all__ = ["outcome_rows", "overview_rows", "own_rows", "trend_rows"]


def _row(**kw: Any) -> dict[str, Any]:
    base = {
        "outcome": "",
        "offence_group": "",
        "design": "",
        "design_key": "",
        "estimate": None,
        "ci_low": None,
        "ci_high": None,
        "p_value": None,
        "scale": "",
        "verdict": "",
        "text": "",
    }
    base.update(kw)
    return base


def overview_rows(
    params: Params, offences: pd.DataFrame, coverage: pd.DataFrame
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Headline rows of the data overview: the treated unit's offences, their change, coverage.

    Returns
    -------
    rows : list of dict
        ``level`` (offences per year in the latest period), ``change_since_pre_pct``
        (percent change since the last period before the start) and
        ``municipalities_with_total``.
    facts : dict
        The same numbers formatted for the page's sentence (``01.level``).
    """
    lang = params.lang
    oslo = offences.loc[
        (offences["region"] == params.treated_region)
        & (offences["unit"] == "count")
        & (offences["offence_group"] == "total")
    ].set_index("period")["value"]
    latest, pre = str(oslo.index[-1]), f"{params.start_year - 2}-{params.start_year - 1}"
    level = float(oslo[latest])
    change = 100.0 * (level / float(oslo[pre]) - 1.0)
    n_units = int(coverage.loc["total", latest])
    facts = {
        "region": region_name(params.treated_region),
        "count": numbers.integer(level, lang),
        "period": latest,
        "change": numbers.percent(change / 100.0, lang, decimals=1, signed=True),
        "pre": pre,
        "n": numbers.integer(n_units, lang),
    }
    group = label("group", "total", lang)
    sentence = text("01.level", lang, **facts)
    rows = [
        _row(
            outcome=group,
            offence_group="total",
            design=text("measure.level", lang, period=latest),
            design_key="level",
            estimate=level,
            scale="count",
            period=latest,
            text=sentence,
        ),
        _row(
            outcome=group,
            offence_group="total",
            design=text("measure.change_since_pre_pct", lang, pre=pre),
            design_key="change_since_pre_pct",
            estimate=change,
            scale="percent",
            period=latest,
        ),
        _row(
            outcome=group,
            offence_group="total",
            design=text("measure.municipalities_with_total", lang, period=latest),
            design_key="municipalities_with_total",
            estimate=n_units,
            scale="count",
            period=latest,
        ),
    ]
    return rows, facts


def trend_rows(
    params: Params, series: Mapping[str, pd.DataFrame], shrunk: Mapping[str, pd.DataFrame]
) -> list[dict[str, Any]]:
    """Headline rows of the crime trends: rate, ratio to the large cities, index, shrunk-rate rank."""
    from ptvlib.assessment.overview import index_series

    lang = params.lang
    rows = []
    for group, s in series.items():
        wide = s.pivot(index="year", columns="role", values="value")
        last = wide.index.max()
        ratio = float(wide.loc[last, "treated"] / wide.loc[last, "large_cities"])
        idx = index_series(s).pivot(index="year", columns="role", values="value")
        rank = int(shrunk[group].set_index("region").loc[params.treated_region, "rank"])
        name = label("group", group, lang)
        for key, value, scale in (
            ("rate_per_1000", float(wide.loc[last, "treated"]), "rate"),
            ("rate_ratio_to_large_cities", ratio, "number"),
            ("index_vs_2015_2017", float(idx.loc[last, "treated"]), "index"),
            ("rank_shrunk_rate", rank, "rank"),
        ):
            rows.append(
                _row(
                    outcome=name,
                    offence_group=group,
                    design=text(f"measure.{key}", lang),
                    design_key=key,
                    estimate=value,
                    scale=scale,
                    year=int(last),
                )
            )
    return rows


def outcome_rows(assessments: Sequence[Any], lang: Lang) -> list[dict[str, Any]]:
    """Rows of every design and the combined verdict per outcome (pages 3 and 5).

    Takes :meth:`OutcomeAssessment.headlines` as they are and adds, where the
    assessment does not give them: ``family``, ``p_kind``, ``unit_text`` of
    differences, ``pretrend_p`` of the difference-in-differences rows (the
    input of today's counting rule, :func:`ptvlib.report.summary.counts`) and
    ``n_designs`` of the combined row.
    """
    rows = []
    for a in assessments:
        own = a.headlines(lang)
        n_designs = sum(1 for r in own if r.get("design_key") != "combined")
        for r in own:
            r = dict(r)
            key = str(r.get("design_key", ""))
            r.setdefault("family", a.family)
            r["design"] = label("design", key, lang, default=str(r.get("design", "")))
            if key == "combined":
                r.setdefault("n_designs", n_designs)
            else:
                r.setdefault("p_kind", P_KIND.get(key, "model"))
                if key in DIFFERENCE_DESIGNS:
                    r.setdefault("unit_text", text("unit.per_1000_short", lang))
                if key.startswith("did") and "pretrend_p" in a.extra:
                    r.setdefault("pretrend_p", a.extra["pretrend_p"])
            rows.append(r)
    return rows


def own_rows(
    own: Sequence[Mapping[str, Any]], n_keyfigures: int, lang: Lang
) -> list[dict[str, Any]]:
    """Rows of page 4: the own-data series' verdicts shown there, and the public key figures.

    Parameters
    ----------
    own : sequence of mapping
        Headline rows of the own-data series the page shows (e.g. the combined
        rows of :func:`ptvlib.report.bydel_page.enforcement`); empty without
        own data.
    n_keyfigures : int
        Public key figures shown (the value of the key-figure row, "83 nøkkeltall").
    lang : {"nb", "en"}
        Report language.
    """
    rows = []
    for r in own:
        r = dict(r)
        r.setdefault("p_kind", P_KIND.get(str(r.get("design_key")), "model"))
        rows.append(r)
    rows.append(
        _row(
            outcome=text("measure.keyfigures", lang),
            offence_group="",
            design=text("measure.public_keyfigures", lang),
            design_key="public_keyfigures",
            estimate=n_keyfigures,
            scale="count",
            unit_text=text("unit.keyfigures", lang),
        )
    )
    return rows
