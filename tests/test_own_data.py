"""An analyst's own export as analysts have it: every format loads the same numbers as the
plain UTF-8 CSV of the same rows; names become codes; months become years; problems are
grouped by kind; numbers with thousands separators are read or rejected, never misread.

The rows are SYNTHETIC TEST VALUES (invented counts for real bydel names and codes).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ptvlib.basics.exceptions import OwnDataError, ParameterError
from ptvlib.data import own_store
from ptvlib.data.own import OWN_DATA_SCHEMA, load_own, write_validated
from ptvlib.data.own_funding import load_funding
from ptvlib.data.own_store import OwnDataStampWarning
from ptvlib.data.own_template import write_template
from ptvlib.data.schema import validate

#: (code, name as an export might write it, year, indicator, group, value)
ROWS = [
    ("030115", "Søndre Nordstrand", 2017, "cases", "total", 12345.5),
    ("030115", "Søndre Nordstrand", 2018, "cases", "total", 455.0),
    ("030102", "Grünerløkka", 2017, "seizures", "Rusmiddellovbrudd", 38.0),
    ("030113", "Østensjø", 2018, "confiscated_nok", "total", 1234567.25),
    ("030104", "St. Hanshaugen", 2018, "cases", "Vold og mishandling", 7.0),
]
COMPARE = ["region", "region_name", "level", "period", "year", "month", "period_years",
           "indicator", "offence_group", "value", "unit", "status"]  # fmt: skip


def _write(tmp_path: Path, text: str, name: str = "own.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def plain(tmp_path: Path) -> pd.DataFrame:
    """The reference: canonical headers, codes, '.' decimals, UTF-8, commas."""
    lines = ["region,year,indicator,offence_group,value"]
    lines += [f"{c},{y},{i},{g},{v!r}" for c, _, y, i, g, v in ROWS]
    return load_own(_write(tmp_path, "\n".join(lines) + "\n", "plain.csv"))


def _norwegian(value: float, thousands: str = " ") -> str:
    whole, _, frac = f"{value:,.2f}".partition(".")
    text = whole.replace(",", thousands)
    return text if frac == "00" else f"{text},{frac.rstrip('0')}"


def _export(sep: str, thousands: str = " ", names: bool = True) -> str:
    lines = [sep.join(["Bydel", "År", "Indikator", "Lovbruddsgruppe", "Antall"])]
    for code, name, y, ind, group, v in ROWS:
        region = f"Bydel {name}" if names else code
        lines.append(sep.join([region, str(y), ind, group, _norwegian(v, thousands)]))
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(
    ("sep", "encoding", "thousands", "name"),
    [
        (";", "utf-8-sig", " ", "excel_csv_utf8_bom.csv"),
        (";", "cp1252", " ", "excel_csv_windows1252.csv"),
        (";", "latin-1", "\u00a0", "latin1_nbsp.csv"),
        ("\t", "utf-16", "\u00a0", "excel_unicode_text.txt"),
        ("\t", "utf-8", "\u202f", "tabs_narrow_nbsp.tsv"),
        (";", "utf-8", ".", "dot_thousands.csv"),
        (",", "utf-8-sig", " ", "comma_delimited.csv"),
    ],
)
def test_every_csv_dialect_loads_the_same_numbers(tmp_path, plain, sep, encoding, thousands, name):
    text = _export(sep, thousands)
    if sep == ",":  # comma-delimited with decimal commas: Excel quotes the numbers
        lines = ["Bydel,År,Indikator,Lovbruddsgruppe,Antall"]
        for _, nm, y, ind, group, v in ROWS:
            lines.append(f'Bydel {nm},{y},{ind},{group},"{_norwegian(v, thousands)}"')
        text = "\r\n".join(lines) + "\r\n"
    got = load_own(_write(tmp_path, text, name, encoding))
    pd.testing.assert_frame_equal(got[COMPARE], plain[COMPARE])
    info = got.attrs["own_data"]
    assert info["delimiter"] == sep and info["columns"]["region"] == "Bydel"
    assert info["assumed"] == ["unit='count' for every row"]


def test_a_byte_order_mark_does_not_hide_the_first_header(tmp_path, plain):
    text = "\ufeffregion,year,indicator,offence_group,value\n" + "".join(
        f"{c},{y},{i},{g},{v!r}\n" for c, _, y, i, g, v in ROWS
    )
    got = load_own(_write(tmp_path, text))
    pd.testing.assert_frame_equal(got[COMPARE], plain[COMPARE])


def test_excel_first_sheet_named_sheet_and_title_rows(tmp_path, plain):
    data = pd.DataFrame(
        {
            "Bydel": [f"Bydel {r[1]}" for r in ROWS],
            "År": [r[2] for r in ROWS],
            "Indikator": [r[3] for r in ROWS],
            "Lovbruddsgruppe": [r[4] for r in ROWS],
            "Antall": [r[5] for r in ROWS],
        }
    )
    first = tmp_path / "first.xlsx"
    data.to_excel(first, index=False)
    pd.testing.assert_frame_equal(load_own(first)[COMPARE], plain[COMPARE])

    named = tmp_path / "report.xlsx"
    with pd.ExcelWriter(named) as xl:
        pd.DataFrame({"x": ["not this sheet"]}).to_excel(xl, sheet_name="Forside", index=False)
        title = pd.DataFrame([["Anmeldte lovbrudd etter bydel"], ["Uttrekk 2024-01-31"], [None]])
        title.to_excel(xl, sheet_name="Tall", index=False, header=False)
        data.to_excel(xl, sheet_name="Tall", index=False, startrow=4)
    got = load_own(named, sheet="Tall")
    pd.testing.assert_frame_equal(got[COMPARE], plain[COMPARE])
    assert got.attrs["own_data"]["header_row"] == "5"
    with pytest.raises(OwnDataError, match=r"has no sheet 'Data'; sheets: \['Forside', 'Tall'\]"):
        load_own(named, sheet="Data")


def test_excel_numbers_are_not_reread_as_text(tmp_path):
    """3.282 typed in Excel is a number; only text '3.282' is ambiguous."""
    path = tmp_path / "typed.xlsx"
    pd.DataFrame(
        {"region": ["030115"], "year": [2019], "value": [3.282], "unit": ["per_1000"]}
    ).to_excel(path, index=False)
    assert load_own(path)["value"].tolist() == [3.282]


def test_parquet_loads_the_same_numbers(tmp_path, plain):
    frame = pd.DataFrame(
        {
            "region": [r[0] for r in ROWS],
            "year": [r[2] for r in ROWS],
            "indicator": [r[3] for r in ROWS],
            "offence_group": [r[4] for r in ROWS],
            "value": [r[5] for r in ROWS],
        }
    )
    frame.to_parquet(tmp_path / "own.parquet", index=False)
    pd.testing.assert_frame_equal(load_own(tmp_path / "own.parquet")[COMPARE], plain[COMPARE])


# ------------------------------------------------------------------------ names → codes
def test_bydel_names_and_excel_trimmed_codes_become_codes(tmp_path):
    texts = ["SØNDRE NORDSTRAND", "sondre nordstrand", "Bydel Søndre Nordstrand", "15 Søndre Nordstrand",
             "St Hanshaugen", "Bydel St. Hanshaugen", "30115", "301", "Oslo", "Bærum kommune"]  # fmt: skip
    lines = ["Bydel;År;Antall"] + [f"{t};{2000 + i};{i}" for i, t in enumerate(texts)]
    got = load_own(_write(tmp_path, "\n".join(lines) + "\n"))
    assert got["region"].tolist() == ["030115"] * 4 + ["030104"] * 2 + [
        "030115",
        "0301",
        "0301",
        "3201",
    ]
    assert got["level"].tolist() == ["bydel"] * 7 + ["municipality"] * 3
    assert got["region_name"].tolist()[:2] == ["Søndre Nordstrand"] * 2


def test_an_ambiguous_or_unknown_name_is_an_error_naming_the_choices(tmp_path):
    text = "Bydel;År;Antall\nHerøy;2019;1\nHerøy;2020;2\nAtlantis;2019;3\nVåler;2019;4\n"
    with pytest.raises(OwnDataError) as err:
        load_own(_write(tmp_path, text))
    lines = err.value.problems
    ambiguous = next(p for p in lines if "unambiguous name" in p)
    assert "3 row(s)" in ambiguous and "'Herøy': ['1515', '1818']" in ambiguous
    assert "row 2 ('Herøy'), row 3 ('Herøy'), row 5 ('Våler')" in ambiguous
    unknown = next(p for p in lines if "a known code or name" in p)
    assert "1 row(s)" in unknown and "row 4 ('Atlantis')" in unknown


def test_own_areas_need_level_area(tmp_path):
    text = "region,level,year,indicator,value\nholmlia,area,2018,cases,12\n030115,,2018,cases,4\n"
    got = load_own(_write(tmp_path, text))
    assert got[["region", "level", "region_name"]].values.tolist() == [
        ["holmlia", "area", "holmlia"],
        ["030115", "bydel", "Søndre Nordstrand"],
    ]


# ---------------------------------------------------------------------- months → years
def _monthly(months: range, value=lambda m: m, year: int = 2016, fmt: str = "{y}-{m:02d}") -> str:
    lines = ["Bydel;Måned;Lovbruddsgruppe;Antall"]
    for g in ("Vold og mishandling", "Eiendomstyveri"):
        for m in months:
            lines.append(f"Gamle Oslo;{fmt.format(y=year, m=m)};{g};{value(m)}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "fmt",
    ["{y}-{m:02d}", "{y}M{m:02d}", "{m:02d}.{y}", "{y}-{m:02d}-15", "{m}/{y}"],
)
def test_monthly_rows_are_summed_to_years(tmp_path, fmt):
    got = load_own(_write(tmp_path, _monthly(range(1, 13), fmt=fmt)))
    assert got[
        ["region", "period", "year", "month", "offence_group", "value", "status"]
    ].values.tolist() == [
        ["030101", "2016", 2016, 0, "violence", 78.0, ""],
        ["030101", "2016", 2016, 0, "property_theft", 78.0, ""],
    ]
    assert got["indicator"].tolist() == ["reported_offences"] * 2  # the export has none


def test_month_names_and_separate_year_and_month_columns(tmp_path):
    names = [
        "jan",
        "februar",
        "mars",
        "apr",
        "mai",
        "juni",
        "jul",
        "aug",
        "sep",
        "okt",
        "nov",
        "des",
    ]
    lines = ["Bydel;År;Måned;Antall"] + [f"030115;2020;{n};{i + 1}" for i, n in enumerate(names)]
    got = load_own(_write(tmp_path, "\n".join(lines) + "\n"), frequency="month")
    assert got["period"].tolist() == [f"2020-{m:02d}" for m in range(1, 13)]
    assert got["month"].tolist() == list(range(1, 13)) and got["value"].tolist() == list(
        range(1, 13)
    )
    text = "\n".join(["Bydel;Periode;Antall"] + [f"030115;{n} 2020;1" for n in names]) + "\n"
    assert load_own(_write(tmp_path, text, "b.csv"))["value"].tolist() == [12.0]


def test_an_incomplete_year_is_missing_with_a_reason_not_a_smaller_sum(tmp_path):
    got = load_own(_write(tmp_path, _monthly(range(1, 8))))
    assert got["value"].isna().all()
    assert set(got["status"]) == {"incomplete year (7 of 12 months)"}
    monthly = load_own(_write(tmp_path, _monthly(range(1, 8)), "m.csv"), frequency="month")
    assert len(monthly) == 14 and monthly["value"].notna().all()


def test_quarters_are_summed_and_months_cannot_be_kept_from_quarters(tmp_path):
    text = "Bydel;Kvartal;Antall\n" + "".join(f"Alna;2019K{q};{q * 10}\n" for q in range(1, 5))
    path = _write(tmp_path, text)
    assert load_own(path)[["period", "value"]].values.tolist() == [["2019", 100.0]]
    with pytest.raises(OwnDataError, match=r"frequency='month' keeps monthly rows") as err:
        load_own(path, frequency="month")
    assert "4 row(s)" in err.value.problems[0]


def test_rates_are_not_summed_over_months(tmp_path):
    text = "Bydel;Måned;Antall;Enhet\n" + "".join(
        f"Alna;2019-{m:02d};1,5;per 1000\n" for m in range(1, 13)
    )
    with pytest.raises(OwnDataError, match="a unit that can be summed over months"):
        load_own(_write(tmp_path, text))
    assert load_own(_write(tmp_path, text, "b.csv"), frequency="month")[
        "unit"
    ].unique().tolist() == ["per_1000"]


# ----------------------------------------------------------- every indicator × group
def test_every_indicator_and_offence_group_is_returned(tmp_path):
    groups = ["total", "Vold og mishandling", "Rusmiddellovbrudd", "Narkotikabeslag (egen)"]
    lines = ["region,year,indicator,offence_group,value"]
    lines += [f"030115,2019,{i},{g},1" for i in ("cases", "prosecutions") for g in groups]
    got = load_own(_write(tmp_path, "\n".join(lines) + "\n"))
    pairs = set(zip(got["indicator"], got["offence_group"], strict=True))
    assert pairs == {
        (i, g)
        for i in ("cases", "prosecutions")
        for g in ("total", "violence", "drugs", "Narkotikabeslag (egen)")
    }


# ------------------------------------------------------------------- grouped problems
def test_problems_are_grouped_by_kind_with_counts_and_first_rows(tmp_path):
    """4 860 rows with three problems each: three lines, not 14 580."""
    rng = np.random.default_rng(7)
    lines = ["region;year;indicator;value"]
    lines += [f"Gotham;20x{i % 10};cases;{int(rng.integers(1, 9))},5.0" for i in range(4860)]
    with pytest.raises(OwnDataError) as err:
        load_own(_write(tmp_path, "\n".join(lines) + "\n"))
    message = str(err.value)
    assert "3 kind(s) of problem in 4,860 of 4,860 data rows" in message
    assert "columns found: ['region', 'year', 'indicator', 'value']" in message
    assert len(err.value.problems) == 3
    for line in err.value.problems:
        assert "4,860 row(s)" in line and "row 2 (" in line and line.endswith(", …")
    assert any("column 'region'" in p and "'Gotham'" in p for p in err.value.problems)
    assert any("column 'year'" in p and "'20x0'" in p for p in err.value.problems)
    assert any("column 'value'" in p and "a number" in p for p in err.value.problems)


def test_missing_columns_list_what_was_found_and_suggest_a_mapping(tmp_path):
    text = "Bydel;Måned;Lovbruddsgruppe;Tall\nAlna;2019-01;Vold og mishandling;4\n"
    with pytest.raises(OwnDataError) as err:
        load_own(_write(tmp_path, text))
    message = str(err.value)
    assert "missing required column(s) ['value']" in message
    assert "columns found: ['Bydel', 'Måned', 'Lovbruddsgruppe', 'Tall']" in message
    assert "'Bydel' → region" in message and "'Måned' → month" in message
    assert "try columns={'Tall': 'value'}" in message
    got = load_own(_write(tmp_path, text, "b.csv"), columns={"Tall": "value"}, frequency="month")
    assert got["value"].tolist() == [4.0]


def test_explicit_mapping_wins_and_bad_mappings_are_named(tmp_path):
    text = "Område;Når;Hva;Verdi\n030115;2019;cases;5\n"
    path = _write(tmp_path, text)
    got = load_own(
        path, columns={"Område": "region", "Når": "year", "Hva": "indicator", "Verdi": "value"}
    )
    assert got[["region", "year", "indicator", "value"]].values.tolist() == [
        ["030115", 2019, "cases", 5.0]
    ]
    with pytest.raises(
        ParameterError, match=r"columns=\{'Hva': 'what'\}: not a field; allowed: region"
    ):
        load_own(path, columns={"Hva": "what"})
    with pytest.raises(OwnDataError, match=r"names a column the file does not have; columns found"):
        load_own(path, columns={"Antall": "value"})
    two = _write(tmp_path, "bydel;år;year;antall\n030115;2019;2019;4\n", "two.csv")
    with pytest.raises(OwnDataError, match=r"columns \['år', 'year'\] are all read as 'year'"):
        load_own(two)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (
            "030115,2019,cases,total,-3,count",
            "column 'value': 1 row(s) — expected a count >= 0; row 4 ('-3')",
        ),
        ("030115,2019,cases,total,5,litres", "column 'unit': 1 row(s) — expected one of"),
        ("030115,19x9,cases,total,5,count", "column 'year': 1 row(s) — expected a whole year"),
        (
            "9999,2019,cases,total,5,count",
            "column 'region': 1 row(s) — expected a known code or name",
        ),
        (
            "030115,2019,cases,total,,count",
            "expected a number, or a status saying why it is missing",
        ),
    ],
)
def test_a_bad_row_is_named_once(tmp_path, line, kind):
    text = "region,year,indicator,offence_group,value,unit\n030115,2017,cases,total,410,count\n"
    text += "030115,2018,cases,total,455,count\n" + line + "\n"
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(OwnDataError) as err:
        load_own(_write(tmp_path, text))
    assert len(err.value.problems) == 1 and kind in err.value.problems[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before + ["own.csv"], "nothing written"


def test_duplicate_keys_name_the_rows(tmp_path):
    text = "region,year,indicator,value\n030115,2017,cases,1\n\n030115,2017,cases,2\n030101,2017,cases,2\n"
    with pytest.raises(OwnDataError) as err:
        load_own(_write(tmp_path, text))
    (line,) = err.value.problems
    assert (
        line.startswith("2 rows share a key") and "rows 2, 4: 030115 2017 cases total count" in line
    )


def test_line_numbers_count_blank_lines_and_title_lines(tmp_path):
    text = "Rapport: anmeldte lovbrudd\n\nbydel;år;antall\nAlna;2019;1\n\nAlna;2020;x\n"
    with pytest.raises(OwnDataError) as err:
        load_own(_write(tmp_path, text))
    assert err.value.problems[0].endswith("row 6 ('x')")


# ---------------------------------------------------------------- numbers (issue 8)
@pytest.mark.parametrize(
    ("values", "kw", "expected"),
    [
        (["3,282", "1"], {}, None),
        (["3.282", "1"], {}, None),
        (["3,282", "2,5"], {}, [3.282, 2.5]),
        (["3.282", "2,5"], {}, [3282.0, 2.5]),
        (["3,282", "1 000"], {}, None),
        (["3,282", "1.234.567"], {}, [3.282, 1234567.0]),
        (["3,282"], {"decimal": ","}, [3.282]),
        (["3,282"], {"thousands": ","}, [3282.0]),
        (["3.282"], {"decimal": ",", "thousands": "."}, [3282.0]),
        (["1 234,5", "1\u00a0000"], {}, [1234.5, 1000.0]),
        (["1,234,567.5", "12.25"], {}, [1234567.5, 12.25]),
    ],
)
def test_thousands_separators_are_read_or_rejected_never_misread(tmp_path, values, kw, expected):
    lines = ["region;year;indicator;value;unit"]
    lines += [f"030115;{2000 + i};cases;{v};per_1000" for i, v in enumerate(values)]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    if expected is None:
        with pytest.raises(OwnDataError) as err:
            load_own(path, **kw)
        (line,) = err.value.problems
        assert "column 'value'" in line and "could be 3 282 or 3.282" in line and "row 2" in line
        assert "declare decimal= and thousands=" in line
    else:
        assert load_own(path, **kw)["value"].tolist() == expected


def test_declared_format_is_enforced(tmp_path):
    path = _write(tmp_path, "region;year;value\n030115;2019;3.5\n030115;2020;4,5\n")
    with pytest.raises(
        OwnDataError, match=r"expected a number written with decimal=','.*row 2 \('3.5'\)"
    ):
        load_own(path, decimal=",", thousands=" ")
    with pytest.raises(ParameterError, match="decimal=';' is not allowed"):
        load_own(path, decimal=";")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("inf", "a finite number (not inf or nan)"),
        ("-Infinity", "a finite number (not inf or nan)"),
        ("nan", "a finite number (not inf or nan)"),
        ("1e308", "a believable size (at most 1e12 for a count"),
        ("2000000000000", "a believable size"),
        ("#DIV/0!", "a number"),
    ],
)
def test_non_finite_and_absurd_values_name_row_and_column(tmp_path, value, fragment):
    path = _write(tmp_path, f"region,year,value\n030115,2018,5\n030115,2019,{value}\n")
    with pytest.raises(OwnDataError) as err:
        load_own(path)
    (line,) = err.value.problems
    assert line.startswith("column 'value'") and fragment in line and f"row 3 ('{value}')" in line


def test_inf_in_parquet_is_refused_too(tmp_path):
    pd.DataFrame({"region": ["030115"], "year": [2019], "value": [np.inf]}).to_parquet(
        tmp_path / "x.parquet"
    )
    with pytest.raises(OwnDataError, match="a finite number"):
        load_own(tmp_path / "x.parquet")


# -------------------------------------------------------------- validated parquet
def test_write_validated_round_trips_and_skips_validation(tmp_path, monkeypatch):
    source = _write(tmp_path, _monthly(range(1, 13)))
    fast = write_validated(source, tmp_path / "run" / "own.parquet")
    expected = load_own(source)
    monkeypatch.setattr("ptvlib.data.own.read_table", lambda *a, **k: pytest.fail("re-validated"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = load_own(fast)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs["own_data"]["validated_copy"] == str(fast)


def test_a_validated_copy_by_year_gives_the_months_from_its_source(tmp_path):
    source = _write(tmp_path, _monthly(range(1, 13)))
    fast = write_validated(source, tmp_path / "run" / "own.parquet")
    months = load_own(fast, frequency="month")
    pd.testing.assert_frame_equal(months, load_own(source, frequency="month"))
    assert sorted(set(months["month"])) == list(range(1, 13))
    source.unlink()
    assert load_own(fast)["value"].tolist() == [78.0, 78.0]  # the years need no source
    with pytest.raises(OwnDataError, match="needs its source .*which is not there"):
        load_own(fast, frequency="month")


def test_a_validated_copy_keeps_the_column_mapping_it_was_read_with(tmp_path):
    source = _write(tmp_path, "Område;Jahr;Zahl\n030115;2019;120\n030101;2019;80\n")
    mapping = {"Område": "region", "Jahr": "year", "Zahl": "value"}
    fast = write_validated(source, tmp_path / "own.parquet", columns=mapping)
    assert load_own(fast)["value"].tolist() == [120.0, 80.0]
    with pytest.raises(OwnDataError, match="missing required column"):
        load_own(source)  # without the mapping the headers are not known


def test_a_forged_validated_parquet_is_validated_again(tmp_path):
    source = _write(tmp_path, "region,year,indicator,value\n030115,2019,cases,120\n")
    fast = write_validated(source, tmp_path / "own.parquet")
    import pyarrow.parquet as pq

    stamp = pq.read_metadata(fast).metadata[b"ptv_own"]
    forged = load_own(fast).assign(value=-5.0)
    table = __import__("pyarrow").Table.from_pandas(forged, preserve_index=False)
    pq.write_table(
        table.replace_schema_metadata({**table.schema.metadata, b"ptv_own": stamp}), fast
    )
    with pytest.warns(OwnDataStampWarning, match="bytes changed after it was validated"):
        with pytest.raises(OwnDataError, match="a count >= 0"):
            load_own(fast)


def test_a_stale_validated_parquet_is_rebuilt_from_its_source(tmp_path):
    source = _write(tmp_path, "region,year,indicator,value\n030115,2019,cases,120\n")
    fast = write_validated(source, tmp_path / "own.parquet")
    source.write_text("region,year,indicator,value\n030115,2019,cases,121\n", encoding="utf-8")
    with pytest.warns(OwnDataStampWarning, match="changed since it was validated"):
        assert load_own(fast)["value"].tolist() == [121.0]


def test_a_parquet_stamped_by_another_schema_version_is_validated_again(tmp_path, monkeypatch):
    source = _write(tmp_path, "region,year,indicator,value\n030115,2019,cases,120\n")
    fast = write_validated(source, tmp_path / "own.parquet")
    monkeypatch.setattr("ptvlib.data.own.OWN_SCHEMA_VERSION", "999")
    with pytest.warns(OwnDataStampWarning, match="stamped by schema version '2'"):
        assert load_own(fast)["value"].tolist() == [120.0]
    assert json.loads(
        __import__("pyarrow.parquet").parquet.read_metadata(fast).metadata[b"ptv_own"]
    )


# ---------------------------------------------------------------- template, funding
def test_the_templates_load_to_the_same_numbers_from_csv_and_excel(tmp_path):
    csv, xlsx = write_template("own", tmp_path)
    assert csv.read_bytes().startswith(b"\xef\xbb\xbfregion;period;")
    a, b = load_own(csv), load_own(xlsx)
    pd.testing.assert_frame_equal(a[COMPARE], b[COMPARE])
    validate(a, OWN_DATA_SCHEMA)
    assert a["source"].str.contains("SYNTETISKE DATA / SYNTHETIC DATA").all()
    assert set(a["indicator"]) == {"reported_offences", "seizures", "confiscated_nok"}
    readme = pd.read_excel(xlsx, sheet_name="les_meg")
    assert "region" in readme.iloc[:, 0].tolist() and "bydel" in readme.iloc[0, 4]
    fcsv, fxlsx = write_template("funding", tmp_path)
    pd.testing.assert_frame_equal(
        load_funding(fcsv).drop(columns="source"), load_funding(fxlsx).drop(columns="source")
    )


def test_own_funding_is_validated_like_own_data(tmp_path):
    text = "Bydel;År;Beløp;Enhet;Formål\nSøndre Nordstrand;2018;30 000 000;NOK;Holmlia\nGamle Oslo;2019;12,5;MNOK;Indre øst\n"
    got = load_funding(_write(tmp_path, text))
    assert got[["region", "year", "amount_mnok", "purpose"]].values.tolist() == [
        ["030115", 2018, 30.0, "Holmlia"],
        ["030101", 2019, 12.5, "Indre øst"],
    ]
    bad = "Bydel;År;Beløp\nAtlantis;2018;-3\nAlna;20x8;1\n"
    with pytest.raises(OwnDataError) as err:
        load_funding(_write(tmp_path, bad, "bad.csv"))
    assert len(err.value.problems) == 3
    assert any("an amount >= 0" in p for p in err.value.problems)


# --------------------------------------------------------------------- files
def test_missing_file_and_unsupported_types(tmp_path):
    with pytest.raises(OwnDataError, match="does not exist"):
        load_own(tmp_path / "nope.csv")
    with pytest.raises(
        OwnDataError, match=r"file type '.json', which is not supported; allowed: .csv"
    ):
        load_own(_write(tmp_path, "{}", "own.json"))
    with pytest.raises(OwnDataError, match="save it as .xlsx"):
        load_own(_write(tmp_path, "x", "own.xls"))
    with pytest.raises(OwnDataError, match="has no data rows; columns found"):
        load_own(_write(tmp_path, "region,year,value\n", "empty.csv"))
    check = own_store.check_stamped(tmp_path / "own.json", "2", OWN_DATA_SCHEMA.names)
    assert check.frame is None and check.source is None
