"""The yearly batch run: every notebook through papermill, its numbers, the HTML report in a browser.

The module runs ``ptv report`` once (all notebooks, parallel kernels) into a
temporary folder and checks what a decision maker would see. Slow: about a
minute.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptvlib import cli
from ptvlib.assessment import outcome as assess
from ptvlib.assessment.params import Params
from ptvlib.basics import config
from ptvlib.data.demo import DEMO_EFFECTS

pytestmark = pytest.mark.slow

GROUPS = Params().offence_groups  # the notebooks' defaults


@pytest.fixture(scope="module")
def run(demo_report: dict) -> dict:
    # Defaults, plus the synthetic own-data file so notebook 06 runs the bydel designs (conftest).
    return demo_report


def _sidecar(run: dict, stem: str) -> dict:
    return json.loads((run["dir"] / f"{stem}.json").read_text(encoding="utf-8"))


def test_every_notebook_ran_and_has_its_page(run: dict) -> None:
    out = run["dir"]
    assert run["result"].failed == []
    for stem in (
        "01_data_overview",
        "02_crime_trends",
        "03_funding_effect",
        "04_enforcement_outcomes",
        "05_assessment_summary",
        "06_bydel",
    ):
        assert (out / f"{stem}.ipynb").exists()
        html = (out / f"{stem}.html").read_text(encoding="utf-8")
        assert "validate_params(" not in html, "code is hidden in the HTML"
        assert (out / f"{stem}.json").exists()
        # every figure says what it shows (its titles) to a screen reader or a text copy
        alts = re.findall(r"<img [^>]*\balt=\"([^\"]*)\"", html)
        assert len(alts) == html.count("<img "), stem
        assert all(a and "No description" not in a for a in alts), (stem, alts)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [r["ok"] for r in results["notebooks"]] == [True] * 6
    timings = results["notebooks"][2]["timings"]
    assert {"wall", "kernel_start_and_overhead", "imports", "compute"} <= set(timings)


def test_data_overview_numbers(run: dict) -> None:
    side = _sidecar(run, "01_data_overview")
    by = {h["design_key"]: h for h in side["headlines"]}
    assert by["level"]["estimate"] == 70_192  # SSB 08487, Oslo, 2023-2024
    assert by["level"]["period"] == "2023-2024"
    assert by["change_since_pre_pct"]["estimate"] == pytest.approx(
        100 * (70_192 / 63_942.19 - 1), abs=0.05
    )
    assert 340 <= by["municipalities_with_total"]["estimate"] <= 357


def test_crime_trend_numbers(run: dict) -> None:
    side = _sidecar(run, "02_crime_trends")
    rates = {
        h["outcome"]: h["estimate"] for h in side["headlines"] if h["design_key"] == "rate_per_1000"
    }
    from ptvlib.data.loading import load

    pop = load("population").query("region == '0301' and year == 2024")["value"].iloc[0]
    assert rates["Alle lovbruddsgrupper"] == pytest.approx(70_192 / pop * 1000, rel=1e-9)
    ranks = [h["estimate"] for h in side["headlines"] if h["design_key"] == "rank_shrunk_rate"]
    assert all(1 <= r <= 357 for r in ranks)


def test_funding_effect_numbers_match_the_library(run: dict) -> None:
    side = _sidecar(run, "03_funding_effect")
    rows = [h for h in side["headlines"] if h["offence_group"] in GROUPS]
    assert {h["design_key"] for h in rows} >= {"synth", "did_poisson", "its", "combined"}
    for group in GROUPS:
        direct = assess.assess_outcome(run["params"], group).table("nb").set_index("design_key")
        for h in (r for r in rows if r["offence_group"] == group and r["design_key"] != "combined"):
            want = direct.loc[h["design_key"]]
            assert h["estimate"] == pytest.approx(want["estimate"], rel=1e-9)
            if h["p_value"] is not None:
                assert h["p_value"] == pytest.approx(want["p_value"], rel=1e-9)
            assert h["verdict"] == want["direction"]
        combined = [
            r for r in rows if r["offence_group"] == group and r["design_key"] == "combined"
        ]
        assert combined[0]["verdict"] in {
            "decrease",
            "increase",
            "weak_decrease",
            "weak_increase",
            "conflicting",
            "inconclusive",
        }
        assert combined[0]["text"]


def test_bydel_notebook_runs_the_own_data_designs(run: dict) -> None:
    side = _sidecar(run, "06_bydel")
    combined = [h for h in side["headlines"] if h["design_key"] == "combined"]
    assert {(h["indicator"], h["offence_group"]) for h in combined} == set(DEMO_EFFECTS)
    for h in combined:
        assert "SYNTHETIC DATA" in h["outcome"], "synthetic data is labelled"
    html = (run["dir"] / "06_bydel.html").read_text(encoding="utf-8")
    assert "SYNTETISKE DATA / SYNTHETIC DATA" in html


def test_page_4_shows_the_own_enforcement_verdicts_with_a_link_to_page_6(run: dict) -> None:
    rows = _sidecar(run, "04_enforcement_outcomes")["headlines"]
    own, keyfigures = rows[:-1], rows[-1]
    assert keyfigures["design_key"] == "public_keyfigures"
    # Every enforcement series of the demo file (criminal cases, seizures, confiscations).
    assert {(h["indicator"], h["offence_group"]) for h in own} == set(DEMO_EFFECTS)
    assert all(h["design_key"] == "combined" for h in own)
    bydel = {
        (h["indicator"], h["offence_group"]): h
        for h in _sidecar(run, "06_bydel")["headlines"]
        if h["design_key"] == "combined"
    }
    for h in own:  # the same verdicts as page 6 (the same rule, the same run)
        same = bydel[(h["indicator"], h["offence_group"])]
        assert (h["verdict"], h["p_value"], h["p_kind"]) == (
            same["verdict"],
            same["p_value"],
            "holm",
        )
    html = (run["dir"] / "04_enforcement_outcomes.html").read_text(encoding="utf-8")
    assert (
        re.search(r"href=['\"]06_bydel.html", html) and "SYNTETISKE DATA / SYNTHETIC DATA" in html
    )
    assert "Beslag – alle lovbruddsgrupper" in html and "Inndragninger – alle" in html
    assert "own_demo.csv" in html, "page 4 lists the own data among its sources"


def test_the_index_labels_the_synthetic_own_data_and_answers_with_the_bydel_verdicts(
    run: dict,
) -> None:
    from ptvlib.report.escape import html_text
    from ptvlib.report.pdf import print_document

    index = (run["dir"] / "index.html").read_text(encoding="utf-8")
    assert "<p class='ptv-synthetic'>SYNTETISKE DATA / SYNTHETIC DATA: de egne dataene" in index
    assert "<code>own_demo.csv</code> – <strong class='ptv-synthetic-label'>" in index
    lead = index[index.index("class='ptv-lead'") : index.index("</section>")]
    assert "det krever politiets egne tall" not in lead
    assert "svaret må komme fra politiets egne tall for bydelene" in lead
    own = _sidecar(run, "06_bydel")["own"]
    assert own["sentence"].startswith("SYNTETISKE DATA / SYNTHETIC DATA: på bydelsnivå")
    assert html_text(own["sentence"]) in lead
    # The key-figure row says what it counts; the bydel picture is a rate with one decimal.
    assert re.search(r"<td class='num'>\d+ nøkkeltall</td>", index)
    assert "83,1" in index and "Alle lovbruddsgrupper, 15 bydeler" in index
    # The bydel section's combined rows name their p: Holm-adjusted, not the gate's.
    bydel = index[index.index("6 Bydeler</summary>") :]
    assert "Holm-justert p = " in bydel[: bydel.index("</details>")]
    # Every printed sheet's footer says so too.
    doc = print_document(run["dir"])
    footer = doc[doc.index("@bottom-left") :]
    footer = footer[: footer.index("}")]
    assert 'content: "SYNTETISKE DATA / SYNTHETIC DATA · ' in footer, "first: never cut off"
    assert "egne data (own_demo.csv, syntetiske)" in footer


def test_summary_verdicts_match_the_library(run: dict) -> None:
    side = _sidecar(run, "05_assessment_summary")
    got = [h["verdict"] for h in side["headlines"]]
    want = [assess.assess_outcome(run["params"], g).combined for g in GROUPS]
    assert got == want


def test_summary_sidecar_carries_answerability_and_calibration(run: dict) -> None:
    """The contract with the pages: the keys the calibrated assessment adds to sidecar 05."""
    side = _sidecar(run, "05_assessment_summary")
    ans, cal = side["answerability"], side["calibration"]
    assert set(ans) >= {"sentence", "mde", "funding_share_of_budget", "answerable"}
    assert set(ans["mde"]) == {"property_theft", "violence"} and ans["answerable"] is False
    assert set(cal) >= {"sentence", "n_units", "n_assessments", "n_signals", "share"}
    assert cal["share"] <= 0.05 and cal["n_units"] >= 60
    assert {"per_design", "settings"} <= set(cal)
    index = (run["dir"] / "index.html").read_text(encoding="utf-8")
    assert "kan ikke besvare spørsmålet" in index and "kommuner uten satsingen" in index
    rows = _sidecar(run, "03_funding_effect")["headlines"]
    sdid = [r for r in rows if r["design_key"] == "sdid"]
    assert len(sdid) == len(GROUPS) and all(r["counts"] and r["mde"] for r in sdid)


def test_index_links_every_page_and_shows_the_verdicts(run: dict) -> None:
    index = (run["dir"] / "index.html").read_text(encoding="utf-8")
    for stem in ("01_data_overview", "03_funding_effect", "05_assessment_summary"):
        assert f"href='{stem}.html'" in index
    assert "Konklusjon per utfall" in index
    assert index.count("class='ptv-badge") >= len(GROUPS)
    assert "data-failed" not in index


def test_report_in_a_real_browser(run: dict) -> None:
    from _browser import Browser

    shots = config.PROJECT_DIR / "reports" / "browser-test"
    browser = Browser()
    try:
        pages = ["index.html"] + [p.name for p in sorted(run["dir"].glob("0*.html"))]
        for name in pages:
            browser.open((run["dir"] / name).as_uri())
            assert browser.errors() == [], f"console errors on {name}"
            n_img = browser.evaluate("document.images.length")
            broken = browser.evaluate(
                "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length"
            )
            assert broken == 0, f"{broken} broken image(s) on {name}"
            if name.startswith(("02", "03")):
                assert n_img >= len(GROUPS), f"expected one figure per outcome on {name}"
        browser.open((run["dir"] / "index.html").as_uri())
        png = browser.screenshot(shots / "index.png")
        assert png.stat().st_size > 10_000
        browser.open((run["dir"] / "03_funding_effect.html").as_uri())
        assert browser.screenshot(shots / "03_funding_effect.png").stat().st_size > 50_000
    finally:
        browser.close()


def test_failing_notebook_does_not_stop_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "report",
        "--year",
        "2024",
        "--out",
        str(tmp_path),
        "-q",
        "--notebook",
        "01_data_overview",
        "--notebook",
        "04_enforcement_outcomes",
        "--notebook",
        "05_assessment_summary",
        "-p",
        "force_error",
        "05_assessment_summary",
        "-p",
        "offence_groups",
        "violence",
    ]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert (
        "FAILED 05_assessment_summary: cell In [" in err and "RuntimeError: forced failure" in err
    )
    out = tmp_path / "2024"
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    status = {r["notebook"]: r for r in results["notebooks"]}
    assert status["01_data_overview"]["ok"] and (out / "01_data_overview.html").exists()
    assert json.loads((out / "01_data_overview.json").read_text())["headlines"]
    # 04 with its defaults (no own data): only the public key figures, no own-data designs.
    default04 = json.loads((out / "04_enforcement_outcomes.json").read_text())["headlines"]
    assert [h["design_key"] for h in default04] == ["public_keyfigures"]
    failed = status["05_assessment_summary"]
    assert (
        not failed["ok"]
        and failed["cell"].startswith("In [")
        and "forced failure" in failed["error"]
    )
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "data-failed='05_assessment_summary'" in index and "forced failure" in index
    assert "<p class='ptv-synthetic'>" not in index, "no own data: no synthetic label"


def test_an_own_funding_table_reaches_the_funding_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-p funding_data` from a relative path: page 3 shows the table and uses its amounts."""
    from ptvlib.assessment.supplementary import funding_intensity

    (tmp_path / "tildeling.csv").write_text(
        "Bydel;År;Beløp;Formål\nSøndre Nordstrand;2018;24;Holmlia\n"
        "Søndre Nordstrand;2019;24;Holmlia\nGamle Oslo;2019;9,5;<b>Indre øst</b>\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    argv = ["report", "--out", "out", "-q", "--notebook", "03_funding_effect"]
    argv += ["-p", "offence_groups", "violence", "-p", "funding_data", "tildeling.csv"]
    assert cli.main(argv) == 0
    page = (tmp_path / "out" / "2024" / "03_funding_effect.html").read_text(encoding="utf-8")
    assert "egen tildelingstabell tildeling.csv" in page
    assert "&lt;b&gt;Indre øst&lt;/b&gt;" in page and "<b>Indre øst</b>" not in page
    side = json.loads((tmp_path / "out" / "2024" / "03_funding_effect.json").read_text())
    assert side["params"]["funding_data"] == "tildeling.csv"  # the name, not the machine's path
    money = funding_intensity(2024, funding_data=str(tmp_path / "tildeling.csv"))
    assert money.set_index("year").loc[2019, "mnok"] == pytest.approx(33.5)


def test_plain_papermill_cli_still_works(tmp_path: Path) -> None:
    papermill = Path(sys.executable).with_name("papermill")
    out = tmp_path / "out.ipynb"
    proc = subprocess.run(
        [
            str(papermill),
            "notebooks/05_assessment_summary.ipynb",
            str(out),
            "-p",
            "start_year",
            "2019",
            "-y",
            "offence_groups: [violence]",
            "-k",
            "python3",
        ],
        cwd=config.PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PTV_REPORT_DIR": str(tmp_path)},  # what `ptv report` sets
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    side = json.loads((tmp_path / "05_assessment_summary.json").read_text(encoding="utf-8"))
    assert side["params"]["start_year"] == 2019 and side["params"]["offence_groups"] == ["violence"]
    assert not math.isnan(len(side["headlines"]))
    helptext = subprocess.run(
        [str(papermill), "--help-notebook", "notebooks/03_funding_effect.ipynb"],
        cwd=config.PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name, kind in [
        ("year", "int"),
        ("treated_region", "str"),
        ("start_year", "int"),
        ("comparison", "str"),
        ("offence_groups", "list[str]"),
        ("lang", "str"),
        ("straddle", "str"),
        ("donor_min_population", "int"),
    ]:
        assert f"{name}: {kind}" in helptext
    assert "Unable to parse" not in helptext
    assert "output_dir" not in helptext and "force_error" not in helptext, (
        "run control is not a parameter"
    )
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_jupyterlab_serves_the_notebooks_with_the_project_kernel(tmp_path: Path) -> None:
    """What `make lab` starts: JupyterLab on notebooks/ whose kernels run this environment's Python."""
    import socket
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    jupyter = Path(sys.executable).with_name("jupyter")
    proc = subprocess.Popen(
        [
            str(jupyter),
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.token=ptv-test",
            "--allow-root",
            f"--ServerApp.root_dir={config.PROJECT_DIR / 'notebooks'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    try:
        base = f"http://127.0.0.1:{port}/api"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(
                    f"{base}/kernelspecs?token=ptv-test", timeout=5
                ) as resp:
                    specs = json.load(resp)["kernelspecs"]
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.5)
        venv_python = Path(sys.executable).resolve()
        assert "ptv-analyse" in specs
        assert Path(specs["ptv-analyse"]["spec"]["argv"][0]).resolve() == venv_python
        with urllib.request.urlopen(f"{base}/contents?token=ptv-test", timeout=10) as resp:
            names = {item["name"] for item in json.load(resp)["content"]}
        assert {"01_data_overview.ipynb", "05_assessment_summary.ipynb"} <= names
    finally:
        proc.terminate()
        proc.wait(timeout=20)
