"""Notebook 06 (bydeler) through papermill on a seeded synthetic export with a staggered schedule.

The run is the ``ptv report`` runner restricted to notebook 06, with the demo
export (``SYNTETISKE DATA / SYNTHETIC DATA``), ``treatment_schedule
030115:2018,030101:2019`` and a buffer area. Its recorded headline numbers
must equal the library's, carry the report contract's keys, and recover the
demo's known effects.
"""

from __future__ import annotations

import json
import re

import pytest

from ptvlib.assessment.own import assess_own
from ptvlib.assessment.params import validate_params
from ptvlib.data.demo import DEMO_EFFECTS, demo_own_data
from ptvlib.report.runner import run_report

pytestmark = pytest.mark.slow

SCHEDULE = ["030115:2018", "030101:2019"]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("bydel")
    own = demo_own_data(root / "export.csv")
    params = validate_params(
        own_data=str(own), treatment_schedule=SCHEDULE, buffer_areas=["030114"], lang="en"
    )
    result = run_report(
        params, out=root / "reports", jobs=1, notebooks=["06_bydel"], progress=False
    )
    out = root / "reports" / "2024"
    side = json.loads((out / "06_bydel.json").read_text(encoding="utf-8"))
    return {"params": params, "result": result, "dir": out, "side": side}


def test_the_notebook_ran_and_labels_the_synthetic_data(run: dict) -> None:
    assert run["result"].failed == []
    html = (run["dir"] / "06_bydel.html").read_text(encoding="utf-8")
    assert html.count("SYNTETISKE DATA / SYNTHETIC DATA") >= 3
    assert "validate_params(" not in html
    assert "randomization inference" in html.lower()


def test_headline_numbers_equal_the_library(run: dict) -> None:
    want = assess_own(run["params"])
    got = {
        (h["indicator"], h["offence_group"]): h
        for h in run["side"]["headlines"]
        if h["design_key"] == "combined"
    }
    assert set(got) == set(DEMO_EFFECTS)
    for a in want:
        h = got[(a.indicator, a.offence_group)]
        ri = a.designs["ri"]
        assert h["verdict"] == a.combined
        assert h["estimate"] == pytest.approx(ri.estimate, rel=1e-12)
        assert (h["ci_low"], h["ci_high"]) == pytest.approx(ri.ci, rel=1e-12)
        assert h["p_value"] == pytest.approx(a.p_holm, rel=1e-12)
        assert h["mde"] == pytest.approx(ri.mde, rel=1e-9)
        assert "SYNTHETIC DATA" in h["outcome"]


def test_headlines_recover_the_known_effects(run: dict) -> None:
    rows = run["side"]["headlines"]
    ri = {(h["indicator"], h["offence_group"]): h for h in rows if h["design_key"] == "own_ri"}
    covered = []
    for key, truth in DEMO_EFFECTS.items():
        h = ri[key]
        covered.append(h["ci_low"] <= truth <= h["ci_high"])
        assert h["n_assignments"] == 182  # 14 areas (Sentrum and the buffer out): 14 * 13
        assert h["p_kind"] == "randomization" and h["counts"] is True
    # 95 % intervals: with this seed one of five misses (drug cases, 1.22 to 1.60 around 1.20);
    # the rate over 200 seeds is in tests/test_own_coverage.py.
    assert sum(covered) >= 4
    combined = {
        (h["indicator"], h["offence_group"]): h["verdict"]
        for h in rows
        if h["design_key"] == "combined"
    }
    assert combined[("cases", "violence")] == "decrease"  # true rate ratio 0.80
    assert combined[("seizures", "total")] == "inconclusive"  # true rate ratio 1
    assert combined[("confiscations", "total")] == "inconclusive"


def test_designs_that_do_not_count_say_why(run: dict) -> None:
    rows = run["side"]["headlines"]
    cr1 = [h for h in rows if h["design_key"] == "own_did_cr1"]
    assert len(cr1) == len(DEMO_EFFECTS)
    for h in cr1:
        assert h["counts"] is False
        assert "2 treated clusters of 14" in h["why_not"] and "far too small" in h["why_not"]
    spill = [h for h in rows if h["design_key"] == "own_spillover"]
    assert spill and all(not h["counts"] and h["why_not"] for h in spill)
    texts = [h["text"] for h in rows if h["design_key"] == "combined"]
    assert all("cluster-robust errors with 2 treated clusters" in t for t in texts)
    assert all(
        "Left out: Sentrum: " in t and "(lowest in the period; under 5,000)" in t for t in texts
    )


def test_the_sidecar_gives_the_index_its_bydel_answer_and_the_synthetic_source(run: dict) -> None:
    own = run["side"]["own"]
    assert own["analysed"] == len(DEMO_EFFECTS) and own["synthetic"] is True
    assert own["sentence"].startswith("SYNTETISKE DATA / SYNTHETIC DATA: at bydel level")
    assert "consistent decrease for criminal cases – violence and maltreatment" in own["sentence"]
    assert own["verdicts"]["cases/violence"] == "decrease"
    sources = [s for s in run["side"]["provenance"] if s["kind"] == "own"]
    assert [s["detail"] for s in sources] == ["synthetic"], "one own source, marked synthetic"


def test_the_page_names_series_and_areas_and_follows_the_schedule(run: dict) -> None:
    html = (run["dir"] / "06_bydel.html").read_text(encoding="utf-8")
    assert not re.search(r"(?<!Criminal )cases – ", html) and "property_theft" not in html
    assert "Criminal cases – property theft" in html and "Seizures – all groups of offences" in html
    assert "With two treated areas among 14 areas in the comparison" in html
    assert "holm = " not in html and "randomization p = " in html
