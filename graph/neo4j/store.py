"""The Neo4j backend of the GraphStore port: parameterised Cypher in managed transactions over the official driver.

Records are `(:Record:<Kind> {source, source_id, properties})`, identifiers `(:Email {value})` and so on,
entities `(:Profile {id, traits, created_at})` / `(:Organization ...)` with `RESOLVES_TO` from their members,
merged-away entity IDs `(:Alias {id})-[:ALIAS_OF]->(entity)`, and `(:Checkpoint {name, position})`.
Entity history is `(:HistoryEvent {entity_id, seq, at, action, cause, records, others})`, numbered by the
`(:IdgraphCounter {name: "history", value})` sequence; overrides are `(:Override {a_source, a_id, b_source,
b_id, kind, reason, author, created_at})` and documents `(:Document {name, value})`. The fuzzy-matching
blocking index is `(:Record)-[:IN_BLOCK]->(:BlockingKey {key})`.
JSON-valued properties are stored as JSON text (see `rows`). Each write call is one managed write
transaction that first reads what it must check, then writes in `UNWIND $rows` batches of fixed labels.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

import neo4j
import orjson
from pydantic import ValidationError

from graph.audit import AuditEntry
from graph.bundle import EntityBundle
from graph.erasure import ErasureRequest, Suppressor
from graph.errors import RecordKindConflictError, ResolutionError
from graph.link_columns import LinkColumns, link_columns_of
from graph.model import (
    RECORD_RELATIONS,
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
from graph.neo4j import audit as neo4j_audit
from graph.neo4j import b2b, cypher, plans, profiles, rows
from graph.neo4j import bundle as neo4j_bundle
from graph.neo4j import erasure as neo4j_erasure
from graph.neo4j import events as neo4j_events
from graph.neo4j import segments as neo4j_segments
from graph.neo4j.connection import connection_settings
from graph.neo4j.schema import ensure_schema
from graph.neo4j.transactions import Transactions, execute, fetch, wrapped_errors
from graph.row_batch import RowBatch
from graph.segments.ast import Segment

if TYPE_CHECKING:
    from graph.store import GraphStore

WRITE_ROWS = 5_000  # rows per UNWIND statement (all statements of a call share one transaction)
READ_KEYS = 2_000  # keys per lookup statement
COUNT_ATTEMPTS = 8  # reads of all counts before giving up on two equal ones in a row
HISTORY_COUNTER = "history"  # name of the sequence numbering history events

_RECORD_KIND_VALUES = [kind.value for kind in RecordKind]
_COUNTED_LABELS: tuple[RecordKind | IdentifierKind | EntityKind, ...] = (*RecordKind, *IdentifierKind, *EntityKind)

Tx = neo4j.ManagedTransaction


class Neo4jGraphStore:
    """A GraphStore on a Neo4j 5 database; the schema (constraints) is created on opening."""

    def __init__(self, driver: neo4j.Driver, *, database: str | None = None) -> None:
        """Use `driver` (the store owns it from now on and closes it in `close`) on `database` (None: default)."""
        self._transactions = Transactions(driver, database)
        ensure_schema(self._transactions)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        database: str | None = None,
    ) -> Neo4jGraphStore:
        """Connect to `neo4j://`, `bolt://` (and `+s` / `+ssc`) URLs.

        Credentials come from the arguments, else from the URL (`neo4j://user:pass@host:7687`, stripped
        before the URL reaches the driver), else from IDGRAPH_NEO4J_USER / IDGRAPH_NEO4J_PASSWORD; the
        user defaults to "neo4j". The database comes from the argument, else IDGRAPH_NEO4J_DATABASE, else
        the server's default.
        """
        settings = connection_settings(url, username=username, password=password, database=database)
        with wrapped_errors("opening the driver"):
            driver = neo4j.GraphDatabase.driver(settings.uri, auth=(settings.username, settings.password))
        try:
            return cls(driver, database=settings.database)
        except BaseException:
            driver.close()
            raise

    # -- writes ----------------------------------------------------------------------------------------------

    def write(self, batch: GraphBatch) -> None:
        """Upsert the batch's records, identifier links and relations (and its checkpoint) atomically."""
        if not (batch.records or batch.links or batch.relations or batch.checkpoint):
            return
        record_rows = rows.record_rows(batch.records)
        link_rows = rows.link_rows(batch.links)
        relation_rows = rows.relation_rows(batch.relations)
        referenced = plans.referenced_keys(batch)
        written = list(dict.fromkeys(record.key for record in batch.records))
        checkpoint = batch.checkpoint

        def work(tx: Tx) -> None:
            plans.check_batch(batch, _stored_record_kinds(tx, referenced))
            for kind, kind_rows in record_rows.items():
                _execute_rows(tx, cypher.merge_records(kind), kind_rows)
            for identifier_kind, identifier_rows in link_rows.items():
                _execute_rows(tx, cypher.merge_links(identifier_kind), identifier_rows)
            for rel, rel_rows in relation_rows.items():
                _execute_rows(tx, cypher.merge_relations(rel), rel_rows)
            _check_no_kind_conflicts(tx, written)
            if checkpoint is not None:
                execute(tx, cypher.MERGE_CHECKPOINT, name=checkpoint.name, position=checkpoint.position)

        self._transactions.write("writing a batch", work)

    def write_rows(self, batch: RowBatch) -> None:
        """`write` for a batch given as rows: validated into model objects first."""
        self.write(batch.graph_batch())

    def bulk_load(self) -> AbstractContextManager[None]:
        """Nothing to change for a load here: each batch's write is the usual one."""
        return nullcontext()

    def write_resolution_stream(self, resolution: Resolution, entities: Iterable[Sequence[Entity]]) -> None:
        """The chunks are gathered into one resolution, validated as a whole, and written in one transaction:
        the transaction's parameters hold every entity at once anyway."""
        gathered = (*resolution.entities, *(entity for chunk in entities for entity in chunk))
        try:
            whole = Resolution.model_validate({**dict(resolution), "entities": gathered})
        except ValidationError as exc:
            raise ResolutionError(f"inconsistent resolution: {exc.errors()[0]['msg']}") from exc
        self.write_resolution(whole)

    def write_resolution(self, resolution: Resolution) -> None:
        """Upsert entities, point their members at them, record aliases, delete retired entities, delete and
        upsert SAME_AS links, replace blocking keys and append history, all in one transaction.

        An entity's members are replaced: records resolving to it that are not among its members stop
        resolving to it. Aliases that pointed at a merged-away ID follow it to its survivor; those of a
        retired entity without a survivor are deleted with it. Every end of a SAME_AS link, upserted or
        deleted, and every record given blocking keys must be a stored record. The removed links are deleted
        before the new ones are merged, so a link in both stays. A record's blocking keys are replaced as in
        `set_blocking_keys`. History events are numbered from the store's sequence in the order given.
        """
        if not (
            resolution.entities
            or resolution.aliases
            or resolution.retired
            or resolution.same_as
            or resolution.same_as_removed
            or resolution.history
            or resolution.blocking_keys
        ):
            return
        members = plans.member_keys(resolution)
        blocking_keys = plans.blocking_keys(resolution)
        looked_up_records = list(dict.fromkeys(members + plans.linked_keys(resolution) + list(blocking_keys)))
        blocked_rows = [rows.key_row(key) for key in blocking_keys]
        blocking_key_rows = rows.blocking_key_rows(blocking_keys)
        same_as_rows = rows.relation_rows(resolution.same_as)
        removed_rows = rows.relation_key_rows(resolution.same_as_removed)
        history = resolution.history
        entity_rows = rows.entity_rows(resolution.entities)
        member_rows = rows.member_rows(resolution.entities)
        upserted = {kind: [entity.id for entity in resolution.entities if entity.kind is kind] for kind in EntityKind}
        retired = sorted(set(resolution.retired))
        merged_away = sorted(set(resolution.retired) | set(resolution.aliases))
        targets = sorted(set(resolution.aliases.values()))
        looked_up = sorted({entity.id for entity in resolution.entities} | set(merged_away) | set(targets))

        def work(tx: Tx) -> None:
            stored_records = _stored_record_kinds(tx, looked_up_records)
            plans.check_members(resolution, stored_records)
            plans.check_same_as(resolution, stored_records)
            plans.check_blocking_keys(resolution, stored_records)
            stored_entities = _stored_entity_kinds(tx, looked_up)
            plans.check_entity_kinds(resolution, stored_entities)
            plan = plans.plan_aliases(
                resolution, stored_entities, _alias_targets(tx, targets), _aliases_of(tx, merged_away)
            )
            for kind, kind_rows in entity_rows.items():
                _execute_rows(tx, cypher.merge_entities(kind), kind_rows)
            # Read the current members only now: the MERGE above has locked the upserted entities.
            current = _members_of(tx, upserted)
            for kind, stale in plans.stale_members(resolution, current).items():
                stale_rows = [rows.key_row(key) | {"entity_id": entity_id} for key, entity_id in stale]
                _execute_rows(tx, cypher.unlink_members(kind), stale_rows)
            for kind, kind_rows in member_rows.items():
                _execute_rows(tx, cypher.point_members(kind), kind_rows)
            # An ID upserted as an entity is live again: drop any alias it had.
            dropped = sorted(plan.deletes | {entity.id for entity in resolution.entities})
            _execute_ids(tx, cypher.DELETE_ALIASES, dropped)
            for kind in EntityKind:
                alias_rows = [
                    {"alias": alias, "target": target}
                    for alias, (target, target_kind) in sorted(plan.upserts.items())
                    if target_kind is kind
                ]
                _execute_rows(tx, cypher.merge_aliases(kind), alias_rows)
            for kind in EntityKind:
                _execute_ids(tx, cypher.retire_entities(kind), retired)
            for rel, rel_rows in removed_rows.items():
                _execute_rows(tx, cypher.delete_relations(rel), rel_rows)
            for rel, rel_rows in same_as_rows.items():
                _execute_rows(tx, cypher.merge_relations(rel), rel_rows)
            _execute_rows(tx, cypher.DELETE_BLOCKING_KEYS, blocked_rows)
            _execute_rows(tx, cypher.MERGE_BLOCKING_KEYS, blocking_key_rows)
            if history:
                # CREATE, not MERGE: events have no natural key. A retried transaction was rolled back first (the
                # driver does not retry a commit of unknown outcome), so no event is appended twice.
                first_seq = _advance_counter(tx, HISTORY_COUNTER, len(history))
                _execute_rows(tx, cypher.CREATE_HISTORY, rows.history_rows(history, first_seq))

        self._transactions.write("writing a resolution", work)

    # -- reads -----------------------------------------------------------------------------------------------

    def get_records(self, keys: Sequence[RecordKey]) -> dict[RecordKey, Record]:
        """The stored records among `keys` (missing keys are absent from the result)."""
        unique = list(dict.fromkeys(keys))
        if not unique:
            return {}
        return self._transactions.read("reading records", lambda tx: _records(tx, unique))

    def iter_records(self, kinds: Collection[RecordKind]) -> Iterator[Record]:
        """Every stored record of the given kinds, ordered by key.

        The keys are listed in one transaction and sorted here (Python's order, not the server's string
        collation); the records are then read in chunks, so memory holds keys rather than whole records.
        """
        keys = self._sorted_keys(kinds)
        return self._records_in_order(keys)

    def iter_record_pages(self, kinds: Collection[RecordKind]) -> Iterator[list[tuple[RecordKey, str]]]:
        """`iter_records` as pages of (key, properties as JSON object text)."""
        keys = self._sorted_keys(kinds)
        for chunk in rows.chunked(keys, READ_KEYS):
            found = self._transactions.read("reading records", partial(_records, keys=chunk))
            yield [(key, orjson.dumps(found[key].properties).decode()) for key in chunk if key in found]

    def _records_in_order(self, keys: list[RecordKey]) -> Iterator[Record]:
        for chunk in rows.chunked(keys, READ_KEYS):
            found = self._transactions.read("reading records", partial(_records, keys=chunk))
            yield from (found[key] for key in chunk if key in found)

    def identifiers_of(self, keys: Sequence[RecordKey]) -> dict[RecordKey, list[Identifier]]:
        """Identifiers held by each of `keys` (records without identifiers are absent), sorted."""
        unique = list(dict.fromkeys(keys))
        if not unique:
            return {}
        return self._transactions.read("reading identifiers of records", lambda tx: _identifiers(tx, unique))

    def records_with(self, identifier: Identifier) -> list[RecordKey]:
        """Keys of the records holding an identifier, sorted."""
        query = cypher.records_with(identifier.kind)
        params = rows.identifier_params(identifier)
        found = self._transactions.read("reading records of an identifier", lambda tx: fetch(tx, query, **params))
        return sorted({rows.key_of(row) for row in found})

    def iter_links(self, kinds: Collection[RecordKind]) -> Iterator[tuple[RecordKey, Identifier]]:
        """Every (record, identifier) link of records of the given kinds, ordered by record key."""
        keys = self._sorted_keys(kinds)
        return self._links_in_order(keys)

    def link_columns(
        self, kinds: Collection[RecordKind], identifier_kinds: Collection[IdentifierKind] | None = None
    ) -> LinkColumns:
        """Every record of the given kinds and its links to identifiers of `identifier_kinds`, as integer columns
        (built from the paged link read: a snapshot per page, not one for the whole read)."""
        keys = self._sorted_keys(kinds)
        wanted = set(IdentifierKind if identifier_kinds is None else identifier_kinds)
        return link_columns_of(keys, ((k, i) for k, i in self._links_in_order(keys) if i.kind in wanted))

    def _links_in_order(self, keys: list[RecordKey]) -> Iterator[tuple[RecordKey, Identifier]]:
        for chunk in rows.chunked(keys, READ_KEYS):
            found = self._transactions.read("reading links", partial(_identifiers, keys=chunk))
            for key in chunk:
                yield from ((key, identifier) for identifier in found.get(key, ()))

    def neighbours(self, key: RecordKey, rel: RelType, direction: Direction = Direction.OUT) -> list[Neighbour]:
        """Records joined to `key` by relationships of type `rel`, sorted by key."""
        if rel not in RECORD_RELATIONS:
            raise ValueError(f"{rel} does not join records to records; read identifiers with identifiers_of")
        query = cypher.neighbours(rel, direction)
        found = self._transactions.read(
            "reading neighbours", lambda tx: fetch(tx, query, source=key.source, source_id=key.source_id)
        )
        neighbours = [
            Neighbour(record=rows.record_from_row(row), properties=rows.decode_json(row["relation_properties"]))
            for row in found
        ]
        return sorted(neighbours, key=lambda neighbour: neighbour.record.key)

    def neighbours_of(
        self, keys: Sequence[RecordKey], rel: RelType, direction: Direction = Direction.OUT
    ) -> dict[RecordKey, list[Neighbour]]:
        """`neighbours` of many records in one call: keys without any are absent; each list sorted by key."""
        if rel not in RECORD_RELATIONS:
            raise ValueError(f"{rel} does not join records to records; read identifiers with identifiers_of")
        found: dict[RecordKey, list[Neighbour]] = {}
        for chunk in rows.chunked(list(dict.fromkeys(keys)), READ_KEYS):
            work = partial(b2b.neighbours_of, keys=chunk, rel=rel, direction=direction)
            found.update(self._transactions.read("reading neighbours", work))
        return {key: sorted(items, key=lambda n: n.record.key) for key, items in found.items()}

    def search_organizations(self, text: str, *, after: str | None = None, limit: int = 100) -> list[str]:
        """IDs of Organizations with a Company record whose name or a domain contains `text` (case-insensitive)."""
        work = partial(b2b.matching_organization_ids, text=text, after=after)
        return self._transactions.read("searching organisations", work)[:limit]

    def count_organizations(self, text: str) -> int:
        """The number of Organizations `search_organizations(text)` finds in all."""
        work = partial(b2b.matching_organization_ids, text=text, after=None)
        return len(self._transactions.read("counting organisations", work))

    def entity_ids_of(self, keys: Sequence[RecordKey]) -> dict[RecordKey, str]:
        """The entity each record resolves to (unresolved records are absent)."""
        unique = list(dict.fromkeys(keys))
        if not unique:
            return {}

        def work(tx: Tx) -> dict[RecordKey, str]:
            found: dict[RecordKey, str] = {}
            for chunk in rows.chunked(unique, READ_KEYS):
                for row in fetch(tx, cypher.ENTITY_IDS_OF, keys=[rows.key_row(key) for key in chunk]):
                    found[rows.key_of(row)] = str(row["entity_id"])
            return found

        return self._transactions.read("reading entity IDs of records", work)

    def get_entity(self, entity_id: str) -> Entity | None:
        """An entity by its ID or by an alias of a merged-away ID; None if neither is known."""

        def work(tx: Tx) -> Entity | None:
            for kind in EntityKind:
                found = _entities(tx, kind, [entity_id])
                if found:
                    return found[entity_id]
            for row in fetch(tx, cypher.ALIAS_TARGETS, ids=[entity_id]):
                kind = rows.entity_kind_of_labels(row["labels"])
                target = str(row["target"])
                return _entities(tx, kind, [target]).get(target)
            return None

        return self._transactions.read("reading an entity", work)

    def iter_entities(self, kind: EntityKind) -> Iterator[Entity]:
        """Every entity of one kind with its members, ordered by ID (read in chunks, like `iter_records`)."""
        query = cypher.entity_ids(kind)
        found = self._transactions.read("listing entities", lambda tx: fetch(tx, query))
        return self._entities_in_order(kind, sorted(str(row["id"]) for row in found))

    def _entities_in_order(self, kind: EntityKind, ids: list[str]) -> Iterator[Entity]:
        for chunk in rows.chunked(ids, READ_KEYS):
            found = self._transactions.read("reading entities", partial(_entities, kind=kind, ids=chunk))
            yield from (found[entity_id] for entity_id in chunk if entity_id in found)

    def iter_relations(self, rel: RelType) -> Iterator[Relation]:
        """Every record-to-record relationship of one type, ordered by (start, end) (read in one transaction)."""
        if rel not in RECORD_RELATIONS:
            raise ValueError(f"{rel} does not join records to records; read identifiers with iter_links")
        query = cypher.relations_of_type(rel)
        found = self._transactions.read("reading relations", lambda tx: fetch(tx, query))
        relations = sorted(
            (rows.relation_from_row(rel, row) for row in found), key=lambda relation: (relation.start, relation.end)
        )
        return iter(relations)

    def history(self, entity_id: str) -> list[HistoryEvent]:
        """The merges, splits and creation of an entity (and of the IDs merged into it), oldest first."""
        return self.histories([entity_id])[entity_id]

    def histories(self, entity_ids: Sequence[str]) -> dict[str, list[HistoryEvent]]:
        """`history` of each of `entity_ids` in one transaction; an ID with none maps to []."""
        asked = list(dict.fromkeys(entity_ids))

        def work(tx: Tx) -> dict[str, list[HistoryEvent]]:
            aliases = _aliases_of(tx, asked)
            owners: dict[str, list[str]] = {}
            for entity_id in asked:
                for searched in dict.fromkeys([entity_id, *aliases.get(entity_id, [])]):
                    owners.setdefault(searched, []).append(entity_id)
            found: dict[str, list[rows.ResultRow]] = {entity_id: [] for entity_id in asked}
            for chunk in rows.chunked(list(owners), READ_KEYS):
                for row in fetch(tx, cypher.HISTORY_OF, ids=chunk):
                    for owner in owners[str(row["entity_id"])]:
                        found[owner].append(row)
            return {entity_id: rows.in_history_order(events) for entity_id, events in found.items()}

        return self._transactions.read("reading the history of entities", work)

    def get_entities(self, ids: Sequence[str]) -> dict[str, Entity]:
        """Entities by ID or alias, keyed by the ID asked for (an alias maps to its survivor); unknown IDs absent."""
        unique = list(dict.fromkeys(ids))
        if not unique:
            return {}
        return self._transactions.read("reading entities", lambda tx: profiles.entities_by_id(tx, unique))

    def entities_holding(self, identifier: Identifier, kinds: Collection[RecordKind]) -> list[Entity]:
        """The entities that records of `kinds` holding `identifier` resolve to, in ID order (one transaction)."""
        return self._transactions.read(
            "reading the entities holding an identifier",
            lambda tx: _entities_holding(tx, identifier, frozenset(kinds)),
        )

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
        """See GraphStore.entity_bundle: every part in one read transaction."""
        if events < 0 or typed_limit < 0:
            raise ValueError("events and typed_limit must be >= 0")
        return self._transactions.read(
            "reading an entity bundle",
            lambda tx: neo4j_bundle.entity_bundle(
                tx,
                _entities_holding(tx, identifier, frozenset(kinds)),
                _identifiers if identifiers else None,
                events=events,
                typed_events=typed_events,
                typed_limit=typed_limit,
            ),
        )

    def entity_page(self, kind: EntityKind, *, after: str | None = None, limit: int = 100) -> list[Entity]:
        """Up to `limit` entities of one kind with IDs after `after` (None: from the start), ordered by ID."""
        return self._transactions.read(
            "reading a page of entities", lambda tx: profiles.entity_page_of(tx, kind, after, limit)
        )

    def count_entities(self, kind: EntityKind) -> int:
        """The number of entities of one kind."""
        query = profiles.count_entities(kind)
        found = self._transactions.read("counting entities", lambda tx: fetch(tx, query))
        return int(found[0]["count"])

    def shared_identifiers(
        self,
        kind: IdentifierKind,
        *,
        min_entities: int,
        entity_kind: EntityKind = EntityKind.PROFILE,
        limit: int = 100,
        ids_per_identifier: int = 100,
    ) -> list[SharedIdentifier]:
        """Identifiers of one kind held by records of at least `min_entities` distinct entities of `entity_kind`."""
        return self._transactions.read(
            "reading shared identifiers",
            lambda tx: profiles.shared_identifiers_of(
                tx,
                kind,
                min_entities=min_entities,
                entity_kind=entity_kind,
                limit=limit,
                ids_per_identifier=ids_per_identifier,
            ),
        )

    # -- overrides and documents -----------------------------------------------------------------------------

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
        """See GraphStore.events_of."""
        return neo4j_events.events_of(
            self._transactions, actors, types=types, since=since, until=until, limit=limit, before=before
        )

    def segment_members(
        self,
        segment: Segment,
        *,
        after: str | None = None,
        limit: int = 100,
        among: Sequence[str] | None = None,
        now: datetime | None = None,
    ) -> list[str]:
        """See GraphStore.segment_members."""
        return neo4j_segments.segment_members(
            self._transactions, segment, after=after, limit=limit, among=among, now=now
        )

    def segment_count(self, segment: Segment, *, now: datetime | None = None) -> int:
        """See GraphStore.segment_count."""
        return neo4j_segments.segment_count(self._transactions, segment, now=now)

    def put_override(self, override: Override) -> None:
        """Set the override of a pair of records (replacing the pair's earlier one)."""
        params = rows.override_row(override)
        self._transactions.write("writing an override", lambda tx: execute(tx, cypher.MERGE_OVERRIDE, **params))

    def delete_override(self, a: RecordKey, b: RecordKey) -> bool:
        """Remove the override of a pair; whether there was one."""
        params = rows.override_pair_row(a, b)
        found = self._transactions.write("deleting an override", lambda tx: fetch(tx, cypher.DELETE_OVERRIDE, **params))
        return bool(found and int(found[0]["deleted"]))

    def overrides(self) -> list[Override]:
        """Every override, ordered by pair."""
        found = self._transactions.read("reading overrides", lambda tx: fetch(tx, cypher.ALL_OVERRIDES))
        return sorted((rows.override_from_row(row) for row in found), key=lambda override: (override.a, override.b))

    def get_document(self, name: str) -> Properties | None:
        """A named JSON document (resolver model, review queue, ...)."""
        found = self._transactions.read("reading a document", lambda tx: fetch(tx, cypher.GET_DOCUMENT, name=name))
        return rows.decode_json(found[0]["value"]) if found else None

    def put_document(self, name: str, value: Properties) -> None:
        """Store (replace) a named JSON document."""
        text = rows.encode_json(value)
        self._transactions.write(
            "writing a document", lambda tx: execute(tx, cypher.MERGE_DOCUMENT, name=name, value=text)
        )

    def set_blocking_keys(self, keys: Mapping[RecordKey, Sequence[str]]) -> None:
        """Replace the fuzzy-matching blocking keys of each record given (an index for incremental matching).

        Every record must be stored (else UnknownRecordError, checked before anything is written, in the same
        transaction). A record's `IN_BLOCK` relationships are deleted, then those to its new keys merged.
        `BlockingKey` nodes left without records are kept: they are never read (reads start from a key and
        follow `IN_BLOCK`), the constraint keeps one per distinct key, and deleting them could make a
        concurrent call that has just merged the same key fail on a deleted node.
        """
        records = list(keys)
        if not records:
            return
        record_rows = [rows.key_row(key) for key in records]
        key_rows = rows.blocking_key_rows(keys)

        def work(tx: Tx) -> None:
            plans.check_stored(records, _stored_record_kinds(tx, records), "blocking keys")
            _execute_rows(tx, cypher.DELETE_BLOCKING_KEYS, record_rows)
            _execute_rows(tx, cypher.MERGE_BLOCKING_KEYS, key_rows)

        self._transactions.write("writing blocking keys", work)

    def records_by_blocking_key(self, keys: Sequence[str]) -> dict[str, list[RecordKey]]:
        """The records indexed under each blocking key (keys without records are absent), sorted."""
        unique = list(dict.fromkeys(keys))
        if not unique:
            return {}

        def work(tx: Tx) -> list[rows.Row]:
            found: list[rows.Row] = []
            for chunk in rows.chunked(unique, READ_KEYS):
                found.extend(fetch(tx, cypher.RECORDS_BY_BLOCKING_KEY, blocks=chunk))
            return found

        return rows.records_by_block(self._transactions.read("reading blocking keys", work))

    def delete_document(self, name: str) -> bool:
        """Remove a named document; whether there was one."""
        found = self._transactions.write("deleting a document", lambda tx: fetch(tx, cypher.DELETE_DOCUMENT, name=name))
        return bool(found and found[0]["deleted"])

    def document_names(self, prefix: str) -> list[str]:
        """Names of the stored documents that start with `prefix`, sorted."""
        return neo4j_audit.document_names(self._transactions, prefix)

    # -- audit log ------------------------------------------------------------------------------------------

    def append_audit(self, entries: Sequence[AuditEntry]) -> list[int]:
        """Append entries in one transaction, numbered by the store's audit sequence; their `seq`s."""
        return neo4j_audit.append(self._transactions, entries) if entries else []

    def append_audit_now(self, entries: Sequence[AuditEntry]) -> list[int] | None:
        """Every write is a network round trip, so never at once: None (callers use `append_audit`)."""
        return [] if not entries else None

    def audit_entries(
        self, *, since: datetime | None = None, before: int | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """Audit entries newest first: at or after `since`, with `seq` below `before`, at most `limit`."""
        return neo4j_audit.entries(self._transactions, since=since, before=before, limit=limit)

    def erase_entity(self, entity_id: str, *, suppress: Suppressor, at: datetime) -> ErasureRequest | None:
        """Forget an entity (by ID or alias) in one transaction (see graph.neo4j.erasure)."""
        return neo4j_erasure.erase_entity(self._transactions, entity_id, suppress, at)

    def erasure_request(self, entity_id: str) -> ErasureRequest | None:
        """The erasure request stored under an entity ID or one of its former aliases."""
        return neo4j_erasure.erasure_request(self._transactions, entity_id)

    def suppressed(self, hashes: Collection[str]) -> set[str]:
        """The entries among `hashes` that are on the suppression list."""
        return neo4j_erasure.suppressed(self._transactions, hashes)

    def iter_suppressed(self) -> Iterator[str]:
        """Every entry of the suppression list."""
        return neo4j_erasure.iter_suppressed(self._transactions)

    def get_checkpoint(self, name: str) -> str | None:
        """The position last committed for a named job, if any."""
        found = self._transactions.read("reading a checkpoint", lambda tx: fetch(tx, cypher.GET_CHECKPOINT, name=name))
        return str(found[0]["position"]) if found else None

    def counts(self) -> dict[str, int]:
        """Node count per label and relationship count per type, read in one consistent snapshot.

        Neo4j transactions are read-committed: a batch committing between two of the count statements
        would be half visible. So the whole set is read again (in the same read transaction) until two
        consecutive reads agree, at most COUNT_ATTEMPTS times. While counts only grow (loads), two equal
        reads in a row prove that the first saw each batch whole or not at all; a write that deletes and
        re-adds (a resolution) could in theory fool it. Each statement is a plain label or type count,
        answered from Neo4j's count store.
        """

        def work(tx: Tx) -> dict[str, int]:
            previous = _count_all(tx)
            for _ in range(COUNT_ATTEMPTS - 1):
                current = _count_all(tx)
                if current == previous:
                    break
                previous = current
            return previous

        return self._transactions.read("counting nodes and relationships", work)

    def close(self) -> None:
        """Close the driver. The store is unusable afterwards."""
        self._transactions.close()

    # -- helpers ---------------------------------------------------------------------------------------------

    def _sorted_keys(self, kinds: Collection[RecordKind]) -> list[RecordKey]:
        chosen = set(kinds)
        wanted = [kind for kind in RecordKind if kind in chosen]
        if not wanted:
            return []

        def work(tx: Tx) -> list[RecordKey]:
            keys: set[RecordKey] = set()
            for kind in wanted:
                keys.update(rows.key_of(row) for row in fetch(tx, cypher.record_keys(kind)))
            return sorted(keys)

        return self._transactions.read("listing record keys", work)


# -- transaction-function steps ------------------------------------------------------------------------------


def _execute_rows(tx: Tx, query: str, parameter_rows: list[rows.Row]) -> None:
    for chunk in rows.chunked(parameter_rows, WRITE_ROWS):
        execute(tx, query, rows=chunk)


def _execute_ids(tx: Tx, query: str, ids: list[str]) -> None:
    for chunk in rows.chunked(ids, WRITE_ROWS):
        execute(tx, query, ids=chunk)


def _stored_record_kinds(tx: Tx, keys: Sequence[RecordKey]) -> dict[RecordKey, RecordKind]:
    kinds: dict[RecordKey, RecordKind] = {}
    for chunk in rows.chunked(keys, READ_KEYS):
        for row in fetch(tx, cypher.RECORD_LABELS, keys=[rows.key_row(key) for key in chunk]):
            key = rows.key_of(row)
            kinds[key] = rows.record_kind_of(row["labels"], key)
    return kinds


def _check_no_kind_conflicts(tx: Tx, keys: Sequence[RecordKey]) -> None:
    """After the writes, which lock the written records: a concurrent batch may have stored a key under
    another kind between our first read and our MERGE, leaving the node with two kind labels."""
    for chunk in rows.chunked(keys, READ_KEYS):
        params = [rows.key_row(key) for key in chunk]
        for row in fetch(tx, cypher.RECORD_KIND_CONFLICTS, keys=params, kinds=_RECORD_KIND_VALUES):
            raise RecordKindConflictError(f"record {rows.key_of(row)} was just stored as another kind by another write")


def _advance_counter(tx: Tx, name: str, count: int) -> int:
    """Take the next `count` numbers of a store-wide sequence (held until the transaction ends); the first one."""
    found = fetch(tx, cypher.ADVANCE_COUNTER, name=name, count=count)
    return int(found[0]["value"]) - count + 1


def _stored_entity_kinds(tx: Tx, ids: list[str]) -> dict[str, EntityKind]:
    kinds: dict[str, EntityKind] = {}
    if not ids:
        return kinds
    for kind in EntityKind:
        for chunk in rows.chunked(ids, READ_KEYS):
            kinds.update((str(row["id"]), kind) for row in fetch(tx, cypher.stored_entity_ids(kind), ids=chunk))
    return kinds


def _alias_targets(tx: Tx, ids: list[str]) -> dict[str, tuple[str, EntityKind]]:
    targets: dict[str, tuple[str, EntityKind]] = {}
    for chunk in rows.chunked(ids, READ_KEYS):
        for row in fetch(tx, cypher.ALIAS_TARGETS, ids=chunk):
            targets[str(row["alias"])] = (str(row["target"]), rows.entity_kind_of_labels(row["labels"]))
    return targets


def _aliases_of(tx: Tx, ids: list[str]) -> dict[str, list[str]]:
    aliases: dict[str, list[str]] = {}
    if not ids:
        return aliases
    for kind in EntityKind:
        for chunk in rows.chunked(ids, READ_KEYS):
            for row in fetch(tx, cypher.aliases_pointing_at(kind), ids=chunk):
                aliases.setdefault(str(row["target"]), []).append(str(row["alias"]))
    return aliases


def _members_of(tx: Tx, ids: dict[EntityKind, list[str]]) -> dict[str, list[RecordKey]]:
    members: dict[str, list[RecordKey]] = {}
    for kind, kind_ids in ids.items():
        for chunk in rows.chunked(kind_ids, READ_KEYS):
            for row in fetch(tx, cypher.members_of(kind), ids=chunk):
                members.setdefault(str(row["entity_id"]), []).append(rows.key_of(row))
    return members


def _entities_holding(tx: Tx, identifier: Identifier, kinds: frozenset[RecordKind]) -> list[Entity]:
    """`entities_holding` in one transaction, from the reads of records_with, get_records, entity_ids_of and
    get_entities."""
    params = rows.identifier_params(identifier)
    holders = sorted({rows.key_of(row) for row in fetch(tx, cypher.records_with(identifier.kind), **params)})
    records = _records(tx, holders)
    held = [key for key in holders if key in records and records[key].kind in kinds]
    ids: set[str] = set()
    for chunk in rows.chunked(held, READ_KEYS):
        for row in fetch(tx, cypher.ENTITY_IDS_OF, keys=[rows.key_row(key) for key in chunk]):
            ids.add(str(row["entity_id"]))
    ordered = sorted(ids)
    found = profiles.entities_by_id(tx, ordered)
    return [found[entity_id] for entity_id in ordered if entity_id in found]


def _records(tx: Tx, keys: Sequence[RecordKey]) -> dict[RecordKey, Record]:
    found: dict[RecordKey, Record] = {}
    for chunk in rows.chunked(keys, READ_KEYS):
        for row in fetch(tx, cypher.GET_RECORDS, keys=[rows.key_row(key) for key in chunk]):
            record = rows.record_from_row(row)
            found[record.key] = record
    return found


def _identifiers(tx: Tx, keys: Sequence[RecordKey]) -> dict[RecordKey, list[Identifier]]:
    found: dict[RecordKey, set[Identifier]] = {}
    for chunk in rows.chunked(keys, READ_KEYS):
        for row in fetch(tx, cypher.IDENTIFIERS_OF, keys=[rows.key_row(key) for key in chunk]):
            identifier = rows.identifier_from_row(row["labels"], row["identifier"])
            found.setdefault(rows.key_of(row), set()).add(identifier)
    return {key: sorted(identifiers) for key, identifiers in found.items()}


def _entities(tx: Tx, kind: EntityKind, ids: Sequence[str]) -> dict[str, Entity]:
    found: dict[str, Entity] = {}
    for chunk in rows.chunked(ids, READ_KEYS):
        for row in fetch(tx, cypher.get_entities(kind), ids=chunk):
            entity = rows.entity_from_row(kind, row)
            found[entity.id] = entity
    return found


def _count_all(tx: Tx) -> dict[str, int]:
    counts: dict[str, int] = {}
    for label in _COUNTED_LABELS:
        counts[label.value] = int(fetch(tx, cypher.count_nodes(label))[0]["count"])
    for rel in RelType:
        counts[rel.value] = int(fetch(tx, cypher.count_relationships(rel))[0]["count"])
    return counts


if TYPE_CHECKING:  # mypy proves that the class implements the port

    def _implements_port(store: Neo4jGraphStore) -> GraphStore:
        return store
