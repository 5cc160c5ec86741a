"""The committed notebooks: no outputs, one literal parameters cell per notebook, thin, one language.

Each notebook declares only the parameters it uses (a subset of
:class:`ptvlib.assessment.params.Params`, never the run-control fields), opens
its page in one line, takes every text from the catalogue and shows nothing
through raw ``Markdown``/``display``.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path

import pytest

from ptvlib.assessment.params import Params
from ptvlib.report.run_control import RUN_CONTROL
from ptvlib.report.runner import NOTEBOOKS_DIR, notebooks

NOTEBOOKS = notebooks()
NAMES = [p.stem for p in NOTEBOOKS]


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def test_the_six_notebooks_exist() -> None:
    assert NAMES == [
        "01_data_overview",
        "02_crime_trends",
        "03_funding_effect",
        "04_enforcement_outcomes",
        "05_assessment_summary",
        "06_bydel",
    ]
    assert NOTEBOOKS_DIR.name == "notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_committed_without_outputs(path: Path) -> None:
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_one_literal_parameters_cell_matching_params(path: Path) -> None:
    cells = _cells(path)
    tagged = [
        i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    assert len(tagged) == 1
    i = tagged[0]
    code_before = [c for c in cells[:i] if c["cell_type"] == "code"]
    assert len(code_before) == 1, "the parameters cell is the first code cell after the imports"
    tree = ast.parse(_source(cells[i]))
    declared = {}
    for stmt in tree.body:
        assert isinstance(stmt, ast.AnnAssign), "only `name: type = value` lines"
        declared[stmt.target.id] = ast.literal_eval(stmt.value)  # literal values only
    lines = _source(cells[i]).splitlines()
    for stmt in tree.body:  # papermill reads the help from the statement's last line
        assert "  # " in lines[stmt.end_lineno - 1], f"{stmt.target.id} has no help comment"
    defaults = Params().as_dict()
    fields = {f.name for f in dataclasses.fields(Params)} - RUN_CONTROL
    assert set(declared) <= fields, f"unknown or run-control parameters: {set(declared) - fields}"
    assert {"year", "lang"} <= set(declared)
    for name, value in declared.items():
        assert value == defaults[name], f"{name}: notebook default differs from Params"
    opening = [ln for ln in _source(cells[i + 1]).splitlines() if ln.strip()]
    assert opening[0] == f'page = open_page("{path.stem}", globals())', "one line opens the page"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_papermill_reads_every_parameter_with_its_help(path: Path) -> None:
    """``papermill --help-notebook`` and ``ptv params`` show each parameter's help line."""
    import warnings

    import papermill

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # papermill warns "Unable to parse line ..." and moves on
        found = papermill.inspect_notebook(str(path))
    tree = ast.parse(
        _source(next(c for c in _cells(path) if "parameters" in c["metadata"].get("tags", [])))
    )
    declared = [s.target.id for s in tree.body if isinstance(s, ast.AnnAssign)]
    assert list(found) == declared
    assert all(found[name]["help"] for name in declared)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_imports_first_and_the_project_kernel(path: Path) -> None:
    node = json.loads(path.read_text(encoding="utf-8"))
    assert node["metadata"]["kernelspec"]["name"] == "ptv-analyse"
    assert node["metadata"]["kernelspec"]["display_name"] == "Python (ptv-analyse)"
    first = ast.parse(_source(node["cells"][0]))
    assert all(isinstance(s, ast.Import | ast.ImportFrom) for s in first.body)
    for cell in node["cells"][1:]:
        tree = ast.parse(_source(cell)) if cell["cell_type"] == "code" else None
        if tree is not None:
            assert not any(isinstance(n, ast.Import | ast.ImportFrom) for n in ast.walk(tree))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_one_language_and_no_raw_display(path: Path) -> None:
    """No inline language switch, no raw Markdown/display, no warning filter, no prose cells."""
    cells = _cells(path)
    assert all(c["cell_type"] == "code" for c in cells), "text comes from the catalogue"
    code = "".join(_source(c) for c in cells)
    for forbidden in (
        "if not EN",
        "else EN",
        'lang == "en"',
        "Markdown(",
        "display(",
        "filterwarnings",
    ):
        assert forbidden not in code, forbidden


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notebooks_stay_thin(path: Path) -> None:
    for cell in _cells(path):
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(_source(cell))
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not defs, "helpers belong in ptvlib, not in notebooks"
    assert path.stat().st_size < 40_000


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_every_notebook_writes_its_sidecar(path: Path) -> None:
    text = re.sub(r"\s+", "", "".join(_source(c) for c in _cells(path)))
    assert "page.finish(" in text
    assert f'open_page("{path.stem}",globals())' in text


def test_notebook_texts_exist_in_both_languages() -> None:
    from ptvlib.report.texts import CATALOGUE, TEXTS

    used = set()
    pattern = r'page\.(?:text|heading|sentence|caveat|t)\("([^"]+)"'
    for path in NOTEBOOKS:
        text = "".join(_source(c) for c in _cells(path))
        used |= set(re.findall(pattern, text))
    used = {k for k in used if not k.endswith(".")}  # prefixes completed in code
    assert used and used <= set(CATALOGUE), used - set(CATALOGUE)
    for key, by_lang in CATALOGUE.items():
        assert set(by_lang) == {"nb", "en"} and all(v.strip() for v in by_lang.values()), key
    for key, by_lang in TEXTS.items():  # paragraphs are never the same text in both languages
        assert by_lang["nb"] != by_lang["en"], key


def test_every_dataset_has_a_name_and_a_description_in_both_languages() -> None:
    """Pages name datasets from the catalogue (the data layer describes them in English)."""
    from ptvlib.data.catalog import DATASETS
    from ptvlib.report.texts import CATALOGUE

    for name in DATASETS:
        assert f"dataset_name.{name}" in CATALOGUE and f"dataset.{name}" in CATALOGUE, name
