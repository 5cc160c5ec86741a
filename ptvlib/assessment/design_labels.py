"""Design labels of the municipal assessment, by language (shared by its tables and texts)."""

from __future__ import annotations

__all__ = ["DESIGNS"]

#: Design labels by language.
DESIGNS: dict[str, dict[str, str]] = {
    "nb": {
        "synth": "Syntetisk kontroll",
        "sdid": "Syntetisk forskjell-i-forskjeller",
        "ascm": "Utvidet syntetisk kontroll (ridge)",
        "did": "Forskjell-i-forskjeller (log-rater, permutasjon)",
        "its": "Avbrutt tidsserie (nivåendring ved start, placebo)",
        "did_poisson": "Forskjell-i-forskjeller (Poisson, CR1)",
        "its_comparative": "Avbrutt tidsserie mot resten av landet (Newey–West)",
    },
    "en": {
        "synth": "Synthetic control",
        "sdid": "Synthetic difference-in-differences",
        "ascm": "Augmented synthetic control (ridge)",
        "did": "Difference-in-differences (log rates, permutation)",
        "its": "Interrupted time series (level change at the start, placebo)",
        "did_poisson": "Difference-in-differences (Poisson, CR1)",
        "its_comparative": "Interrupted time series vs rest of Norway (Newey–West)",
    },
}
