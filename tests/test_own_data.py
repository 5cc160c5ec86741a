"""An analyst's own export: accepted formats and row-level errors that name row, column and value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ptvlib.basics.exceptions import OwnDataError
from ptvlib.data.own import OWN_DATA_SCHEMA, load_own
from ptvlib.data.schema import validate

GOOD = """region,year,indicator,offence_group,value,unit
030115,2017,cases,total,410,count
030115,2018,cases,total,455,count
030112,2017,seizures,drugs,38,count
holmlia,2018,confiscated_nok,total,120000,NOK
"""


def _write(tmp_path: Path, text: str, name: str = "own.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_csv_is_read_with_defaults(tmp_path: Path) -> None:
    text = GOOD.replace("holmlia,2018", "holmlia,2018").replace("\nholmlia", "\nholmlia")
    text = text.replace(
        "region,year,indicator,offence_group,value,unit",
        "region,year,indicator,offence_group,value,unit,level",
    )
    rows = text.strip().split("\n")
    rows = [rows[0]] + [r + ("," if not r.startswith("holmlia") else ",area") for r in rows[1:]]
    frame = load_own(_write(tmp_path, "\n".join(rows) + "\n"))
    validate(frame, OWN_DATA_SCHEMA)
    assert frame["level"].tolist() == ["bydel", "bydel", "bydel", "area"]
    assert frame["region_name"].iloc[0] == "Søndre Nordstrand"
    assert frame["period"].tolist() == ["2017", "2018", "2017", "2018"]
    assert frame["value"].tolist() == [410, 455, 38, 120_000]


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_excel_and_parquet_are_read_like_csv(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame(
        {
            "region": ["030115", "030115"],
            "year": [2017, 2018],
            "indicator": ["cases"] * 2,
            "value": [410, 455],
        }
    )
    path = tmp_path / f"own{suffix}"
    if suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    got = load_own(path)
    assert got["value"].tolist() == [410.0, 455.0]
    assert got["year"].tolist() == [2017, 2018]


@pytest.mark.parametrize(
    ("bad_line", "pattern"),
    [
        (
            "030115,2019,cases,total,-3,count",
            r"row 4, column 'value': value '-3' — expected a count >= 0",
        ),
        ("030115,2018,cases,total,12,count", r"rows 3, 4: duplicate key"),
        (
            "030115,2019,cases,total,many,count",
            r"row 4, column 'value': value 'many' — expected a number",
        ),
        (
            "9999,2019,cases,total,5,count",
            r"row 4, column 'region': value '9999' — expected a known code",
        ),
        (
            "030115,19x9,cases,total,5,count",
            r"row 4, column 'year': value '19x9' — expected a whole year",
        ),
        (
            "030115,2019,cases,total,5,litres",
            r"row 4, column 'unit': value 'litres' — expected one of",
        ),
    ],
)
def test_bad_row_is_named(tmp_path: Path, bad_line: str, pattern: str) -> None:
    text = "region,year,indicator,offence_group,value,unit\n030115,2017,cases,total,410,count\n"
    text += "030115,2018,cases,total,455,count\n" + bad_line + "\n"
    path = _write(tmp_path, text)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(OwnDataError, match=pattern) as err:
        load_own(path)
    assert len(err.value.problems) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "nothing written"


def test_missing_column_lists_required_ones(tmp_path: Path) -> None:
    path = _write(tmp_path, "region,year,value\n030115,2017,4\n")
    with pytest.raises(
        OwnDataError,
        match=r"missing required column\(s\) \['indicator'\]; required: \['region', 'year', 'indicator', 'value'\]",
    ):
        load_own(path)


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    text = "region,year,indicator,value\n030115,2017,cases,-1\n030115,2018,cases,x\n0000x,2019,cases,1\n"
    with pytest.raises(OwnDataError) as err:
        load_own(_write(tmp_path, text))
    rows = sorted({p.split(",")[0] for p in err.value.problems})
    assert rows == ["row 2", "row 3", "row 4"]


def test_missing_file_and_unsupported_type(tmp_path: Path) -> None:
    with pytest.raises(OwnDataError, match="does not exist"):
        load_own(tmp_path / "nope.csv")
    with pytest.raises(
        OwnDataError, match=r"file type '.json' is not supported; allowed: .csv, .xlsx, .parquet"
    ):
        load_own(_write(tmp_path, "{}", "own.json"))
