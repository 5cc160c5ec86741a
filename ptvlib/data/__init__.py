"""Data in: the catalogue, loading and caching, the table builders, regions, schemas, sources.

* :mod:`~ptvlib.data.catalog` — dataset name → builder, schema, description, live source;
* :mod:`~ptvlib.data.loading` — :func:`load` / :func:`datasets`, verified parquet caches;
* :mod:`~ptvlib.data.tables` — builders of the catalogued tables from ``data/raw`` (or a live cube);
* :mod:`~ptvlib.data.regions` — municipality codes across reforms, Oslo bydeler, police districts;
* :mod:`~ptvlib.data.schema` — column schemas checked on every load;
* :mod:`~ptvlib.data.sources` — live sources (HTTP, response cache, JSON-stat; one subpackage each);
* :mod:`~ptvlib.data.own` — the analyst's own files; :mod:`~ptvlib.data.demo` — a synthetic example.

The data layer imports only :mod:`ptvlib.basics`; it knows nothing of estimators, the
assessment or the report.
"""
