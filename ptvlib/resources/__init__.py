"""Where an installed ``ptv-analyse`` keeps its embedded data and its notebooks.

In a source checkout this package is empty: the raw data live in ``data/raw``
and the notebooks in ``notebooks/`` next to the package. A wheel built from
the checkout carries both here, as ``resources/raw/`` and
``resources/notebooks/`` (package data mapped in ``pyproject.toml``), so that
``pip install`` and ``ptv report`` work from any folder;
:mod:`ptvlib.basics.config` finds them.
"""
