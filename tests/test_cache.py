"""Processed-table cache: checksum keys, rebuild on a changed raw file, corrupt files, atomicity."""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
from pathlib import Path

import pandas as pd
import pytest

from ptvlib.basics import config
from ptvlib.basics.io import atomic_write_bytes
from ptvlib.data import catalog
from ptvlib.data.loading import CacheRebuiltWarning, _write_parquet, load

POP_FILE = "population_kommune_bydel_2005_2025_csdata/population_jan1_by_location_year_b2024.csv"


@pytest.fixture
def own_raw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_cache: Path) -> Path:
    """A private copy of data/raw (so a test may change a raw file) and an empty cache."""
    data = tmp_path / "data"
    shutil.copytree(config.PROJECT_DIR / "data" / "raw", data / "raw")
    monkeypatch.setenv("PTV_DATA_DIR", str(data))
    return data / "raw"


def _parquets(cache: Path, name: str) -> list[Path]:
    return sorted((cache / "tables").glob(f"{name}-*.parquet"))


def test_cache_is_written_once_and_reused(
    own_raw: Path, tmp_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load("population")
    files = _parquets(tmp_cache, "population")
    assert len(files) == 1

    def boom(raw: Path) -> pd.DataFrame:
        raise AssertionError("rebuilt although a valid cache exists")

    entry = catalog.DATASETS["population"]
    monkeypatch.setitem(catalog.DATASETS, "population", dataclasses.replace(entry, build=boom))
    pd.testing.assert_frame_equal(load("population"), first)


def test_changed_raw_file_rebuilds_the_table(own_raw: Path, tmp_cache: Path) -> None:
    before = load("population")
    path = own_raw / POP_FILE
    text = path.read_text(encoding="utf-8")
    changed = text.replace(",0301,Oslo-Oslove,2020,693494,", ",0301,Oslo-Oslove,2020,693495,")
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    after = load("population")
    pick = "region == '0301' and year == 2020"
    assert before.query(pick)["value"].iloc[0] == 693_494
    assert after.query(pick)["value"].iloc[0] == 693_495
    assert len(_parquets(tmp_cache, "population")) == 1, "the stale cache file is removed"


def test_corrupt_cache_is_rebuilt_with_a_warning(own_raw: Path, tmp_cache: Path) -> None:
    good = load("population")
    (target,) = _parquets(tmp_cache, "population")
    target.write_bytes(b"PAR1 this is not parquet")
    with pytest.warns(CacheRebuiltWarning, match="unusable"):
        again = load("population")
    pd.testing.assert_frame_equal(again, good)
    assert pd.read_parquet(target).shape == good.shape


def test_cache_that_fails_its_schema_is_rebuilt(own_raw: Path, tmp_cache: Path) -> None:
    good = load("population")
    (target,) = _parquets(tmp_cache, "population")
    bad = good.assign(value=-good["value"])
    _write_parquet(bad, target)  # properly signed: the schema is the second line of defence
    with pytest.warns(CacheRebuiltWarning, match="negative"):
        again = load("population")
    pd.testing.assert_frame_equal(again, good)


def test_missing_raw_file_is_a_clear_error(own_raw: Path) -> None:
    (own_raw / POP_FILE).unlink()
    with pytest.raises(Exception, match="raw file missing"):
        load("population")


def test_atomic_write_leaves_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "table.bin"
    atomic_write_bytes(target, b"good")

    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["table.bin"], "no temporary file left behind"


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_atomic_write_respects_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        atomic_write_bytes(tmp_path / "index.html", b"<html></html>")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "index.html").stat().st_mode) == 0o666 & ~umask
