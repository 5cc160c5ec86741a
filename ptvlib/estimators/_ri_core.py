"""Numerics of randomization inference over treated-area assignments (vectorised).

The statistic is the two-way fixed-effects (TWFE) difference-in-differences
coefficient of a balanced ``N`` units × ``T`` periods panel. With the
annihilator :math:`M = I - P_{unit} - P_{time} + P_{grand}` of the two-way
effects (double demeaning on a balanced panel) and an assignment :math:`a`
that gives unit :math:`i` the start :math:`s_i(a)`,

.. math::  \\hat\\beta_a = \\frac{D_a' M z}{D_a' M D_a}
           = \\frac{1}{Q}\\sum_{i \\in a} C_{i, s_i(a)},\\qquad
           C_{i,s} = \\sum_{t \\ge s} \\tilde z_{it},\\quad \\tilde z = Mz,

because :math:`M` is symmetric and idempotent. The denominator :math:`Q` is the
same for every assignment that hands out the same multiset of start years
(its terms depend only on how many units start in each period), so every
assignment's statistic is a sum of :math:`k` entries of the :math:`N \\times S`
table :math:`C` — all assignments at once are one gather.

For the power calculation the statistic of assignment :math:`a` after adding
:math:`\\delta D_b` to the outcome is :math:`\\hat\\beta_a + \\delta K_{ab}/Q`
with :math:`K_{ab} = D_a' M D_b`; on a balanced panel, for unit :math:`i`
starting at :math:`s` and unit :math:`j` starting at :math:`s'` (post lengths
:math:`L_s`, overlap :math:`L_{\\max(s,s')}`),

.. math::  (e_i\\otimes p_s)' M (e_j \\otimes p_{s'}) =
           [i=j]\\Big(L_{\\max(s,s')} - \\frac{L_s L_{s'}}{T}\\Big)
           - \\frac{L_{\\max(s,s')}}{N} + \\frac{L_s L_{s'}}{NT}.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ptvlib.basics.exceptions import ParameterError

__all__ = [
    "Assignments",
    "assignment_count",
    "double_demean",
    "draw_assignments",
    "enumerate_assignments",
    "post_sums",
    "statistics",
]

#: Relative tolerance: ``|T_a| >= |T_0| (1 - TIE)`` counts as "at least as extreme".
TIE = 1e-9


@dataclass(frozen=True)
class Assignments:
    """Treated-area assignments, the actual one first.

    Attributes
    ----------
    units : ndarray of int, shape (A, k)
        Unit index given slot ``j`` in each assignment (row 0 = actual).
    slot_start : ndarray of int, shape (k,)
        Index (into the distinct start periods) of each slot's start.
    n_possible : int
        Number of distinct assignments of the schedule to the units.
    enumerated : bool
        Every distinct assignment is in ``units`` (else a seeded random sample
        with replacement, plus the actual one).
    """

    units: np.ndarray
    slot_start: np.ndarray
    n_possible: int
    enumerated: bool

    @property
    def n(self) -> int:
        """Assignments evaluated (actual included)."""
        return int(self.units.shape[0])


def assignment_count(n_units: int, group_sizes: list[int]) -> int:
    """Distinct ways to give ``group_sizes[g]`` units start ``g`` (disjoint sets).

    :math:`N! / ((N-k)!\\,\\prod_g m_g!)`.

    Examples
    --------
    >>> assignment_count(15, [2]), assignment_count(15, [1, 1])
    (105, 210)
    """
    total, left = 1, n_units
    for m in group_sizes:
        total *= math.comb(left, m)
        left -= m
    return total


def enumerate_assignments(n_units: int, slot_start: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """All distinct assignments; slots of one start group hold sorted unit indices."""
    k = len(slot_start)
    groups = [np.flatnonzero(slot_start == g) for g in np.unique(slot_start)]
    rows: list[tuple[int, ...]] = []

    def rec(g: int, free: tuple[int, ...], acc: list[tuple[int, ...]]) -> None:
        if g == len(groups):
            row = [0] * k
            for slots, members in zip(groups, acc, strict=True):
                for s, u in zip(slots, members, strict=True):
                    row[s] = u
            rows.append(tuple(row))
            return
        for combo in itertools.combinations(free, len(groups[g])):
            rest = tuple(u for u in free if u not in combo)
            rec(g + 1, rest, [*acc, combo])

    rec(0, tuple(range(n_units)), [])
    out = np.array(rows, dtype=np.intp).reshape(-1, k)
    canon = actual.copy()
    for slots in groups:
        canon[slots] = np.sort(actual[slots])
    first = np.flatnonzero((out == canon).all(axis=1))
    order = np.r_[first, np.delete(np.arange(len(out)), first)]
    return out[order]


def draw_assignments(
    n_units: int,
    actual: np.ndarray,
    slot_start: np.ndarray,
    *,
    draws: int,
    max_enumerate: int,
    seed: int | np.random.Generator | None,
) -> Assignments:
    """Every distinct assignment when there are at most *max_enumerate*, else a seeded sample.

    Parameters
    ----------
    n_units : int
        Units that could be treated.
    actual : ndarray of int, shape (k,)
        Unit index of each treated slot in the actual assignment.
    slot_start : ndarray of int, shape (k,)
        Start index of each slot.
    draws : int
        Random assignments when not enumerating (the actual one is added).
    max_enumerate : int
        Enumerate when the number of distinct assignments is at most this.
    seed : int or numpy.random.Generator, optional
        Seed of the random sample.

    Returns
    -------
    Assignments
    """
    sizes = [int(v) for v in np.bincount(slot_start)]
    sizes = [m for m in sizes if m > 0]
    n_possible = assignment_count(n_units, sizes)
    if n_possible <= max_enumerate:
        units = enumerate_assignments(n_units, slot_start, actual)
        return Assignments(units, slot_start, n_possible, True)
    if draws < 1:
        raise ParameterError(f"draws={draws!r} is not allowed; allowed: an integer >= 1")
    rng = np.random.default_rng(seed)
    k = len(actual)
    picks = np.argsort(rng.random((draws, n_units)), axis=1)[:, :k]
    units = np.vstack([actual[None, :], picks]).astype(np.intp)
    return Assignments(units, slot_start, n_possible, False)


def double_demean(z: np.ndarray) -> np.ndarray:
    """:math:`Mz` for a balanced panel: remove unit and period means (last two axes N, T)."""
    return (
        z
        - z.mean(axis=-1, keepdims=True)
        - z.mean(axis=-2, keepdims=True)
        + z.mean(axis=(-2, -1), keepdims=True)
    )


def post_sums(zt: np.ndarray, start_index: np.ndarray) -> np.ndarray:
    """:math:`C_{i,s}=\\sum_{t\\ge s}\\tilde z_{it}` for each distinct start (last axis S).

    *zt* has shape (..., N, T); *start_index* gives each start's first period index.
    """
    rev = np.cumsum(zt[..., ::-1], axis=-1)[..., ::-1]
    return rev[..., start_index]


def statistics(c: np.ndarray, assign: Assignments, q: float) -> np.ndarray:
    """Every assignment's TWFE coefficient from the post-sum table *c* (shape (..., N, S)).

    Returns an array of shape (..., A).
    """
    gathered = c[..., assign.units, assign.slot_start]  # (..., A, k)
    return np.asarray(gathered.sum(axis=-1) / q)


def design_norm(post_len: np.ndarray, n_units: int, n_periods: int) -> float:
    """:math:`Q = D'MD` of any assignment with these post lengths (one per slot)."""
    lens = np.asarray(post_len, dtype=float)
    d = np.zeros((len(lens), n_periods))
    for j, ell in enumerate(lens.astype(int)):
        d[j, n_periods - ell :] = 1.0
    col = d.sum(axis=0)
    total = d.sum()
    return float(
        total
        - (lens**2).sum() / n_periods
        - (col**2).sum() / n_units
        + total**2 / (n_units * n_periods)
    )


def cross_design(
    a_units: np.ndarray,
    b_units: np.ndarray,
    post_len: np.ndarray,
    n_units: int,
    n_periods: int,
) -> np.ndarray:
    """:math:`K_{ab}=D_a'MD_b` for assignments *a* (A, k) and *b* (B, k) of one schedule.

    *post_len* holds each slot's number of post periods.
    """
    lens = np.asarray(post_len, dtype=float)
    overlap = np.minimum(lens[:, None], lens[None, :])
    same_unit = overlap - np.outer(lens, lens) / n_periods  # (k, k)
    common = float((-overlap / n_units + np.outer(lens, lens) / (n_units * n_periods)).sum())
    eq = a_units[:, None, :, None] == b_units[None, :, None, :]  # (A, B, k, k)
    return np.asarray((eq * same_unit).sum(axis=(-2, -1)) + common)


def p_values(stats: np.ndarray) -> np.ndarray:
    """Two-sided randomization p-value of entry 0 along the last axis.

    :math:`p = \\#\\{a: |T_a| \\ge |T_0|\\}/A` (actual included, so :math:`p \\ge 1/A`).
    """
    obs = np.abs(stats[..., :1])
    return np.asarray((np.abs(stats) >= obs * (1 - TIE)).mean(axis=-1))
