"""Shared pytest fixtures: isolated cache and data folders, seeded generators."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

TESTS_DIR = Path(__file__).resolve().parent
TEST_DATA = TESTS_DIR / "data"


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator (same numbers on every run)."""
    return np.random.default_rng(20180101)


@pytest.fixture
def tmp_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point PTV_CACHE_DIR at an empty temporary folder for the test."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("PTV_CACHE_DIR", str(cache))
    return cache
