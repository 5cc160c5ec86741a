"""Live sources: shared HTTP (rate limit, retries, deadline, size cap), cache engine, JSON-stat.

One subpackage per source: :mod:`~ptvlib.data.sources.ssb` (Statistics
Norway's PxWebApi v2) and :mod:`~ptvlib.data.sources.oslo` (Oslo kommune's
statbank, PxWeb API v1). Both build on :mod:`~ptvlib.data.sources.http`
(:class:`~ptvlib.data.sources.http.Transport`), :mod:`~ptvlib.data.sources.engine`
(online with a checked cache write, or the last good copy),
:mod:`~ptvlib.data.sources.cache` and :mod:`~ptvlib.data.sources.jsonstat`; a
new source gets its own subpackage and reuses them.
"""
