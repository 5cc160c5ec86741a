"""``ptv data template own|funding``: documented example files an analyst can fill in.

Each template is written twice, as CSV (UTF-8 with BOM, ``;`` and decimal
comma, as Norwegian Excel writes "CSV UTF-8") and as ``.xlsx`` with a second
sheet ``les_meg`` (read me) describing every column in bokmål and English,
the headers recognised for it and the values allowed. The rows are invented
examples and say so in their ``source`` column (SYNTETISKE DATA / SYNTHETIC
DATA); both files load with :func:`ptvlib.load_own` (or
:func:`ptvlib.data.own_funding.load_funding`) to the same numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ptvlib.basics.io import atomic_path, atomic_write_bytes
from ptvlib.basics.style import SYNTHETIC_LABEL
from ptvlib.data.own_columns import ALIASES
from ptvlib.data.own_fields import UNITS
from ptvlib.data.own_funding import FUNDING_ALIASES

__all__ = ["TEMPLATES", "write_template"]

_HELP_OWN: dict[str, tuple[str, str, str]] = {
    "region": ("ja / yes", "Bydel eller område: kode (030115) eller navn (Søndre Nordstrand, Bydel Grorud)", "Bydel or area: code or name"),
    "period": ("ja / yes*", "År (2023), måned (2023-01, jan 2023), kvartal (2023K1) eller dato", "Year, month, quarter or date"),
    "indicator": ("nei / no", "Hva som telles: reported_offences, cases, seizures, confiscations …", "What is counted"),
    "offence_group": ("nei / no", "Lovbruddsgruppe: total, eller SSBs navn (Vold og mishandling …)", "Offence group"),
    "value": ("ja / yes", "Tallet; desimalkomma og mellomrom som tusenskille er greit", "The number"),
    "unit": ("nei / no", "Enhet: " + ", ".join(UNITS), "Unit (default count)"),
    "status": ("nei / no", "Hvorfor verdien mangler, når den mangler", "Why a value is missing"),
    "source": ("nei / no", "Kilde (f.eks. uttrekk og dato)", "Source"),
}  # fmt: skip
_HELP_FUNDING: dict[str, tuple[str, str, str]] = {
    "region": ("ja / yes", "Bydel eller område som fikk midlene (kode eller navn)", "Area that got the money"),
    "year": ("ja / yes", "Budsjettår", "Budget year"),
    "amount": ("ja / yes", "Beløp i millioner kroner (MNOK)", "Amount in million NOK"),
    "purpose": ("nei / no", "Formål / tiltak", "Purpose"),
    "source": ("nei / no", "Kilde (tildelingsbrev, regnskap …)", "Source (allocation letter, accounts …)"),
}  # fmt: skip


def _own_rows() -> pd.DataFrame:
    rng = np.random.default_rng(2023)
    rows: list[tuple[str, str, str, str, float, str]] = []
    for region in ("030115", "Bydel Gamle Oslo"):
        for month in range(1, 13):
            rows.append(
                (
                    region,
                    f"2023-{month:02d}",
                    "reported_offences",
                    "Vold og mishandling",
                    int(rng.poisson(40)),
                    "count",
                )
            )
        for year in (2022, 2023):
            rows.append((region, str(year), "seizures", "total", int(rng.poisson(300)), "count"))
            rows.append(
                (
                    region,
                    str(year),
                    "confiscated_nok",
                    "total",
                    round(float(rng.gamma(4, 250_000)), 2),
                    "NOK",
                )
            )
    frame = pd.DataFrame(
        rows, columns=["region", "period", "indicator", "offence_group", "value", "unit"]
    )
    frame["status"] = ""
    frame["source"] = f"{SYNTHETIC_LABEL} (eksempel / example)"
    return frame


def _funding_rows() -> pd.DataFrame:
    rows = [
        ("030115", 2018, 12.5, "Områdesatsing Holmlia"),
        ("030115", 2019, 13.0, "Områdesatsing Holmlia"),
        ("Bydel Gamle Oslo", 2019, 8.25, "Oslo indre øst"),
    ]
    frame = pd.DataFrame(rows, columns=["region", "year", "amount", "purpose"])
    frame["source"] = f"{SYNTHETIC_LABEL} (eksempel / example)"
    return frame


#: Template name → (example rows, column help, recognised headers).
TEMPLATES = {
    "own": (_own_rows, _HELP_OWN, ALIASES),
    "funding": (_funding_rows, _HELP_FUNDING, FUNDING_ALIASES),
}


def _csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, ';' and decimal comma: what Norwegian Excel saves as "CSV UTF-8"."""

    def number(v: object) -> object:
        if isinstance(v, float):
            return str(int(v)) if v.is_integer() else f"{v:.2f}".replace(".", ",")
        return v

    shown = frame.assign(**{c: frame[c].map(number) for c in ("value", "amount") if c in frame})
    text = shown.to_csv(sep=";", index=False, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def write_template(kind: str, folder: str | Path) -> list[Path]:
    """Write the ``own`` or ``funding`` template (CSV and .xlsx) into *folder*.

    Parameters
    ----------
    kind : {"own", "funding"}
        Which template.
    folder : str or pathlib.Path
        Created if missing; files are written atomically.

    Returns
    -------
    list of pathlib.Path
        ``[<kind>_data_template.csv, <kind>_data_template.xlsx]``.

    Raises
    ------
    KeyError
        Unknown *kind*.

    Examples
    --------
    >>> import tempfile
    >>> from ptvlib.data.own import load_own
    >>> csv, xlsx = write_template("own", tempfile.mkdtemp())
    >>> a, b = load_own(csv), load_own(xlsx)
    >>> a.equals(b), sorted(a["indicator"].unique())
    (True, ['confiscated_nok', 'reported_offences', 'seizures'])
    """
    rows, help_, aliases = TEMPLATES[kind]
    folder = Path(folder).expanduser()
    frame = rows()
    csv_path = folder / f"{kind}_data_template.csv"
    xlsx_path = folder / f"{kind}_data_template.xlsx"
    atomic_write_bytes(csv_path, _csv(frame))
    readme = pd.DataFrame(
        [
            {
                "kolonne / column": name,
                "påkrevd / required": req,
                "forklaring": nb,
                "explanation": en,
                "andre navn som gjenkjennes / headers also recognised": ", ".join(
                    aliases.get(name, ())
                ),
            }
            for name, (req, nb, en) in help_.items()
        ]
    )
    note = (
        "* Periode kan også gis som egne kolonner År og Måned (eller Kvartal). "
        f"Radene i arket 'data' er oppdiktede eksempler: {SYNTHETIC_LABEL}."
    )
    with (
        atomic_path(xlsx_path, suffix=".xlsx") as tmp,
        pd.ExcelWriter(tmp, engine="openpyxl") as xl,
    ):
        frame.to_excel(xl, sheet_name="data", index=False)
        readme.to_excel(xl, sheet_name="les_meg", index=False)
        pd.DataFrame({note: []}).to_excel(
            xl, sheet_name="les_meg", index=False, startrow=len(readme) + 2
        )
    return [csv_path, xlsx_path]
