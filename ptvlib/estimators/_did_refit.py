"""Cheap refits of a fitted DiD with the treatment given to other units (private).

Placebo-in-space and randomization inference need the treatment coefficient for
hundreds of reassignments of the treatment on the same panel. A full call of
:func:`ptvlib.did` re-validates the frame and rebuilds the layout each time;
:class:`DidRefitter` keeps the analysis frame, the fixed-effects layout
(:class:`~ptvlib.estimators._fe.TwoWayFE`) and

* for OLS, the factorised projection on the unit and period effects, so that
  a reassignment costs one projection of the new treatment dummy
  (Frisch–Waugh–Lovell: :math:`\\hat\\beta = \\tilde d'\\tilde y / \\tilde d'\\tilde d`);
* for the count families, the fitted linear predictor of the real fit, which
  warm-starts IRLS (NB2 keeps the real fit's :math:`\\hat\\alpha`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.estimators._fe import TwoWayFE, fit_fe_model

__all__ = ["DidRefitter"]


class DidRefitter:
    """Treatment coefficient of a fitted DiD for other treated sets (private).

    Parameters
    ----------
    frame : pandas.DataFrame
        Analysis frame of a :class:`~ptvlib.estimators.did.DidResult` (``panel``).
    family : {"ols", "poisson", "negbin"}
        Model family of the fit.
    starts : dict
        Start year of each really treated unit.
    period_years : int
        Years per period (a placebo unit's period is post when it begins at or
        after the start).
    straddle : {"drop", "post"}
        Straddling periods of placebo units get weight 0 (``"drop"``) or count
        as post.
    alpha : float
        NB2 dispersion of the real fit (NaN otherwise), kept fixed.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        family: str,
        starts: Mapping[Any, int],
        period_years: int,
        straddle: str,
        alpha: float,
    ) -> None:
        self.family = family
        self.starts = dict(starts)
        self.period_years = period_years
        self.straddle = straddle
        self.alpha = alpha
        self.fe = TwoWayFE.from_frame(frame)
        codes, levels = pd.factorize(frame["unit"], sort=True)
        self.codes = codes.astype(np.intp)
        self.code_of = {u: c for c, u in enumerate(levels.tolist())}
        self.t = frame["time"].to_numpy(dtype=np.int64)
        self.y = frame["y"].to_numpy(dtype=float)
        self.off = frame["offset"].to_numpy(dtype=float)
        self._resid: Any = None
        self._y_tilde: np.ndarray | None = None
        self._state: tuple[np.ndarray, np.ndarray] | None = None
        self._real = frame["post"].to_numpy(dtype=float)

    def _warm_start(self) -> tuple[np.ndarray, np.ndarray]:
        """Fixed-effects part of the real fit: coefficients with the effect set to 0."""
        if self._state is None:
            fit = fit_fe_model(self.y, self._real[:, None], self.fe, "poisson", offset=self.off)
            theta = fit.dense.copy()
            lin = fit.eta - theta[0] * self._real
            theta[0] = 0.0
            self._state = (theta, lin)
        return self._state

    def _assign(
        self, treated: Sequence[Hashable], start: int | Mapping[Any, int] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        units = list(dict.fromkeys(treated))
        unknown = [u for u in units if u not in self.code_of]
        if unknown or not units:
            raise ParameterError(
                f"treated={list(treated)!r} is not allowed; allowed: units of the fitted panel"
            )
        if start is None:
            years = sorted(set(self.starts.values()))
            if len(years) == 1:
                start = years[0]
            elif len(units) == len(self.starts):
                start = dict(zip(units, self.starts.values(), strict=True))
            else:
                raise ParameterError(
                    "start=None is ambiguous with staggered starts and a different number of "
                    "treated units; allowed: an int or a dict unit -> year"
                )
        by_unit = start if isinstance(start, Mapping) else dict.fromkeys(units, start)
        missing = [u for u in units if u not in by_unit]
        if missing:
            raise ParameterError(f"start gives no year for treated unit(s) {missing}")
        s_code = np.full(len(self.code_of), np.iinfo(np.int64).max, dtype=np.int64)
        for u in units:
            s_code[self.code_of[u]] = int(by_unit[u])
        s = s_code[self.codes]
        on = s < np.iinfo(np.int64).max
        post = on & (self.t - self.period_years + 1 >= s)
        straddling = on & ~post & (self.t >= s)
        if self.straddle == "post":
            post |= straddling
            weight = np.ones(self.t.size)
        else:
            weight = np.where(straddling, 0.0, 1.0)
        return post.astype(float), weight

    def coef(
        self, treated: Sequence[Hashable], start: int | Mapping[Any, int] | None = None
    ) -> float:
        """Treatment coefficient with *treated* as the treated units."""
        d, weight = self._assign(treated, start)
        if not d.any():
            raise EstimationError(f"treated={list(treated)!r} has no post-treatment rows")
        if self.family == "ols":
            if weight.min() == 1.0:
                if self._resid is None:
                    self._resid = self.fe.residualizer(np.ones(self.t.size))
                    self._y_tilde = self._resid(self.y)[:, 0]
                dt = self._resid(d)[:, 0]
                denom = float(dt @ dt)
                if denom <= 1e-12 * float(d @ d):
                    raise EstimationError("the placebo treatment is collinear with the effects")
                return float(dt @ self._y_tilde) / denom
            sol = self.fe.wls(weight, self.y, d[:, None])
            return float(sol.beta[0])
        from ptvlib.estimators._fe import _irls

        keep = weight > 0
        alpha = 0.0 if self.family == "poisson" else self.alpha
        if keep.all():
            theta, _, _ = _irls(self.fe, self.y, d[:, None], self.off, alpha, self._warm_start())
        else:
            fe = TwoWayFE(self.codes[keep], pd.factorize(self.t[keep], sort=True)[0])
            theta, _, _ = _irls(fe, self.y[keep], d[keep, None], self.off[keep], alpha)
        return float(theta[0])
