"""Statistics Norway's PxWebApi v2: metadata, queries split under the API's limits, JSON-stat 2.0."""
