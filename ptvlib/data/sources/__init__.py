"""Live sources: shared HTTP (timeouts, retries, rate limit), response cache and JSON-stat decoding.

One subpackage per source: :mod:`~ptvlib.data.sources.ssb` (Statistics
Norway's PxWebApi v2). A new live source gets its own subpackage here and
reuses :mod:`~ptvlib.data.sources.http`, :mod:`~ptvlib.data.sources.cache`
and :mod:`~ptvlib.data.sources.jsonstat`.
"""
