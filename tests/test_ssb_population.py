"""Live denominators and live-source plumbing of ``load``: population from SSB 07459 and 10826,
value checks before caching, ``PTV_DATA_SOURCE=ssb`` on tables without a live source, and
the provenance every loaded table carries.

The served 07459/10826 cubes hold the project's REAL embedded population (csdata, SSB
07459/10826 on 2024 borders) for the codes served, on the codes that were valid each year
(Halden 0101 → 3001 → 3101). Two kinds of cell are SYNTHETIC TEST VALUES and say so below:
the split of Ålesund's 2015 analysis-unit total over its five pre-2020 municipalities
(only their sum is known), and a Svalbard cell that must be left out.
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _httpserver import Reply, ScriptedServer

import ptvlib.data.sources.ssb.client as ssb
from ptvlib.data import catalog
from ptvlib.data.loading import SsbFallbackWarning, load, provenance
from ptvlib.data.schema import validate

YEARS = ["2015", "2022", "2024", "2025"]


@pytest.fixture(scope="module")
def embedded() -> pd.DataFrame:
    return load("population", source="embedded")


def _value(pop: pd.DataFrame, region: str, year: str) -> float:
    hit = pop.loc[(pop["region"] == region) & (pop["year"] == int(year)), "value"]
    assert len(hit) == 1, (region, year)
    return float(hit.iloc[0])


@pytest.fixture(scope="module")
def cells(embedded: pd.DataFrame) -> dict[str, dict[tuple[str, str], float]]:
    """Served cells per table: {(region code, year): persons}."""
    e = embedded
    mun: dict[tuple[str, str], float] = {}
    for y in YEARS:
        mun[("0", y)] = _value(e, "0", y)
        mun[("03", y)] = _value(e, "03", y)  # a county row: the client sums counties itself
        mun[("0301", y)] = _value(e, "0301", y)
    halden = {"2015": "0101", "2022": "3001", "2024": "3101", "2025": "3101"}
    for y, code in halden.items():
        mun[(code, y)] = _value(e, "3101", y)
    group = {y: _value(e, "1508+1580", y) for y in YEARS}
    # SYNTHETIC TEST VALUES: Ålesund's 2015 unit total split over 1504, 1523, 1529, 1534, 1546
    shares = [0.7, 0.05, 0.08, 0.13, 0.04]
    parts = [round(group["2015"] * s) for s in shares[:-1]]
    for code, v in zip(
        ["1504", "1523", "1529", "1534", "1546"], [*parts, group["2015"] - sum(parts)], strict=True
    ):
        mun[(code, "2015")] = float(v)
    mun[("1507", "2022")] = group["2022"]
    for y in ("2024", "2025"):
        mun[("1508", y)] = _value(e, "1508", y)
        mun[("1580", y)] = _value(e, "1580", y)
    mun[("2111", "2024")] = 2_500.0  # SYNTHETIC TEST VALUE: Svalbard is not a mainland municipality
    byd: dict[tuple[str, str], float] = {}
    for code in [f"0301{i:02d}" for i in range(1, 18)]:
        served = code + ("a" if code in ("030116", "030117") else "")
        for y in ("2015", "2024", "2025"):
            byd[(served, y)] = _value(e, code, y)
    return {"07459": mun, "10826": byd}


def _cube(table: str, cells: dict[tuple[str, str], float], selection: dict[str, list[str]]) -> dict:
    regions = sorted({r for r, _ in cells}, key=lambda c: (len(c), c))
    contents = (
        {"Personer1": "Personer"}
        if table == "07459"
        else {"Personer": "Personer", "Andel": "Andel av befolkningen (prosent)"}
    )
    dims = {"Region": regions, "ContentsCode": list(contents), "Tid": YEARS}
    dims = {
        d: [c for c in v if any(fnmatch.fnmatchcase(c, s) for s in selection.get(d, ["*"]))]
        for d, v in dims.items()
    }
    values, status = [], {}
    for region, content, year in itertools.product(*dims.values()):
        v = cells.get((region, year))
        if v is None:
            status[str(len(values))] = "."
        values.append(None if v is None else (v if content != "Andel" else 1.0))
    return {
        "version": "2.0",
        "class": "dataset",
        "label": f"{table}: Befolkning (test cube)",
        "id": list(dims),
        "size": [len(v) for v in dims.values()],
        "dimension": {
            "Region": {
                "label": "region",
                "category": {"index": dims["Region"], "label": {c: c for c in dims["Region"]}},
            },
            "ContentsCode": {
                "label": "statistikkvariabel",
                "category": {
                    "index": dims["ContentsCode"],
                    "label": {c: contents[c] for c in dims["ContentsCode"]},
                },
            },
            "Tid": {"label": "år", "category": {"index": dims["Tid"]}},
        },
        "value": values,
        "status": status,
    }


def _responder(cells, tweak=None):
    def respond(seen) -> Reply:
        table = seen.path.split("/")[2]
        if seen.path.endswith("/metadata"):
            ds = _cube(table, cells[table], {})
            return Reply(
                body=json.dumps(
                    {k: v for k, v in ds.items() if k not in ("value", "status")}
                ).encode()
            )
        selection = {
            k[len("valueCodes[") : -1]: v[0].split(",")
            for k, v in seen.query.items()
            if k.startswith("valueCodes[")
        }
        ds = _cube(table, cells[table], selection)
        if tweak is not None:
            ds = tweak(table, ds)
        return Reply(body=json.dumps(ds).encode())

    return respond


@pytest.fixture
def server(tmp_cache: Path, monkeypatch: pytest.MonkeyPatch):
    srv = ScriptedServer().start()
    monkeypatch.setenv("PTV_SSB_BASE_URL", srv.url)
    monkeypatch.delenv("PTV_OFFLINE", raising=False)
    monkeypatch.delenv("PTV_DATA_SOURCE", raising=False)
    waits: list[float] = []

    class Recording(ssb.SsbClient):
        def __init__(self, *args, **kwargs) -> None:
            kwargs.setdefault("sleep", waits.append)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(ssb, "SsbClient", Recording)
    yield srv
    srv.stop()


def _load(name: str) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = load(name, source="ssb")
    return frame, [f"{w.category.__name__}: {w.message}" for w in caught]


# ----------------------------------------------------------------------- population
def test_live_population_is_harmonised_to_2024_borders(server, tmp_cache, cells, embedded) -> None:
    server.responder = _responder(cells)
    frame, caught = _load("population")
    assert caught == []
    validate(frame, catalog.get("population").schema)
    paths = [s.path for s in server.seen]
    assert paths == [
        "/tables/07459/metadata",
        "/tables/07459/data",
        "/tables/10826/metadata",
        "/tables/10826/data",
    ]
    assert server.seen[3].query["valueCodes[Region]"] == ["0301*"]

    def got(region: str, year: str) -> float:
        return _value(frame, region, year)

    for y in YEARS:
        for region in ("0", "0301", "03", "3101", "1508+1580"):
            assert got(region, y) == _value(embedded, region, y), (region, y)
    for region in [f"0301{i:02d}" for i in range(1, 18)]:  # bydeler, Sentrum and Marka
        for y in ("2015", "2024", "2025"):
            assert got(region, y) == _value(embedded, region, y), (region, y)
    assert frame.set_index("region").loc["030116", "level"].iloc[0] == "area"
    # a split municipality is never divided: its successors appear from the year they exist
    split = frame.query("region in ['1508', '1580']")
    assert sorted(set(split["year"])) == [2024, 2025]
    assert got("1508", "2024") == 58_509
    assert not frame["region"].isin(["2111", "0101", "3001", "1504", "1507"]).any()
    assert set(frame["source"]) == {"ssb07459_10826_api"}
    (record,) = provenance(["population"]).to_dict("records")
    assert (
        record["origin"] == "live" and "07459" in record["source"] and record["as_of"].endswith("Z")
    )
    assert (tmp_cache / "tables" / "population-live.parquet").exists()
    assert list((tmp_cache / "ssb").glob("07459-data-*.index.json"))
    assert list((tmp_cache / "ssb").glob("10826-data-*.index.json"))


def test_a_negative_population_is_a_source_error_that_keeps_the_cache(
    server, tmp_cache, cells, embedded
) -> None:
    server.responder = _responder(cells)
    load("population", source="ssb")
    before = {p.name: p.read_bytes() for p in sorted((tmp_cache / "ssb").iterdir())}

    def negative(table: str, ds: dict) -> dict:
        if table == "10826":
            ds["value"][0] = -40.0
        return ds

    server.responder = _responder(cells, negative)
    frame, caught = _load("population")
    (message,) = [c for c in caught if c.startswith("SsbFallbackWarning")]
    assert "SSB tables 07459 and 10826 unavailable" in message
    assert f"SSB table 10826: the response from {server.url}/tables/10826/data?" in message
    assert "failed the value checks" in message and "negative" in message
    assert "last good copy population-live.parquet" in message
    after = {p.name: p.read_bytes() for p in sorted((tmp_cache / "ssb").iterdir())}
    # 07459 passed its checks (and may be rewritten); nothing of 10826 was replaced or added
    assert after.keys() == before.keys()
    tenfirst = {n: b for n, b in after.items() if n.startswith("10826-")}
    assert tenfirst and tenfirst == {n: b for n, b in before.items() if n.startswith("10826-")}
    assert provenance(["population"])["origin"].tolist() == ["live_cache"]
    assert np.isclose(frame.query("region == '030101' and year == 2024")["value"], 63_712).all()


# ------------------------------------------------------- tables without a live source
@pytest.mark.parametrize(
    "name", ["funding", "enforcement_keyfigures", "national_offences", "county_tables"]
)
def test_ptv_data_source_ssb_leaves_tables_without_a_live_source_embedded(
    name, monkeypatch
) -> None:
    monkeypatch.setenv("PTV_DATA_SOURCE", "ssb")
    monkeypatch.setenv("PTV_OFFLINE", "1")  # and nothing touches the network
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = load(name)
    (record,) = provenance([name]).to_dict("records")
    pd.testing.assert_frame_equal(frame, load(name, source="embedded"))
    assert record["note"] == "no live source" and record["as_of"] == catalog.get(name).as_of
    assert frame.attrs["provenance"]["origin"] == "embedded"


def test_every_catalogued_table_has_a_snapshot_date_and_loads_under_ptv_data_source_ssb(
    monkeypatch,
) -> None:
    monkeypatch.setenv("PTV_DATA_SOURCE", "ssb")
    monkeypatch.setenv("PTV_OFFLINE", "1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in catalog.DATASETS:
            assert len(load(name)) > 0
    table = provenance(list(catalog.DATASETS))
    assert table["as_of"].str.len().gt(10).all()
    live = {"reported_offences", "population", "bydel_offences"}
    assert set(table.loc[table["origin"] == "embedded_fallback", "dataset"]) == live
    assert all("offline mode" in str(w.message) for w in caught if w.category is SsbFallbackWarning)
