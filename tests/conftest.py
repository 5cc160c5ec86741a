"""Shared pytest fixtures: isolated cache and data folders, seeded generators."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

# One BLAS thread: the simulations fit thousands of small models, and threaded BLAS on a
# busy 2-core machine makes them 10x slower. Must be set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pytest

TESTS_DIR = Path(__file__).resolve().parent
TEST_DATA = TESTS_DIR / "data"
# Test helpers (_browser, _httpserver) are plain modules next to the tests.
sys.path.insert(0, str(TESTS_DIR))


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the suite's processed tables out of the repository's .cache (built once per run).

    The cache-signing key goes to a session folder too (``XDG_CONFIG_HOME``), not
    to the user's ``~/.config``; kernels and subprocesses inherit both.
    """
    cache = tmp_path_factory.mktemp("ptv-cache")
    settings = tmp_path_factory.mktemp("xdg-config")
    names = ("PTV_CACHE_DIR", "XDG_CONFIG_HOME", "PTV_CACHE_KEY", "PTV_OWN_DATA")
    old = {name: os.environ.get(name) for name in names}
    os.environ["PTV_CACHE_DIR"] = str(cache)
    os.environ["XDG_CONFIG_HOME"] = str(settings)
    os.environ.pop("PTV_CACHE_KEY", None)
    os.environ.pop("PTV_OWN_DATA", None)
    yield cache
    for name, value in old.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


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


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``ptv report`` with the defaults (bokmål) and the synthetic own-data file, run once.

    Shared by the report's tests (test_report, test_publication): the run takes
    most of a minute. Returns the parameters, the result, the report folder and
    the own-data file.
    """
    from ptvlib.assessment.params import validate_params
    from ptvlib.data.demo import demo_own_data
    from ptvlib.report.runner import run_report

    root = tmp_path_factory.mktemp("report")
    own = demo_own_data(root / "own_demo.csv")
    # Defaults, plus the synthetic own-data file so notebook 06 runs the bydel designs.
    params = validate_params(own_data=str(own), treated_areas=["030115", "030101"])
    result = run_report(params, out=root / "reports", jobs=2, progress=False)
    return {"params": params, "result": result, "dir": result.index.parent, "own": own}


#: Lines that tests report (rates they measured), printed at the end of the run.
_MEASURED: list[str] = []


@pytest.fixture
def measured(request: pytest.FixtureRequest):
    """Record a line for the end-of-run summary ("measured rates"), shown without ``-s``."""

    def record(line: str) -> None:
        _MEASURED.append(f"{request.node.name}: {line}")

    return record


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    """Print what the tests measured (calibration rates, coverage, simulated power)."""
    if _MEASURED:
        terminalreporter.section("measured rates")
        for line in _MEASURED:
            terminalreporter.write_line(line)
