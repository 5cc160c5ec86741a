"""Tests of ptvlib.data.sources.ssb.client: JSON-stat decoding on real SSB responses, and the PxWebApi v2
client against a real local HTTP server that misbehaves on purpose."""

from __future__ import annotations

import fnmatch
import hashlib
import importlib.util
import json
import math
import socket
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ptvlib.basics import config
from ptvlib.basics.exceptions import DataError, ParameterError, SchemaError, SourceUnavailable
from ptvlib.data.sources.jsonstat import split_selection
from ptvlib.data.sources.ssb.client import (
    DEFAULT_BASE_URL,
    SsbClient,
    StaleDataWarning,
    TableMetadata,
    _RateLimiter,
    decode_jsonstat,
)


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

RAW = config.PROJECT_DIR / "data" / "raw"
V2_FIXTURE = RAW / "pxwebapi_v2_jsonstat2_fixture_13615" / "ssb_13615_v2_jsonstat2_response.json"
V0_DIR = RAW / "ssb08487_national_jsonstat_fixture_egil10"
V0_FIXTURE = V0_DIR / "crime-rate_08487_v0_dataset97445_en.json"
V0_FLAT = V0_DIR / "crime-rate_08487_national_flattened.csv"

PRODUCTS = ["01", "02a", "02b", "03", "04+05", "06", "07", "08", "09", "98"]
YEARS = ["2020", "2021", "2022", "2023", "2024"]
QUERY_13615 = {
    "Produkter": PRODUCTS,
    "NACE": ["01-03", "50"],
    "ContentsCode": "Petroleum",
    "Tid": YEARS,
}
DIMS_13615 = ["Produkter", "NACE", "ContentsCode", "Tid"]


# --------------------------------------------------------------------------- fixtures
class FakeClock:
    """Monotonic clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def v2_bytes() -> bytes:
    return V2_FIXTURE.read_bytes()


@pytest.fixture
def server():
    srv = ScriptedServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(server, clock, tmp_cache, monkeypatch):
    """Build an SsbClient pointed at the local server, with a fake clock and sleep."""
    monkeypatch.delenv("PTV_OFFLINE", raising=False)

    def make(**kwargs) -> SsbClient:
        options = {"timeout": 5.0, "sleep": clock.sleep, "clock": clock.time} | kwargs
        return SsbClient(options.pop("base_url", server.url), **options)

    return make


def _cache_snapshot(cache: Path) -> dict[str, tuple[bytes, str]]:
    files = sorted((cache / "ssb").glob("*.json"))
    return {f.name: (f.read_bytes(), hashlib.sha256(f.read_bytes()).hexdigest()) for f in files}


def _prime(server, client: SsbClient, body: bytes, tmp_cache: Path) -> dict[str, tuple[bytes, str]]:
    """Fetch a good response once so the cache holds it; return the cache snapshot."""
    server.queue(Reply(body=body))
    client.fetch("13615", QUERY_13615)
    server.seen.clear()
    snapshot = _cache_snapshot(tmp_cache)
    assert len(snapshot) == 2  # the sidecar and one response
    return snapshot


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# ------------------------------------------------------------------ decoding real files
def test_decode_real_v2_jsonstat2_response_13615(v2_bytes):
    frame = decode_jsonstat(v2_bytes, table_id="13615")
    raw = json.loads(v2_bytes)

    assert frame.shape == (100, 10)
    assert list(frame.columns) == [
        "Produkter", "Produkter_label", "NACE", "NACE_label", "ContentsCode",
        "ContentsCode_label", "Tid", "Tid_label", "value", "status",
    ]  # fmt: skip
    assert frame["value"].dtype == np.float64
    assert pd.api.types.is_string_dtype(frame["status"])
    assert frame["Produkter"].unique().tolist() == PRODUCTS
    assert frame["NACE"].unique().tolist() == ["01-03", "50"]
    assert frame["Tid"].unique().tolist() == YEARS
    assert set(frame["ContentsCode_label"]) == {"Sal av petroleumsprodukt (inkl. iblanda bio)"}
    # row-major: Tid fastest, then NACE, then Produkter
    assert frame.loc[0, ["Produkter_label", "NACE_label", "Tid", "value"]].tolist() == [
        "Bilbensin", "Jordbruk, skogbruk og fiske", "2020", 6.0,
    ]  # fmt: skip
    assert frame.loc[5, ["Produkter", "NACE", "Tid", "value"]].tolist() == [
        "01",
        "50",
        "2020",
        4752.0,
    ]
    assert frame.loc[19, ["Produkter", "NACE", "Tid", "value"]].tolist() == [
        "02a",
        "50",
        "2024",
        32206.0,
    ]
    assert frame.loc[frame["Produkter"] == "04+05", "Produkter_label"].iloc[0] == (
        "Lett fyringsolje og fyringsparafin"
    )
    # the 30 null cells are exactly the cells flagged "." and they are NaN
    flagged = sorted(int(k) for k in raw["status"])
    assert len(flagged) == 30 and set(raw["status"].values()) == {"."}
    assert frame.index[frame["status"] == "."].tolist() == flagged
    assert frame["value"].isna().sum() == 30 and frame.loc[flagged, "value"].isna().all()
    assert (frame.drop(index=flagged)["status"] == "").all()
    assert frame.drop(index=flagged)["value"].tolist() == [v for v in raw["value"] if v is not None]
    assert frame.attrs["updated"] == "2025-04-11T06:00:00Z"
    assert frame.attrs["dimensions"] == DIMS_13615
    assert len(frame.attrs["note"]) == 2


def test_decode_real_v0_bundle_08487_matches_independent_flattening():
    frame = decode_jsonstat(V0_FIXTURE.read_bytes(), table_id="08487")
    flat = pd.read_csv(V0_FLAT, dtype=str)

    assert frame.shape == (476, 10)  # 2 x 7 x 17 x 2 cells
    for column in flat.columns.drop("value"):
        assert frame[column].tolist() == flat[column].tolist(), column
    np.testing.assert_allclose(frame["value"].to_numpy(), flat["value"].astype(float).to_numpy())
    assert frame["Gjerningssted"].unique().tolist() == ["Ialt", "0"]
    assert frame["Gjerningssted_label"].unique().tolist() == ["Total", "The whole country"]
    assert frame["Tid"].iloc[[0, -1]].tolist() == ["2007-2008", "2023-2024"]
    assert frame["Tid"].nunique() == 17 and frame["LovbruddKrim"].nunique() == 7
    assert frame["ContentsCode"].unique().tolist() == ["AnmeldteLovbrudd", "AnmLovbrPer1000"]
    first = frame.iloc[0]
    assert (first["LovbruddKrim"], first["LovbruddKrim_label"]) == (
        "1AAAAA-9ZZZZz",
        "All groups of offences",
    )
    assert frame["value"].iloc[:3].tolist() == [392225.0, 82.8, 391916.0]
    assert (frame["status"] == "").all() and frame["value"].notna().all()
    assert frame.attrs["source"] == "Statistics Norway"


def _tiny(value, status=None, size=4) -> dict:
    ds = {
        "version": "2.0",
        "class": "dataset",
        "id": ["Region", "Tid"],
        "size": [1, size],
        "dimension": {
            "Region": {
                "label": "region",
                "category": {"index": {"0301": 0}, "label": {"0301": "Oslo"}},
            },
            "Tid": {"category": {"index": [str(2020 + i) for i in range(size)]}},
        },
        "value": value,
    }
    if status is not None:
        ds["status"] = status
    return ds


def test_decode_sparse_value_and_status_forms_and_ssb_symbols():
    frame = decode_jsonstat(_tiny({"0": 1, "3": 4.5}, {"1": ".."}))
    assert frame["value"].tolist()[0] == 1.0 and frame["value"].tolist()[3] == 4.5
    assert frame["value"].isna().tolist() == [False, True, True, False]
    assert frame["status"].tolist() == ["", "..", "", ""]
    assert frame["Tid_label"].tolist() == [
        "2020",
        "2021",
        "2022",
        "2023",
    ]  # label falls back to code

    # status as one string applies to every cell; "-" keeps the number sent
    frame = decode_jsonstat(_tiny([0, None, 0, 2], "-"))
    assert frame["status"].tolist() == ["-"] * 4
    assert frame["value"].tolist()[::2] == [0.0, 0.0] and math.isnan(frame["value"][1])

    # missing-value symbols force NaN even when a number came; other flags keep it
    frame = decode_jsonstat(_tiny([1, 2, 3, 4, 5], [".", "...", ":", "p", None], size=5))
    assert frame["value"].isna().tolist() == [True, True, True, False, False]
    assert frame["status"].tolist() == [".", "...", ":", "p", ""]


def test_decode_accepts_parsed_text_and_does_not_touch_the_input(v2_bytes):
    obj = json.loads(v2_bytes)
    before = json.dumps(obj, sort_keys=True)
    from_obj = decode_jsonstat(obj)
    pd.testing.assert_frame_equal(from_obj, decode_jsonstat(v2_bytes.decode("utf-8")))
    assert json.dumps(obj, sort_keys=True) == before


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b'{"version": "2.0", "class": "dataset", "id": ["Reg', "not valid JSON"),
        (b"<!DOCTYPE html><html><body>Service down</body></html>", "HTML"),
        (b"", "empty"),
        (b"[1, 2]", "JSON object"),
        (json.dumps({"class": "collection", "link": {}}).encode(), "'collection'"),
        (json.dumps(_tiny([1, 2, 3])).encode(), "3 cells"),
        (json.dumps(_tiny({"7": 1})).encode(), "outside"),
    ],
)
def test_decode_rejects_malformed_input_with_a_clear_message(data, fragment):
    with pytest.raises(DataError, match="SSB table 99999") as info:
        decode_jsonstat(data, table_id="99999")
    assert fragment in str(info.value)


# ------------------------------------------------------------------------ happy path
def test_fetch_sends_v2_get_url_decodes_and_caches(make_client, server, tmp_cache, v2_bytes):
    server.queue(Reply(body=v2_bytes))
    calls = []
    client = make_client()
    frame = client.fetch(
        "13615",
        QUERY_13615,
        lang="nb",
        expected_dims=DIMS_13615,
        progress=lambda *a: calls.append(a),
    )

    pd.testing.assert_frame_equal(frame, decode_jsonstat(v2_bytes), check_like=False)
    assert frame.attrs["from_cache"] is False and frame.attrs["table_id"] == "13615"
    (seen,) = server.seen
    assert (seen.method, seen.path) == ("GET", "/tables/13615/data")
    assert seen.query["lang"] == ["no"] and seen.query["outputFormat"] == ["json-stat2"]
    assert seen.query["valueCodes[Produkter]"] == [",".join(PRODUCTS)]  # "+" survived encoding
    assert seen.query["valueCodes[ContentsCode]"] == ["Petroleum"]
    assert calls == [(1, 1, "SSB table 13615: request 1 of 1 done")]

    index = next((tmp_cache / "ssb").glob("13615-data-no-*.index.json"))
    record = json.loads(index.read_text())
    (part,) = record["parts"]
    assert part["url"] == frame.attrs["urls"][0] and part["url"].startswith(server.url)
    assert part["sha256"] == hashlib.sha256(v2_bytes).hexdigest()
    assert (index.parent / part["file"]).read_bytes() == v2_bytes
    assert record["fetched_at"].endswith("Z") and record["fetched_at"] == frame.attrs["fetched_at"]


def test_data_url_encoding_language_mapping_and_base_url_override(monkeypatch):
    client = SsbClient("https://example.test/api/v2/")
    url = client.data_url("13615", {"Produkter": "01,04+05", "Tid": "top(2)"}, lang="nb")
    assert url == (
        "https://example.test/api/v2/tables/13615/data?lang=no&outputFormat=json-stat2"
        "&valueCodes[Produkter]=01,04%2B05&valueCodes[Tid]=top(2)"
    )
    monkeypatch.setenv("PTV_SSB_BASE_URL", "http://127.0.0.1:9/v2")
    assert SsbClient().base_url == "http://127.0.0.1:9/v2"
    monkeypatch.delenv("PTV_SSB_BASE_URL")
    assert SsbClient().base_url == DEFAULT_BASE_URL == "https://data.ssb.no/api/pxwebapi/v2"


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda c: c.fetch("13615", QUERY_13615, lang="de"), "lang='de'"),
        (lambda c: c.fetch(13615, QUERY_13615), "table_id=13615"),
        (lambda c: c.fetch("../etc", QUERY_13615), "table_id='../etc'"),
        (lambda c: c.fetch("13615", {}), "query={}"),
        (lambda c: c.fetch("13615", {"Tid": []}), "query['Tid']"),
        (lambda c: SsbClient(max_cells=0), "max_cells=0"),
        (lambda c: SsbClient(timeout=-1), "timeout=-1"),
        (lambda c: SsbClient(max_per_minute=0), "max_per_minute=0"),
    ],
)
def test_bad_parameters_raise_parameter_error(make_client, server, call, fragment):
    with pytest.raises(ParameterError, match="is not allowed") as info:
        call(make_client())
    assert fragment in str(info.value)
    assert server.seen == []


# ------------------------------------------------------------------- retries and waits
def test_429_with_retry_after_is_honoured_then_succeeds(
    make_client, server, clock, tmp_cache, v2_bytes
):
    client = make_client(backoff=1.0)
    snapshot = _prime(server, client, v2_bytes, tmp_cache)
    server.queue(Reply(status=429, headers={"Retry-After": "7"}), Reply(body=v2_bytes))
    frame = client.fetch("13615", QUERY_13615)
    assert len(server.seen) == 2 and clock.sleeps == [7.0]
    assert frame.attrs["from_cache"] is False and frame.shape == (100, 10)
    # A successful re-fetch rewrites the index (new fetched_at); the response bytes stay the same.
    after = _cache_snapshot(tmp_cache)
    assert after.keys() == snapshot.keys()
    responses = [name for name in snapshot if not name.endswith(".index.json")]
    assert responses and all(after[name] == snapshot[name] for name in responses)


def test_retry_after_beyond_max_wait_gives_up_at_once_with_a_clear_message(
    make_client, server, clock, tmp_cache, v2_bytes
):
    client = make_client(max_wait=30.0)
    snapshot = _prime(server, client, v2_bytes, tmp_cache)
    server.queue(Reply(status=429, headers={"Retry-After": "3600"}), Reply(body=v2_bytes))
    with pytest.raises(SourceUnavailable) as info:
        client.fetch("13615", QUERY_13615, stale_ok=False)
    message = str(info.value)
    assert "SSB table 13615: HTTP 429" in message and server.url in message
    assert "retry after 3600 s (Retry-After), more than max_wait=30 s: giving up" in message
    assert clock.sleeps == [] and len(server.seen) == 1  # nothing waited, nothing retried
    assert _cache_snapshot(tmp_cache) == snapshot
    # with stale_ok the last good copy answers, with the reason in the warning
    server.replies.clear()
    server.queue(Reply(status=503, headers={"Retry-After": "86400"}))
    with pytest.warns(StaleDataWarning, match="more than max_wait"):
        frame = client.fetch("13615", QUERY_13615)
    assert frame.attrs["from_cache"] is True and clock.sleeps == []


def test_503_is_retried_with_exponential_backoff(make_client, server, clock, v2_bytes):
    server.queue(Reply(status=503), Reply(status=502), Reply(status=500), Reply(body=v2_bytes))
    calls = []
    frame = make_client(backoff=0.5).fetch(
        "13615", QUERY_13615, progress=lambda *a: calls.append(a)
    )
    assert len(server.seen) == 4 and clock.sleeps == [0.5, 1.0, 2.0]
    assert frame.shape == (100, 10)
    assert calls[0] == (0, 1, "SSB table 13615: HTTP 503; retry 1 of 4 in 0.5 s")
    assert calls[-1][:2] == (1, 1)


def test_exhausted_retries_raise_and_keep_the_good_cache(
    make_client, server, clock, tmp_cache, v2_bytes
):
    client = make_client(max_retries=2)
    snapshot = _prime(server, client, v2_bytes, tmp_cache)
    server.queue(*[Reply(status=503, body=b"busy")] * 3)
    with pytest.raises(SourceUnavailable) as info:
        client.fetch("13615", QUERY_13615, stale_ok=False)
    message = str(info.value)
    assert (
        "13615" in message
        and f"{server.url}/tables/13615/data?" in message
        and "HTTP 503" in message
    )
    assert len(server.seen) == 3 and clock.sleeps == [1.0, 2.0]
    assert _cache_snapshot(tmp_cache) == snapshot

    # with stale_ok (the default) the same failure returns the cached copy with a warning
    server.queue(*[Reply(status=503)] * 3)
    with pytest.warns(
        StaleDataWarning, match=r"SSB table 13615: using the cached copy fetched \d{4}-"
    ):
        frame = client.fetch("13615", QUERY_13615)
    assert frame.attrs["from_cache"] is True
    pd.testing.assert_frame_equal(frame, decode_jsonstat(v2_bytes), check_like=False)
    assert _cache_snapshot(tmp_cache) == snapshot


def test_hang_past_the_read_timeout_is_retried_then_fails(
    make_client, server, clock, tmp_cache, v2_bytes
):
    client = make_client(timeout=0.2, max_retries=1)
    snapshot = _prime(server, client, v2_bytes, tmp_cache)
    server.queue(Reply(body=v2_bytes, delay=3.0), Reply(body=v2_bytes, delay=3.0))
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match="Timeout") as info:
        client.fetch("13615", QUERY_13615, stale_ok=False)
    assert time.monotonic() - started < 2.0
    assert "13615" in str(info.value) and server.url in str(info.value)
    assert len(server.seen) == 2 and clock.sleeps == [1.0]
    assert _cache_snapshot(tmp_cache) == snapshot


def test_body_cut_off_mid_transfer_is_retried(make_client, server, clock, v2_bytes):
    server.queue(Reply(body=v2_bytes[:500], declared_length=len(v2_bytes)), Reply(body=v2_bytes))
    frame = make_client().fetch("13615", QUERY_13615)
    assert len(server.seen) == 2 and clock.sleeps == [1.0] and frame.shape == (100, 10)


def test_connection_refused_falls_back_to_cache_or_raises(
    make_client, server, clock, tmp_cache, v2_bytes
):
    good = make_client()
    snapshot = _prime(server, good, v2_bytes, tmp_cache)
    dead = make_client(base_url=_closed_port_url(), max_retries=2)
    with pytest.warns(StaleDataWarning, match="13615") as record:
        frame = dead.fetch("13615", QUERY_13615)
    assert "ConnectionError" in str(record[0].message) and clock.sleeps == [1.0, 2.0]
    assert frame.attrs["from_cache"] is True and frame.shape == (100, 10)
    assert _cache_snapshot(tmp_cache) == snapshot

    with pytest.raises(SourceUnavailable, match="no usable cached copy") as info:
        dead.fetch("13615", {"Tid": ["2020"]})
    assert "13615" in str(info.value) and dead.base_url in str(info.value)


# ----------------------------------------------------------- invalid responses (HTTP 200)
@pytest.mark.parametrize(
    ("reply", "fragment"),
    [
        (
            Reply(body=b'{"version": "2.0", "class": "dataset", "label": "13615: Sal'),
            "not valid JSON",
        ),
        (
            Reply(
                body=b"<html><head><title>Vedlikehold</title></head><body>SSB</body></html>",
                content_type="text/html",
            ),
            "HTML",
        ),
    ],
    ids=["truncated-json", "html-error-page"],
)
def test_invalid_body_raises_and_never_replaces_the_cache(
    make_client, server, clock, tmp_cache, v2_bytes, reply, fragment
):
    client = make_client()
    snapshot = _prime(server, client, v2_bytes, tmp_cache)
    server.queue(reply)
    with pytest.raises(SourceUnavailable, match=fragment) as info:
        client.fetch("13615", QUERY_13615, stale_ok=False)
    assert "SSB table 13615" in str(info.value) and f"{server.url}/tables/13615/data?" in str(
        info.value
    )
    assert (
        len(server.seen) == 1 and clock.sleeps == []
    )  # a complete but broken answer is not retried
    assert _cache_snapshot(tmp_cache) == snapshot

    server.queue(reply)
    with pytest.warns(StaleDataWarning, match=fragment):
        frame = client.fetch("13615", QUERY_13615)
    assert frame.attrs["from_cache"] is True
    assert _cache_snapshot(tmp_cache) == snapshot


def test_invalid_body_without_cache_raises(make_client, server):
    server.queue(Reply(body=b"<html>oops</html>", content_type="text/html"))
    with pytest.raises(SourceUnavailable, match="no usable cached copy") as info:
        make_client().fetch("13615", QUERY_13615)
    assert "HTML" in str(info.value) and server.url in str(info.value)


def test_renamed_dimension_is_schema_drift_and_keeps_the_cache(
    make_client, server, tmp_cache, v2_bytes
):
    client = make_client()
    snapshot = _prime(server, client, v2_bytes, tmp_cache)
    drifted = json.loads(v2_bytes)
    drifted["id"] = ["Produkter", "NACE2", "ContentsCode", "Tid"]
    drifted["dimension"]["NACE2"] = drifted["dimension"].pop("NACE")
    server.queue(Reply(body=json.dumps(drifted).encode()), Reply(body=json.dumps(drifted).encode()))

    with pytest.raises(SchemaError) as info:
        client.fetch("13615", QUERY_13615, expected_dims=DIMS_13615)  # stale_ok does not hide drift
    message = str(info.value)
    assert "13615" in message and "schema drift" in message and server.url in message
    assert "'NACE'" in message and "'NACE2'" in message
    # without expected_dims the query's own dimension names are checked
    with pytest.raises(SchemaError, match=r"missing \['NACE'\]"):
        client.fetch("13615", QUERY_13615)
    assert _cache_snapshot(tmp_cache) == snapshot


def test_client_error_is_not_retried_and_not_hidden_by_the_cache(
    make_client, server, clock, tmp_cache, v2_bytes
):
    client = make_client()
    snapshot = _prime(server, client, v2_bytes, tmp_cache)
    server.queue(Reply(status=404, body=b'{"title": "Not found"}'))
    with pytest.raises(SourceUnavailable, match="HTTP 404") as info:
        client.fetch("13615", QUERY_13615)
    assert "no such table" in str(info.value) and "Not found" in str(info.value)
    assert len(server.seen) == 1 and clock.sleeps == []
    assert _cache_snapshot(tmp_cache) == snapshot


# --------------------------------------------------------------------------- offline
def test_offline_mode_returns_the_cache_with_a_warning(
    make_client, server, tmp_cache, v2_bytes, monkeypatch
):
    client = make_client()
    snapshot = _prime(server, client, v2_bytes, tmp_cache)
    fetched_at = json.loads(next((tmp_cache / "ssb").glob("*.index.json")).read_text())[
        "fetched_at"
    ]
    monkeypatch.setenv("PTV_OFFLINE", "1")
    with pytest.warns(StaleDataWarning) as record:
        frame = client.fetch("13615", QUERY_13615)
    message = str(record[0].message)
    assert "SSB table 13615" in message and fetched_at in message and "offline" in message
    assert server.seen == []
    pd.testing.assert_frame_equal(frame, decode_jsonstat(v2_bytes), check_like=False)
    assert frame.attrs["fetched_at"] == fetched_at
    assert _cache_snapshot(tmp_cache) == snapshot


def test_offline_without_cache_raises_source_unavailable(make_client, server, monkeypatch):
    monkeypatch.setenv("PTV_OFFLINE", "1")
    with pytest.raises(SourceUnavailable, match="offline") as info:
        make_client().fetch("13615", QUERY_13615)
    assert "13615" in str(info.value) and f"{server.url}/tables/13615/data?" in str(info.value)
    assert server.seen == []


def test_damaged_cache_is_not_used(make_client, server, tmp_cache, v2_bytes, monkeypatch):
    client = make_client()
    _prime(server, client, v2_bytes, tmp_cache)
    part = next(p for p in (tmp_cache / "ssb").glob("*.json") if not p.name.endswith(".index.json"))
    part.write_bytes(v2_bytes[:-10])  # sha256 no longer matches the sidecar
    monkeypatch.setenv("PTV_OFFLINE", "1")
    with pytest.raises(SourceUnavailable, match="no usable cached copy"):
        client.fetch("13615", QUERY_13615)


# ----------------------------------------------------------------- splitting (a cube)
CUBE = {
    "Region": ["0301", "1103", "4601", "5001", "1108", "3301"],
    "Tid": YEARS[:4],
    "ContentsCode": ["Anm"],
}


def _cube_position(codes: dict[str, str]) -> int:
    pos = 0
    for dim, all_codes in CUBE.items():
        pos = pos * len(all_codes) + all_codes.index(codes[dim])
    return pos


def _cube_dataset(selection: dict[str, list[str]], with_values: bool = True) -> dict:
    dims = {
        d: [c for c in CUBE[d] if any(fnmatch.fnmatchcase(c, s) for s in selection.get(d, ["*"]))]
        for d in CUBE
    }
    ds = {
        "version": "2.0",
        "class": "dataset",
        "label": "test cube",
        "id": list(dims),
        "size": [len(v) for v in dims.values()],
        "dimension": {
            d: {
                "label": d.lower(),
                "category": {
                    "index": {c: i for i, c in enumerate(v)},
                    "label": {c: f"{d} {c}" for c in v},
                },
            }
            for d, v in dims.items()
        },
    }
    if with_values:
        cells = [dict(zip(dims, combo, strict=True)) for combo in _product(list(dims.values()))]
        ds["value"] = [
            None if (c["Region"], c["Tid"]) == ("4601", "2020") else float(_cube_position(c))
            for c in cells
        ]
        ds["status"] = {
            str(i): ".." for i, c in enumerate(cells) if (c["Region"], c["Tid"]) == ("4601", "2020")
        }
    return ds


def _product(lists: list[list[str]]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for values in lists:
        out = [prefix + (v,) for prefix in out for v in values]
    return out


def _cube_responder(seen) -> Reply:
    if seen.path.endswith("/metadata"):
        return Reply(body=json.dumps(_cube_dataset({}, with_values=False)).encode())
    if seen.method == "POST":
        selection = {s["variableCode"]: s["valueCodes"] for s in json.loads(seen.body)["selection"]}
    else:
        selection = {
            k[len("valueCodes[") : -1]: v[0].split(",")
            for k, v in seen.query.items()
            if k.startswith("valueCodes[")
        }
    return Reply(body=json.dumps(_cube_dataset(selection)).encode())


def _cells_requested(seen) -> int:
    return math.prod(
        len(v[0].split(",")) for k, v in seen.query.items() if k.startswith("valueCodes[")
    )


@pytest.mark.parametrize(("max_cells", "n_requests"), [(5, 6), (3, 12), (24, 1)])
def test_large_query_is_split_and_joined_in_row_major_order(
    make_client, server, max_cells, n_requests
):
    server.responder = _cube_responder
    full = decode_jsonstat(_cube_dataset(CUBE))
    calls = []
    frame = make_client(max_cells=max_cells).fetch(
        "99999", CUBE, progress=lambda *a: calls.append(a)
    )

    assert len(server.seen) == n_requests
    assert all(_cells_requested(s) <= max_cells for s in server.seen)
    pd.testing.assert_frame_equal(frame, full, check_like=False)
    assert frame["value"].tolist()[:3] == [0.0, 1.0, 2.0]
    assert frame.loc[(frame["Region"] == "4601") & (frame["Tid"] == "2020"), "status"].tolist() == [
        ".."
    ]
    assert [c[:2] for c in calls] == [(i, n_requests) for i in range(1, n_requests + 1)]
    assert len(frame.attrs["urls"]) == n_requests


def test_wildcards_are_counted_from_metadata_before_splitting(make_client, server, tmp_cache):
    server.responder = _cube_responder
    frame = make_client(max_cells=8).fetch(
        "99999", {"Region": "*", "Tid": ["2020", "2021"], "ContentsCode": "Anm"}
    )
    paths = [s.path for s in server.seen]
    assert paths[0] == "/tables/99999/metadata" and server.seen[0].query["outputFormat"] == [
        "json-stat2"
    ]
    assert (
        paths[1:] == ["/tables/99999/data"] * 2
    )  # 12 cells -> two requests of 4 regions x 2 years
    assert server.seen[1].query["valueCodes[Region]"] == ["0301,1103,4601,5001"]
    assert frame.shape == (12, 8) and frame["Region"].unique().tolist() == CUBE["Region"]
    # small wildcard queries are sent unchanged
    server.seen.clear()
    make_client().fetch("99999", {"Region": "*", "Tid": ["2020"], "ContentsCode": "Anm"})
    assert [s.query.get("valueCodes[Region]") for s in server.seen] == [None, ["*"]]


def test_long_selections_are_sent_by_post(make_client, server):
    server.responder = _cube_responder
    client = make_client()
    client._max_get_url = 60
    frame = client.fetch("99999", CUBE)
    (seen,) = server.seen
    assert seen.method == "POST" and seen.query == {"lang": ["no"], "outputFormat": ["json-stat2"]}
    assert json.loads(seen.body)["selection"][0] == {
        "variableCode": "Region",
        "valueCodes": CUBE["Region"],
    }
    assert frame.shape == (24, 8)


def test_split_selection_never_exceeds_the_limit():
    query = {"A": list("abcdefg"), "B": list("xyz"), "C": ["1", "2"]}
    parts = split_selection(query, 4, {})
    assert all(math.prod(len(v) for v in p.values()) <= 4 for p in parts)
    assert sorted(
        (a, b, c) for p in parts for a in p["A"] for b in p["B"] for c in p["C"]
    ) == sorted((a, b, c) for a in query["A"] for b in query["B"] for c in query["C"])
    assert split_selection(query, 42, {}) == [query]
    assert split_selection({"A": ["top(3)"]}, 1, {"A": 10}) == [{"A": ["top(3)"]}]  # cannot split


# --------------------------------------------------------------------- metadata
def test_metadata_is_decoded_cached_and_served_offline(
    make_client, server, tmp_cache, monkeypatch, v2_bytes
):
    meta_doc = {k: v for k, v in json.loads(v2_bytes).items() if k not in ("value", "status")}
    server.queue(Reply(body=json.dumps(meta_doc).encode()))
    meta = make_client().metadata("13615", lang="en")
    assert isinstance(meta, TableMetadata)
    assert server.seen[0].path == "/tables/13615/metadata" and server.seen[0].query["lang"] == [
        "en"
    ]
    assert list(meta.dimensions) == DIMS_13615 and meta.codes("Produkter") == PRODUCTS
    assert meta.dimensions["NACE"]["50"] == "Sjøfart" and meta.dimension_labels["Tid"] == "år"
    with pytest.raises(SchemaError, match="no dimension 'Region'"):
        meta.codes("Region")

    monkeypatch.setenv("PTV_OFFLINE", "1")
    with pytest.warns(StaleDataWarning, match="13615"):
        assert make_client().metadata("13615", lang="en") == meta
    assert len(server.seen) == 1


# ------------------------------------------------------------------- rate limit
def test_rate_limiter_allows_30_per_rolling_minute(clock):
    limiter = _RateLimiter(30, 60.0, clock.time, clock.sleep)
    for _ in range(30):
        assert limiter.acquire() == 0.0
        clock.now += 1.0  # one call a second: t = 0 .. 29
    assert clock.sleeps == []
    assert limiter.acquire() == pytest.approx(
        30.0
    )  # t=30: wait until the t=0 call leaves the window
    assert clock.now == pytest.approx(60.0)
    assert limiter.acquire() == pytest.approx(1.0)  # the t=1 call leaves at t=61
    clock.now += 120.0
    assert limiter.acquire() == 0.0  # a quiet window resets everything
    assert _RateLimiter(None, 60.0, clock.time, clock.sleep).acquire() == 0.0


def test_client_requests_go_through_the_rate_limiter(make_client, server, clock, v2_bytes):
    server.responder = lambda seen: Reply(body=v2_bytes)
    client = make_client(max_per_minute=2)
    for _ in range(3):
        client.fetch("13615", QUERY_13615)
    assert len(server.seen) == 3 and clock.sleeps == [60.0]


def test_stale_data_warning_is_a_user_warning():
    assert issubclass(StaleDataWarning, UserWarning)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("x", StaleDataWarning, stacklevel=1)
    assert caught[0].category is StaleDataWarning


# ----------------------------------------------- bounds: deadline, waits, size (issue 8)
def _real_time_client(make_client, **kwargs) -> SsbClient:
    """A client on the real clock (the watchdog runs in real time)."""
    return make_client(sleep=time.sleep, clock=time.monotonic, **kwargs)


@pytest.mark.parametrize("trickle_from", ["body", "head"])
def test_a_trickling_server_hits_the_overall_deadline(
    make_client, server, tmp_cache, v2_bytes, trickle_from
):
    """One byte every 0.3 s never trips a 5 s read timeout; the 1 s deadline ends it."""
    client = _real_time_client(make_client, timeout=5.0, deadline=1.0)
    snapshot = _prime(server, client, v2_bytes, tmp_cache)
    server.queue(Reply(body=v2_bytes, trickle=0.3, trickle_from=trickle_from))
    started = time.monotonic()
    with pytest.raises(SourceUnavailable) as info:
        client.fetch("13615", QUERY_13615, stale_ok=False)
    assert time.monotonic() - started < 3.0
    message = str(info.value)
    assert "SSB table 13615" in message and "within the 1 s deadline" in message
    assert server.url in message
    assert len(server.seen) == 1  # the deadline covers every attempt: no retry after it
    assert _cache_snapshot(tmp_cache) == snapshot


def test_a_retry_that_would_pass_the_deadline_is_not_waited_for(
    make_client, server, clock, tmp_cache, v2_bytes
):
    client = make_client(deadline=5.0, backoff=4.0)
    snapshot = _prime(server, client, v2_bytes, tmp_cache)
    server.queue(Reply(status=503), Reply(status=503), Reply(body=v2_bytes))
    with pytest.raises(SourceUnavailable, match=r"retry 2 \(in 8 s\) would pass the 5 s deadline"):
        client.fetch("13615", QUERY_13615, stale_ok=False)
    assert clock.sleeps == [4.0] and len(server.seen) == 2
    assert _cache_snapshot(tmp_cache) == snapshot


def test_long_waits_are_announced_again_while_waiting(make_client, server, clock, v2_bytes):
    server.queue(Reply(status=503, headers={"Retry-After": "25"}), Reply(body=v2_bytes))
    calls = []
    make_client().fetch("13615", QUERY_13615, progress=lambda *a: calls.append(a))
    assert clock.sleeps == [10.0, 10.0, 5.0]
    waits = [c[2] for c in calls if "retry" in c[2]]
    assert waits == [
        "SSB table 13615: HTTP 503; retry 1 of 4 in 25 s",
        "SSB table 13615: HTTP 503; retry 1 of 4 in 25 s: still waiting, 15 s left",
        "SSB table 13615: HTTP 503; retry 1 of 4 in 25 s: still waiting, 5 s left",
    ]


def test_without_a_progress_callback_waits_are_logged(make_client, server, clock, v2_bytes, caplog):
    server.queue(Reply(status=429, headers={"Retry-After": "3"}), Reply(body=v2_bytes))
    with caplog.at_level("WARNING", logger="ptvlib.data.sources"):
        make_client().fetch("13615", QUERY_13615)
    assert [r.getMessage() for r in caplog.records] == [
        "SSB table 13615: HTTP 429; retry 1 of 4 in 3 s"
    ]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_beyond_max_bytes_is_refused_and_keeps_the_cache(
    make_client, server, clock, tmp_cache, v2_bytes, chunked
):
    client = make_client(max_bytes=len(v2_bytes))
    snapshot = _prime(server, client, v2_bytes, tmp_cache)
    big = v2_bytes + b" " * 5000  # still valid JSON: only its size is wrong
    server.queue(Reply(body=big, chunked=chunked))
    with pytest.raises(SourceUnavailable) as info:
        client.fetch("13615", QUERY_13615, stale_ok=False)
    assert f"larger than max_bytes={len(v2_bytes):,} bytes" in str(info.value)
    assert "SSB table 13615" in str(info.value) and server.url in str(info.value)
    assert len(server.seen) == 1 and clock.sleeps == []  # not retried
    assert _cache_snapshot(tmp_cache) == snapshot


def test_new_limits_are_checked():
    with pytest.raises(ParameterError, match="deadline=0 is not allowed"):
        SsbClient(deadline=0)
    with pytest.raises(ParameterError, match="max_bytes=0 is not allowed"):
        SsbClient(max_bytes=0)


# ------------------------------------- nothing replaces a good copy before every check
def _negative_check(frame: pd.DataFrame) -> pd.DataFrame:
    neg = frame.loc[frame["value"] < 0]
    if len(neg):
        raise DataError(f"negative count(s) {neg['value'].tolist()[:3]}")
    return frame


def test_a_value_check_failure_is_a_source_error_and_keeps_the_cache(
    make_client, server, tmp_cache, v2_bytes
):
    client = make_client()
    server.queue(Reply(body=v2_bytes))
    client.fetch("13615", QUERY_13615, transform=_negative_check)
    snapshot = _cache_snapshot(tmp_cache)
    bad = json.loads(v2_bytes)
    bad["value"][0] = -5.0  # a valid JSON-stat answer with an impossible count
    server.queue(Reply(body=json.dumps(bad).encode()), Reply(body=json.dumps(bad).encode()))

    with pytest.raises(SourceUnavailable) as info:
        client.fetch("13615", QUERY_13615, transform=_negative_check, stale_ok=False)
    message = str(info.value)
    assert message.startswith("SSB table 13615: the response from " + server.url)
    assert "failed the value checks: negative count(s) [-5.0]" in message
    assert _cache_snapshot(tmp_cache) == snapshot

    with pytest.warns(StaleDataWarning, match="failed the value checks"):
        frame = client.fetch("13615", QUERY_13615, transform=_negative_check)
    assert frame.attrs["from_cache"] is True and (frame["value"].dropna() >= 0).all()
    assert _cache_snapshot(tmp_cache) == snapshot


def _meta_of(ds: dict) -> bytes:
    return json.dumps({k: v for k, v in ds.items() if k not in ("value", "status")}).encode()


def test_drifted_metadata_never_replaces_the_cached_metadata(make_client, server, tmp_cache):
    server.responder = _cube_responder
    client = make_client()
    query = {"Region": "*", "Tid": ["2020"], "ContentsCode": "Anm"}
    client.fetch("99999", query)  # metadata (to expand "*") and data are cached together
    snapshot = _cache_snapshot(tmp_cache)
    assert sum(name.startswith("99999-meta-") for name in snapshot) == 2

    drifted = _cube_dataset({}, with_values=False)
    drifted["id"] = ["Område" if d == "Region" else d for d in drifted["id"]]
    drifted["dimension"]["Område"] = drifted["dimension"].pop("Region")
    server.responder = lambda seen: Reply(body=_meta_of(drifted))
    with pytest.raises(SchemaError, match="no dimension 'Region'"):
        client.fetch("99999", query)
    with pytest.raises(SchemaError, match="schema drift"):
        client.metadata("99999", expected_dims=["Region", "Tid", "ContentsCode"])
    assert _cache_snapshot(tmp_cache) == snapshot


def test_metadata_fetched_for_a_failed_data_request_is_not_cached(make_client, server, tmp_cache):
    def respond(seen) -> Reply:
        if seen.path.endswith("/metadata"):
            return _cube_responder(seen)
        return Reply(body=b"<html>maintenance</html>", content_type="text/html")

    server.responder = respond
    with pytest.raises(SourceUnavailable, match="HTML"):
        make_client().fetch("99999", {"Region": "*", "Tid": ["2020"], "ContentsCode": "Anm"})
    assert _cache_snapshot(tmp_cache) == {}
