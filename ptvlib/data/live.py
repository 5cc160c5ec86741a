"""Live refresh of catalogued tables: which source, which query, and the checks before caching.

:data:`FETCHERS` maps each dataset with a live source to a function that
fetches it and returns the table **validated against its schema**. The
validation runs inside the client's ``transform``, so a response that decodes
but fails it (a negative count, duplicate keys, an unknown code) is a source
error naming table and URL and never replaces the last good cached response.

=====================  ===================================================
dataset                live source
=====================  ===================================================
``reported_offences``  SSB 08487 (PxWebApi v2), all municipalities and periods
``population``         SSB 07459 (municipalities) + SSB 10826 (bydeler)
``bydel_offences``     Oslo kommune's statbank KRI002 (PxWeb API v1)
=====================  ===================================================

Every other dataset has no live source and stays embedded (with a note in its
provenance), also under ``PTV_DATA_SOURCE=ssb``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ptvlib.basics import config
from ptvlib.basics.exceptions import SourceUnavailable
from ptvlib.data import catalog
from ptvlib.data.schema import coerce, validate

__all__ = ["FETCHERS", "LABELS", "fetch_live", "has_live"]

Progress = Callable[[int, int, str], None]

#: How each live source is named in messages ("<label> unavailable ...").
LABELS: dict[str, str] = {
    "reported_offences": "SSB table 08487",
    "population": "SSB tables 07459 and 10826",
    "bydel_offences": "Oslo statbank table KRI002",
}


def _validated(name: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    schema = catalog.get(name).schema

    def check(frame: pd.DataFrame) -> pd.DataFrame:
        return validate(coerce(frame, schema), schema)

    return check


def _offences(progress: Progress | None, population: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    from ptvlib.data.sources.ssb.client import SsbClient
    from ptvlib.data.tables import offences as _offences
    from ptvlib.data.tables import offences_live as _live

    query = {
        "Gjerningssted": "*",
        "LovbruddKrim": list(_live.SSB_GROUPS),
        "ContentsCode": ["AnmeldteLovbrudd"],
        "Tid": "*",
    }
    check = _validated("reported_offences")
    pop = population()

    def build(cube: pd.DataFrame) -> pd.DataFrame:
        return check(_offences.build_offences(pop, sources=[_live.source_from_ssb(cube)]))

    # stale_ok=False: a failure must reach load(), which decides between the last good
    # processed copy and the embedded snapshot, and says so.
    result: pd.DataFrame = SsbClient().fetch(
        "08487",
        query,
        lang="no",
        expected_dims=list(_live.SSB_DIMS),
        progress=progress,
        stale_ok=False,
        transform=build,
    )
    return result


def _population(progress: Progress | None, population: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    from ptvlib.data.schema import validate as _validate
    from ptvlib.data.sources.ssb.client import SsbClient
    from ptvlib.data.tables import population_live as _pop

    client = SsbClient()
    schema = catalog.get("population").schema

    def checked_part(
        build: Callable[[pd.DataFrame], pd.DataFrame],
    ) -> Callable[[pd.DataFrame], Any]:
        def check(cube: pd.DataFrame) -> pd.DataFrame:
            part = build(cube)
            whole = _pop.build_population_live(part, part.iloc[:0])
            _validate(coerce(whole, schema), schema)  # counts >= 0, keys unique, levels known
            return part

        return check

    parts = []
    for table, build in (
        (_pop.MUNICIPAL_TABLE, _pop.municipal_from_07459),
        (_pop.BYDEL_TABLE, _pop.bydel_from_10826),
    ):
        parts.append(
            client.fetch(
                table,
                _pop.QUERY[table],
                lang="no",
                expected_dims=list(_pop.DIMS),
                progress=progress,
                stale_ok=False,
                transform=checked_part(build),
            )
        )
    frame = _validated("population")(_pop.build_population_live(*parts))
    frame.attrs["fetched_at"] = parts[-1].attrs.get("fetched_at", "")
    return frame


def _bydel(progress: Progress | None, population: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    from ptvlib.data.sources.oslo.client import OsloStatbankClient
    from ptvlib.data.tables import bydel_offences as _bydel

    client = OsloStatbankClient()
    meta, pending = client.plan_metadata(_bydel.KRI002_PATH)
    roles = _bydel.kri002_roles(meta)  # SchemaError (nothing cached) when a role is missing
    check = _validated("bydel_offences")
    result: pd.DataFrame = client.fetch(
        _bydel.KRI002_PATH,
        roles.query(),
        progress=progress,
        stale_ok=False,
        transform=lambda cube: check(_bydel.from_kri002(cube, roles)),
        with_metadata=pending,
    )
    return result


#: Dataset name → ``fetch(progress, population) -> validated frame``.
FETCHERS: dict[str, Callable[[Progress | None, Callable[[], pd.DataFrame]], pd.DataFrame]] = {
    "reported_offences": _offences,
    "population": _population,
    "bydel_offences": _bydel,
}


def has_live(name: str) -> bool:
    """True when dataset *name* has a live source."""
    return name in FETCHERS


def fetch_live(
    name: str, progress: Progress | None, population: Callable[[], pd.DataFrame]
) -> pd.DataFrame:
    """Fetch dataset *name* from its live source, validated.

    Parameters
    ----------
    name : str
        A dataset with a live source (:func:`has_live`).
    progress : callable, optional
        ``progress(done, total, message)``.
    population : callable
        Returns the population table (tables derived from counts need it).

    Raises
    ------
    SourceUnavailable
        Offline, or the source gave no valid response.
    DataError
        The response changed shape (schema drift) or failed its checks.
    """
    if config.offline():
        raise SourceUnavailable("offline mode (PTV_OFFLINE is set)")
    return FETCHERS[name](progress, population)
