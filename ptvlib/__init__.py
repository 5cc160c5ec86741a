"""ptvlib — test whether targeted police funding in Oslo goes with less crime.

Load real public data (embedded snapshot, Statistics Norway's API, or an
analyst's own police export), harmonise it, compute indicators, and run
synthetic control, difference-in-differences and interrupted time series with
honest inference. The notebooks in ``notebooks/`` and the ``ptv report``
command are built on this library.

Heavy dependencies (scipy, matplotlib, seaborn, requests, papermill) are
imported only inside the functions that need them, so ``import ptvlib`` stays
light.
"""

from __future__ import annotations

from ptvlib.assessment.bydel_picture import BydelPicture, bydel_picture, public_bydel_series
from ptvlib.assessment.calibration import CalibrationResult, calibrate
from ptvlib.assessment.enforcement import oslo_keyfigures
from ptvlib.assessment.indicators import (
    change,
    clearance_rate,
    eb_shrunk_rates,
    funding_per_capita,
    index_to_base,
    prosecution_rate,
    rate,
    rate_per_1000,
    rate_per_100000,
    share_of_national,
)
from ptvlib.assessment.outcome import assess_outcome
from ptvlib.assessment.outcome_results import OutcomeAssessment, family_table
from ptvlib.assessment.overview import (
    comparison_series,
    coverage_table,
    index_series,
    shrunk_rates,
    sources_table,
    status_table,
)
from ptvlib.assessment.own import assess_own, assess_own_frame
from ptvlib.assessment.own_results import OwnReport
from ptvlib.assessment.panels import offence_panel, outcome_family
from ptvlib.assessment.params import Params, validate_params
from ptvlib.assessment.pools import Pool, assessment_pool, comparison_group
from ptvlib.assessment.power import Answerability, answerability, mde_table
from ptvlib.assessment.sensitivity import sensitivity_table, timing_sensitivity
from ptvlib.assessment.supplementary import (
    displacement_panel,
    dose_panel,
    exploratory_text,
    funding_intensity,
)
from ptvlib.basics.exceptions import (
    DataError,
    EstimationError,
    OwnDataError,
    ParameterError,
    PtvError,
    SchemaError,
    SourceUnavailable,
    UnknownDatasetError,
    UnknownRegionError,
    WorkspaceError,
)
from ptvlib.basics.version import __version__
from ptvlib.data.demo import demo_own_data, demo_own_frame
from ptvlib.data.loading import datasets, load, provenance, source_agreement
from ptvlib.data.own import is_synthetic, load_own, write_validated
from ptvlib.data.own_funding import load_funding
from ptvlib.data.regions import region_name, validate_region
from ptvlib.estimators import (
    AugmentedSynthResult,
    DidResult,
    DisplacementResult,
    DoseResponseResult,
    EventStudyResult,
    HonestDidResult,
    ItsResult,
    PlaceboResult,
    RandomizationResult,
    StaggeredDidResult,
    SynthAssignmentResult,
    SyntheticControlResult,
    SyntheticDidResult,
    UnitPlaceboResult,
    augmented_synth,
    breakdown_sentence,
    did,
    displacement,
    dose_response,
    honest_did,
    its,
    permutation_test,
    randomization_inference,
    staggered_did,
    synthetic_control,
    synthetic_control_assignments,
    synthetic_did,
    wild_cluster_bootstrap,
)
from ptvlib.estimators.simulate import simulate_its, simulate_panel

__all__ = [
    "Answerability",
    "AugmentedSynthResult",
    "BydelPicture",
    "CalibrationResult",
    "DataError",
    "DidResult",
    "DisplacementResult",
    "DoseResponseResult",
    "EstimationError",
    "EventStudyResult",
    "HonestDidResult",
    "ItsResult",
    "OutcomeAssessment",
    "OwnDataError",
    "OwnReport",
    "ParameterError",
    "Params",
    "PlaceboResult",
    "Pool",
    "PtvError",
    "RandomizationResult",
    "SchemaError",
    "SourceUnavailable",
    "StaggeredDidResult",
    "SynthAssignmentResult",
    "SyntheticControlResult",
    "SyntheticDidResult",
    "UnitPlaceboResult",
    "UnknownDatasetError",
    "UnknownRegionError",
    "WorkspaceError",
    "__version__",
    "answerability",
    "assess_outcome",
    "assess_own",
    "assess_own_frame",
    "assessment_pool",
    "augmented_synth",
    "breakdown_sentence",
    "bydel_picture",
    "calibrate",
    "change",
    "clearance_rate",
    "comparison_group",
    "comparison_series",
    "coverage_table",
    "datasets",
    "demo_own_data",
    "demo_own_frame",
    "did",
    "displacement",
    "displacement_panel",
    "dose_panel",
    "dose_response",
    "eb_shrunk_rates",
    "exploratory_text",
    "family_table",
    "funding_intensity",
    "funding_per_capita",
    "honest_did",
    "index_series",
    "index_to_base",
    "is_synthetic",
    "its",
    "load",
    "load_funding",
    "load_own",
    "mde_table",
    "offence_panel",
    "oslo_keyfigures",
    "outcome_family",
    "permutation_test",
    "prosecution_rate",
    "provenance",
    "public_bydel_series",
    "randomization_inference",
    "rate",
    "rate_per_1000",
    "rate_per_100000",
    "region_name",
    "sensitivity_table",
    "share_of_national",
    "shrunk_rates",
    "simulate_its",
    "simulate_panel",
    "source_agreement",
    "sources_table",
    "staggered_did",
    "status_table",
    "synthetic_control",
    "synthetic_control_assignments",
    "synthetic_did",
    "timing_sensitivity",
    "validate_params",
    "validate_region",
    "wild_cluster_bootstrap",
    "write_validated",
]
