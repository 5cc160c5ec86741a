"""Documented error types raised by ptvlib.

Every error a user can trigger by bad input derives from :class:`PtvError`, so
an analyst (or the batch runner) can catch one type. Each also derives from the
closest built-in exception (``ValueError``, ``LookupError``, ``OSError``) so
generic handlers keep working.

Messages name the field, the bad value and what is allowed, e.g.::

    ParameterError: year=1990 is outside the data; allowed: 2008 … 2024
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "EstimationError",
    "OwnDataError",
    "ParameterError",
    "PtvError",
    "SchemaError",
    "SourceUnavailable",
    "UnknownDatasetError",
    "UnknownRegionError",
    "WorkspaceError",
]


class PtvError(Exception):
    """Base class of every error ptvlib raises on purpose."""


class ParameterError(PtvError, ValueError):
    """A parameter (function argument, notebook or CLI parameter) is not allowed."""


class DataError(PtvError, ValueError):
    """Data on disk or from a source is malformed, inconsistent or missing."""


class SchemaError(DataError):
    """A table does not match its declared schema (column, dtype, values, keys)."""


class OwnDataError(DataError):
    """An analyst's own data file failed validation.

    Attributes
    ----------
    problems : list of str
        One line per bad row/column: row number, column, value and what was expected.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        if self.problems:
            shown = "\n".join(f"  - {p}" for p in self.problems[:20])
            more = len(self.problems) - 20
            tail = f"\n  ... and {more} more" if more > 0 else ""
            message = f"{message}\n{shown}{tail}"
        super().__init__(message)


class UnknownDatasetError(PtvError, LookupError):
    """A dataset name is not in the catalogue."""


class UnknownRegionError(PtvError, LookupError):
    """A region code is not known (not a 2024 municipality, county, bydel, ...)."""


class SourceUnavailable(PtvError, OSError):
    """A remote source (Statistics Norway's API) could not deliver a valid response."""


class EstimationError(PtvError, ValueError):
    """Data too thin or unsuitable for an estimator (says what is missing)."""


class WorkspaceError(PtvError, OSError):
    """A folder or file a run needs cannot be used (the environment, not the input).

    For example: ``--out`` is a file or not writable, the cache folder is read-only
    although a table must be rebuilt, another ``ptv report`` is writing into the
    same output folder, or the notebooks are not installed. ``ptv`` exits with 4.
    """


# Shown and pickled under the public name (``ptvlib.ParameterError``), not this module's path.
for _cls in (
    PtvError,
    ParameterError,
    DataError,
    SchemaError,
    OwnDataError,
    UnknownDatasetError,
    UnknownRegionError,
    SourceUnavailable,
    EstimationError,
    WorkspaceError,
):
    _cls.__module__ = "ptvlib"
del _cls
