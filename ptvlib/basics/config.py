"""Settings in one place: paths, defaults and environment overrides.

Paths are anchored on the package (``Path(__file__)``), never on the working
directory. Each setting can be changed without editing code:

=====================  ==========================================  ==========================
variable               meaning                                     default
=====================  ==========================================  ==========================
``PTV_DATA_DIR``       folder holding ``raw/`` (immutable sources)  ``<project>/data`` [1]_
``PTV_CACHE_DIR``      processed parquet tables and SSB responses   ``<project>/.cache`` [1]_
``PTV_OFFLINE``        ``1`` = never touch the network              unset (online allowed)
``PTV_OWN_DATA``       path of the analyst's own data file          unset
``PTV_DATA_SOURCE``    default source of :func:`ptvlib.load`:      ``embedded``
                       ``embedded``, ``ssb`` (each table's live
                       source; tables without one stay
                       embedded) or ``auto`` (``ssb`` unless
                       ``PTV_OFFLINE``)
``PTV_SSB_BASE_URL``   Statistics Norway's PxWebApi v2 root         ``https://data.ssb.no/api/pxwebapi/v2``
``PTV_OSLO_BASE_URL``  Oslo kommune's statbank (PxWeb v1) root      ``https://statistikkbanken.oslo.kommune.no/statbank/api/v1/no/db1``
``PTV_NOTEBOOKS_DIR``  the notebooks ``ptv report`` runs            ``<project>/notebooks`` [1]_
``PTV_CACHE_KEY``      secret that signs cache files (shared        a random key in
                       caches); at least 16 characters              :func:`user_config_dir`
=====================  ==========================================  ==========================

The functions read the environment at call time, so tests and notebooks can
switch settings with ``monkeypatch.setenv`` or ``os.environ``. Relative paths
and ``~`` are resolved against the working directory of the process that reads
them; ``ptv report`` hands its kernels the absolute paths
(:func:`resolved_path_env`), because kernels run in the report folder.

.. [1] In a source checkout. An installed wheel carries the raw data and the
   notebooks in ``ptvlib/resources`` (:data:`BUNDLE_DIR`): data and notebooks
   default to ``BUNDLE_DIR`` and the cache to ``$XDG_CACHE_HOME/ptv-analyse``
   (``~/.cache/ptv-analyse``), never inside the installation.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "ACTIVITY_GROUPS",
    "BUNDLE_DIR",
    "DEFAULT_START_YEAR",
    "DEFAULT_TREATED_REGION",
    "HARM_GROUPS",
    "OFFENCE_GROUPS",
    "OFFENCE_GROUP_LABELS",
    "OWN_INDICATOR_LABELS",
    "OWN_UNIT_LABELS",
    "PACKAGE_DIR",
    "PATH_VARIABLES",
    "PROJECT_DIR",
    "cache_dir",
    "data_dir",
    "data_source",
    "installed",
    "notebooks_dir",
    "offline",
    "own_data_path",
    "raw_dir",
    "resolved_path_env",
    "user_config_dir",
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

#: Names of the own-data indicators (the police's export) by language; an indicator not listed
#: here is shown as the file gives it.
OWN_INDICATOR_LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "reported_offences": "Anmeldte lovbrudd",
        "cases": "Straffesaker",
        "prosecutions": "Påtalevedtak",
        "seizures": "Beslag",
        "confiscations": "Inndragninger",
        "confiscated_nok": "Inndratt beløp",
    },
    "en": {
        "reported_offences": "Reported offences",
        "cases": "Criminal cases",
        "prosecutions": "Prosecution decisions",
        "seizures": "Seizures",
        "confiscations": "Confiscations",
        "confiscated_nok": "Amount confiscated",
    },
}

#: Units of own-data series, as a reader reads them, by language.
OWN_UNIT_LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "count": "antall",
        "persons": "personer",
        "NOK": "kroner",
        "MNOK": "mill. kroner",
        "per_1000": "per 1\u00a0000 innbyggere",
        "per_100000": "per 100\u00a0000 innbyggere",
        "percent": "prosent",
    },
    "en": {
        "count": "count",
        "persons": "persons",
        "NOK": "NOK",
        "MNOK": "NOK million",
        "per_1000": "per 1,000 residents",
        "per_100000": "per 100,000 residents",
        "percent": "percent",
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

    Raises
    ------
    WorkspaceError
        The folder cannot be created (a file is in the way, no permission).
    """
    path = _env_path("PTV_CACHE_DIR", _user_cache() if installed() else PROJECT_DIR / ".cache")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        from ptvlib.basics.exceptions import WorkspaceError

        raise WorkspaceError(
            f"PTV_CACHE_DIR={str(path)!r} cannot be created ({err.strerror or err}); "
            "allowed: a writable folder"
        ) from None
    return path


def notebooks_dir() -> Path:
    """Folder of the notebooks ``ptv report`` runs (``PTV_NOTEBOOKS_DIR``).

    Default ``<project>/notebooks`` in a checkout, the bundle's copy
    (``ptvlib/resources/notebooks``) for an installed wheel.
    """
    default = BUNDLE_DIR / "notebooks" if installed() else PROJECT_DIR / "notebooks"
    return _env_path("PTV_NOTEBOOKS_DIR", default)


def user_config_dir() -> Path:
    """Per-user settings folder: ``$XDG_CONFIG_HOME/ptv-analyse``, else ``~/.config/ptv-analyse``.

    Holds the key that signs cache files; kept outside the cache folder so that
    whoever can write the cache cannot forge its signatures.
    """
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base).expanduser() if base else Path.home() / ".config"
    return root.resolve() / "ptv-analyse"


def offline() -> bool:
    """True when ``PTV_OFFLINE`` is set to 1/true/yes: never use the network."""
    return os.environ.get("PTV_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def own_data_path() -> Path | None:
    """Absolute path of the analyst's own data file from ``PTV_OWN_DATA``, or None."""
    value = os.environ.get("PTV_OWN_DATA", "").strip()
    return Path(value).expanduser().resolve() if value else None


#: Settings that name a path (resolved against the working directory and ``~``).
PATH_VARIABLES: tuple[str, ...] = (
    "PTV_DATA_DIR",
    "PTV_CACHE_DIR",
    "PTV_OWN_DATA",
    "PTV_NOTEBOOKS_DIR",
)


def resolved_path_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The path settings that are set, as absolute paths.

    For processes that start in another folder (the report's kernels run in the
    report folder): a relative ``PTV_CACHE_DIR=.cache`` given in the caller's
    folder must not become a cache inside the report.

    Parameters
    ----------
    environ : mapping, optional
        Environment to read (default ``os.environ``).

    Returns
    -------
    dict of str to str
        ``{variable: absolute path}`` for each of :data:`PATH_VARIABLES` that is set.

    Examples
    --------
    >>> env = resolved_path_env({"PTV_CACHE_DIR": "relative/cache", "PTV_DATA_DIR": ""})
    >>> Path(env["PTV_CACHE_DIR"]) == Path.cwd().resolve() / "relative" / "cache", list(env)
    (True, ['PTV_CACHE_DIR'])
    """
    env = os.environ if environ is None else environ
    out = {}
    for name in PATH_VARIABLES:
        value = env.get(name, "").strip()
        if value:
            out[name] = str(Path(value).expanduser().resolve())
    return out


def data_source() -> str:
    """Default source of :func:`ptvlib.load` (``PTV_DATA_SOURCE``; default ``embedded``).

    ``ssb`` takes every table from its live source — Statistics Norway's API
    (``reported_offences`` 08487, ``population`` 07459 + 10826) or Oslo
    kommune's statbank (``bydel_offences`` KRI002) — falling back to the last
    good live copy or the embedded snapshot with a warning; tables without a
    live source stay embedded (their provenance says so, nothing fails). Set
    ``PTV_DATA_SOURCE=auto`` before ``ptv report`` to use the live tables where
    the network allows (the notebooks' kernels inherit it).
    """
    return os.environ.get("PTV_DATA_SOURCE", "").strip() or "embedded"
