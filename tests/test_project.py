"""Project wiring: CI calls the README's test command; conda and pip pins agree; no outside paths."""

from __future__ import annotations

import re
import subprocess
import tomllib

from ptvlib.basics import config

ROOT = config.PROJECT_DIR


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.M)


def test_environment_yml_has_the_same_pins_as_requirements_lock() -> None:
    lock = _lock()
    text = (ROOT / "environment.yml").read_text()
    pinned = re.findall(r"^\s+-\s+([A-Za-z0-9_.-]+)\s*==?\s*([0-9][^\s#]*)", text, flags=re.M)
    assert len(pinned) >= 15
    for name, version in pinned:
        if name == "python":
            continue
        key = name.lower().replace("_", "-")
        assert lock.get(key) == version, (
            f"{name}: environment.yml {version}, requirements.lock {lock.get(key)}"
        )


def test_every_direct_dependency_is_pinned() -> None:
    lock = _lock()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + [
        d for ds in project["optional-dependencies"].values() for d in ds
    ]
    deps = [re.split(r"[<>=!~ ]", spec, maxsplit=1)[0] for spec in specs]
    assert {"pandas", "papermill", "statsmodels", "seaborn", "jupyterlab"} <= set(deps)
    for dep in deps:
        assert dep.lower().replace("_", "-") in lock, f"{dep} is not pinned in requirements.lock"


def test_nothing_tracked_reads_outside_the_repository() -> None:
    files = subprocess.run(
        ["git", "ls-files", "*.py", "*.ipynb", "Makefile", ".ci/run", "scripts/*"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    shared = "../" + "shared"
    offenders = [f for f in files if shared in (ROOT / f).read_text(errors="ignore")]
    assert offenders == []
