"""``ptv``: one-line errors with the documented exit codes, never a traceback; checked options."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from _procs import obey_file_permissions, ptv

from ptvlib import cli
from ptvlib.basics import config
from ptvlib.report.runner import notebooks

N_NOTEBOOKS = len(notebooks())


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["report", "--help"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
        out = capsys.readouterr().out
        assert "exit codes:" in out
        for code in (0, 1, 2, 3, 4, 130):
            assert f"  {code} " in out
    readme = (config.PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    for code, text in cli.EXIT_CODES.items():
        assert f"| {code} |" in readme, f"exit code {code} ({text}) is not in the README"


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("--jobs", "0", f"allowed: 1 … {N_NOTEBOOKS}"),
        ("--jobs", "-3", f"allowed: 1 … {N_NOTEBOOKS}"),
        ("--timeout", "0", "allowed: seconds > 0"),
        ("--timeout", "-5", "allowed: seconds > 0"),
    ],
)
def test_jobs_and_timeout_are_checked(
    option: str, value: str, allowed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(["report", "--out", str(tmp_path), option, value], capsys)
    line = _one_error_line(err)
    assert code == 2 and f"{option} {value} is not allowed" in line and allowed in line
    assert list(tmp_path.iterdir()) == [], "nothing written"


def test_a_duplicate_parameter_names_both_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["report", "--out", str(tmp_path), "-p", "year", "2023", "-p", "year", "2024"]
    code, err = _run(argv, capsys)
    line = _one_error_line(err)
    assert code == 2 and "'year' is given twice" in line and "'2023'" in line and "'2024'" in line
    code, err = _run(["params", "--check", "--year", "2024", "-p", "year", "2022"], capsys)
    assert code == 2 and "--year 2024 and -p year '2022'" in _one_error_line(err)


def test_a_huge_value_is_not_echoed_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = "x" * 100_000
    code, err = _run(["report", "--out", str(tmp_path), "-p", "treated_region", huge], capsys)
    line = _one_error_line(err)
    assert code == 2 and "100,000 characters long" in line and len(line) < 300
    # A value under the limit that a check echoes is still cut in the message.
    code, err = _run(["params", "--check", "-p", "comparison", "y" * 3000], capsys)
    line = _one_error_line(err)
    assert code == 2 and "comparison=" in line and len(line) <= 420


def test_a_params_file_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "params.yaml"
    bad.write_bytes("year: 2024\ncomparison: storbyer – \xe5\n".encode("cp1252"))
    code, err = _run(["report", "--out", str(tmp_path / "out"), "-f", str(bad)], capsys)
    line = _one_error_line(err)
    assert code == 2 and "is not UTF-8 text (byte 0x96 at position" in line
    code, err = _run(["params", "--check", "-f", str(tmp_path)], capsys)
    assert code == 2 and "is a folder" in _one_error_line(err)


def test_out_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "reports").write_text("not a folder")
    code, err = _run(["report", "--out", str(tmp_path / "reports")], capsys)
    assert code == 4 and "is a file; allowed: a folder" in _one_error_line(err)


def test_a_missing_raw_file_during_validation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(config.PROJECT_DIR / "data" / "raw", data / "raw")
    monkeypatch.setenv("PTV_DATA_DIR", str(data))
    (gone,) = (data / "raw").glob("population_*/locations_names_b2024.csv")
    gone.unlink()
    from ptvlib.data import regions

    for fn in vars(regions).values():  # memoised lookups must read the files again
        if hasattr(fn, "cache_clear"):
            fn.cache_clear()
    code, err = _run(["report", "--out", str(tmp_path / "out"), "--year", "2024"], capsys)
    line = _one_error_line(err)
    assert code == 4 and "raw data file missing" in line and "locations_names_b2024.csv" in line
    assert not (tmp_path / "out" / "2024").exists()


def test_no_notebooks_is_an_error_not_an_empty_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PTV_NOTEBOOKS_DIR", str(tmp_path / "empty"))
    code, err = _run(["report", "--out", str(tmp_path / "out"), "--year", "2024"], capsys)
    line = _one_error_line(err)
    assert code == 4 and "no notebooks (NN_*.ipynb)" in line and "PTV_NOTEBOOKS_DIR" in line
    assert not (tmp_path / "out").exists()
    code, err = _run(["params"], capsys)
    assert code == 4 and "no notebooks" in _one_error_line(err)


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder outside pytest's private tmp tree (the child may lose root's overrides)."""
    path = Path(tempfile.mkdtemp(prefix="ptv-perm-"))
    try:
        yield path
    finally:
        for p in [path, *path.rglob("*")]:
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)
        shutil.rmtree(path, ignore_errors=True)


def _read_only(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for p in [*path.rglob("*"), path]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    return path


def test_out_not_writable_through_a_real_subprocess(open_dir: Path) -> None:
    out = _read_only(open_dir / "reports")
    proc = ptv(
        ["report", "--out", str(out), "--year", "2024"], cwd=open_dir, preexec=obey_file_permissions
    )
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 4, proc.stderr
    assert "is not writable (Permission denied)" in _one_error_line(proc.stderr)
    assert stat.S_IMODE(out.stat().st_mode) == 0o555 and list(out.iterdir()) == []


def test_a_read_only_cache_that_must_be_rebuilt(open_dir: Path) -> None:
    cache = open_dir / "cache"
    (cache / "tables").mkdir(parents=True)
    (cache / "tables" / "population-0123456789abcdef0123.parquet").write_bytes(b"PAR1 damaged")
    _read_only(cache)
    env = {"PTV_CACHE_DIR": str(cache)}
    proc = ptv(
        ["report", "--out", str(open_dir / "out"), "--year", "2024"],
        cwd=open_dir,
        env=env,
        preexec=obey_file_permissions,
    )
    assert proc.returncode == 4, proc.stderr
    line = _one_error_line(proc.stderr)
    assert "PTV_CACHE_DIR=" in line and "is not writable" in line
    # The library says the same where a table must be rebuilt (here: `ptv data info`).
    proc = ptv(["data", "info", "population"], cwd=open_dir, env=env, preexec=obey_file_permissions)
    assert proc.returncode == 4 and "Traceback" not in proc.stderr, proc.stderr
    assert "set PTV_CACHE_DIR to a writable folder" in _one_error_line(proc.stderr)


def test_relative_paths_in_the_environment_are_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PTV_CACHE_DIR", "relcache")
    monkeypatch.setenv("PTV_OWN_DATA", "~/export.csv")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    env = config.resolved_path_env()
    assert env["PTV_CACHE_DIR"] == str(tmp_path.resolve() / "relcache")
    assert env["PTV_OWN_DATA"] == str((tmp_path / "home").resolve() / "export.csv")
    assert config.own_data_path() == (tmp_path / "home").resolve() / "export.csv"
    assert os.path.isabs(env["PTV_CACHE_DIR"])


def test_region_codes_in_a_params_file_stay_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """YAML 1.1 would read 0301 as the octal number 193."""
    path = tmp_path / "params.yaml"
    path.write_text("year: 2024\ntreated_region: 0301\nn_large: 12\n", encoding="utf-8")
    assert cli.main(["params", "--check", "-f", str(path)]) == 0
    out = capsys.readouterr().out
    assert "treated_region = '0301'" in out and "n_large = 12" in out
