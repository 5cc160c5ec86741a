"""Statistics Norway's live table 08487 as a source for :func:`ptvlib.data.tables.offences.build_offences`."""

from __future__ import annotations

import pandas as pd

from ptvlib.basics.exceptions import DataError
from ptvlib.data.tables.offences import _second_year, _Source

__all__ = ["SSB_DIMS", "SSB_GROUPS", "source_from_ssb"]

SSB_GROUPS = {
    "1AAAAA-9ZZZZz": "total",
    "1AAAAA-1ZZZZz": "property_theft",
    "4AAAAA-4ZZZZz": "violence",
    "6AAAAA-6ZZZZz": "drugs",
    "7AAAAA-7ZZZZz": "public_order",
    "8AAAAA-8ZZZZz": "traffic",
    "2AAAAA-3-5-9ZZZZz": "other",
}
#: Dimension names of table 08487 in Statistics Norway's API.
SSB_DIMS = ("Gjerningssted", "LovbruddKrim", "ContentsCode", "Tid")


def source_from_ssb(cube: pd.DataFrame, source_id: str = "ssb08487_api") -> _Source:
    """Turn a decoded 08487 response (counts) into a source for :func:`build_offences`.

    Municipality codes may carry SSB's ``K-`` prefix. Cells flagged ``"."``
    (not applicable: the code did not exist in that period) are dropped; the
    others keep SSB's status symbol.

    Raises
    ------
    DataError
        A dimension of 08487 is missing (schema drift) or an offence-group code is unknown.
    """
    missing = [d for d in SSB_DIMS if d not in cube.columns]
    if missing:
        raise DataError(
            f"SSB table 08487: dimension(s) {missing} missing; found {list(cube.columns)}"
        )
    cube = cube.loc[cube["ContentsCode"] == "AnmeldteLovbrudd"]
    groups = cube["LovbruddKrim"].map(SSB_GROUPS)
    if groups.isna().any():
        bad = sorted(cube.loc[groups.isna(), "LovbruddKrim"].unique())
        raise DataError(f"SSB table 08487: unknown LovbruddKrim code(s) {bad}")
    code = cube["Gjerningssted"].astype("str").str.replace(r"^K-", "", regex=True)
    cells = pd.DataFrame(
        {
            "orig_code": code,
            "period": cube["Tid"].astype("str"),
            "group": groups.astype("str"),
            "value": cube["value"].astype("float64"),
            "status": cube["status"].astype("str"),
        }
    )
    cells = cells.loc[(cells["status"] != ".") & cells["orig_code"].str.fullmatch(r"\d{4}")]
    periods = sorted(cells["period"].unique())
    return _Source(
        source_id, "count", cells.reset_index(drop=True), {p: _second_year(p) for p in periods}
    )
