"""Root mutations of the ingest and privacy areas: track, upsertRecords, setConsent, overrides, forgetProfile."""

from api.schema.mutations.consent import ConsentMutation
from api.schema.mutations.erasure import ErasureMutation, ErasureQuery
from api.schema.mutations.overrides import OverrideMutation
from api.schema.mutations.records import RecordsMutation
from api.schema.mutations.track import TrackMutation

INGEST_MUTATIONS: tuple[type, ...] = (
    TrackMutation,
    RecordsMutation,
    ConsentMutation,
    OverrideMutation,
    ErasureMutation,
)
INGEST_QUERIES: tuple[type, ...] = (ErasureQuery,)

__all__ = [
    "INGEST_MUTATIONS",
    "INGEST_QUERIES",
    "ConsentMutation",
    "ErasureMutation",
    "ErasureQuery",
    "OverrideMutation",
    "RecordsMutation",
    "TrackMutation",
]
