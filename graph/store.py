"""The GraphStore port: what loaders, resolver and API need from a graph store, and `open_store`."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Protocol, runtime_checkable

from graph.errors import UnsupportedStoreURLError
from graph.model import (
    Direction,
    Entity,
    EntityKind,
    GraphBatch,
    HistoryEvent,
    Identifier,
    Neighbour,
    Override,
    Properties,
    Record,
    RecordKey,
    RecordKind,
    Relation,
    RelType,
    Resolution,
)

DEFAULT_STORE_URL = "sqlite:///./idgraph.db"


@runtime_checkable
class GraphStore(Protocol):
    """A property graph of records, identifiers and resolved entities.

    Writes are upserts by natural key, so re-running a load or a resolve gives the same graph. Each write
    call is one transaction: a failure rolls the whole call back and raises a `GraphStoreError`. Readers
    running while a write commits see the graph before it or after it, never part of it.
    """

    # -- writes ---------------------------------------------------------------------------------------
    def write(self, batch: GraphBatch) -> None:
        """Upsert the batch's records, identifier links and relations (and its checkpoint) atomically.

        Record properties and relation properties are replaced; links are added (never removed here).
        Links and relations may refer to records of the same batch or already stored ones.
        """
        ...

    def write_resolution(self, resolution: Resolution) -> None:
        """Upsert entities, point their members at them, record aliases, delete retired entities, upsert and
        delete SAME_AS links and append history, all in one transaction."""
        ...

    # -- reads ----------------------------------------------------------------------------------------
    def get_records(self, keys: Sequence[RecordKey]) -> dict[RecordKey, Record]:
        """The stored records among `keys` (missing keys are absent from the result)."""
        ...

    def iter_records(self, kinds: Collection[RecordKind]) -> Iterator[Record]:
        """Every stored record of the given kinds, ordered by key."""
        ...

    def identifiers_of(self, keys: Sequence[RecordKey]) -> dict[RecordKey, list[Identifier]]:
        """Identifiers held by each of `keys` (records without identifiers are absent), sorted."""
        ...

    def records_with(self, identifier: Identifier) -> list[RecordKey]:
        """Keys of the records holding an identifier, sorted."""
        ...

    def iter_links(self, kinds: Collection[RecordKind]) -> Iterator[tuple[RecordKey, Identifier]]:
        """Every (record, identifier) link of records of the given kinds, ordered by record key."""
        ...

    def neighbours(self, key: RecordKey, rel: RelType, direction: Direction = Direction.OUT) -> list[Neighbour]:
        """Records joined to `key` by relationships of type `rel`, sorted by key."""
        ...

    def entity_ids_of(self, keys: Sequence[RecordKey]) -> dict[RecordKey, str]:
        """The entity each record resolves to (unresolved records are absent)."""
        ...

    def get_entity(self, entity_id: str) -> Entity | None:
        """An entity by its ID or by an alias of a merged-away ID; None if neither is known."""
        ...

    def iter_entities(self, kind: EntityKind) -> Iterator[Entity]:
        """Every entity of one kind with its members, ordered by ID."""
        ...

    def iter_relations(self, rel: RelType) -> Iterator[Relation]:
        """Every record-to-record relationship of one type, ordered by (start, end)."""
        ...

    def history(self, entity_id: str) -> list[HistoryEvent]:
        """The merges, splits and creation of an entity (and of the IDs merged into it), oldest first."""
        ...

    # -- overrides and documents ----------------------------------------------------------------------
    def put_override(self, override: Override) -> None:
        """Set the override of a pair of records (replacing the pair's earlier one)."""
        ...

    def delete_override(self, a: RecordKey, b: RecordKey) -> bool:
        """Remove the override of a pair; whether there was one."""
        ...

    def overrides(self) -> list[Override]:
        """Every override, ordered by pair."""
        ...

    def get_document(self, name: str) -> Properties | None:
        """A named JSON document (resolver model, review queue, ...)."""
        ...

    def put_document(self, name: str, value: Properties) -> None:
        """Store (replace) a named JSON document."""
        ...

    def set_blocking_keys(self, keys: Mapping[RecordKey, Sequence[str]]) -> None:
        """Replace the fuzzy-matching blocking keys of each record given (an index for incremental matching)."""
        ...

    def records_by_blocking_key(self, keys: Sequence[str]) -> dict[str, list[RecordKey]]:
        """The records indexed under each blocking key (keys without records are absent), sorted."""
        ...

    def get_checkpoint(self, name: str) -> str | None:
        """The position last committed for a named job, if any."""
        ...

    def counts(self) -> dict[str, int]:
        """Node count per label and relationship count per type, read in one consistent snapshot."""
        ...

    def close(self) -> None:
        """Release connections. The store is unusable afterwards."""
        ...


def open_store(
    url: str = DEFAULT_STORE_URL,
    *,
    username: str | None = None,
    password: str | None = None,
    database: str | None = None,
) -> GraphStore:
    """Open the backend a URL names: `sqlite:///path.db` or `neo4j://`, `bolt://` (and `+s`/`+ssc`)."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == "sqlite":
        from graph.sqlite import SqliteGraphStore

        return SqliteGraphStore.from_url(url)
    if scheme in {"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"}:
        from graph.neo4j import Neo4jGraphStore

        return Neo4jGraphStore.from_url(url, username=username, password=password, database=database)
    raise UnsupportedStoreURLError(
        f"store URL must start with sqlite:/// or neo4j:// (or bolt://), got scheme {scheme or 'none'!r}"
    )
