"""Array-level synthetic difference-in-differences: one fit and a batch of placebo fits (private).

Notation (Arkhangelsky et al. 2021): :math:`Y` is the (T, J) matrix of donor
outcomes, :math:`y` the treated units' mean path, :math:`T_0` pre-periods and
:math:`T_1` post-periods. With unit weights :math:`\\hat\\omega` and time
weights :math:`\\hat\\lambda` over the pre-periods,

.. math::

    \\hat\\tau = \\big(\\bar y_{\\mathrm{post}} - \\hat\\lambda' y_{\\mathrm{pre}}\\big)
    - \\sum_j \\hat\\omega_j \\big(\\bar Y_{j,\\mathrm{post}} - \\hat\\lambda' Y_{j,\\mathrm{pre}}\\big),

which is the post-period mean of the gap path
:math:`g_t = y_t - \\hat\\omega' Y_t - \\hat\\lambda'(y_{\\mathrm{pre}} - Y_{\\mathrm{pre}}\\hat\\omega)`
(the synthetic path shifted by its time-weighted pre-period gap). Outcomes are
centred and scaled by the donors' pre-period mean and standard deviation before
the weights are computed (a no-op for the estimate that keeps the arithmetic
well conditioned), as diff-diff does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ptvlib.estimators._sdid_weights import (
    frank_wolfe_two_pass,
    noise_level,
    ridge_simplex,
    ridge_simplex_batch,
)

__all__ = ["SdidSpec", "SdidFit", "fit_sdid", "placebo_sdid", "sdid_spec"]


@dataclass(frozen=True)
class SdidSpec:
    """Regularisation and solver of one SDID fit, on the normalised outcome scale."""

    zeta_omega: float
    zeta_lambda: float
    min_decrease: float
    solver: str
    shift: float
    scale: float
    noise: float


@dataclass(frozen=True, eq=False)
class SdidFit:
    """Weights, estimate and gap path of one SDID fit (outcome units)."""

    tau: float
    omega: np.ndarray
    lam: np.ndarray
    gap: np.ndarray
    intercept: float


def sdid_spec(
    Y: np.ndarray,
    pre: np.ndarray,
    *,
    n_treated: int,
    solver: str,
    zeta_omega: float | None = None,
    zeta_lambda: float | None = None,
) -> SdidSpec:
    """R synthdid's defaults: :math:`\\zeta_\\omega=(N_1T_1)^{1/4}\\sigma`, :math:`\\zeta_\\lambda=10^{-6}\\sigma`.

    :math:`\\sigma` is :func:`~ptvlib.estimators._sdid_weights.noise_level` of
    the donors' pre-period outcomes; user values are in outcome units.
    """
    Yp = Y[pre]
    shift = float(np.mean(Yp))
    raw = float(np.std(Yp))
    scale = raw if np.isfinite(raw) and raw > 1e-12 * max(abs(shift), 1.0) else 1.0
    sigma = noise_level((Yp - shift) / scale)
    n_post = int((~pre).sum())
    zo = (n_treated * n_post) ** 0.25 * sigma if zeta_omega is None else zeta_omega / scale
    zl = 1e-6 * sigma if zeta_lambda is None else zeta_lambda / scale
    md = 1e-5 * sigma if sigma > 0 else 1e-5
    return SdidSpec(
        zeta_omega=zo,
        zeta_lambda=zl,
        min_decrease=md,
        solver=solver,
        shift=shift,
        scale=scale,
        noise=sigma * scale,
    )


def _unit_weights(
    A: np.ndarray, B: np.ndarray, allowed: np.ndarray, spec: SdidSpec, init: np.ndarray | None
) -> np.ndarray:
    """Unit weights of K problems sharing the donors' centred pre-period columns *A* (T0, J)."""
    T0 = A.shape[0]
    if spec.solver == "exact" and spec.zeta_omega > 0:
        return ridge_simplex_batch(A, B, allowed, T0 * spec.zeta_omega**2)
    if spec.solver == "exact":
        out = np.zeros(allowed.shape)
        for k in range(B.shape[0]):
            out[k, allowed[k]] = ridge_simplex(A[:, allowed[k]], B[k], 0.0)
        return out
    A3 = np.broadcast_to(A, (B.shape[0], *A.shape))
    return frank_wolfe_two_pass(
        A3, B, spec.zeta_omega, init=init, allowed=allowed, min_decrease=spec.min_decrease
    )


def _time_weights(
    Yn: np.ndarray, pre: np.ndarray, allowed: np.ndarray, spec: SdidSpec, init: np.ndarray | None
) -> np.ndarray:
    """Time weights of K problems; problem k regresses the allowed donors' post means on their pre paths."""
    K = allowed.shape[0]
    T0 = int(pre.sum())
    if T0 == 1:
        return np.ones((K, 1))
    rows = Yn[pre].T  # (J, T0)
    target = Yn[~pre].mean(axis=0)  # (J,)
    As, Bs = [], []
    for k in range(K):
        a = rows[allowed[k]]
        b = target[allowed[k]]
        As.append(a - a.mean(axis=0))
        Bs.append(b - b.mean())
    n_rows = As[0].shape[0]
    if spec.solver == "exact":
        eta = n_rows * spec.zeta_lambda**2
        return np.vstack([ridge_simplex(a, b, eta) for a, b in zip(As, Bs, strict=True)])
    if init is not None:
        init = np.broadcast_to(init, (K, T0)).copy()
    return frank_wolfe_two_pass(
        np.stack(As), np.stack(Bs), spec.zeta_lambda, init=init, min_decrease=spec.min_decrease
    )


def _gaps(
    Yn: np.ndarray, targets: np.ndarray, pre: np.ndarray, W: np.ndarray, L: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gap paths (T, K) and intercepts (K,) on the normalised scale."""
    synth = Yn @ W.T  # (T, K)
    diff = targets - synth
    intercept = np.einsum("kt,tk->k", L, diff[pre])
    return diff - intercept[None, :], intercept


def fit_sdid(
    Y: np.ndarray,
    y: np.ndarray,
    pre: np.ndarray,
    spec: SdidSpec,
) -> SdidFit:
    """SDID of the treated mean path *y* (T,) on the donors *Y* (T, J)."""
    Yn = (Y - spec.shift) / spec.scale
    yn = (y - spec.shift) / spec.scale
    J = Y.shape[1]
    allowed = np.ones((1, J), dtype=bool)
    A = Yn[pre] - Yn[pre].mean(axis=0)
    b = yn[pre] - yn[pre].mean()
    W = np.ones((1, 1)) if J == 1 else _unit_weights(A, b[None], allowed, spec, None)
    L = _time_weights(Yn, pre, allowed, spec, None)
    gap, intercept = _gaps(Yn, yn[:, None], pre, W, L)
    g = gap[:, 0] * spec.scale
    return SdidFit(
        tau=float(np.mean(g[~pre])),
        omega=W[0],
        lam=L[0],
        gap=g,
        intercept=float(intercept[0]) * spec.scale,
    )


def placebo_sdid(
    Y: np.ndarray,
    pre: np.ndarray,
    spec: SdidSpec,
    sets: Sequence[np.ndarray],
    real: SdidFit,
) -> tuple[np.ndarray, np.ndarray]:
    """SDID of each pseudo-treated donor set against the other donors (real zetas kept).

    Parameters
    ----------
    Y : numpy.ndarray, shape (T, J)
        Donor outcomes.
    pre : numpy.ndarray of bool, shape (T,)
        Pre-periods.
    spec : SdidSpec
        The real fit's regularisation (R synthdid's ``placebo_se`` reuses it).
    sets : sequence of int arrays
        Donor columns of each pseudo-treated set.
    real : SdidFit
        The real fit; Frank-Wolfe warm-starts from its weights as R does.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Placebo estimates (K,) and gap paths (T, K), in outcome units.
    """
    Yn = (Y - spec.shift) / spec.scale
    K, J = len(sets), Y.shape[1]
    allowed = np.ones((K, J), dtype=bool)
    targets = np.empty((Y.shape[0], K))
    for k, s in enumerate(sets):
        allowed[k, s] = False
        targets[:, k] = Yn[:, s].mean(axis=1)
    A = Yn[pre] - Yn[pre].mean(axis=0)
    B = (targets[pre] - targets[pre].mean(axis=0)).T
    init_w = None
    if spec.solver == "frank_wolfe":
        w0 = np.where(allowed, real.omega[None, :], 0.0)
        total = w0.sum(axis=1, keepdims=True)
        init_w = np.where(
            total > 0, w0 / np.where(total > 0, total, 1.0), allowed / allowed.sum(1)[:, None]
        )
    if J - max(len(s) for s in sets) == 1:
        W = allowed.astype(float)
    else:
        W = _unit_weights(A, B, allowed, spec, init_w)
    L = _time_weights(Yn, pre, allowed, spec, real.lam if spec.solver == "frank_wolfe" else None)
    gaps, _ = _gaps(Yn, targets, pre, W, L)
    gaps = gaps * spec.scale
    return gaps[~pre].mean(axis=0), gaps
