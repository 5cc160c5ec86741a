"""The public surface: explicit, sorted, documented, and light to import."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import ptvlib
import ptvlib.estimators


@pytest.mark.parametrize("module", [ptvlib, ptvlib.estimators], ids=["ptvlib", "estimators"])
def test_all_is_sorted_and_every_name_is_documented(module) -> None:
    names = [n for n in module.__all__ if n != "__version__"]
    assert names == sorted(names, key=str.lower) or names == sorted(names)
    for name in names:
        obj = getattr(module, name)
        assert inspect.getdoc(obj), f"{module.__name__}.{name} has no docstring"


def test_functions_have_numpydoc_sections() -> None:
    for name in (
        "load",
        "load_own",
        "synthetic_control",
        "did",
        "its",
        "dose_response",
        "displacement",
    ):
        doc = inspect.getdoc(getattr(ptvlib, name)) or ""
        assert "Parameters\n----------" in doc and "Returns\n-------" in doc, name


def test_import_is_light() -> None:
    code = (
        "import sys, ptvlib; "
        "heavy = ['scipy', 'statsmodels', 'matplotlib', 'seaborn', 'requests', 'papermill', 'nbconvert', 'yaml']; "
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
