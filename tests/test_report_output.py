"""The report folder a run owns: lock, staging folder, atomic swap, nothing of others lost."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from ptvlib.basics.exceptions import WorkspaceError
from ptvlib.report.output import ReportFolder, check_writable_folder
from ptvlib.report.runner import read_sidecar


def _previous_report(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "results.json").write_text('{"run_id": "earlier"}')
    (folder / "index.html").write_text("earlier report")
    (folder / "05_assessment_summary.json").write_text('{"headlines": [{"verdict": "decrease"}]}')


def test_the_previous_report_stays_until_the_new_one_is_published(tmp_path: Path) -> None:
    _previous_report(tmp_path / "2024")
    with ReportFolder(tmp_path, "2024") as run:
        assert run.staging.is_dir() and run.staging.parent == tmp_path
        assert list(run.staging.iterdir()) == [], "the run starts from an empty folder"
        (run.staging / "index.html").write_text("new report")
        assert (tmp_path / "2024" / "index.html").read_text() == "earlier report"
        run.publish()
    assert (tmp_path / "2024" / "index.html").read_text() == "new report"
    assert not (tmp_path / "2024" / "05_assessment_summary.json").exists(), "nothing stale stays"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2024.ptv-lock", "2024"]


def test_a_run_that_does_not_publish_leaves_the_previous_report_as_it_was(tmp_path: Path) -> None:
    _previous_report(tmp_path / "2024")
    before = {p.name: p.read_bytes() for p in (tmp_path / "2024").iterdir()}
    with pytest.raises(KeyboardInterrupt), ReportFolder(tmp_path, "2024") as run:
        (run.staging / "index.html").write_text("half a report")
        (run.work / "own_data.parquet").write_bytes(b"police data")
        raise KeyboardInterrupt
    assert {p.name: p.read_bytes() for p in (tmp_path / "2024").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2024.ptv-lock", "2024"]


def test_a_second_run_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    with ReportFolder(tmp_path, "2024") as first:
        with pytest.raises(WorkspaceError, match=rf"another ptv report \(pid {os.getpid()} on "):
            ReportFolder(tmp_path, "2024").__enter__()
        assert first.staging.is_dir(), "the refused run touched nothing of the first"
        with ReportFolder(tmp_path, "2023"):  # another year is another report
            pass
    with ReportFolder(tmp_path, "2024"):  # released at the end
        pass


def test_a_lock_left_by_a_dead_run_is_not_stale(tmp_path: Path) -> None:
    """The lock file stays, but the lock died with its holder; its leftovers are removed."""
    dead = {"pid": 999_999_999, "host": "x", "started": "2026-01-01T00:00:00+00:00"}
    (tmp_path / ".2024.ptv-lock").write_text(json.dumps(dead))
    leftover = tmp_path / ".2024.ptv-run-20260101T000000Z-999999999-abcdef"
    leftover.mkdir()
    (leftover / "03_funding_effect.json").write_text("{}")
    work = tmp_path / ".2024.ptv-work-20260101T000000Z-999999999-abcdef"
    work.mkdir()
    with ReportFolder(tmp_path, "2024") as run:
        assert not leftover.exists() and not work.exists()
        info = json.loads((tmp_path / ".2024.ptv-lock").read_text())
        assert info["pid"] == os.getpid() and info["run_id"] == run.run_id


def test_a_folder_that_is_not_a_report_is_never_replaced(tmp_path: Path) -> None:
    mine = tmp_path / "2024"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    with pytest.raises(WorkspaceError, match="is not a ptv report"):
        ReportFolder(tmp_path, "2024").__enter__()
    assert (mine / "notes.txt").read_text() == "my notes"
    (tmp_path / "2023").write_text("a file")
    with pytest.raises(WorkspaceError, match="is a file"):
        ReportFolder(tmp_path, "2023").__enter__()


def test_out_must_be_a_writable_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(WorkspaceError, match="is a file; allowed: a folder"):
        check_writable_folder(tmp_path / "file", "--out")
    with pytest.raises(WorkspaceError, match="is not writable"):
        check_writable_folder(tmp_path / "file" / "sub", "--out")
    assert check_writable_folder(tmp_path / "new" / "deeper", "--out").is_dir()


def test_folders_and_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with ReportFolder(tmp_path, "2024") as run:
            assert stat.S_IMODE(run.work.stat().st_mode) == 0o700, "own data stays private"
            run.publish()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "2024").stat().st_mode) == 0o755


def test_sidecars_of_another_run_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "05_x.json").write_text(json.dumps({"run_id": "earlier", "headlines": []}))
    assert read_sidecar(tmp_path, "05_x") is not None
    assert read_sidecar(tmp_path, "05_x", run_id="earlier") is not None
    assert read_sidecar(tmp_path, "05_x", run_id="this-run") is None
    (tmp_path / "05_y.json").write_text("{not json")
    assert read_sidecar(tmp_path, "05_y") is None


def test_own_data_is_validated_once_and_handed_over_unchanged(tmp_path: Path) -> None:
    """The kernels read the parent's validated parquet and get the very same rows."""
    import pandas as pd

    from ptvlib.assessment.params import Params
    from ptvlib.data.demo import demo_own_data
    from ptvlib.data.own import load_own
    from ptvlib.report.runner import _stage_own_data

    csv = demo_own_data(tmp_path / "export.csv")
    work = tmp_path / "work"
    work.mkdir(mode=0o700)
    staged = _stage_own_data(Params(own_data=str(csv)), work)
    assert Path(staged).parent == work and staged.endswith(".parquet")
    pd.testing.assert_frame_equal(load_own(staged), load_own(csv))
    assert set(load_own(staged)["source"]) == set(load_own(csv)["source"]), "the file is named"
    # months (for the time series) still come from the source; the mapping is kept
    pd.testing.assert_frame_equal(
        load_own(staged, frequency="month"), load_own(csv, frequency="month")
    )
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(
        csv.read_text(encoding="utf-8").replace("region,", "Sone,", 1), encoding="utf-8"
    )
    mapped = Params(own_data=str(renamed), own_columns=["Sone=region"])
    pd.testing.assert_frame_equal(
        load_own(_stage_own_data(mapped, work)).drop(columns="source"),
        load_own(csv).drop(columns="source"),
    )
