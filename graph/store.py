"""The GraphStore port: what loaders, resolver and API need from a graph store, and `open_store`."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol, runtime_checkable

from graph.audit import AuditEntry
from graph.bundle import EntityBundle
from graph.erasure import ErasureRequest, Suppressor
from graph.errors import UnsupportedStoreURLError
from graph.link_columns import LinkColumns
from graph.model import (
    Direction,
    Entity,
    EntityKind,
    GraphBatch,
    HistoryEvent,
    Identifier,
    IdentifierKind,
    Neighbour,
    Override,
    Properties,
    Record,
    RecordKey,
    RecordKind,
    Relation,
    RelType,
    Resolution,
    SharedIdentifier,
)
from graph.row_batch import RowBatch
from graph.segments.ast import Segment

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

    def write_rows(self, batch: RowBatch) -> None:
        """`write` for a batch given as rows (graph.row_batch), with the same contract: what a bulk loader sends.

        The rows must hold valid kinds, keys and JSON objects (as `RowBatch.of` makes them from a GraphBatch).
        """
        ...

    def bulk_load(self) -> AbstractContextManager[None]:
        """Around a load of many batches (`write_rows`) by this thread: the store may do less work per batch, for
        the same graph, and each batch is still its own transaction. Other writes inside it keep their usual checks.
        Once the block ends (or, when it was killed, once the store is next opened) the store is as usual."""
        ...

    def write_resolution(self, resolution: Resolution) -> None:
        """Upsert entities, point their members at them, record aliases, delete retired entities, upsert and
        delete SAME_AS links and append history, all in one transaction."""
        ...

    def write_resolution_stream(self, resolution: Resolution, entities: Iterable[Sequence[Entity]]) -> None:
        """`write_resolution` of `resolution` with, besides its own entities, those of `entities`: chunks taken
        one at a time (a producer may build each as it is asked for), all in the same one transaction. Checked as
        `Resolution` checks its entities (no entity twice, none also retired, no record in two); a failure, or an
        exception from the producer, writes nothing."""
        ...

    # -- reads ----------------------------------------------------------------------------------------
    def get_records(self, keys: Sequence[RecordKey]) -> dict[RecordKey, Record]:
        """The stored records among `keys` (missing keys are absent from the result)."""
        ...

    def iter_records(self, kinds: Collection[RecordKind]) -> Iterator[Record]:
        """Every stored record of the given kinds, ordered by key."""
        ...

    def iter_record_pages(self, kinds: Collection[RecordKind]) -> Iterator[list[tuple[RecordKey, str]]]:
        """`iter_records` as pages of (key, properties as JSON object text): the bulk read of a batch resolve, which
        keeps the properties packed (`orjson.loads` of the text gives the record's properties)."""
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

    def link_columns(
        self, kinds: Collection[RecordKind], identifier_kinds: Collection[IdentifierKind] | None = None
    ) -> LinkColumns:
        """Every record of the given kinds (in key order) and its links to identifiers of `identifier_kinds`
        (None: of every kind), as integer columns: the bulk read of a batch resolve, one snapshot."""
        ...

    def neighbours(self, key: RecordKey, rel: RelType, direction: Direction = Direction.OUT) -> list[Neighbour]:
        """Records joined to `key` by relationships of type `rel`, sorted by key."""
        ...

    def neighbours_of(
        self, keys: Sequence[RecordKey], rel: RelType, direction: Direction = Direction.OUT
    ) -> dict[RecordKey, list[Neighbour]]:
        """`neighbours` of many records in one call: keys without any are absent; each list sorted by key."""
        ...

    def search_organizations(self, text: str, *, after: str | None = None, limit: int = 100) -> list[str]:
        """IDs of Organizations with a Company record whose name or a domain contains `text` (case-insensitive),
        after `after` (None: from the start), at most `limit`, ordered by ID."""
        ...

    def count_organizations(self, text: str) -> int:
        """The number of Organizations `search_organizations(text)` finds in all."""
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

    def histories(self, entity_ids: Sequence[str]) -> dict[str, list[HistoryEvent]]:
        """`history` of each of `entity_ids` in one call (a page of profiles); an ID with none maps to []."""
        ...

    def events_of(
        self,
        actors: Sequence[RecordKey],
        *,
        types: Collection[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        before: tuple[str, RecordKey] | None = None,
    ) -> list[tuple[RecordKey, Record]]:
        """(actor record, event record) for the events PERFORMED by `actors`, newest first.

        Ordered by (timestamp, event key) descending, the timestamp compared as UTC instants (see
        `graph.events.time_key`). `types` (empty: all) and `since` (inclusive) / `until` (exclusive) filter;
        `before` = (an event's timestamp, its key) pages: only events strictly older in that order. Events
        without a readable timestamp are left out.
        """
        ...

    def segment_members(
        self,
        segment: Segment,
        *,
        after: str | None = None,
        limit: int = 100,
        among: Sequence[str] | None = None,
        now: datetime | None = None,
    ) -> list[str]:
        """IDs of the profiles a prepared segment (see graph.segments.prepare) selects, in ID order after `after`.

        `among` restricts the candidates (e.g. to learn which of some profiles are members); `now` anchors
        `window_days` (default: the current time). SegmentError if the segment still holds `in_segment`.
        """
        ...

    def segment_count(self, segment: Segment, *, now: datetime | None = None) -> int:
        """The number of profiles a prepared segment selects."""
        ...

    def get_entities(self, ids: Sequence[str]) -> dict[str, Entity]:
        """Entities by ID or alias, keyed by the ID asked for (an alias maps to its survivor); unknown IDs absent."""
        ...

    def entities_holding(self, identifier: Identifier, kinds: Collection[RecordKind]) -> list[Entity]:
        """The entities that records of `kinds` holding `identifier` resolve to, in ID order (records not resolved
        yet count for nothing): one read instead of records_with, get_records, entity_ids_of and get_entities."""
        ...

    def entity_bundle(
        self,
        identifier: Identifier,
        kinds: Collection[RecordKind],
        *,
        identifiers: bool = True,
        events: int = 0,
        typed_events: Collection[str] = (),
        typed_limit: int = 0,
    ) -> EntityBundle | None:
        """The first of `entities_holding(identifier, kinds)` (None if none) with, read in the same transaction,
        its members' identifiers (`identifiers_of(members)`, when `identifiers`), their last `events` events
        (`events_of(members, limit=events)`) and, when `typed_events` is not empty, their last `typed_limit`
        events of those types (`events_of(members, types=typed_events, limit=typed_limit)`): one call for a
        looked-up profile instead of four, equal to what those calls return."""
        ...

    def entity_page(self, kind: EntityKind, *, after: str | None = None, limit: int = 100) -> list[Entity]:
        """Up to `limit` entities of one kind with IDs after `after` (None: from the start), ordered by ID."""
        ...

    def count_entities(self, kind: EntityKind) -> int:
        """The number of entities of one kind."""
        ...

    def shared_identifiers(
        self,
        kind: IdentifierKind,
        *,
        min_entities: int,
        entity_kind: EntityKind = EntityKind.PROFILE,
        limit: int = 100,
        ids_per_identifier: int = 100,
    ) -> list[SharedIdentifier]:
        """Identifiers of one kind held by records of at least `min_entities` distinct entities of `entity_kind`.

        Most shared first (then by value, system); at most `limit` of them, each with its entity count and the
        first `ids_per_identifier` entity IDs in ID order.
        """
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

    def delete_document(self, name: str) -> bool:
        """Remove a named document; whether there was one."""
        ...

    def document_names(self, prefix: str) -> list[str]:
        """Names of the stored documents that start with `prefix`, sorted (e.g. every API key)."""
        ...

    # -- audit log (append-only) ------------------------------------------------------------------------
    def append_audit(self, entries: Sequence[AuditEntry]) -> list[int]:
        """Append entries in one transaction, numbering them in order after every earlier one; their `seq`s.

        Entries are never changed or removed: the port has no call for it.
        """
        ...

    def append_audit_now(self, entries: Sequence[AuditEntry]) -> list[int] | None:
        """As `append_audit` if that can be done at once, without waiting for another writer or the network; else
        None, having written nothing (the caller then uses `append_audit`, which waits).

        For a caller that must not block (the API's event loop). The embedded store writes when its write lock is
        free this instant; a networked store always returns None.
        """
        ...

    def audit_entries(
        self, *, since: datetime | None = None, before: int | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """Audit entries newest first: at or after `since`, with `seq` below `before`, at most `limit`."""
        ...

    # -- erasure and the suppression list (graph.erasure) -----------------------------------------------
    def erase_entity(self, entity_id: str, *, suppress: Suppressor, at: datetime) -> ErasureRequest | None:
        """Forget the entity with this ID (or alias) in one transaction; None when there is no such entity.

        Deletes its member records, the events they performed, the identifiers no remaining record holds, the
        records' links, relationships (SAME_AS included), blocking keys and overrides, and the entity with its
        aliases and history; other entities' history events keep their place but no longer name the deleted
        records. Adds `suppress(x)` of each deleted identifier and member record key to the
        suppression list, and stores the returned request (no values in it) under the entity's ID and aliases.
        """
        ...

    def erasure_request(self, entity_id: str) -> ErasureRequest | None:
        """The erasure request stored under an entity ID or one of its former aliases."""
        ...

    def suppressed(self, hashes: Collection[str]) -> set[str]:
        """The entries among `hashes` that are on the suppression list."""
        ...

    def iter_suppressed(self) -> Iterator[str]:
        """Every entry of the suppression list (for bulk loads that check each row)."""
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
