"""Oslo kommune's statistikkbank (PxWeb API v1): :mod:`~ptvlib.data.sources.oslo.client`."""
