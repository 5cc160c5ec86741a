"""Parameters: every bad value is rejected before any kernel starts, with a message that helps."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from ptvlib import cli
from ptvlib.assessment.params import Params, parse_cli_value, validate_params
from ptvlib.basics.exceptions import OwnDataError, ParameterError
from ptvlib.data.demo import demo_own_data
from ptvlib.report import runner as report


@pytest.fixture
def no_kernels(monkeypatch: pytest.MonkeyPatch) -> list:
    """Fail the test if the report runner is reached (validation must stop first)."""
    calls: list = []

    def fake_run_report(*args, **kwargs):
        calls.append((args, kwargs))
        raise AssertionError("run_report was called although the parameters are bad")

    monkeypatch.setattr(report, "run_report", fake_run_report)
    return calls


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--year", "1990"], "year=1990 is outside the data; allowed: 2012 … 2024"),
        (["-p", "treated_region", "9999"], "treated_region='9999' is not a known region code"),
        (["-p", "comparison", "foo"], "comparison='foo' is not allowed; allowed: large_cities"),
        (
            ["-p", "start_year", "2030"],
            "start_year=2030 is not allowed with year=2024; allowed: 2011 … 2023",
        ),
        (["-p", "lang", "de"], "lang='de' is not allowed; allowed: nb, en"),
        (
            ["-p", "offence_groups", "violence,murder"],
            "offence_groups=['violence', 'murder'] is not allowed",
        ),
        (["-p", "year", "twenty"], "year='twenty' is not an int"),
        (["-p", "colour", "red"], "unknown parameter 'colour'"),
        (
            ["-p", "own_data", "/nonexistent/file.csv"],
            "own_data='/nonexistent/file.csv' does not exist",
        ),
        (["-p", "treated_areas", "030115"], "treated_areas=['030115'] needs own_data"),
        (["-p", "own_columns", "Bydel=region"], "own_columns=['Bydel=region'] needs own_data"),
        (
            ["-p", "funding_data", "/nonexistent/funding.csv"],
            "funding_data='/nonexistent/funding.csv' does not exist",
        ),
    ],
)
def test_bad_parameter_is_rejected_before_kernels(
    argv: list[str], message: str, no_kernels: list, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["report", *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert not no_kernels


def test_yaml_with_a_wrong_type(
    tmp_path: Path, no_kernels: list, capsys: pytest.CaptureFixture[str]
) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("year: 2024\nstart_year: 'twenty eighteen'\n", encoding="utf-8")
    assert cli.main(["report", "-f", str(params)]) == 2
    assert "start_year='twenty eighteen' has type str; expected int" in capsys.readouterr().err
    params.write_text("year: [2024\n", encoding="utf-8")
    assert cli.main(["report", "-f", str(params)]) == 2
    assert "is not valid YAML" in capsys.readouterr().err
    assert not no_kernels


def test_own_data_that_fails_validation(
    tmp_path: Path, no_kernels: list, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "own.csv"
    bad.write_text("region,year,indicator,value\n030115,2019,cases,-4\n", encoding="utf-8")
    assert cli.main(["report", "-p", "own_data", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"own_data={str(bad)!r} failed validation" in err
    assert "column 'value': 1 row(s) — expected a count >= 0; row 2 ('-4')" in err
    assert not no_kernels


def test_cli_rejects_fast_as_a_real_process() -> None:
    """The installed command, as a user runs it: exit code 2 without starting papermill."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "ptvlib.cli", "report", "--year", "1990"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "year=1990 is outside the data" in proc.stderr
    assert "Executing" not in proc.stderr
    assert (
        time.perf_counter() - started < 60
    )  # generous; a kernel start alone would not fit the point


def test_valid_params_round_trip(tmp_path: Path) -> None:
    own = demo_own_data(tmp_path / "demo.csv")
    p = validate_params(
        year=2023, start_year=2018, own_data=str(own), treated_areas=["030115"], lang="en"
    )
    assert isinstance(p, Params) and p.year == 2023 and p.treated_areas == ["030115"]
    with pytest.raises(ParameterError, match=r"treated_areas=\['9'\]: \['9'\] not in own_data"):
        validate_params(own_data=str(own), treated_areas=["9"])
    bad = tmp_path / "bad.csv"
    bad.write_text("region,year,indicator,value\n030115,x,cases,1\n", encoding="utf-8")
    with pytest.raises(OwnDataError, match="failed validation"):
        validate_params(own_data=str(bad))


def test_own_columns_map_the_analysts_headers(tmp_path: Path) -> None:
    own = tmp_path / "export.csv"
    own.write_text("Sone;Jahr;Zahl\n030115;2019;120\n030101;2019;80\n", encoding="utf-8")
    with pytest.raises(OwnDataError, match="missing required column"):
        validate_params(own_data=str(own))
    mapping = parse_cli_value("own_columns", "Sone=region,Jahr=year,Zahl=value")
    p = validate_params(own_data=str(own), own_columns=mapping, treated_areas=["030115"])
    assert p.own_column_map() == {"Sone": "region", "Jahr": "year", "Zahl": "value"}
    with pytest.raises(ParameterError, match=r"'Sone' is not HEADER=field"):
        validate_params(own_data=str(own), own_columns=["Sone", "Jahr=year"])
    with pytest.raises(ParameterError, match="Zahl"):
        validate_params(own_data=str(own), own_columns=["Sone=region", "Zahl=colour"])


def test_funding_data_is_validated_before_kernels(tmp_path: Path) -> None:
    good = tmp_path / "funding.csv"
    good.write_text("Bydel;År;Beløp\nSøndre Nordstrand;2018;30\n", encoding="utf-8")
    assert validate_params(funding_data=str(good)).funding_data == str(good)
    bad = tmp_path / "bad.csv"
    bad.write_text("Bydel;År;Beløp\nAtlantis;2018;-3\n", encoding="utf-8")
    with pytest.raises(OwnDataError, match=f"funding_data={str(bad)!r} failed validation"):
        validate_params(funding_data=str(bad))


def test_parse_cli_value_types() -> None:
    assert parse_cli_value("offence_groups", '["violence", "drugs"]') == ["violence", "drugs"]
    assert parse_cli_value("n_large", "5") == 5
    assert parse_cli_value("lang", "en") == "en"
    with pytest.raises(ParameterError, match="is not a JSON list"):
        parse_cli_value("offence_groups", "[violence")


def test_ptv_params_lists_every_parameter_with_type_and_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["params"]) == 0
    out = capsys.readouterr().out
    for name, kind, used_by in [
        ("year", "int", "01,02,03,04,05"),
        ("lang", "str", "01,02,03,04,05"),
        ("treated_region", "str", "01,02,03,05"),
        ("offence_groups", "list[str]", "02,03,05"),
        ("own_data", "str", "06"),
        ("treatment_schedule", "list[str]", "06"),
    ]:
        line = next(ln for ln in out.splitlines() if ln.startswith(name + " "))
        assert kind in line and used_by in line
    assert "assessment year" in out
    assert cli.main(["params", "--check", "-p", "start_year", "2017", "--lang", "en"]) == 0
    assert "start_year = 2017" in capsys.readouterr().out


def test_ptv_own_data_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = demo_own_data(tmp_path / "demo.csv")
    monkeypatch.setenv("PTV_OWN_DATA", str(own))
    assert validate_params().own_data == str(own)
    assert validate_params(own_data="").own_data == str(own)
    monkeypatch.setenv("PTV_OWN_DATA", str(tmp_path / "missing.csv"))
    with pytest.raises(ParameterError, match="missing.csv' does not exist"):
        validate_params()


def test_excluded_regions_are_validated() -> None:
    from ptvlib.assessment.exclusions import DEFAULT_EXCLUDED

    assert validate_params().excluded_regions == list(DEFAULT_EXCLUDED)
    assert validate_params(excluded_regions=[]).excluded_regions == []
    with pytest.raises(ParameterError, match=r"excluded_regions=\['9999'\].*not municipalities"):
        validate_params(excluded_regions=["9999"])
    with pytest.raises(ParameterError, match="contains the treated region '0301'"):
        validate_params(excluded_regions=["0301"])
    with pytest.raises(ParameterError, match="excluded_regions=.*expected list of str"):
        validate_params(excluded_regions="3209")
