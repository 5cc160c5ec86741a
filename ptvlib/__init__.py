"""ptvlib — test whether targeted police funding in Oslo goes with less crime.

Load real public data (embedded snapshot, Statistics Norway's API, or an
analyst's own police export), harmonise it, compute indicators, and run
synthetic control, difference-in-differences and interrupted time series with
honest inference.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
