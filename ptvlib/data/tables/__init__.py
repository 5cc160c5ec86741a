"""Builders of the catalogued tables: raw files (or a live SSB cube) in, tidy validated frames out.

:mod:`~ptvlib.data.tables.offences` (SSB 08487 on 2024 borders from the
embedded extracts), :mod:`~ptvlib.data.tables.offences_live` (the same from a
live 08487 cube), :mod:`~ptvlib.data.tables.builders` (population, national
offences, funding, key figures, county tables, police resources).
"""
