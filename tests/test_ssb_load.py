"""``load("reported_offences", source="ssb")`` and ``ptv data update`` end to end, against a
real HTTP server on 127.0.0.1 that answers like PxWebApi v2 for SSB table 08487.

The served cube holds the project's REAL embedded values: municipal counts from
``load("reported_offences")`` (the chrilur extract of 08487, 2020-2024) and the national
row from ``load("national_offences")`` (the recorded v0 response of 08487), so the test
checks an exact round trip: served values -> client -> harmonisation -> the same frame.
Labels are SSB's own (the ``gjerningssted`` column of the chrilur extract and the recorded
v0 response). The only invented number is marked "synthetic test value" below.

Fast retries: ``data.py`` builds ``SsbClient()`` with its defaults (1 s backoff, 4 retries)
and ``time.sleep`` is bound as a default argument, so patching ``time.sleep`` would not
help. In process the tests swap ``ptvlib.data.sources.ssb.client.SsbClient`` for a subclass whose ``sleep``
only records the waits; the ``ptv`` subprocess cannot be patched, so there the server
sends ``Retry-After: 0`` (honoured by the client) and the retries run without waiting.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ptvlib.data.sources.ssb.client as ssb
from ptvlib.basics import config
from ptvlib.data import catalog
from ptvlib.data.loading import SsbFallbackWarning, load
from ptvlib.data.schema import validate


def _load_helper():
    """Import tests/_httpserver.py by path (tests/ is not a package)."""
    name = "ptv_tests_httpserver"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).with_name("_httpserver.py")
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_http = _load_helper()
Reply, ScriptedServer = _http.Reply, _http.ScriptedServer

V0_FIXTURE = (
    config.PROJECT_DIR
    / "data/raw/ssb08487_national_jsonstat_fixture_egil10/crime-rate_08487_v0_dataset97445_en.json"
)
DIMS = ["Gjerningssted", "LovbruddKrim", "ContentsCode", "Tid"]
PERIODS = ["2022-2023", "2023-2024"]
#: 08487's offence-group codes and the project's group names.
GROUPS = {
    "1AAAAA-9ZZZZz": "total",
    "1AAAAA-1ZZZZz": "property_theft",
    "4AAAAA-4ZZZZz": "violence",
    "6AAAAA-6ZZZZz": "drugs",
    "7AAAAA-7ZZZZz": "public_order",
    "8AAAAA-8ZZZZz": "traffic",
    "2AAAAA-3-5-9ZZZZz": "other",
}
#: Served scenes of crime: code, SSB's label, 2024 unit and the periods the code existed.
#: Halden 3001 and Aremark 3012 (Viken, 2020-2023) became 3101 and 3124 (Østfold) in 2024.
REGIONS = [
    ("0", "The whole country", "0", PERIODS),
    ("0301", "0301 Oslo", "0301", PERIODS),
    ("3001", "3001 Halden (2020-2023)", "3101", ["2022-2023"]),
    ("3012", "3012 Aremark (2020-2023)", "3124", ["2022-2023"]),
    ("3101", "3101 Halden", "3101", ["2023-2024"]),
    ("3124", "3124 Aremark", "3124", ["2023-2024"]),
]
UNITS = ["0301", "3101", "3124"]
#: Synthetic test value: a number SSB might send in a "." cell (3101 total, 2022-2023, when
#: the code did not exist yet); the "." flag must win and the number must never appear.
SYNTHETIC_DOT_VALUE = 999_999.0
FOUND_AFTER_RENAME = ["Region", "LovbruddKrim", "ContentsCode", "Tid"]
COMPARED = [
    "region", "region_name", "level", "period", "year", "period_years", "indicator",
    "offence_group", "value", "unit", "status", "derived",
]  # fmt: skip


# --------------------------------------------------------------------------- the cube
@pytest.fixture(scope="module")
def embedded() -> pd.DataFrame:
    """The embedded snapshot (built in the session cache, before tmp_cache applies)."""
    return load("reported_offences")


@pytest.fixture(scope="module")
def cube(embedded: pd.DataFrame) -> dict:
    """A JSON-stat2 08487 response holding the real embedded values of the served cells."""
    counts = pd.concat(
        [
            embedded.loc[embedded["unit"] == "count"],
            load("national_offences").query("unit == 'count'"),
        ]
    ).set_index(["region", "period", "offence_group"])
    v0 = json.loads(V0_FIXTURE.read_bytes())["dataset"]["dimension"]
    values: list[float | None] = []
    status: dict[str, str] = {}
    for code, _label, unit, valid in REGIONS:  # row-major: Tid varies fastest
        for group in GROUPS.values():
            for period in PERIODS:
                cell = str(len(values))
                if period not in valid:  # the code did not exist in that period
                    status[cell] = "."
                    dot = code == "3101" and group == "total"
                    values.append(SYNTHETIC_DOT_VALUE if dot else None)
                    continue
                row = counts.loc[(unit, period, group)]
                if np.isnan(row["value"]):
                    assert row["status"] == ":"  # suppressed by SSB
                    status[cell] = ":"
                    values.append(None)
                else:
                    values.append(float(row["value"]))

    def dimension(dim: str, codes: dict[str, str]) -> dict:
        label = v0[dim]["label"] if dim in v0 else dim
        return {"label": label, "category": {"index": list(codes), "label": codes}}

    contents = v0["ContentsCode"]["category"]["label"]
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "08487: Anmeldte lovbrudd (test cube)",
        "source": "Statistics Norway",
        "id": DIMS,
        "size": [len(REGIONS), len(GROUPS), 1, len(PERIODS)],
        "dimension": {
            "Gjerningssted": dimension("Gjerningssted", {r[0]: r[1] for r in REGIONS}),
            "LovbruddKrim": dimension(
                "LovbruddKrim", {c: v0["LovbruddKrim"]["category"]["label"][c] for c in GROUPS}
            ),
            "ContentsCode": dimension(
                "ContentsCode", {"AnmeldteLovbrudd": contents["AnmeldteLovbrudd"]}
            ),
            "Tid": dimension("Tid", {p: p for p in PERIODS}),
        },
        "value": values,
        "status": status,
    }


def _metadata(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in ("value", "status")}


def _served(doc: dict, code: str) -> dict[tuple[str, str], float | None]:
    """Values sent for scene of crime *code*: ``{(group, period): value}``."""
    start = [r[0] for r in REGIONS].index(code) * len(GROUPS) * len(PERIODS)
    keys = [(g, p) for g in GROUPS.values() for p in PERIODS]
    return dict(zip(keys, doc["value"][start : start + len(keys)], strict=True))


def _renamed(doc: dict) -> dict:
    """*doc* with Gjerningssted renamed to Region (schema drift at SSB)."""
    out = json.loads(json.dumps(doc))
    out["id"] = ["Region" if d == "Gjerningssted" else d for d in out["id"]]
    out["dimension"]["Region"] = out["dimension"].pop("Gjerningssted")
    return out


def _serve(data: dict, metadata: dict | None = None):
    """Responder: the metadata endpoint gets *metadata* (default: from *data*)."""
    meta_body = json.dumps(_metadata(data) if metadata is None else metadata).encode()
    data_body = json.dumps(data).encode()

    def respond(seen) -> Reply:
        return Reply(body=meta_body if seen.path.endswith("/metadata") else data_body)

    return respond


def _down(seen) -> Reply:
    return Reply(status=503, body=b'{"error": "Service Unavailable"}')


# --------------------------------------------------------------------------- fixtures
@pytest.fixture
def server(tmp_cache: Path, monkeypatch: pytest.MonkeyPatch):
    srv = ScriptedServer().start()
    monkeypatch.setenv("PTV_SSB_BASE_URL", srv.url)
    monkeypatch.delenv("PTV_OFFLINE", raising=False)
    yield srv
    srv.stop()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retry waits of every SsbClient that data.py builds (recorded, not slept)."""
    waits: list[float] = []

    class RecordingClient(ssb.SsbClient):
        def __init__(self, *args, **kwargs) -> None:
            kwargs.setdefault("sleep", waits.append)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(ssb, "SsbClient", RecordingClient)
    return waits


def _load_ssb(**kwargs) -> tuple[pd.DataFrame, list[warnings.WarningMessage]]:
    """``load("reported_offences", source="ssb")`` and every warning it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = load("reported_offences", source="ssb", **kwargs)
    return frame, caught


def _fallback_message(caught: list[warnings.WarningMessage]) -> str:
    """The text of the one SsbFallbackWarning among *caught*."""
    found = [w for w in caught if issubclass(w.category, SsbFallbackWarning)]
    assert len(found) == 1, [f"{w.category.__name__}: {w.message}" for w in caught]
    return str(found[0].message)


def _files(cache: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(cache)): p.read_bytes() for p in sorted(cache.rglob("*")) if p.is_file()
    }


def _units(frame: pd.DataFrame) -> pd.DataFrame:
    sel = frame.loc[frame["region"].isin(UNITS) & frame["period"].isin(PERIODS), COMPARED]
    return sel.sort_values(["region", "period", "offence_group", "unit"], ignore_index=True)


def _cell(frame: pd.DataFrame, region: str, period: str, group: str, unit: str = "count"):
    row = frame.loc[
        (frame["region"] == region)
        & (frame["period"] == period)
        & (frame["offence_group"] == group)
        & (frame["unit"] == unit)
    ]
    assert len(row) == 1, (region, period, group, unit)
    return row.iloc[0]


# --------------------------------------------------------------------------- load()
def test_load_from_ssb_round_trips_the_served_cube(server, sleeps, tmp_cache, cube, embedded):
    server.responder = _serve(cube)
    calls = []
    frame, caught = _load_ssb(progress=lambda *a: calls.append(a))
    assert [w.message for w in caught] == []

    # the catalogue schema holds (exact columns, order, dtypes, allowed values, unique keys)
    assert validate(frame, catalog.get("reported_offences").schema) is frame
    # requests: metadata (to count the wildcards), then one data request with the selection
    assert [(s.method, s.path) for s in server.seen] == [
        ("GET", "/tables/08487/metadata"),
        ("GET", "/tables/08487/data"),
    ]
    query = server.seen[1].query
    assert query["lang"] == ["no"] and query["outputFormat"] == ["json-stat2"]
    assert query["valueCodes[LovbruddKrim]"] == [",".join(GROUPS)]
    assert query["valueCodes[ContentsCode]"] == ["AnmeldteLovbrudd"]
    assert query["valueCodes[Gjerningssted]"] == ["*"] and query["valueCodes[Tid]"] == ["*"]
    assert calls == [(1, 1, "SSB table 08487: request 1 of 1 done")] and sleeps == []

    # exact round trip: every served unit and period equals the embedded frame it came from,
    # counts and per-1 000 rates, values and statuses
    pd.testing.assert_frame_equal(_units(frame), _units(embedded))
    served = frame.loc[frame["region"].isin(UNITS) & frame["period"].isin(PERIODS)]
    assert set(served["source"]) == {"ssb08487_api"} and not served["derived"].any()
    # Oslo: exactly the 14 numbers served, SSB's published annual averages (test_data)
    oslo = frame.query("region == '0301' and period in @PERIODS and unit == 'count'")
    got = oslo.set_index(["offence_group", "period"])["value"].to_dict()
    assert got == _served(cube, "0301") and (oslo["status"] == "").all()
    assert got[("total", "2022-2023")] == 66_413 and got[("total", "2023-2024")] == 70_192

    # an old code lands in its 2024 unit: Halden 3001 (2022-2023) -> 3101, 3101 (2023-2024)
    for code, period in [("3001", "2022-2023"), ("3101", "2023-2024")]:
        for group in GROUPS.values():
            sent = _served(cube, code)[(group, period)]
            assert _cell(frame, "3101", period, group)["value"] == sent
    assert _cell(frame, "3101", "2022-2023", "total")["value"] == 2_769
    assert not frame["region"].isin(["0", "3001", "3012"]).any()
    # ":" (suppressed) is missing, not zero, and keeps SSB's symbol: Aremark, drugs
    for period in PERIODS:
        row = _cell(frame, "3124", period, "drugs")
        assert np.isnan(row["value"]) and row["status"] == ":"
        row = _cell(frame, "3124", period, "drugs", unit="per_1000")
        assert np.isnan(row["value"]) and row["status"] == ":"
    # "." cells (code not valid that period) are not data, even when a number came
    assert "." not in set(frame["status"])
    assert not np.isclose(frame["value"], SYNTHETIC_DOT_VALUE).any()
    # municipalities SSB did not send are missing with a reason, never zero
    bergen = frame.query("region == '4601'")
    assert bergen["value"].isna().all() and set(bergen["status"]) == {"dropped"}

    # the SSB copy is written (parquet) and the raw response cached with its checksum
    parquet = tmp_cache / "tables" / "reported_offences-live.parquet"
    pd.testing.assert_frame_equal(pd.read_parquet(parquet), frame)
    index = json.loads(next((tmp_cache / "ssb").glob("08487-data-no-*.index.json")).read_text())
    body = json.dumps(cube).encode()
    assert index["parts"][0]["sha256"] == hashlib.sha256(body).hexdigest()


def test_503_after_a_good_fetch_returns_the_last_good_ssb_copy(server, sleeps, tmp_cache, cube):
    server.responder = _serve(cube)
    first = load("reported_offences", source="ssb")
    before = _files(tmp_cache)
    assert "tables/reported_offences-live.parquet" in before

    server.responder = _down
    server.seen.clear()
    again, caught = _load_ssb()
    message = _fallback_message(caught)
    assert message.startswith("SSB table 08487 unavailable")
    assert "HTTP 503" in message and "reported_offences-live.parquet" in message
    pd.testing.assert_frame_equal(again, first)
    assert set(again.query("region in @UNITS and period in @PERIODS")["source"]) == {"ssb08487_api"}
    assert _files(tmp_cache) == before  # byte for byte: nothing rewritten, nothing added
    # retries exhausted: 1 + 4 attempts at the data endpoint, waits 1, 2, 4, 8 s per endpoint
    data = [s for s in server.seen if s.path == "/tables/08487/data"]
    assert len(data) == 5 and len(server.seen) % 5 == 0
    assert sleeps == [1.0, 2.0, 4.0, 8.0] * (len(server.seen) // 5)


def test_html_page_without_any_ssb_copy_falls_back_to_the_embedded_snapshot(
    server, sleeps, tmp_cache, embedded
):
    page = b"<!DOCTYPE html><html><head><title>Vedlikehold</title></head><body>SSB</body></html>"
    server.responder = lambda seen: Reply(body=page, content_type="text/html")
    frame, caught = _load_ssb()
    message = _fallback_message(caught)
    assert message.startswith("SSB table 08487 unavailable")
    assert "HTML" in message and "embedded snapshot" in message
    pd.testing.assert_frame_equal(frame, embedded)
    assert not (tmp_cache / "tables" / "reported_offences-live.parquet").exists()
    assert not list((tmp_cache / "ssb").glob("08487-data-*"))  # never cached
    assert sleeps == []  # a complete answer that is not JSON-stat is not retried


@pytest.mark.parametrize("drifted", ["metadata_and_data", "data_only"])
def test_renamed_dimension_is_schema_drift_and_falls_back_naming_what_was_found(
    server, sleeps, tmp_cache, cube, embedded, drifted
):
    """Decision: schema drift never reaches the analysis and never stops it.

    ``load(source="ssb")`` falls back (last good SSB copy, else the embedded snapshot)
    with an SsbFallbackWarning that names the table and the dimensions SSB now has, the
    drifted data is neither cached nor written as the SSB copy; ``ptv data update`` exits 3
    on any SsbFallbackWarning, so a scheduled refresh reports the drift.
    """
    renamed = _renamed(cube)
    metadata = _metadata(cube) if drifted == "data_only" else None
    server.responder = _serve(renamed, metadata=metadata)
    frame, caught = _load_ssb()
    message = _fallback_message(caught)
    assert message.startswith("SSB table 08487 unavailable")
    assert str(FOUND_AFTER_RENAME) in message and "'Gjerningssted'" in message
    if drifted == "data_only":
        assert "schema drift" in message
    pd.testing.assert_frame_equal(frame, embedded)
    assert not (tmp_cache / "tables" / "reported_offences-live.parquet").exists()
    assert not list((tmp_cache / "ssb").glob("08487-data-*"))


# --------------------------------------------------------------------------- ptv CLI
def _ptv(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``ptv`` in a fresh interpreter; the environment carries the cache and server."""
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


def test_ptv_data_update_reports_progress_then_exits_3_when_ssb_fails(server, tmp_cache, cube):
    assert os.environ["PTV_SSB_BASE_URL"] == server.url
    assert os.environ["PTV_CACHE_DIR"] == str(tmp_cache)
    server.responder = _serve(cube)
    done = _ptv("data", "update", "reported_offences")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == (
        "updating reported_offences from Statistics Norway table 08487 (PxWebApi v2) ..."
    )
    assert "  [1/1] SSB table 08487: request 1 of 1 done" in lines
    assert "unavailable" not in done.stderr
    rows = len(pd.read_parquet(tmp_cache / "tables" / "reported_offences-live.parquet"))
    assert done.stdout.strip() == f"reported_offences: {rows:,} rows"

    # SSB down: 503 with Retry-After: 0, so the subprocess's 4 retries need no waiting
    server.responder = lambda seen: Reply(status=503, headers={"Retry-After": "0"})
    failed = _ptv("data", "update", "reported_offences")
    assert failed.returncode == 3, failed.stderr
    lines = failed.stderr.splitlines()
    for k in range(1, 5):
        assert f"  [0/1] SSB table 08487: HTTP 503; retry {k} of 4 in 0 s" in lines
    warning = [line for line in lines if line.startswith("warning: SSB table 08487 unavailable")]
    assert len(warning) == 1 and "last good copy reported_offences-live.parquet" in warning[0]
    assert failed.stdout.strip() == f"reported_offences: {rows:,} rows"


def test_ptv_data_update_without_any_copy_exits_3_with_the_embedded_snapshot(
    server, tmp_cache, embedded
):
    server.responder = lambda seen: Reply(status=503, headers={"Retry-After": "0"})
    failed = _ptv("data", "update", "reported_offences")
    assert failed.returncode == 3, failed.stderr
    assert failed.stderr.startswith("updating reported_offences from Statistics Norway table 08487")
    warning = [
        line
        for line in failed.stderr.splitlines()
        if line.startswith("warning: SSB table 08487 unavailable")
    ]
    assert len(warning) == 1 and warning[0].endswith("using the embedded snapshot")
    assert failed.stdout.strip() == f"reported_offences: {len(embedded):,} rows"
    assert not (tmp_cache / "tables" / "reported_offences-live.parquet").exists()


def test_a_negative_count_exits_3_naming_table_and_url_and_keeps_the_raw_cache(
    server, tmp_cache, cube
):
    """Issue 8: a valid response with an impossible value is a source error, not bad input."""
    server.responder = _serve(cube)
    assert _ptv("data", "update", "reported_offences").returncode == 0
    before = _files(tmp_cache / "ssb")
    bad = json.loads(json.dumps(cube))
    oslo = [r[0] for r in REGIONS].index("0301") * len(GROUPS) * len(PERIODS)  # Oslo, total
    bad["value"][oslo] = -bad["value"][oslo]
    server.responder = _serve(bad)
    failed = _ptv("data", "update", "reported_offences")
    assert failed.returncode == 3, failed.stderr
    (warning,) = [
        line for line in failed.stderr.splitlines() if line.startswith("warning: SSB table 08487")
    ]
    assert f"SSB table 08487: the response from {server.url}/tables/08487/data?" in warning
    assert "failed the value checks" in warning and "negative" in warning
    assert "last good copy reported_offences-live.parquet" in warning
    assert _files(tmp_cache / "ssb") == before  # the last good raw response is untouched
