"""Caches are verified: a flipped byte is rebuilt, a planted pickle never runs, the key is private."""

from __future__ import annotations

import io
import os
import pickle
import shutil
import stat
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from ptvlib.assessment import outcome
from ptvlib.assessment.outcome_results import OutcomeAssessment
from ptvlib.assessment.params import validate_params
from ptvlib.basics import config, signed_cache
from ptvlib.basics.exceptions import ParameterError
from ptvlib.data import catalog
from ptvlib.data.loading import CacheRebuiltWarning, load
from ptvlib.data.schema import coerce, validate


@pytest.fixture
def own_raw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_cache: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(config.PROJECT_DIR / "data" / "raw", data / "raw")
    monkeypatch.setenv("PTV_DATA_DIR", str(data))
    return data / "raw"


@pytest.fixture
def fresh_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A settings folder of its own, so the test sees the key being created."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.delenv("PTV_CACHE_KEY", raising=False)
    return home / "ptv-analyse" / "cache.key"


def _silent_flip(data: bytes, schema: object, good: pd.DataFrame) -> bytes:
    """A copy of *data* with one bit flipped in the ``value`` column that still reads and
    still passes the table's schema, but holds other numbers: what a checksum must catch."""
    meta = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(0)
    col = next(
        meta.column(i) for i in range(meta.num_columns) if meta.column(i).path_in_schema == "value"
    )
    start = col.dictionary_page_offset or col.data_page_offset
    for pos in range(start + col.total_compressed_size // 2, start + col.total_compressed_size):
        for bit in (0x40, 0x10, 0x04, 0x01):
            flipped = bytearray(data)
            flipped[pos] ^= bit
            try:
                bad = pd.read_parquet(io.BytesIO(bytes(flipped)))
                if bad.equals(good):
                    continue
                validate(coerce(bad, schema), schema)  # type: ignore[arg-type]
            except Exception:
                continue
            return bytes(flipped)
    raise AssertionError("no silent one-bit corruption found")


def test_one_flipped_byte_is_noticed_and_the_table_rebuilt(own_raw: Path, tmp_cache: Path) -> None:
    good = load("population")
    (target,) = sorted((tmp_cache / "tables").glob("population-*.parquet"))
    schema = catalog.get("population").schema
    corrupted = _silent_flip(target.read_bytes(), schema, pd.read_parquet(target))
    target.write_bytes(corrupted)
    # Without the signature this file would be read and pass validation with other numbers.
    assert not pd.read_parquet(target).equals(good)
    with pytest.warns(CacheRebuiltWarning, match="do not match its signature"):
        again = load("population")
    pd.testing.assert_frame_equal(again, good)
    assert target.read_bytes() != corrupted
    assert signed_cache.read_verified(target) == target.read_bytes()


def test_a_table_without_signature_is_rebuilt(own_raw: Path, tmp_cache: Path) -> None:
    good = load("population")
    (target,) = sorted((tmp_cache / "tables").glob("population-*.parquet"))
    planted = good.assign(value=good["value"] * 2)
    planted.to_parquet(target, index=False)  # a valid table, but not written by ptvlib
    signed_cache.signature_path(target).unlink()
    with pytest.warns(CacheRebuiltWarning, match="has no signature"):
        again = load("population")
    pd.testing.assert_frame_equal(again, good)


class _Payload:
    """Unpickling this writes a marker file: proof that the pickle was executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


@pytest.fixture
def small_params() -> object:
    return validate_params(offence_groups=["violence"])


def test_a_planted_pickle_in_the_assessment_cache_is_never_unpickled(
    tmp_cache: Path, tmp_path: Path, small_params: object
) -> None:
    marker = tmp_path / "executed"
    path = outcome._assess_cache_path(small_params, "violence", 99, 2018)  # type: ignore[arg-type]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(_Payload(marker)))
    for other in ("total-0123456789abcdef01234567.pkl", "x.pkl"):  # and beside it
        (path.parent / other).write_bytes(pickle.dumps(_Payload(marker)))
    result = outcome.assess_outcome(small_params, "violence", bootstrap=99)  # type: ignore[arg-type]
    assert not marker.exists(), "the planted pickle was executed"
    assert isinstance(result, OutcomeAssessment)
    # The planted file was replaced by a signed result, which is reused from now on.
    assert path.read_bytes().startswith(b"ptv-signed-v1 ")
    again = signed_cache.load_pickle(path, OutcomeAssessment)
    assert again is not None and again.combined == result.combined
    assert not marker.exists()


def test_a_signed_assessment_is_reused_and_a_tampered_one_is_not(
    tmp_cache: Path, small_params: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = outcome.assess_outcome(small_params, "violence", bootstrap=99)  # type: ignore[arg-type]
    path = outcome._assess_cache_path(small_params, "violence", 99, 2018)  # type: ignore[arg-type]
    calls = []
    real = outcome._assess_outcome

    def counting(*args: object, **kwargs: object) -> OutcomeAssessment:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(outcome, "_assess_outcome", counting)
    outcome.assess_outcome(small_params, "violence", bootstrap=99)  # type: ignore[arg-type]
    assert calls == [], "a valid signed cache entry is reused"
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01
    path.write_bytes(bytes(data))
    again = outcome.assess_outcome(small_params, "violence", bootstrap=99)  # type: ignore[arg-type]
    assert calls == [1], "a changed byte makes the entry untrusted: recomputed"
    assert again.combined == first.combined


def test_a_signed_file_copied_to_another_entry_does_not_verify(tmp_path: Path) -> None:
    a, b = tmp_path / "violence-aaa.pkl", tmp_path / "drugs-bbb.pkl"
    signed_cache.dump_pickle(a, {"group": "violence"})
    shutil.copyfile(a, b)
    assert signed_cache.load_pickle(a, dict) == {"group": "violence"}
    assert signed_cache.load_pickle(b, dict) is None
    assert not b.exists(), "the rejected file is removed"


def test_the_key_is_created_private_outside_the_cache(fresh_key: Path, tmp_cache: Path) -> None:
    assert not fresh_key.exists()
    key = signed_cache.installation_key()
    assert len(key) == 32 and fresh_key.exists()
    assert stat.S_IMODE(fresh_key.stat().st_mode) == 0o600
    assert stat.S_IMODE(fresh_key.parent.stat().st_mode) == 0o700
    assert not fresh_key.resolve().is_relative_to(config.cache_dir().resolve())
    signed_cache._KEYS.clear()  # another process reads the same key
    assert signed_cache.installation_key() == key


def test_a_key_others_can_read_is_refused(
    fresh_key: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_cache.installation_key()
    signed_cache._KEYS.clear()
    os.chmod(fresh_key, 0o644)
    with pytest.warns(signed_cache.CacheKeyWarning, match="mode 0644"):
        key = signed_cache.installation_key()
    assert key != bytes.fromhex(fresh_key.read_text().strip())
    # With the refused key nothing signed earlier verifies: caches rebuild, never trust.
    signed_cache._KEYS.clear()


def test_cache_key_from_the_environment(
    fresh_key: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTV_CACHE_KEY", "shared secret of the team cache")
    signed_cache.write_signed(tmp_path / "x.bin", b"payload")
    assert signed_cache.read_signed(tmp_path / "x.bin") == b"payload"
    assert not fresh_key.exists(), "no key file when PTV_CACHE_KEY is set"
    monkeypatch.setenv("PTV_CACHE_KEY", "another secret of the team cache")
    with pytest.raises(signed_cache.Rejected):
        signed_cache.read_signed(tmp_path / "x.bin")
    monkeypatch.setenv("PTV_CACHE_KEY", "short")
    with pytest.raises(ParameterError, match="PTV_CACHE_KEY is 5 characters long"):
        signed_cache.installation_key()
