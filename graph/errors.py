"""Errors raised by graph stores; each message names the offending key, never a PII value."""

from __future__ import annotations


class GraphStoreError(Exception):
    """Base of every store error. A failed write has rolled back: nothing of its batch is stored."""


class UnknownRecordError(GraphStoreError):
    """A link or relationship refers to a record that is neither stored nor in the same batch."""


class RecordKindConflictError(GraphStoreError):
    """A record key already stored under another kind (record keys are unique across kinds)."""


class RelationEndpointError(GraphStoreError):
    """A relationship joins record kinds that its type does not allow (e.g. WORKS_AT from an Event)."""


class ResolutionError(GraphStoreError):
    """A resolution that does not fit the stored graph: an entity changing kind, or a member record of a kind
    that does not resolve to that entity kind (e.g. an Event in a Profile)."""


class UnsupportedStoreURLError(GraphStoreError):
    """`open_store` was given a URL of no known backend."""


class SchemaVersionError(GraphStoreError):
    """The store was written by a newer idgraph than this one."""
