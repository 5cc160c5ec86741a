"""Oslo kommune's statbank (PxWeb API v1) and the ``bydel_offences`` table, against a real HTTP
server on 127.0.0.1 that answers like PxWeb v1 for table KRI002.

The served table follows the documented v1 formats (Statistics Sweden, "PxWeb API
description": metadata ``{"title", "variables": [{"code", "text", "values", "valueTexts",
"time", "elimination"}]}``; data by POST ``{"query": [...], "response": {"format":
"json-stat2"}}``) and what is known of KRI002: 18 gjerningsbydeler (01-15, 16 Sentrum, 99
unknown incl. Marka), lowercase Norwegian variable codes, years as sequence codes.

Values: the 2024 "Alle lovbruddsgrupper" cells of the 15 bydeler and Sentrum are the REAL
figures of ``data/raw/oslo_kri002_bydel_2024_from_web``. Every other cell (other years and
groups, the 99 row) is a SYNTHETIC TEST VALUE drawn with a fixed seed: it tests the
plumbing, and no test reads a statistic from it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _httpserver import Reply, ScriptedServer

import ptvlib.data.sources.oslo.client as oslo
from ptvlib.basics import config
from ptvlib.basics.exceptions import SchemaError, SourceUnavailable
from ptvlib.data import catalog
from ptvlib.data.loading import SsbFallbackWarning, load, provenance
from ptvlib.data.schema import validate
from ptvlib.data.sources.engine import StaleDataWarning
from ptvlib.data.sources.oslo.client import OsloStatbankClient, table_id_of
from ptvlib.data.sources.oslo.metadata import parse_metadata
from ptvlib.data.tables.bydel_offences import (
    KRI002_PATH,
    area_code,
    consistency_with_08487,
    kri002_roles,
)

RAW = config.PROJECT_DIR / "data" / "raw" / "oslo_kri002_bydel_2024_from_web"
REAL = pd.read_csv(RAW / "oslo_kri002_bydel_2024.csv", dtype={"bydel_code": str})
PATH = "/Kriminalitet/KRI002.px"

GROUPS = [
    "Alle lovbruddsgrupper", "Eiendomstyveri", "Annet vinningslovbrudd", "Vold og mishandling",
    "Seksuallovbrudd", "Rusmiddellovbrudd", "Ordens- og integritetskrenkelse", "Eiendomsskade",
    "Trafikkovertredelse", "Annet lovbrudd",
]  # fmt: skip
GROUP_IDS = [
    "total", "property_theft", "other_profit", "violence", "sexual", "drugs", "public_order",
    "criminal_damage", "traffic", "other_offences",
]  # fmt: skip
AREAS = [
    (f"{int(c):02d}", f"Bydel {n}")
    for c, n in zip(REAL["bydel_code"], REAL["bydel_name"], strict=True)
]
AREAS[-1] = ("16", "Sentrum")
AREAS.append(("99", "Uoppgitt gjerningsbydel, inkludert Marka"))
YEARS = list(range(2016, 2025))
#: PxWeb sequence codes for years: "26" is 2016 … "34" is 2024 (as "36" is 2026 at Oslo).
YEAR_CODES = [str(y - 1990) for y in YEARS]
SUPPRESSED = ("04", "99", "26")  # Seksuallovbrudd, area 99, 2016: sent as null with ":"


def _variables(area_code_name: str = "geografi") -> list[dict]:
    return [
        {
            "code": "lovbruddsgruppe",
            "text": "type lovbrudd (lovbruddsgrupper)",
            "values": [f"{i:02d}" for i in range(len(GROUPS))],
            "valueTexts": GROUPS,
        },
        {
            "code": area_code_name,
            "text": "gjerningsbydel",
            "values": [c for c, _ in AREAS],
            "valueTexts": [t for _, t in AREAS],
            "elimination": True,
        },
        {
            "code": "statistikkvariabel",
            "text": "statistikkvariabel",
            "values": ["Anmeldte"],
            "valueTexts": ["Anmeldte lovbrudd"],
        },
        {
            "code": "år",
            "text": "år",
            "values": YEAR_CODES,
            "valueTexts": [str(y) for y in YEARS],
            "time": True,
        },
    ]


METADATA = {
    "title": "Anmeldte lovbrudd med gjerningssted i Oslo, etter type lovbrudd (lovbruddsgrupper), "
    "gjerningsbydel, statistikkvariabel og år",
    "variables": _variables(),
}


def _cells() -> dict[tuple[str, str, str], float | None]:
    """(group code, area code, year code) -> value: real 2024 totals, the rest synthetic."""
    rng = np.random.default_rng(20240101)
    out: dict[tuple[str, str, str], float | None] = {}
    real = {
        f"{int(c):02d}": float(v)
        for c, v in zip(REAL["bydel_code"], REAL["reported_offences_all_groups"], strict=True)
    }
    for g in range(len(GROUPS)):
        for area, _ in AREAS:
            for yc in YEAR_CODES:
                key = (f"{g:02d}", area, yc)
                if key[0] == "00" and yc == "34" and area in real:
                    out[key] = real[area]
                elif key == SUPPRESSED:
                    out[key] = None
                else:
                    out[key] = float(rng.integers(5, 4000))  # synthetic test value
    return out


CELLS = _cells()


def _dataset(selection: dict[str, list[str]], variables: list[dict] | None = None) -> dict:
    """A JSON-stat 2.0 answer for *selection*, dimensions in metadata order."""
    variables = variables or METADATA["variables"]
    dims = {
        v["code"]: [c for c in v["values"] if c in selection.get(v["code"], v["values"])]
        for v in variables
    }
    texts = {v["code"]: dict(zip(v["values"], v["valueTexts"], strict=True)) for v in variables}
    values, status = [], {}

    for combo in itertools.product(*dims.values()):
        cell = dict(zip(dims, combo, strict=True))
        area = cell.get("geografi", cell.get("bydel", ""))
        value = CELLS[(cell["lovbruddsgruppe"], area, cell["år"])]
        if value is None:
            status[str(len(values))] = ":"
        values.append(value)
    return {
        "version": "2.0",
        "class": "dataset",
        "label": METADATA["title"],
        "source": "Oslo kommune (test server)",
        "id": list(dims),
        "size": [len(v) for v in dims.values()],
        "role": {"time": ["år"], "metric": ["statistikkvariabel"]},
        "dimension": {
            d: {
                "label": d,
                "category": {
                    "index": {c: i for i, c in enumerate(codes)},
                    "label": {c: texts[d][c] for c in codes},
                },
            }
            for d, codes in dims.items()
        },
        "value": values,
        "status": status,
    }


def _selection(seen) -> dict[str, list[str]]:
    body = json.loads(seen.body)
    assert body["response"] == {"format": "json-stat2"}
    for q in body["query"]:
        assert q["selection"]["filter"] == "item"
    return {q["code"]: q["selection"]["values"] for q in body["query"]}


def _serve(metadata: dict = METADATA, transform=None):
    def respond(seen) -> Reply:
        assert seen.path == PATH
        if seen.method == "GET":
            return Reply(body=json.dumps(metadata).encode())
        ds = _dataset(_selection(seen), metadata["variables"])
        if transform is not None:
            ds = transform(ds)
        return Reply(body=json.dumps(ds).encode())

    return respond


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


# --------------------------------------------------------------------------- fixtures
class FakeClock:
    def __init__(self) -> None:
        self.now, self.sleeps = 0.0, []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def server(tmp_cache: Path, monkeypatch: pytest.MonkeyPatch):
    srv = ScriptedServer().start()
    monkeypatch.setenv("PTV_OSLO_BASE_URL", srv.url)
    monkeypatch.delenv("PTV_OFFLINE", raising=False)
    yield srv
    srv.stop()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Every OsloStatbankClient built (also inside load()) sleeps on this fake clock."""
    fake = FakeClock()

    class Recording(OsloStatbankClient):
        def __init__(self, *args, **kwargs) -> None:
            kwargs.setdefault("sleep", fake.sleep)
            kwargs.setdefault("clock", fake.time)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(oslo, "OsloStatbankClient", Recording)
    return fake


@pytest.fixture(scope="module")
def embedded() -> pd.DataFrame:
    return load("bydel_offences", source="embedded")


def _load_live() -> tuple[pd.DataFrame, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = load("bydel_offences", source="ssb")
    return frame, caught


def _fallback(caught) -> str:
    found = [w for w in caught if issubclass(w.category, SsbFallbackWarning)]
    assert len(found) == 1, [f"{w.category.__name__}: {w.message}" for w in caught]
    return str(found[0].message)


# --------------------------------------------------------------------- embedded table
def test_embedded_table_holds_the_real_2024_figures(embedded: pd.DataFrame) -> None:
    validate(embedded, catalog.get("bydel_offences").schema)
    assert len(embedded) == 16 and set(embedded["year"]) == {2024}
    by = embedded.set_index("region")["value"]
    assert by["030101"] == 9_499 and by["030115"] == 2_651 and by["030116"] == 8_858
    assert embedded.set_index("region").loc["030116", "level"] == "area"
    assert (embedded.loc[embedded["region"] != "030116", "level"] == "bydel").all()
    assert embedded.set_index("region").loc["030104", "region_name"] == "St. Hanshaugen"
    assert embedded.loc[embedded["level"] == "bydel", "value"].sum() == 59_248
    assert embedded["value"].sum() == 68_106
    assert set(embedded["offence_group"]) == {"total"} and set(embedded["status"]) == {""}


def test_consistency_with_08487_is_documented_and_holds() -> None:
    """KRI002 2024 (15 bydeler + Sentrum) against 08487 Oslo 2023-2024 (annual average).

    68 106 is 97.0 % of 70 192: the 2 086 missing are the '99 unknown bydel incl. Marka' row
    (not in the transcription) plus the difference between one year and a two-year average.
    A bydel sum above 08487's Oslo figure, or more than 10 % below, would mean the tables
    do not measure the same offences (see data/README.md).
    """
    check = consistency_with_08487(load("bydel_offences"), load("reported_offences"))
    got = check.set_index("measure")["value"]
    assert got["kri002_2024_15_bydeler"] == 59_248
    assert got["kri002_2024_15_bydeler_and_sentrum"] == 68_106
    assert got["ssb08487_oslo_2023_2024_annual_average"] == 70_192
    assert got["difference_08487_minus_kri002"] == 2_086
    assert got["ratio_kri002_to_08487"] == pytest.approx(0.9703, abs=1e-4)
    assert 0.90 < got["ratio_kri002_to_08487"] < 1.0


def test_area_texts_map_to_the_population_codes() -> None:
    pop = load("population").query("year == 2024")
    for code, text in AREAS[:15]:
        got = area_code(text)
        assert got == f"0301{code}" and got in set(pop["region"])
    assert area_code("St Hanshaugen") == area_code("BYDEL ST. HANSHAUGEN") == "030104"
    assert area_code("15 Søndre Nordstrand") == "030115"
    assert area_code("Sentrum") == "030116" and area_code(AREAS[-1][1]) == "030199"
    assert area_code("Oslo i alt") == "0301" and area_code("Bærum") is None


# ------------------------------------------------------------------ metadata roles
def test_roles_are_found_from_flags_and_texts_not_positions() -> None:
    meta = parse_metadata(METADATA, table_id="KRI002", where="test")
    roles = kri002_roles(meta)
    assert (roles.area.code, roles.time.code, roles.group.code) == (
        "geografi",
        "år",
        "lovbruddsgruppe",
    )
    assert roles.fixed == {"statistikkvariabel": "Anmeldte"}
    shuffled = {**METADATA, "variables": METADATA["variables"][::-1]}
    assert (
        kri002_roles(parse_metadata(shuffled, table_id="KRI002", where="t")).query()
        == roles.query()
    )
    # a contents variable with a rate beside the count: the count is selected
    rates = json.loads(json.dumps(METADATA))
    rates["variables"][2]["values"] = ["Per1000", "Anmeldte"]
    rates["variables"][2]["valueTexts"] = [
        "Anmeldte lovbrudd per 1000 innbyggere",
        "Anmeldte lovbrudd",
    ]
    assert kri002_roles(parse_metadata(rates, table_id="KRI002", where="t")).fixed == {
        "statistikkvariabel": "Anmeldte"
    }


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda v: v[3].pop("time"), "expected one time variable ('time': true), found 0"),
        (
            lambda v: v[1].update(valueTexts=[f"Sone {i}" for i in range(len(AREAS))]),
            "no area (gjerningsbydel) variable",
        ),
        (
            lambda v: v[0].update(valueTexts=[f"Type {i}" for i in range(len(GROUPS))]),
            "no offence group (lovbruddsgruppe",
        ),
        (
            lambda v: v[3].update(valueTexts=["36"] * len(YEARS)),
            "time value text(s) without a year",
        ),
    ],
    ids=["no-time-flag", "no-bydel-names", "no-group-names", "no-years"],
)
def test_a_missing_role_names_the_table_and_what_was_found(change, fragment) -> None:
    meta = json.loads(json.dumps(METADATA))
    change(meta["variables"])
    with pytest.raises(SchemaError) as info:
        kri002_roles(parse_metadata(meta, table_id="KRI002", where="t"))
    message = str(info.value)
    assert message.startswith("Oslo statbank table KRI002") and fragment in message
    if "variables:" in message:
        assert "geografi" in message and "lovbruddsgruppe" in message


def test_table_paths_are_checked() -> None:
    assert table_id_of("Befolkning/Folkemengde/OK-BEF005.px") == "OK-BEF005"
    for bad in ["../etc/passwd", "KRI002", "Kriminalitet/KRI002.px?x=1", 5]:
        with pytest.raises(Exception, match="table_path=.* is not allowed"):
            table_id_of(bad)


# ------------------------------------------------------------------ live round trip
def test_load_live_round_trips_the_served_table(server, clock, tmp_cache, embedded) -> None:
    server.responder = _serve()
    frame, caught = _load_live()
    assert [str(w.message) for w in caught] == []
    validate(frame, catalog.get("bydel_offences").schema)

    # metadata by GET, then the data by POST in parts of at most 1 000 cells
    assert [s.method for s in server.seen] == ["GET", "POST", "POST"]
    sizes = [int(np.prod([len(v) for v in _selection(s).values()])) for s in server.seen[1:]]
    assert all(n <= 1000 for n in sizes) and sum(sizes) == len(GROUPS) * len(AREAS) * len(YEARS)
    assert set(_selection(server.seen[1])) == {
        "lovbruddsgruppe",
        "geografi",
        "år",
        "statistikkvariabel",
    }
    assert clock.sleeps == []

    # every served cell, once, with its project code, group and year
    assert len(frame) == len(GROUPS) * len(AREAS) * len(YEARS)
    assert set(frame["year"]) == set(YEARS) and set(frame["offence_group"]) == set(GROUP_IDS)
    assert set(frame["region"]) == {f"0301{c}" for c, _ in AREAS[:16]} | {"030199"}
    codes = {f"0301{c}": c for c, _ in AREAS[:16]} | {"030199": "99"}
    for row in frame.sample(40, random_state=1).itertuples():
        sent = CELLS[
            (f"{GROUP_IDS.index(row.offence_group):02d}", codes[row.region], str(row.year - 1990))
        ]
        assert (np.isnan(row.value) and sent is None) or row.value == sent
    # the 2024 totals are the embedded (real) figures, exactly
    live24 = frame.query("year == 2024 and offence_group == 'total' and region != '030199'")
    cols = ["region", "region_name", "level", "period", "year", "offence_group", "value", "unit"]
    pd.testing.assert_frame_equal(
        live24[cols].sort_values("region", ignore_index=True),
        embedded[cols].sort_values("region", ignore_index=True),
    )
    cell = frame.query("region == '030199' and offence_group == 'sexual' and year == 2016")
    assert cell["value"].isna().all() and cell["status"].tolist() == [":"]
    assert set(frame["source"]) == {"oslo_statbank_kri002_api"}

    # cached: the metadata, the two data parts, and the processed live copy
    names = sorted(p.name for p in (tmp_cache / "oslo").iterdir())
    assert sum(n.startswith("KRI002-meta-") for n in names) == 2
    assert sum(n.startswith("KRI002-data-") for n in names) == 3
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_cache / "tables" / "bydel_offences-live.parquet"), frame
    )
    (record,) = provenance(["bydel_offences"]).to_dict("records")
    assert record["origin"] == "live" and "KRI002" in record["source"]
    assert record["as_of"].endswith("Z") and frame.attrs["provenance"]["origin"] == "live"


# ------------------------------------------------------------------ failures
@pytest.fixture
def client(server, clock, tmp_cache) -> OsloStatbankClient:
    return oslo.OsloStatbankClient(timeout=5.0)


QUERY = {
    "lovbruddsgruppe": ["00"],
    "geografi": ["01", "15"],
    "statistikkvariabel": ["Anmeldte"],
    "år": ["33", "34"],
}


def _prime(server, client, tmp_cache) -> dict[str, bytes]:
    server.responder = _serve()
    client.metadata(KRI002_PATH)
    client.fetch(KRI002_PATH, QUERY)
    server.seen.clear()
    server.responder = None
    return _files(tmp_cache / "oslo")


def test_client_fetches_and_decodes_a_selection(server, client, tmp_cache) -> None:
    server.responder = _serve()
    frame = client.fetch(KRI002_PATH, QUERY)
    assert frame["geografi_label"].unique().tolist() == [
        "Bydel Gamle Oslo",
        "Bydel Søndre Nordstrand",
    ]
    assert frame["år_label"].unique().tolist() == ["2023", "2024"]
    assert frame.loc[frame["år"] == "34", "value"].tolist() == [9_499.0, 2_651.0]
    assert frame.attrs["from_cache"] is False and frame.attrs["table_id"] == "KRI002"
    (seen,) = server.seen
    assert seen.method == "POST" and json.loads(seen.body)["query"][0] == {
        "code": "lovbruddsgruppe",
        "selection": {"filter": "item", "values": ["00"]},
    }
    index = json.loads(next((tmp_cache / "oslo").glob("KRI002-data-*.index.json")).read_text())
    body = (tmp_cache / "oslo" / index["parts"][0]["file"]).read_bytes()
    assert index["parts"][0]["sha256"] == hashlib.sha256(body).hexdigest()


def test_429_with_retry_after_then_success(server, client, clock, tmp_cache) -> None:
    _prime(server, client, tmp_cache)
    good = json.dumps(_dataset(QUERY)).encode()
    server.queue(Reply(status=429, headers={"Retry-After": "6"}), Reply(body=good))
    frame = client.fetch(KRI002_PATH, QUERY)
    assert clock.sleeps == [6.0] and len(server.seen) == 2 and frame.attrs["from_cache"] is False


def test_5xx_exhausted_keeps_the_cache_and_answers_from_it(
    server, client, clock, tmp_cache
) -> None:
    before = _prime(server, client, tmp_cache)
    server.responder = lambda seen: Reply(status=503, headers={"Retry-After": "2"}, body=b"busy")
    with pytest.raises(SourceUnavailable) as info:
        client.fetch(KRI002_PATH, QUERY, stale_ok=False)
    assert "Oslo statbank table KRI002" in str(info.value) and "HTTP 503" in str(info.value)
    assert server.url + PATH in str(info.value)
    assert clock.sleeps == [2.0] * 4 and len(server.seen) == 5
    assert _files(tmp_cache / "oslo") == before
    with pytest.warns(StaleDataWarning, match="Oslo statbank table KRI002: using the cached copy"):
        frame = client.fetch(KRI002_PATH, QUERY)
    assert frame.attrs["from_cache"] is True and _files(tmp_cache / "oslo") == before


def test_hang_past_the_read_timeout_fails_and_keeps_the_cache(server, clock, tmp_cache) -> None:
    client = oslo.OsloStatbankClient(timeout=0.2, max_retries=1)
    before = _prime(server, client, tmp_cache)
    server.queue(Reply(body=b"{}", delay=3.0), Reply(body=b"{}", delay=3.0))
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match="Timeout"):
        client.fetch(KRI002_PATH, QUERY, stale_ok=False)
    assert time.monotonic() - started < 2.0 and len(server.seen) == 2
    assert _files(tmp_cache / "oslo") == before


def test_trickling_answer_hits_the_deadline(server, tmp_cache, monkeypatch) -> None:
    client = oslo.OsloStatbankClient(timeout=5.0, deadline=1.0)
    before = _prime(server, client, tmp_cache)
    server.queue(Reply(body=json.dumps(_dataset(QUERY)).encode(), trickle=0.3))
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match="within the 1 s deadline"):
        client.fetch(KRI002_PATH, QUERY, stale_ok=False)
    assert time.monotonic() - started < 3.0 and _files(tmp_cache / "oslo") == before


@pytest.mark.parametrize(
    ("reply", "fragment"),
    [
        (lambda good: Reply(body=good[: len(good) // 2]), "not valid JSON"),
        (lambda good: Reply(body=good[:200], declared_length=len(good)), "ChunkedEncodingError"),
        (
            lambda good: Reply(
                body=b"<!DOCTYPE html><html><body>Vedlikehold</body></html>",
                content_type="text/html",
            ),
            "HTML",
        ),
    ],
    ids=["truncated-json", "cut-off-body", "html-with-200"],
)
def test_broken_answers_never_replace_the_cache(
    server, client, clock, tmp_cache, reply, fragment
) -> None:
    before = _prime(server, client, tmp_cache)
    good = json.dumps(_dataset(QUERY)).encode()
    server.responder = lambda seen: reply(good)
    with pytest.raises(SourceUnavailable, match=fragment) as info:
        client.fetch(KRI002_PATH, QUERY, stale_ok=False)
    assert "Oslo statbank table KRI002" in str(info.value)
    assert _files(tmp_cache / "oslo") == before


def test_renamed_variable_in_the_data_is_schema_drift(server, client, tmp_cache) -> None:
    before = _prime(server, client, tmp_cache)

    def rename(ds: dict) -> dict:
        ds["id"] = ["bydel" if d == "geografi" else d for d in ds["id"]]
        ds["dimension"]["bydel"] = ds["dimension"].pop("geografi")
        return ds

    server.responder = _serve(transform=rename)
    with pytest.raises(SchemaError) as info:
        client.fetch(KRI002_PATH, QUERY)  # stale_ok does not hide drift
    assert "schema drift" in str(info.value) and "missing ['geografi']" in str(info.value)
    assert _files(tmp_cache / "oslo") == before


def test_load_falls_back_when_the_metadata_drifts_and_caches_nothing(
    server, clock, tmp_cache, embedded
) -> None:
    server.responder = _serve()
    first, _ = _load_live()
    before = _files(tmp_cache)
    renamed = {**METADATA, "variables": _variables(area_code_name="bydel")}
    renamed["variables"][1]["valueTexts"] = [f"Område {c}" for c, _ in AREAS]  # no bydel names
    server.responder = _serve(metadata=renamed)
    again, caught = _load_live()
    message = _fallback(caught)
    assert message.startswith("Oslo statbank table KRI002 unavailable")
    assert "no area (gjerningsbydel) variable" in message and "bydel ('gjerningsbydel'" in message
    assert "bydel_offences-live.parquet" in message
    pd.testing.assert_frame_equal(again, first)
    assert _files(tmp_cache) == before  # byte for byte: the good metadata is still there
    assert provenance(["bydel_offences"])["origin"].tolist() == ["live_cache"]


def test_negative_count_is_a_source_error_and_falls_back_to_the_embedded_table(
    server, clock, tmp_cache, embedded
) -> None:
    def negative(ds: dict) -> dict:
        ds["value"][0] = -1.0
        return ds

    server.responder = _serve(transform=negative)
    frame, caught = _load_live()
    message = _fallback(caught)
    assert "Oslo statbank table KRI002: the response from " + server.url + PATH in message
    assert "failed the value checks" in message and "negative" in message
    assert "using the embedded snapshot" in message
    pd.testing.assert_frame_equal(frame, embedded)
    assert not list((tmp_cache / "oslo").glob("KRI002-*"))  # neither data nor metadata cached
    assert provenance(["bydel_offences"])["origin"].tolist() == ["embedded_fallback"]


# ------------------------------------------------------------------ ptv data update
def _ptv(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PTV_OFFLINE", None)
    return subprocess.run(
        [sys.executable, "-m", "ptvlib.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_ptv_data_update_bydel_offences(server, tmp_cache) -> None:
    server.responder = _serve()
    done = _ptv("data", "update", "bydel_offences")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0].startswith(
        "updating bydel_offences from Oslo kommune's statbank table KRI002"
    )
    assert "  [2/2] Oslo statbank table KRI002: request 2 of 2 done" in done.stderr.splitlines()
    n = len(GROUPS) * len(AREAS) * len(YEARS)
    assert done.stdout.strip() == f"bydel_offences: {n:,} rows"

    server.responder = lambda seen: Reply(status=503, headers={"Retry-After": "0"})
    failed = _ptv("data", "update", "bydel_offences")
    assert failed.returncode == 3, failed.stderr
    assert "warning: Oslo statbank table KRI002 unavailable" in failed.stderr
    assert "last good copy bydel_offences-live.parquet" in failed.stderr
    assert failed.stdout.strip() == f"bydel_offences: {n:,} rows"
