"""Quasi-experimental estimators with honest inference for one treated unit or few clusters.

One module per design: :mod:`~ptvlib.estimators.synth` (synthetic control),
:mod:`~ptvlib.estimators.sdid` (synthetic difference-in-differences),
:mod:`~ptvlib.estimators.ascm` (augmented synthetic control),
:mod:`~ptvlib.estimators.did` (difference-in-differences / event study),
:mod:`~ptvlib.estimators.staggered` (staggered adoption, Callaway & Sant'Anna),
:mod:`~ptvlib.estimators.honest` (HonestDiD sensitivity to parallel-trend violations),
:mod:`~ptvlib.estimators.its` (interrupted time series),
:mod:`~ptvlib.estimators.dose` (dose–response),
:mod:`~ptvlib.estimators.displacement` (weighted displacement difference) and
:mod:`~ptvlib.estimators.inference` (cluster-robust, HAC, wild cluster
bootstrap, permutation) and :mod:`~ptvlib.estimators.randomization` /
:mod:`~ptvlib.estimators.randomization_synth` (randomization inference over
treated-area assignments, with test-inverted intervals). Every result has
``summary()``, ``plot()`` and ``verdict(lang)``.
"""

from __future__ import annotations

from ptvlib.estimators._unit_placebo import UnitPlaceboResult
from ptvlib.estimators.ascm import AugmentedSynthResult, augmented_synth
from ptvlib.estimators.bootstrap import BootstrapResult, wild_cluster_bootstrap
from ptvlib.estimators.did import DidResult, EventStudyResult, FewTreatedWarning, did
from ptvlib.estimators.displacement import DisplacementResult, displacement, wdd_from_counts
from ptvlib.estimators.dose import DoseResponseResult, SingleTreatedUnitWarning, dose_response
from ptvlib.estimators.honest import HonestDidResult, breakdown_sentence, honest_did
from ptvlib.estimators.inference import InferenceWarning, PermutationResult, permutation_test
from ptvlib.estimators.its import ItsResult, its
from ptvlib.estimators.randomization import RandomizationResult, randomization_inference
from ptvlib.estimators.randomization_synth import (
    SynthAssignmentResult,
    synthetic_control_assignments,
)
from ptvlib.estimators.sdid import SyntheticDidResult, synthetic_did
from ptvlib.estimators.staggered import StaggeredDidResult, staggered_did
from ptvlib.estimators.synth import (
    OutsideDonorRangeWarning,
    PlaceboResult,
    SyntheticControlResult,
    synthetic_control,
)

__all__ = [
    "AugmentedSynthResult",
    "BootstrapResult",
    "DidResult",
    "DisplacementResult",
    "DoseResponseResult",
    "EventStudyResult",
    "FewTreatedWarning",
    "HonestDidResult",
    "InferenceWarning",
    "ItsResult",
    "OutsideDonorRangeWarning",
    "PermutationResult",
    "PlaceboResult",
    "RandomizationResult",
    "SingleTreatedUnitWarning",
    "StaggeredDidResult",
    "SynthAssignmentResult",
    "SyntheticControlResult",
    "SyntheticDidResult",
    "UnitPlaceboResult",
    "augmented_synth",
    "breakdown_sentence",
    "did",
    "displacement",
    "dose_response",
    "honest_did",
    "its",
    "permutation_test",
    "randomization_inference",
    "staggered_did",
    "synthetic_control",
    "synthetic_control_assignments",
    "synthetic_did",
    "wdd_from_counts",
    "wild_cluster_bootstrap",
]
