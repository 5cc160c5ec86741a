"""The installed wheel: build it, install it into a fresh venv, run ``ptv report`` from another folder.

The wheel is built from a copy of the checkout (tracked and new files, not
ignored ones) with the project's own setuptools (no build isolation, no
network), installed with ``--no-deps`` into a fresh venv whose dependencies
come from this venv's site-packages through a ``.pth`` file (and nbconvert's
templates from this venv's ``share/jupyter/nbconvert``). That venv's
``ptv report`` then runs every notebook from an empty temporary folder, with
no ``PTV_DATA_DIR`` and a home folder of its own, so nothing from the
checkout can help it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from ptvlib.basics import config
from ptvlib.basics.version import __version__
from ptvlib.report.runner import notebooks

pytestmark = pytest.mark.slow

ROOT = config.PROJECT_DIR


def _checkout_copy(dest: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for rel in filter(None, files):
        src = ROOT / rel.decode()
        if src.is_file():
            target = dest / rel.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("wheel")
    src = _checkout_copy(root / "src")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        + ["--wheel-dir", str(root / "dist"), str(src)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (whl,) = sorted((root / "dist").glob("ptv_analyse-*.whl"))
    return {"root": root, "wheel": whl, "build_log": proc.stdout + proc.stderr}


def test_the_wheel_carries_data_notebooks_templates_and_licence(wheel: dict) -> None:
    names = set(zipfile.ZipFile(wheel["wheel"]).namelist())
    raw = sorted(p.relative_to(ROOT / "data" / "raw") for p in (ROOT / "data/raw").rglob("*"))
    for rel in (r for r in raw if (ROOT / "data" / "raw" / r).is_file()):
        assert f"ptvlib/resources/raw/{rel.as_posix()}" in names
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"ptvlib/resources/notebooks/{nb.name}" in names
    assert "ptvlib/report/templates/ptv_report/index.html.j2" in names
    assert "ptvlib/report/templates/ptv_report/ptv.css" in names
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel["wheel"]).read(meta).decode()
    assert "License-Expression: MIT" in text and "License-File: LICENSE" in text
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    log = wheel["build_log"]
    assert "Deprecat" not in log and "BuildBackendWarning" not in log, log[-2000:]


def test_installed_wheel_runs_the_report_from_any_folder(wheel: dict) -> None:
    root: Path = wheel["root"]
    venv = root / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True
    )
    py = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--quiet"]
        + [str(wheel["wheel"])],
        check=True,
        capture_output=True,
    )
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies come from this venv: a .pth line adds its site-packages after the new one's.
    (Path(purelib) / "project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work, home, jupyter = root / "work", root / "home", root / "jupyter"
    work.mkdir()
    home.mkdir()
    jupyter.mkdir()
    # nbconvert's templates are data files of its installation (share/jupyter/nbconvert), which
    # a .pth line does not bring along (a normal `pip install` puts them in the new venv). Only
    # they are linked: this venv's kernel specs must not be found, or the report would run here.
    (jupyter / "nbconvert").symlink_to(Path(sys.prefix) / "share" / "jupyter" / "nbconvert")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PTV_", "JUPYTER", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(
        HOME=str(home),
        PATH=f"{venv / 'bin'}:{env.get('PATH', '')}",
        PTV_OFFLINE="1",
        # The suite's processed tables and assessments: same raw bytes, same keys.
        PTV_CACHE_DIR=os.environ["PTV_CACHE_DIR"],
        JUPYTER_PATH=str(jupyter),
    )
    where = subprocess.run(
        [
            str(py),
            "-c",
            "import ptvlib, ptvlib.basics.config as c; print(ptvlib.__file__, c.installed())",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert Path(where[0]).is_relative_to(venv) and where[1] == "True"
    ptv = venv / "bin" / "ptv"
    version = subprocess.run(
        [str(ptv), "--version"], cwd=work, env=env, capture_output=True, text=True, check=True
    )
    assert version.stdout.strip() == f"ptv-analyse {__version__}"
    proc = subprocess.run(
        [str(ptv), "report", "--out", "out", "-q", "--lang", "en"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    out = work / "out" / "2024"
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [r["ok"] for r in results["notebooks"]] == [True] * len(notebooks())
    for row in results["notebooks"]:
        assert (out / f"{row['notebook']}.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<html lang='en'>" in index and "Verdict per outcome" in index
    # The kernels ran the installed package: the new venv's interpreter, whichever spec was used.
    specs = json.loads(
        subprocess.run(
            [
                str(py),
                "-c",
                "import json; from jupyter_client.kernelspec import KernelSpecManager as M; "
                "print(json.dumps({'kernelspecs': M().get_all_specs()}))",
            ],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )["kernelspecs"]
    # No spec of another environment is visible, so `ptv report` used the native kernel:
    # the new venv's own interpreter.
    assert "ptv-analyse" not in specs
    assert Path(specs["python3"]["spec"]["argv"][0]).is_relative_to(venv)
    assert str(ROOT) not in (out / "01_data_overview.html").read_text(encoding="utf-8")
    assert not (work / ".cache").exists(), "the cache stays out of the working folder"
