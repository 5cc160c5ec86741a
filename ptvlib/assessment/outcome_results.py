"""Result of the assessment of one outcome across designs, and how verdicts combine.

Returned by :func:`ptvlib.assessment.outcome.assess_outcome`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.assessment.params import Params
from ptvlib.assessment.verdicts import COMBINED_LABELS, combine_directions, holm
from ptvlib.basics import config
from ptvlib.basics.literals import Lang, check_literal

__all__ = ["DESIGNS", "OutcomeAssessment", "family_table"]

#: Design labels by language.
DESIGNS: dict[str, dict[str, str]] = {
    "nb": {
        "synth": "Syntetisk kontroll",
        "did_poisson": "Forskjell-i-forskjeller (Poisson)",
        "did_ols": "Forskjell-i-forskjeller (rater, wild bootstrap)",
        "its": "Avbrutt tidsserie",
        "its_comparative": "Avbrutt tidsserie mot resten av landet",
    },
    "en": {
        "synth": "Synthetic control",
        "did_poisson": "Difference-in-differences (Poisson)",
        "did_ols": "Difference-in-differences (rates, wild bootstrap)",
        "its": "Interrupted time series",
        "its_comparative": "Interrupted time series vs rest of Norway",
    },
}


@dataclass(frozen=True)
class OutcomeAssessment:
    """All designs for one offence group.

    Attributes
    ----------
    group : str
        Offence group.
    family : str
        ``harm``, ``activity`` or ``other``.
    params : Params
        Parameters of the run.
    results : dict
        Fitted result objects by design key (see :data:`DESIGNS`), plus
        ``synth_standard``/``synth_demeaned`` and ``event_study``.
    extra : dict
        Placebo and permutation p-values, pre-trend test, dropped periods.
    errors : dict
        Designs that could not run, with the reason (data too thin ...).
    """

    group: str
    family: str
    params: Params
    results: dict[str, Any] = field(default_factory=dict, repr=False)
    extra: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def table(self, lang: Lang = "nb") -> pd.DataFrame:
        """One row per design: estimate, interval, p-value, scale, direction."""
        check_literal("lang", lang, Lang)
        rows = []
        for key, row in self._rows().items():
            rows.append({"design_key": key, "design": DESIGNS[lang][key], **row})
        cols = [
            "design_key",
            "design",
            "estimate",
            "ci_low",
            "ci_high",
            "p_value",
            "scale",
            "direction",
            "n",
        ]
        frame = pd.DataFrame(rows, columns=cols)
        frame.insert(0, "outcome", self.group)
        return frame

    def _rows(self) -> dict[str, dict[str, Any]]:
        from ptvlib.estimators._base import classify

        out: dict[str, dict[str, Any]] = {}
        sc = self.results.get("synth")
        if sc is not None:
            p = self.extra.get("synth_p")
            d = classify(sc.att, sc.att, null=0.0, p_value=p)
            out["synth"] = dict(
                estimate=sc.att,
                ci_low=math.nan,
                ci_high=math.nan,
                p_value=p,
                scale="difference",
                direction=d,
                n=int(sc.weights.size) + 1,
            )
        for key in ("did_poisson", "did_ols"):
            r = self.results.get(key)
            if r is None:
                continue
            if key == "did_poisson":
                est, (lo, hi), p, scale = r.rate_ratio, r.rate_ratio_ci, r.p_value, "ratio"
            else:
                boot = r.boot
                est, scale = r.att, "difference"
                lo, hi = boot.ci if boot is not None else r.att_ci
                p = boot.p_value if boot is not None else r.p_value
            d = classify(lo, hi, null=1.0 if scale == "ratio" else 0.0, p_value=p)
            if self.pretrend_violated:
                d = "inconclusive"  # parallel trends rejected: the DiD contrast is not an effect
            out[key] = dict(
                estimate=est, ci_low=lo, ci_high=hi, p_value=p, scale=scale, direction=d, n=r.n
            )
        for key in ("its", "its_comparative"):
            r = self.results.get(key)
            if r is None:
                continue
            lo, hi = r.rate_ratio_ci
            d = classify(lo, hi, null=1.0, p_value=r.p_value)
            out[key] = dict(
                estimate=r.rate_ratio,
                ci_low=lo,
                ci_high=hi,
                p_value=r.p_value,
                scale="ratio",
                direction=d,
                n=r.n,
            )
        return out

    @property
    def pretrend_violated(self) -> bool:
        """True when the event study's linear pre-trend test rejects at 5 %."""
        pt = self.extra.get("pretrend_p")
        return pt is not None and math.isfinite(pt) and pt < 0.05

    @property
    def combined(self) -> str:
        """Combined verdict code (see :func:`combine_directions`)."""
        return combine_directions([r["direction"] for r in self._rows().values()])

    def verdict(self, lang: Lang = "nb") -> str:
        """Plain-language verdict for this outcome across designs, with caveats."""
        check_literal("lang", lang, Lang)
        label = config.OFFENCE_GROUP_LABELS[lang][self.group]
        code = self.combined
        word = COMBINED_LABELS[lang][code]
        n = len(self._rows())
        if lang == "nb":
            text = f"{label}: {word} etter {self.params.start_year} ({n} design)."
            if self.family == "activity":
                text += (
                    " Dette er et aktivitetsutfall: flere anmeldelser kan bety mer politiarbeid, "
                    "ikke mer kriminalitet."
                )
            if code not in ("decrease", "increase"):
                text += " Dataene kan ikke gi en klar konklusjon om effekt."
        else:
            text = f"{label}: {word} after {self.params.start_year} ({n} designs)."
            if self.family == "activity":
                text += (
                    " This is an activity outcome: more reports can mean more police work, "
                    "not more crime."
                )
            if code not in ("decrease", "increase"):
                text += " The data do not support a clear conclusion about an effect."
        if self.pretrend_violated:
            pt = self.extra["pretrend_p"]
            text += (
                f" Forskjell-i-forskjeller teller ikke med: trendene var ikke parallelle før start "
                f"(p = {pt:.2g}), så forskjellen etter start kan ikke leses som en effekt."
                if lang == "nb"
                else f" Difference-in-differences does not count: trends were not parallel before "
                f"the start (p = {pt:.2g}), so the post-start contrast cannot be read as an effect."
            )
        return text

    def headlines(self, lang: Lang = "nb") -> list[dict[str, Any]]:
        """Rows for the report sidecar: one per design plus the combined verdict."""
        rows = []
        label = config.OFFENCE_GROUP_LABELS[lang][self.group]
        for _, r in self.table(lang).iterrows():
            rows.append(
                {
                    "outcome": label,
                    "offence_group": self.group,
                    "design": r["design"],
                    "design_key": r["design_key"],
                    "estimate": r["estimate"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "p_value": r["p_value"],
                    "scale": r["scale"],
                    "verdict": r["direction"],
                }
            )
        rows.append(
            {
                "outcome": label,
                "offence_group": self.group,
                "design": "Samlet" if lang == "nb" else "Combined",
                "design_key": "combined",
                "estimate": None,
                "ci_low": None,
                "ci_high": None,
                "p_value": None,
                "scale": "",
                "verdict": self.combined,
                "text": self.verdict(lang),
            }
        )
        return rows


def family_table(assessments: Sequence[OutcomeAssessment], lang: Lang = "nb") -> pd.DataFrame:
    """All designs for all outcomes, with Holm-adjusted p-values within each outcome family and design."""
    frames = [a.table(lang).assign(family=a.family) for a in assessments]
    table = pd.concat(frames, ignore_index=True)
    table["p_holm"] = np.nan
    for _, idx in table.groupby(["family", "design_key"]).groups.items():
        table.loc[idx, "p_holm"] = holm(table.loc[idx, "p_value"].to_numpy())
    return table
