"""Basics importable by every layer: settings, errors, atomic IO, option literals, plot style.

Nothing here imports another ``ptvlib`` layer. :mod:`~ptvlib.basics.config`
(paths anchored on the package, defaults, ``PTV_*`` environment overrides),
:mod:`~ptvlib.basics.exceptions` (documented error types),
:mod:`~ptvlib.basics.io` (atomic writes, checksums),
:mod:`~ptvlib.basics.literals` (option strings declared once, checked at run time),
:mod:`~ptvlib.basics.checks` (numeric input checks shared by the indicator functions),
:mod:`~ptvlib.basics.style` (colours and figure helpers every ``.plot()`` uses),
:mod:`~ptvlib.basics.numbers` (numbers, percentages, p-values and dates in the report language),
:mod:`~ptvlib.basics.version`.
"""
