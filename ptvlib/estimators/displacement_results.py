"""The result of :func:`ptvlib.estimators.displacement.displacement` (WDD / WDQ) and its texts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ptvlib.basics.literals import Lang, check_literal
from ptvlib.basics.numbers import number
from ptvlib.estimators._base import classify, summary_frame, verdict_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["DisplacementResult", "caveat_text"]


#: Figure labels of :meth:`DisplacementResult.plot` by language.
_PLOT_TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "before": "før",
        "after": "etter",
        "ylabel": "{outcome} per år",
        "title": "WDD = {wdd} ({lo} til {hi}), WDQ = {wdq}",
    },
    "en": {
        "before": "before",
        "after": "after",
        "ylabel": "{outcome} per year",
        "title": "WDD = {wdd} ({lo} to {hi}), WDQ = {wdq}",
    },
}


#: Area roles on the x axis by language (other roles are shown as they are).
_ROLE_TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "target": "målområde",
        "control": "kontrollområde",
        "buffer": "bufferområde",
        "buffer_control": "bufferkontroll",
    },
    "en": {},
}


@dataclass(frozen=True, eq=False)
class DisplacementResult:
    """Result of :func:`displacement` / :func:`wdd_from_counts`.

    Attributes
    ----------
    wdd, se, z, p_value, ci : float, float, float, float, (float, float)
        Total WDD in offences per year (negative = fewer offences than the
        control trend implies), its Poisson standard error, z, two-sided
        p-value and confidence interval.
    wdd_target, se_target, wdd_buffer, se_buffer : float
        The target-area and buffer-area parts of the WDD.
    success_measure, buffer_measure, wdq, total_net_effect : float
        Bowers & Johnson's success measure (< 0: target fell relative to
        control), buffer displacement measure (> 0: possible displacement,
        < 0: possible diffusion), their quotient WDQ and Guerette's total net
        effect (offences per year prevented; > 0 is good).
    counts : DataFrame
        One row per area: ``role``, ``area``, ``pre``, ``post`` (counts),
        ``years_pre``, ``years_post``, ``pre_per_year``, ``post_per_year``.
    shared_control : bool
        True when one control area serves both target and buffer.
    outcome, start, alpha : str, int or str, float
        Labels and 1 − confidence level.
    caveats : tuple of str
        Caveat codes (``"poisson"``, ``"shared"``, ``"size:…"``, ``"dropped:…"``);
        :func:`caveat_text` and :meth:`verdict` turn them into text.
    """

    wdd: float
    se: float
    z: float
    p_value: float
    ci: tuple[float, float]
    wdd_target: float
    se_target: float
    wdd_buffer: float
    se_buffer: float
    success_measure: float
    buffer_measure: float
    wdq: float
    total_net_effect: float
    counts: pd.DataFrame
    shared_control: bool
    outcome: str
    start: int | str
    alpha: float
    caveats: tuple[str, ...] = ()

    def _ci(self, est: float, se: float) -> tuple[float, float, float]:
        from scipy.stats import norm

        q = norm.ppf(1 - self.alpha / 2)
        p = float(2 * norm.sf(abs(est / se))) if se > 0 else math.nan
        return est - q * se, est + q * se, p

    @property
    def buffer_effect(self) -> Literal["displacement", "diffusion", "none", "no_buffer"]:
        """What happened in the buffer: displacement, diffusion of benefits, no clear change."""
        if not math.isfinite(self.wdd_buffer):
            return "no_buffer"
        lo, hi, _ = self._ci(self.wdd_buffer, self.se_buffer)
        return {"increase": "displacement", "decrease": "diffusion"}.get(  # type: ignore[return-value]
            classify(lo, hi, null=0.0), "none"
        )

    def summary(self) -> pd.DataFrame:
        """Tidy frame: total, target and buffer WDD with intervals, then WDQ measures.

        Returns
        -------
        DataFrame
            Columns :data:`~ptvlib.estimators._base.SUMMARY_COLUMNS`; ``n`` is the
            number of areas × periods used.
        """
        n = int(len(self.counts) * 2)
        rows = [
            {
                "term": "wdd_total",
                "estimate": self.wdd,
                "ci_low": self.ci[0],
                "ci_high": self.ci[1],
                "p_value": self.p_value,
                "n": n,
            }
        ]
        for term, est, se in (
            ("wdd_target", self.wdd_target, self.se_target),
            ("wdd_buffer", self.wdd_buffer, self.se_buffer),
        ):
            lo, hi, p = self._ci(est, se)
            rows.append(
                {"term": term, "estimate": est, "ci_low": lo, "ci_high": hi, "p_value": p, "n": n}
            )
        for term, est in (
            ("success_measure", self.success_measure),
            ("buffer_measure", self.buffer_measure),
            ("wdq", self.wdq),
            ("total_net_effect", self.total_net_effect),
        ):
            rows.append({"term": term, "estimate": est, "n": n})
        return summary_frame(rows)

    def plot(self, ax=None, *, lang: Lang = "nb") -> Figure:
        """Offences per year before and after the start, per area (grouped bars).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; a new figure when None.
        lang : {"nb", "en"}
            Language of labels, title and legend: bokmål (default) or English.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from ptvlib.basics.style import COLORS, figure_axes

        check_literal("lang", lang, Lang)
        text, roles = _PLOT_TEXT[lang], _ROLE_TEXT[lang]
        fig, ax = figure_axes(ax)
        c = self.counts
        pos = np.arange(len(c))
        ax.bar(pos - 0.2, c["pre_per_year"], 0.4, label=text["before"], color=COLORS["comparison"])
        ax.bar(pos + 0.2, c["post_per_year"], 0.4, label=text["after"], color=COLORS["treated"])
        ticks = [f"{roles.get(r, r)}\n{a}" for r, a in zip(c["role"], c["area"], strict=True)]
        ax.set_xticks(pos, ticks)
        ax.set_ylabel(text["ylabel"].format(outcome=self.outcome))
        ax.set_title(
            text["title"].format(
                wdd=number(self.wdd, lang, decimals=1, signed=True),
                lo=number(self.ci[0], lang, decimals=1),
                hi=number(self.ci[1], lang, decimals=1),
                wdq=number(self.wdq, lang, decimals=2),
            )
        )
        ax.legend()
        return fig

    def verdict(self, lang: Lang = "nb") -> str:
        """Plain-language paragraph: WDD, interval, p-value, buffer effect, caveats.

        Parameters
        ----------
        lang : {"nb", "en"}
            Language.

        Returns
        -------
        str
        """
        check_literal("lang", lang, Lang)
        nb = lang == "nb"
        buffer_text = {
            "displacement": (
                "Kriminaliteten ser ut til å ha flyttet seg til bufferområdet (forskyvning).",
                "Crime appears to have moved into the buffer area (displacement).",
            ),
            "diffusion": (
                "Kriminaliteten falt også i bufferområdet (spredning av gevinst).",
                "Crime also fell in the buffer area (diffusion of benefits).",
            ),
            "none": (
                "Ingen klar forskyvning til eller gevinst i bufferområdet.",
                "No clear displacement to, or diffusion of benefits into, the buffer area.",
            ),
            "no_buffer": (
                "Uten bufferområde kan forskyvning ikke vurderes.",
                "Without a buffer area, displacement cannot be assessed.",
            ),
        }[self.buffer_effect][0 if nb else 1]
        if math.isfinite(self.wdq):
            wdq = f"WDQ = {number(self.wdq, lang, decimals=2)}"
        else:
            wdq = "WDQ er udefinert" if nb else "WDQ is undefined"
        caveats = [buffer_text, wdq, *(caveat_text(c, lang) for c in self.caveats)]
        return verdict_text(
            lang=lang,
            design="Vektet forskyvningsdifferanse (WDD)"
            if nb
            else "Weighted displacement difference (WDD)",
            outcome=self.outcome,
            start=self.start,
            estimate=self.wdd,
            ci=self.ci,
            p_value=self.p_value,
            scale="difference",
            unit="lovbrudd per år" if nb else "offences per year",
            caveats=caveats,
        )


_CAVEATS = {
    "poisson": (
        "Standardfeilen antar Poisson-fordelte tall; overspredte eller autokorrelerte "
        "lovbruddstall gjør den for liten",
        "The standard error assumes Poisson counts; overdispersed or autocorrelated crime "
        "counts make it too small",
    ),
    "shared": (
        "Samme kontrollområde brukes for mål- og bufferområdet; endringen der trekkes fra to "
        "ganger (variansen tar hensyn til det)",
        "One control area serves both target and buffer; its change is subtracted twice "
        "(the variance accounts for this)",
    ),
    "size": (
        "Kontrollområdet har et annet nivå enn området det sammenlignes med ({0}); WDD antar "
        "like absolutte trender, så bruk heller et kontrollområde av samme størrelse",
        "The control area's level differs from the area it is compared with ({0}); the WDD "
        "assumes equal absolute trends, so prefer a control of similar size",
    ),
    "dropped": (
        "Perioder utelatt (overlapper starten, overlapper hverandre eller mangler data): {0}",
        "Periods left out (straddling the start, overlapping, or missing for an area): {0}",
    ),
}


def caveat_text(code: str, lang: Lang = "en") -> str:
    """Text of a caveat code (``"kind"`` or ``"kind:detail"``) in *lang*."""
    kind, _, detail = code.partition(":")
    texts = _CAVEATS.get(kind)
    if texts is None:
        return code
    return texts[0 if lang == "nb" else 1].format(detail.strip())
