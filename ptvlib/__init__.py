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

from .assess import OutcomeAssessment, assess_outcome, offence_panel
from .data import datasets, load, load_own, source_agreement
from .enforcement import assess_own, demo_own_data
from .estimators import (
    DidResult,
    DisplacementResult,
    DoseResponseResult,
    EventStudyResult,
    ItsResult,
    PlaceboResult,
    SyntheticControlResult,
    did,
    displacement,
    dose_response,
    its,
    permutation_test,
    synthetic_control,
    wild_cluster_bootstrap,
)
from .exceptions import (
    DataError,
    EstimationError,
    OwnDataError,
    ParameterError,
    PtvError,
    SchemaError,
    SourceUnavailable,
    UnknownDatasetError,
    UnknownRegionError,
)
from .indicators import (
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
from .params import Params, validate_params
from .regions import comparison_group, region_name, validate_region
from .simulate import simulate_its, simulate_panel
from .supplementary import funding_intensity

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "DidResult",
    "DisplacementResult",
    "DoseResponseResult",
    "EstimationError",
    "EventStudyResult",
    "ItsResult",
    "OutcomeAssessment",
    "OwnDataError",
    "ParameterError",
    "Params",
    "PlaceboResult",
    "PtvError",
    "SchemaError",
    "SourceUnavailable",
    "SyntheticControlResult",
    "UnknownDatasetError",
    "UnknownRegionError",
    "__version__",
    "assess_outcome",
    "assess_own",
    "change",
    "clearance_rate",
    "comparison_group",
    "datasets",
    "demo_own_data",
    "did",
    "displacement",
    "dose_response",
    "eb_shrunk_rates",
    "funding_intensity",
    "funding_per_capita",
    "index_to_base",
    "its",
    "load",
    "load_own",
    "offence_panel",
    "permutation_test",
    "prosecution_rate",
    "rate",
    "rate_per_1000",
    "rate_per_100000",
    "region_name",
    "share_of_national",
    "simulate_its",
    "simulate_panel",
    "source_agreement",
    "synthetic_control",
    "validate_params",
    "validate_region",
    "wild_cluster_bootstrap",
]
