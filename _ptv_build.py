"""Build hook: the wheel carries the embedded raw data and the notebooks in ``ptvlib/resources``.

``pyproject.toml`` names :class:`BuildPy` as setuptools' ``build_py`` command.
It copies ``data/raw`` (every file, unchanged) to ``ptvlib/resources/raw`` and
the report's notebooks (``notebooks/NN_*.ipynb``) to
``ptvlib/resources/notebooks`` in the build tree, so that an installed
``ptv report`` works from any folder (``ptvlib.basics.config`` finds them).
An editable install needs no copy: it reads the checkout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: (source folder in the checkout, folder under ptvlib/resources, file pattern)
BUNDLED = (
    (ROOT / "data" / "raw", "raw", "**/*"),
    (ROOT / "notebooks", "notebooks", "[0-9][0-9]_*.ipynb"),
)


class BuildPy(build_py):  # type: ignore[misc]
    """``build_py`` that also copies the raw data and the notebooks into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "ptvlib" / "resources"
        for source, name, pattern in BUNDLED:
            for path in sorted(source.glob(pattern)):
                if path.is_file() and "__pycache__" not in path.parts:
                    dest = target / name / path.relative_to(source)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, dest)
