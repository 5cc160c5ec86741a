"""Settings in one place: paths, defaults and environment overrides.

Paths are anchored on the package (``Path(__file__)``), never on the working
directory. Each setting can be changed without editing code:

=================  ==========================================  ======================
variable           meaning                                     default
=================  ==========================================  ======================
``PTV_DATA_DIR``   folder holding ``raw/`` (immutable sources)  ``<project>/data`` [1]_
``PTV_CACHE_DIR``  processed parquet tables and SSB responses   ``<project>/.cache`` [1]_
``PTV_OFFLINE``    ``1`` = never touch the network              unset (online allowed)
``PTV_OWN_DATA``   path of the analyst's own data file          unset
``PTV_DATA_SOURCE``  default source of :func:`ptvlib.load`:    ``embedded``
                   ``embedded``, ``ssb`` or ``auto``
=================  ==========================================  ======================

The functions read the environment at call time, so tests and notebooks can
switch settings with ``monkeypatch.setenv`` or ``os.environ``.

.. [1] In a source checkout. An installed wheel carries the raw data and the
   notebooks in ``ptvlib/resources`` (:data:`BUNDLE_DIR`): the data default
   to ``BUNDLE_DIR`` and the cache to ``$XDG_CACHE_HOME/ptv-analyse``
   (``~/.cache/ptv-analyse``), never inside the installation.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "ACTIVITY_GROUPS",
    "BUNDLE_DIR",
    "DEFAULT_START_YEAR",
    "DEFAULT_TREATED_REGION",
    "HARM_GROUPS",
    "OFFENCE_GROUPS",
    "OFFENCE_GROUP_LABELS",
    "PACKAGE_DIR",
    "PROJECT_DIR",
    "cache_dir",
    "data_dir",
    "data_source",
    "installed",
    "notebooks_dir",
    "offline",
    "own_data_path",
    "raw_dir",
]

#: The ``ptvlib`` package folder (this file is ``ptvlib/basics/config.py``).
PACKAGE_DIR: Path = Path(__file__).resolve().parent.parent
PROJECT_DIR: Path = PACKAGE_DIR.parent
#: Where an installed wheel keeps the embedded data (``raw/``) and the notebooks.
BUNDLE_DIR: Path = PACKAGE_DIR / "resources"

#: Oslo kommune, the treated unit of the public data.
DEFAULT_TREATED_REGION = "0301"
#: First budget year of the Oslo sør allocation (30 MNOK in the 2018 budget).
DEFAULT_START_YEAR = 2018

#: Offence groups of SSB table 08487 (``total`` plus the six published groups).
OFFENCE_GROUPS: tuple[str, ...] = (
    "total",
    "property_theft",
    "violence",
    "drugs",
    "public_order",
    "traffic",
    "other",
)

#: Labels by language. ``nb`` follows SSB's bokmål names.
OFFENCE_GROUP_LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "total": "Alle lovbruddsgrupper",
        "property_theft": "Eiendomstyveri",
        "violence": "Vold og mishandling",
        "drugs": "Rusmiddellovbrudd",
        "public_order": "Ordens- og integritetskrenkelse",
        "traffic": "Trafikkovertredelse",
        "other": "Annet lovbrudd",
    },
    "en": {
        "total": "All groups of offences",
        "property_theft": "Property theft",
        "violence": "Violence and maltreatment",
        "drugs": "Drug and alcohol offences",
        "public_order": "Public order and integrity violations",
        "traffic": "Traffic offences",
        "other": "Other offences",
    },
}

#: Outcomes that measure harm to victims: expected to *fall* if policing works.
HARM_GROUPS: tuple[str, ...] = ("property_theft", "violence")
#: Outcomes driven by police activity: more funding can *raise* them.
ACTIVITY_GROUPS: tuple[str, ...] = ("drugs", "public_order")


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default


def installed() -> bool:
    """True when running from an installed wheel (the data and notebooks are bundled)."""
    return (BUNDLE_DIR / "raw").is_dir()


def data_dir() -> Path:
    """Folder that holds ``raw/`` (``PTV_DATA_DIR``; default ``<project>/data``, or the bundle)."""
    return _env_path("PTV_DATA_DIR", BUNDLE_DIR if installed() else PROJECT_DIR / "data")


def notebooks_dir() -> Path:
    """Folder of the report's notebooks: ``<project>/notebooks``, or the bundle's copy."""
    return BUNDLE_DIR / "notebooks" if installed() else PROJECT_DIR / "notebooks"


def _user_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base).expanduser() if base else Path.home() / ".cache") / "ptv-analyse"


def raw_dir() -> Path:
    """Folder of the immutable raw source files (``<data_dir>/raw``)."""
    return data_dir() / "raw"


def cache_dir() -> Path:
    """Folder for processed tables and SSB responses (``PTV_CACHE_DIR``).

    Created on first use. Default ``<project>/.cache`` (git-ignored) in a
    checkout, ``$XDG_CACHE_HOME/ptv-analyse`` for an installed wheel.
    """
    path = _env_path("PTV_CACHE_DIR", _user_cache() if installed() else PROJECT_DIR / ".cache")
    path.mkdir(parents=True, exist_ok=True)
    return path


def offline() -> bool:
    """True when ``PTV_OFFLINE`` is set to 1/true/yes: never use the network."""
    return os.environ.get("PTV_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def own_data_path() -> Path | None:
    """Path of the analyst's own data file from ``PTV_OWN_DATA``, or None."""
    value = os.environ.get("PTV_OWN_DATA", "").strip()
    return Path(value).expanduser() if value else None


def data_source() -> str:
    """Default source of :func:`ptvlib.load` (``PTV_DATA_SOURCE``; default ``embedded``).

    Set ``PTV_DATA_SOURCE=auto`` before ``ptv report`` to use Statistics Norway's
    live tables where the network allows (the notebooks' kernels inherit it).
    """
    return os.environ.get("PTV_DATA_SOURCE", "").strip() or "embedded"
