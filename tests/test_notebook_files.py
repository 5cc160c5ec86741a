"""The committed notebooks: no outputs, one literal parameters cell matching ptvlib.assessment.params, thin."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path

import pytest

from ptvlib.assessment.params import Params
from ptvlib.report.runner import NOTEBOOKS_DIR, notebooks

NOTEBOOKS = notebooks()
NAMES = [p.stem for p in NOTEBOOKS]


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def test_the_five_notebooks_exist() -> None:
    assert NAMES == [
        "01_data_overview",
        "02_crime_trends",
        "03_funding_effect",
        "04_enforcement_outcomes",
        "05_assessment_summary",
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
    fields = {f.name for f in dataclasses.fields(Params)}
    assert set(declared) == fields
    for name, value in declared.items():
        assert value == defaults[name], f"{name}: notebook default differs from Params"
    validate = _source(cells[i + 1])
    assert "validate_params(" in validate and "forced_error(params, NOTEBOOK)" in validate


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
    assert "write_sidecar(params.output_dir,NOTEBOOK" in text
    assert f'NOTEBOOK="{path.stem}"' in text


def test_notebook_texts_exist_in_both_languages() -> None:
    from ptvlib.report.texts import TEXTS

    used = set()
    for path in NOTEBOOKS:
        text = "".join(_source(c) for c in _cells(path))
        used |= set(re.findall(r'texts\.md\("([^"]+)"', text))
    assert used and used <= set(TEXTS)
    for key, by_lang in TEXTS.items():
        assert set(by_lang) == {"nb", "en"} and all(v.strip() for v in by_lang.values()), key
        assert by_lang["nb"] != by_lang["en"], key
