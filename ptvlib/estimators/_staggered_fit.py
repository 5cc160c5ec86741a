"""Group-time ATTs, influence functions and aggregations of Callaway & Sant'Anna (private).

Units are grouped by their first treated period :math:`g` (never treated:
:math:`g = \\infty`). On a balanced panel with outcomes :math:`Y_{it}` and no
covariates, the group-time effect with base period :math:`b` is a 2 × 2 DiD of
means,

.. math::

    \\widehat{ATT}(g, t) = \\frac1{n_g}\\sum_{G_i = g}(Y_{it} - Y_{ib})
    - \\frac1{n_C}\\sum_{i \\in C_{g,t}}(Y_{it} - Y_{ib}),

with :math:`b = g - 1` for :math:`t \\ge g` and, for pre-periods, :math:`b = t - 1`
("varying") or :math:`g - 1` ("universal"). The comparison units
:math:`C_{g,t}` are the never-treated, or (``not_yet_treated``) every unit
not treated by :math:`\\max(t, b)`, group :math:`g` excluded. Every estimate is
written as :math:`\\frac1n\\sum_i\\psi_i`, with the influence function

.. math:: \\psi_i = n\\Big[\\frac{1\\{G_i=g\\}}{n_g}(\\Delta_i - \\bar\\Delta_g)
          - \\frac{1\\{i\\in C_{g,t}\\}}{n_C}(\\Delta_i - \\bar\\Delta_C)\\Big],

so standard errors, clustered by unit, are :math:`\\sqrt{\\sum_i\\psi_i^2}/n`
for any linear combination. Aggregations weight the cells by the group shares
:math:`p_g = n_g/n`; the share estimation adds the "wif" term of R's ``did``
package (``aggte``): for weights :math:`w_k = p_{g_k}/\\sum_{k'} p_{g_{k'}}`,

.. math:: \\psi^{w}_i = \\sum_k \\widehat{ATT}_k\\Big[\\frac{1\\{G_i=g_k\\}-p_{g_k}}{\\sum_{k'}p_{g_{k'}}}
          - \\frac{p_{g_k}}{(\\sum_{k'}p_{g_{k'}})^2}\\sum_{k'}\\big(1\\{G_i=g_{k'}\\}-p_{g_{k'}}\\big)\\Big].

With an exposure (population) the cells are rate ratios instead: the log of
the ratio of the groups' summed counts to their summed exposures, differenced
as above (the Poisson maximum-likelihood 2 × 2 DiD with group and period
effects and a log-exposure offset); its influence function follows from
:math:`\\log(\\sum_i y_i/\\sum_i P_i)` by the delta method,
:math:`\\psi_i = n\\,(y_i/\\sum y - P_i/\\sum P)`. Aggregations average the log
rate ratios.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Aggregate", "GroupTime", "aggregate", "group_time"]


@dataclass(frozen=True, eq=False)
class GroupTime:
    """All group-time cells of one panel (private)."""

    groups: np.ndarray  # (K,) first treated period of each cell
    times: np.ndarray  # (K,) period of each cell
    bases: np.ndarray  # (K,) base period of each cell
    att: np.ndarray  # (K,)
    psi: np.ndarray  # (n, K) influence functions
    n_treated: np.ndarray  # (K,)
    n_control: np.ndarray  # (K,)
    unit_group: np.ndarray  # (n,) G_i (inf for never treated)

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.psi.shape[0])

    def se(self) -> np.ndarray:
        """Standard error of every cell."""
        return np.sqrt(np.sum(self.psi**2, axis=0)) / self.n


@dataclass(frozen=True, eq=False)
class Aggregate:
    """An aggregation of cells: estimate, influence function and standard error (private)."""

    att: float
    psi: np.ndarray
    se: float
    cells: np.ndarray


def _log_ratio_psi(
    y: np.ndarray, P: np.ndarray, mask: np.ndarray, n: int
) -> tuple[float, np.ndarray]:
    sy, sp = float(y[mask].sum()), float(P[mask].sum())
    psi = np.where(mask, n * (y / sy - P / sp), 0.0)
    return float(np.log(sy / sp)), psi


def group_time(
    Y: np.ndarray,
    periods: np.ndarray,
    G: np.ndarray,
    *,
    control: str,
    base_period: str,
    exposure: np.ndarray | None = None,
    min_size: int = 1,
) -> GroupTime:
    """ATT(g, t) of every group and period with a base period and comparison units.

    Parameters
    ----------
    Y : numpy.ndarray, shape (n, T)
        Balanced outcomes (counts when *exposure* is given).
    periods : numpy.ndarray, shape (T,)
        Sorted periods.
    G : numpy.ndarray, shape (n,)
        First treated period of each unit (``inf`` for never treated).
    control : {"never_treated", "not_yet_treated"}
        Comparison units.
    base_period : {"varying", "universal"}
        Base of the pre-period cells.
    exposure : numpy.ndarray, shape (n, T), optional
        Exposures: cells become log rate ratios.
    min_size : int
        Cells with fewer comparison units are skipped.
    """
    n, T = Y.shape
    pos = {int(p): k for k, p in enumerate(periods.tolist())}
    rows: list[tuple[int, int, int, float, np.ndarray, int, int]] = []
    for g in np.unique(G[np.isfinite(G)]).astype(int):
        treated = G == g
        if g - 1 not in pos and base_period == "universal":
            continue
        for t in periods.tolist():
            t = int(t)
            if t >= g or base_period == "universal":
                b = g - 1
            else:
                b = t - 1
            if b not in pos or t == b:
                continue
            top = max(t, b)
            if control == "never_treated":
                ctrl = ~np.isfinite(G)
            else:
                ctrl = (G > top) & ~treated
            nc, nt = int(ctrl.sum()), int(treated.sum())
            if nc < min_size or nt == 0:
                continue
            if exposure is None:
                d = Y[:, pos[t]] - Y[:, pos[b]]
                m1, m0 = d[treated].mean(), d[ctrl].mean()
                psi = n * (
                    np.where(treated, (d - m1) / nt, 0.0) - np.where(ctrl, (d - m0) / nc, 0.0)
                )
                att = float(m1 - m0)
            else:
                parts = []
                for mask in (treated, ctrl):
                    for col in (pos[t], pos[b]):
                        parts.append(_log_ratio_psi(Y[:, col], exposure[:, col], mask, n))
                (a1, p1), (b1, q1), (a0, p0), (b0, q0) = parts
                att = (a1 - b1) - (a0 - b0)
                psi = (p1 - q1) - (p0 - q0)
            rows.append((g, t, b, att, psi, nt, nc))
    if not rows:
        return GroupTime(
            groups=np.empty(0, dtype=int),
            times=np.empty(0, dtype=int),
            bases=np.empty(0, dtype=int),
            att=np.empty(0),
            psi=np.empty((n, 0)),
            n_treated=np.empty(0, dtype=int),
            n_control=np.empty(0, dtype=int),
            unit_group=G,
        )
    return GroupTime(
        groups=np.array([r[0] for r in rows]),
        times=np.array([r[1] for r in rows]),
        bases=np.array([r[2] for r in rows]),
        att=np.array([r[3] for r in rows]),
        psi=np.column_stack([r[4] for r in rows]),
        n_treated=np.array([r[5] for r in rows]),
        n_control=np.array([r[6] for r in rows]),
        unit_group=G,
    )


def aggregate(gt: GroupTime, keep: np.ndarray) -> Aggregate:
    """Group-share weighted average of the cells in *keep*, with R did's weight term."""
    cells = np.flatnonzero(keep)
    n = gt.n
    if cells.size == 0:
        return Aggregate(att=float("nan"), psi=np.zeros(n), se=float("nan"), cells=cells)
    G = gt.unit_group
    groups = gt.groups[cells]
    ind = (G[:, None] == groups[None, :]).astype(float)  # (n, k)
    pg = ind.mean(axis=0)
    total = float(pg.sum())
    w = pg / total
    att = gt.att[cells]
    est = float(w @ att)
    psi = gt.psi[:, cells] @ w
    if1 = (ind - pg[None, :]) / total
    if2 = np.sum(ind - pg[None, :], axis=1)[:, None] * (pg / total**2)[None, :]
    psi = psi + (if1 - if2) @ att
    se = float(np.sqrt(np.sum(psi**2)) / n)
    return Aggregate(att=est, psi=psi, se=se, cells=cells)
