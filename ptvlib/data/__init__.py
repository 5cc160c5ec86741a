"""Data in: the catalogue, loading and caching, the table builders, regions, schemas, sources.

* :mod:`~ptvlib.data.catalog` — dataset name → builder, schema, description, live source;
* :mod:`~ptvlib.data.loading` — :func:`load` / :func:`datasets` / :func:`provenance`, verified
  parquet caches; :mod:`~ptvlib.data.live` — the live refresh of each table, checked before caching;
* :mod:`~ptvlib.data.tables` — builders of the catalogued tables from ``data/raw`` (or a live cube);
* :mod:`~ptvlib.data.regions` — municipality codes across reforms, Oslo bydeler, police districts;
* :mod:`~ptvlib.data.schema` — column schemas checked on every load;
* :mod:`~ptvlib.data.sources` — live sources: shared HTTP, cache engine and JSON-stat; Statistics
  Norway (``sources.ssb``, PxWebApi v2) and Oslo kommune's statbank (``sources.oslo``, PxWeb v1);
* :mod:`~ptvlib.data.own` — the analyst's own files (reading, columns, fields, numbers, periods,
  grouped problems, stamped parquet in the ``own_*`` modules), :mod:`~ptvlib.data.own_funding` —
  the analyst's allocations, :mod:`~ptvlib.data.own_template` — example files to fill in;
  :mod:`~ptvlib.data.demo` — a synthetic example;
* :mod:`~ptvlib.data.groups` — SSB's lovbruddsgruppe names → the project's offence groups.

The data layer imports only :mod:`ptvlib.basics`; it knows nothing of estimators, the
assessment or the report.
"""
