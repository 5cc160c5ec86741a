"""The result of :func:`ptvlib.estimators.synth.synthetic_control`: weights, gaps, placebo inference."""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import EstimationError
from ptvlib.basics.literals import Lang, PlaceboKind, Straddle, check_literal
from ptvlib.basics.numbers import number as _num
from ptvlib.basics.numbers import percent as _pct
from ptvlib.estimators._base import split_periods, summary_frame, verdict_text
from ptvlib.estimators._synth_core import (
    PlaceboResult,
    fit_path,
    gap_stats,
    outcome_level,
    rank_p,
    start_x,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["POOR_FIT_SHARE", "SyntheticControlResult"]


#: Pre-RMSPE above this share of the treated unit's mean pre-period level is a poor fit.
POOR_FIT_SHARE = 0.05

#: Figure labels of :meth:`SyntheticControlResult.plot` by language.
_PLOT_TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "observed": "{treated} (observert)",
        "synthetic": "syntetisk kontroll",
        "title": "{treated}: RMSPE før {rmspe}, snittavvik etter {start} {att}",
    },
    "en": {
        "observed": "{treated} (observed)",
        "synthetic": "synthetic control",
        "title": "{treated}: pre-RMSPE {rmspe}, mean gap after {start} {att}",
    },
}


#: Verdict caveats by language (``s`` is the result).
_CAVEATS: dict[str, dict[str, str]] = {
    "nb": {
        "good": "god tilpasning før {s.start} (RMSPE før {rmspe}, {pct} av nivået)",
        "poor": "svak tilpasning før {s.start} (RMSPE før {rmspe}, {pct} av nivået)",
        "misfit": "gapet etter start kan skyldes dårlig tilpasning, ikke tiltaket",
        "outside": "{s.treated} ligger utenfor donorenes spenn før start; en konveks "
        "kombinasjon når ikke nivået (vurder demean=True)",
        "few": "med {n} enheter er minste mulige placebo-p {p}",
        "dropped": "perioder som spenner over start ({per}) er utelatt",
        "flagged": "perioder som spenner over start ({per}) er regnet som etter",
    },
    "en": {
        "good": "good pre-period fit (pre-RMSPE {rmspe}, {pct} of the level)",
        "poor": "poor pre-period fit (pre-RMSPE {rmspe}, {pct} of the level)",
        "misfit": "the gap after the start may reflect the misfit rather than the funding",
        "outside": "{s.treated} lies outside the donors' range before the start; a convex "
        "combination cannot reach its level (consider demean=True)",
        "few": "with {n} units the smallest attainable placebo p is {p}",
        "dropped": "periods straddling the start ({per}) were dropped",
        "flagged": "periods straddling the start ({per}) were counted as post",
    },
}


@dataclass(frozen=True, eq=False, repr=False)
class SyntheticControlResult:
    """Result of :func:`synthetic_control`.

    Attributes
    ----------
    weights : pandas.Series
        Donor weights (index: donor unit), >= 0, summing to 1, sorted descending.
    observed, synthetic, gap : pandas.Series
        Treated path, synthetic path and ``observed - synthetic`` (index: period).
    pre_rmspe, post_rmspe : float
        Root mean squared gap before / after the start.
    ratio : float
        ``post_rmspe / pre_rmspe`` (the placebo test statistic).
    att : float
        Mean post-period gap (effect on the treated, outcome units).
    treated : hashable
        Treated unit.
    start : int
        First treated year.
    outcome : str
        Outcome column.
    demean : bool
        Whether the demeaned (intercept-shifted) variant was fitted.
    period_years : int
        Length of each period in years.
    straddle : {"drop", "post"}
        Treatment of periods that straddle the start.
    min_pre : int
        Minimum number of pre-periods (also for placebo-in-time fake starts).
    excluded_donors : pandas.DataFrame
        Candidate donors left out (columns ``unit``, ``reason``), e.g. gaps.
    dropped_periods, flagged_periods : tuple of int
        Straddling periods dropped, or kept as post-periods.
    warnings : tuple of str
        Warnings raised while fitting (also emitted as Python warnings).
    panel : pandas.DataFrame
        Outcome used (index: period; columns: treated unit, then donors).
    """

    weights: pd.Series
    observed: pd.Series
    synthetic: pd.Series
    gap: pd.Series
    pre_rmspe: float
    post_rmspe: float
    ratio: float
    att: float
    treated: Hashable
    start: int
    outcome: str
    demean: bool
    period_years: int
    straddle: Straddle
    min_pre: int
    excluded_donors: pd.DataFrame
    dropped_periods: tuple[int, ...]
    flagged_periods: tuple[int, ...]
    warnings: tuple[str, ...]
    panel: pd.DataFrame
    _cache: dict[str, Any] = field(default_factory=dict, init=False, compare=False)

    def __repr__(self) -> str:
        top = ", ".join(f"{k}: {v:.3f}" for k, v in self.weights[self.weights > 0].head(5).items())
        return (
            f"SyntheticControlResult(treated={self.treated!r}, start={self.start}, att={self.att:.4g}, "
            f"pre_rmspe={self.pre_rmspe:.4g}, ratio={self.ratio:.4g}, n_pre={self.n_pre}, "
            f"n_post={self.n_post}, donors={self.weights.size}, weights={{{top}}})"
        )

    # ----------------------------------------------------------------- basics
    @property
    def times(self) -> np.ndarray:
        """Periods used (int array)."""
        return self.panel.index.to_numpy(dtype=np.int64)

    @property
    def pre(self) -> np.ndarray:
        """Boolean mask of pre-treatment periods over :attr:`times`."""
        return self.times < self.start

    @property
    def n_pre(self) -> int:
        """Number of pre-treatment periods."""
        return int(self.pre.sum())

    @property
    def n_post(self) -> int:
        """Number of post-treatment periods."""
        return int((~self.pre).sum())

    def _values(self) -> np.ndarray:
        return self.panel.to_numpy(dtype=np.float64)

    # --------------------------------------------------------------- placebos
    def placebo(self, kind: PlaceboKind = "space") -> PlaceboResult:
        """Placebo runs in space (other units) or in time (fake start years).

        Parameters
        ----------
        kind : {"space", "time"}
            ``"space"`` refits with each donor as the treated unit and the
            other donors as its pool (Abadie et al. 2010). ``"time"`` moves the
            start to each earlier year that leaves at least ``min_pre``
            pre-periods, using only data before the real start (Abadie et al.
            2015).

        Returns
        -------
        PlaceboResult
            ``.table`` with the RMSPE ratio of every run and ``.p_value``, the
            rank of the real ratio: ``#{ratio_i >= ratio_real} / N``.

        Raises
        ------
        EstimationError
            Fewer than 2 donors (space) or no fake start leaves ``min_pre``
            pre-periods and one fake post-period (time).
        """
        check_literal("kind", kind, PlaceboKind)
        if kind not in self._cache:
            self._cache[kind] = self._placebo_space() if kind == "space" else self._placebo_time()
        return self._cache[kind]

    def _placebo_space(self) -> PlaceboResult:
        Y, pre = self._values(), self.pre
        J = Y.shape[1] - 1
        if J < 2:
            raise EstimationError(f"placebo-in-space needs at least 2 donors; this fit has {J}")
        donors = np.arange(1, J + 1)
        synth = np.empty((Y.shape[0], J))
        for k in range(J):
            _, synth[:, k] = fit_path(Y, pre, k + 1, np.delete(donors, k), self.demean)
        gaps = Y[:, 1:] - synth
        level = outcome_level(Y)
        rows = [gap_stats(gaps[:, k], pre, ~pre, level) for k in range(J)]
        labels = list(self.panel.columns)
        table = pd.DataFrame(rows, columns=["pre_rmspe", "post_rmspe", "ratio", "att"])
        table.insert(0, "unit", pd.Series(labels[1:], dtype=object))
        real = {"unit": self.treated, "pre_rmspe": self.pre_rmspe, "post_rmspe": self.post_rmspe}
        real |= {"ratio": self.ratio, "att": self.att}
        gap_frame = pd.DataFrame(gaps, index=self.panel.index, columns=self.panel.columns[1:])
        return self._placebo_result("space", table, real, gap_frame)

    def _placebo_time(self) -> PlaceboResult:
        Y, pre = self._values(), self.pre
        Yp, tp = Y[pre], self.times[pre]
        pool = np.arange(1, Y.shape[1])
        rows, paths, seen = [], {}, set()
        for fake in range(int(tp.min()) + 1, int(tp.max()) + 1):
            try:
                sp = split_periods(
                    tp,
                    fake,
                    period_years=self.period_years,
                    straddle=self.straddle,
                    min_pre=self.min_pre,
                )
            except EstimationError:
                continue
            used = sp.pre | sp.post
            key = (sp.pre.tobytes(), sp.post.tobytes())
            if key in seen:
                continue
            seen.add(key)
            _, synth = fit_path(Yp[used], sp.pre[used], 0, pool, self.demean)
            gap = Yp[used, 0] - synth
            rows.append((fake, *gap_stats(gap, sp.pre[used], sp.post[used], outcome_level(Y))))
            paths[fake] = pd.Series(gap, index=tp[used])
        if not rows:
            raise EstimationError(
                f"placebo-in-time needs a fake start with at least min_pre={self.min_pre} "
                f"pre-period(s) and 1 fake post-period before start={self.start}; "
                f"there are only {tp.size} pre-period(s)"
            )
        table = pd.DataFrame(rows, columns=["start", "pre_rmspe", "post_rmspe", "ratio", "att"])
        real = {"start": self.start, "pre_rmspe": self.pre_rmspe, "post_rmspe": self.post_rmspe}
        real |= {"ratio": self.ratio, "att": self.att}
        gap_frame = pd.DataFrame(paths).reindex(self.panel.index[pre])
        return self._placebo_result("time", table, real, gap_frame)

    def _placebo_result(
        self, kind: str, table: pd.DataFrame, real: dict[str, Any], gaps: pd.DataFrame
    ) -> PlaceboResult:
        key = table.columns[0]
        table = pd.concat(
            [pd.DataFrame([real]).astype({key: object}), table.astype({key: object})],
            ignore_index=True,
        )
        table["treated"] = np.arange(len(table)) == 0
        ratios = table["ratio"].to_numpy(dtype=float)
        p = rank_p(ratios, self.ratio)
        table = table.sort_values("ratio", ascending=False, kind="stable", na_position="last")
        table["rank"] = np.arange(1, len(table) + 1)
        return PlaceboResult(
            kind=kind,
            table=table.reset_index(drop=True),
            p_value=p,
            gaps=gaps,
            real_gap=self.gap,
            start_x=start_x(self.times, self.start),
        )

    def leave_one_out(self) -> pd.DataFrame:
        """Refit leaving out, in turn, each donor with positive weight.

        Returns
        -------
        pandas.DataFrame
            Columns ``excluded``, ``weight`` (its weight in the full fit),
            ``att``, ``pre_rmspe``, ``post_rmspe``, ``ratio``; one row per
            positive-weight donor (empty when only one donor is available).
            Large swings in ``att`` mean the result hinges on one donor
            (Abadie et al. 2015).
        """
        Y, pre = self._values(), self.pre
        J = Y.shape[1] - 1
        rows = []
        labels = list(self.panel.columns)
        positive = [u for u, w in self.weights.items() if w > 0]
        for u in positive if J > 1 else []:
            k = labels.index(u)
            pool = np.array([j for j in range(1, J + 1) if j != k])
            _, synth = fit_path(Y, pre, 0, pool, self.demean)
            pre_r, post_r, ratio, att = gap_stats(Y[:, 0] - synth, pre, ~pre, outcome_level(Y))
            rows.append((u, float(self.weights[u]), att, pre_r, post_r, ratio))
        cols = ["excluded", "weight", "att", "pre_rmspe", "post_rmspe", "ratio"]
        return pd.DataFrame(rows, columns=cols).astype({"excluded": object})

    # --------------------------------------------------------------- reporting
    def _space_p(self) -> float:
        try:
            return self.placebo("space").p_value
        except EstimationError:
            return math.nan

    def summary(self) -> pd.DataFrame:
        """Tidy summary with :data:`~ptvlib.estimators._base.SUMMARY_COLUMNS`.

        Returns
        -------
        pandas.DataFrame
            Rows ``att`` (mean post gap; ``n`` = post-periods), ``pre_rmspe``
            (``n`` = pre-periods), ``post_rmspe`` and ``rmspe_ratio`` (``n`` =
            units in the placebo distribution). Intervals are NaN (synthetic
            control has none); ``p_value`` is the placebo-in-space p-value.
        """
        p = self._space_p()
        n_units = self.panel.shape[1]
        return summary_frame(
            [
                {"term": "att", "estimate": self.att, "p_value": p, "n": self.n_post},
                {"term": "pre_rmspe", "estimate": self.pre_rmspe, "n": self.n_pre},
                {"term": "post_rmspe", "estimate": self.post_rmspe, "n": self.n_post},
                {"term": "rmspe_ratio", "estimate": self.ratio, "p_value": p, "n": n_units},
            ]
        )

    def fit_share(self) -> float:
        """Pre-RMSPE as a share of the treated unit's mean absolute pre-period level."""
        level = float(np.mean(np.abs(self.observed.to_numpy()[self.pre])))
        return self.pre_rmspe / level if level > 0 else math.inf

    def verdict(self, lang: Lang = "nb", *, unit: str = "") -> str:
        """One plain-language paragraph with the estimate, placebo p-value and caveats.

        Parameters
        ----------
        lang : {"nb", "en"}
            Language.
        unit : str
            Unit of the outcome, e.g. ``"per 1 000"``.

        Returns
        -------
        str
            Says "inconclusive"/"uavklart" unless the placebo-in-space p-value
            is below 0.05. Caveats cover the pre-period fit, a treated unit
            outside the donors' range, the smallest attainable p-value and
            straddling periods.
        """
        check_literal("lang", lang, Lang)
        p, share, words = self._space_p(), self.fit_share(), _CAVEATS[lang]
        good = share <= POOR_FIT_SHARE
        caveats = [
            words["good" if good else "poor"].format(
                s=self, rmspe=_num(self.pre_rmspe, lang), pct=_pct(share, lang)
            ),
            *([] if good else [words["misfit"]]),
        ]
        if any("outside the donors' range" in w for w in self.warnings):
            caveats.append(words["outside"].format(s=self))
        n_units = self.panel.shape[1]
        if n_units < 20:
            caveats.append(words["few"].format(n=n_units, p=_num(1 / n_units, lang, decimals=3)))
        if self.dropped_periods or self.flagged_periods:
            per = ", ".join(map(str, self.dropped_periods or self.flagged_periods))
            key = "dropped" if self.dropped_periods else "flagged"
            caveats.append(words[key].format(per=per))
        nb = lang == "nb"
        return verdict_text(
            lang=lang,
            design="Syntetisk kontroll" if nb else "Synthetic control",
            outcome=self.outcome,
            start=self.start,
            estimate=self.att,
            ci=None,
            p_value=p if math.isfinite(p) else None,
            scale="difference",
            unit=unit,
            direction=None if math.isfinite(p) else "inconclusive",
            caveats=caveats,
        )

    def plot(self, ax: Axes | None = None, *, lang: Lang = "nb") -> Figure:
        """Observed and synthetic paths with a dotted line at the start.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure when omitted).
        lang : {"nb", "en"}
            Language of labels, title and legend: bokmål (default) or English.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from ptvlib.basics.style import COLORS, figure_axes

        check_literal("lang", lang, Lang)
        text = _PLOT_TEXT[lang]
        fig, ax = figure_axes(ax)
        t = self.times
        ax.plot(
            t,
            self.observed,
            color=COLORS["treated"],
            lw=2.2,
            label=text["observed"].format(treated=self.treated),
        )
        ax.plot(
            t,
            self.synthetic,
            color=COLORS["counterfactual"],
            lw=2.0,
            ls="--",
            label=text["synthetic"],
        )
        ax.axvline(start_x(t, self.start), color=COLORS["start"], ls=":", lw=1.2)
        ax.set_ylabel(self.outcome)
        ax.set_title(
            text["title"].format(
                treated=self.treated,
                rmspe=_num(self.pre_rmspe, lang),
                start=self.start,
                att=_num(self.att, lang, signed=True),
            )
        )
        ax.legend(loc="best", frameon=False)
        return fig

    def plot_placebo(
        self,
        ax: Axes | None = None,
        *,
        kind: PlaceboKind = "space",
        max_pre_rmspe_ratio: float | None = None,
        lang: Lang = "nb",
    ) -> Figure:
        """Placebo gaps in grey and the treated gap in red (see :meth:`PlaceboResult.plot`).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on.
        kind : {"space", "time"}
            Which placebo runs to show.
        max_pre_rmspe_ratio : float, optional
            Hide placebo runs fitting worse than this multiple of the treated pre-RMSPE.
        lang : {"nb", "en"}
            Language of labels, title and legend: bokmål (default) or English.

        Returns
        -------
        matplotlib.figure.Figure
        """
        check_literal("lang", lang, Lang)
        return self.placebo(kind).plot(ax, max_pre_rmspe_ratio=max_pre_rmspe_ratio, lang=lang)
