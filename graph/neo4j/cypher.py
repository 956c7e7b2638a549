"""Cypher text of the Neo4j store: every label and relationship type comes from the model's enums or this module.

Values never enter the text: every query takes them as `$parameters`. The builders below splice in a label
or relationship type only after `_token` has checked that it is a member of one of the model's closed sets
(`RecordKind`, `IdentifierKind`, `EntityKind`, `RelType`) or one of the backend's own constants, so a plain
string that merely looks like a label is refused.
"""

from __future__ import annotations

import re
from enum import StrEnum

from graph.model import RECORD_RELATIONS, Direction, EntityKind, IdentifierKind, RecordKind, RelType

# -- the backend's own labels and relationship types ---------------------------------------------------------


class Bookkeeping(StrEnum):
    """Labels and relationship types the backend keeps for itself; never counted as part of the model."""

    RECORD = "Record"  # common label of every source record, carrying the (source, source_id) key
    ALIAS = "Alias"  # a merged-away entity ID: (:Alias {id})-[:ALIAS_OF]->(entity)
    ALIAS_OF = "ALIAS_OF"
    CHECKPOINT = "Checkpoint"  # (:Checkpoint {name, position})
    SCHEMA = "IdgraphSchema"  # (:IdgraphSchema {name, version}): the store's schema version
    # (:HistoryEvent {entity_id, seq, at, action, cause, records, others}): one change of one entity
    HISTORY_EVENT = "HistoryEvent"
    COUNTER = "IdgraphCounter"  # (:IdgraphCounter {name, value}): a store-wide sequence, e.g. of history events
    # (:Override {a_source, a_id, b_source, b_id, kind, reason, author, created_at}): a person's decision on a pair
    OVERRIDE = "Override"
    DOCUMENT = "Document"  # (:Document {name, value}): a named JSON document
    # (:Record)-[:IN_BLOCK]->(:BlockingKey {key}): the fuzzy-matching blocking index
    BLOCKING_KEY = "BlockingKey"
    IN_BLOCK = "IN_BLOCK"
    # Erasure (graph.neo4j.erasure): (:Suppression {hash, added_at}), keyed hashes of erased identifiers and
    # records; (:ErasureRequest {id, request}), the trace of one erasure under each of the entity's IDs
    SUPPRESSION = "Suppression"
    ERASURE_REQUEST = "ErasureRequest"
    # (:AuditEntry {seq, at, actor, actor_name, action, target, detail}): the audit log (graph.neo4j.audit)
    AUDIT_ENTRY = "AuditEntry"


RECORD = Bookkeeping.RECORD.value
ALIAS = Bookkeeping.ALIAS.value
ALIAS_OF = Bookkeeping.ALIAS_OF.value
CHECKPOINT = Bookkeeping.CHECKPOINT.value
SCHEMA = Bookkeeping.SCHEMA.value
HISTORY_EVENT = Bookkeeping.HISTORY_EVENT.value
COUNTER = Bookkeeping.COUNTER.value
OVERRIDE = Bookkeeping.OVERRIDE.value
DOCUMENT = Bookkeeping.DOCUMENT.value
BLOCKING_KEY = Bookkeeping.BLOCKING_KEY.value
IN_BLOCK = Bookkeeping.IN_BLOCK.value

_TOKEN_TYPES = (RecordKind, IdentifierKind, EntityKind, RelType, Bookkeeping)
_SAFE_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def token(value: StrEnum) -> str:
    """The text of a label or relationship type, refusing anything but a member of the closed sets."""
    if type(value) not in _TOKEN_TYPES:
        raise TypeError(f"a label or relationship type must be a model enum member, got {type(value).__name__}")
    text = value.value
    if not _SAFE_TOKEN.fullmatch(text):  # defence in depth: the enums hold plain identifiers only
        raise ValueError(f"unsafe label or relationship type {text!r}")
    return text


def identifier_pattern(kind: IdentifierKind) -> str:
    """The node pattern `(i:Label {key: row.value})` of an identifier (accounts also key on `row.system`)."""
    label = token(kind)
    if kind is IdentifierKind.ACCOUNT:
        return f"(i:{label} {{system: row.system, {kind.key_property}: row.value}})"
    return f"(i:{label} {{{kind.key_property}: row.value}})"


_RECORD_BY_ROW = f"(r:{RECORD} {{source: row.source, source_id: row.source_id}})"
_RECORD_BY_KEY = f"(r:{RECORD} {{source: k.source, source_id: k.source_id}})"
_IDENTIFIER_RELS = "|".join(token(kind.relationship) for kind in IdentifierKind)

# -- writes of GraphStore.write ------------------------------------------------------------------------------

# The stored labels of the given keys ($keys: [{source, source_id}]).
RECORD_LABELS = f"""
UNWIND $keys AS k
MATCH {_RECORD_BY_KEY}
RETURN k.source AS source, k.source_id AS source_id, labels(r) AS labels
"""

# Keys among $keys whose node carries more than one record-kind label ($kinds: every RecordKind value).
# Run after the writes: a concurrent writer may have stored the key under another kind after our first read.
RECORD_KIND_CONFLICTS = f"""
UNWIND $keys AS k
MATCH {_RECORD_BY_KEY}
WHERE size([lbl IN labels(r) WHERE lbl IN $kinds]) > 1
RETURN k.source AS source, k.source_id AS source_id, labels(r) AS labels
"""


def merge_records(kind: RecordKind) -> str:
    """Upsert records of one kind, replacing their properties ($rows: [{source, source_id, properties}]).

    Events replace their node's whole property map with `row.node` (key, properties and indexed facts).
    """
    if kind is RecordKind.EVENT:
        return f"""
UNWIND $rows AS row
MERGE {_RECORD_BY_ROW}
SET r:{token(kind)}, r = row.node
"""
    return f"""
UNWIND $rows AS row
MERGE {_RECORD_BY_ROW}
SET r:{token(kind)}, r.properties = row.properties
"""


def merge_links(kind: IdentifierKind) -> str:
    """Add links from stored records to identifiers of one kind ($rows: [{source, source_id, value, system}])."""
    return f"""
UNWIND $rows AS row
MATCH {_RECORD_BY_ROW}
MERGE {identifier_pattern(kind)}
MERGE (r)-[:{token(kind.relationship)}]->(i)
"""


def _record_relation(rel: RelType) -> str:
    """The token of a record-to-record relationship type; ValueError for any other type."""
    if rel not in RECORD_RELATIONS:
        raise ValueError(f"{rel} is not a relationship between records")
    return token(rel)


_START_BY_ROW = f"(a:{RECORD} {{source: row.start_source, source_id: row.start_source_id}})"
_END_BY_ROW = f"(b:{RECORD} {{source: row.end_source, source_id: row.end_source_id}})"


def merge_relations(rel: RelType) -> str:
    """Upsert record-to-record relationships of one type, replacing their properties.

    $rows: [{start_source, start_source_id, end_source, end_source_id, properties}].
    """
    return f"""
UNWIND $rows AS row
MATCH {_START_BY_ROW}
MATCH {_END_BY_ROW}
MERGE (a)-[rel:{_record_relation(rel)}]->(b)
SET rel.properties = row.properties
"""


def delete_relations(rel: RelType) -> str:
    """Delete record-to-record relationships of one type (no-op for those not stored).

    $rows: [{start_source, start_source_id, end_source, end_source_id}].
    """
    return f"""
UNWIND $rows AS row
MATCH {_START_BY_ROW}-[rel:{_record_relation(rel)}]->{_END_BY_ROW}
DELETE rel
"""


MERGE_CHECKPOINT = f"""
MERGE (c:{CHECKPOINT} {{name: $name}})
SET c.position = $position
"""

# -- writes of GraphStore.write_resolution -------------------------------------------------------------------


def stored_entity_ids(kind: EntityKind) -> str:
    """Which of $ids are stored entities of one kind."""
    return f"""
UNWIND $ids AS id
MATCH (e:{token(kind)} {{id: id}})
RETURN e.id AS id
"""


# Stored aliases among $ids, with the entity each points at.
ALIAS_TARGETS = f"""
UNWIND $ids AS id
MATCH (a:{ALIAS} {{id: id}})-[:{ALIAS_OF}]->(e)
RETURN a.id AS alias, e.id AS target, labels(e) AS labels
"""


def aliases_pointing_at(kind: EntityKind) -> str:
    """The stored aliases of the entities of one kind among $ids."""
    return f"""
UNWIND $ids AS id
MATCH (e:{token(kind)} {{id: id}})<-[:{ALIAS_OF}]-(a:{ALIAS})
RETURN e.id AS target, a.id AS alias
"""


def merge_entities(kind: EntityKind) -> str:
    """Upsert entities of one kind, replacing traits and created_at ($rows: [{id, traits, created_at, node}]).

    `row.node` is the node's whole property map: id, traits, created_at and each trait value as `trait.<name>`.
    """
    return f"""
UNWIND $rows AS row
MERGE (e:{token(kind)} {{id: row.id}})
SET e = row.node
"""


def members_of(kind: EntityKind) -> str:
    """The records resolving to the entities of one kind among $ids."""
    return f"""
UNWIND $ids AS id
MATCH (e:{token(kind)} {{id: id}})<-[:RESOLVES_TO]-(r:{RECORD})
RETURN e.id AS entity_id, r.source AS source, r.source_id AS source_id
"""


def unlink_members(kind: EntityKind) -> str:
    """Remove RESOLVES_TO from records to entities of one kind ($rows: [{source, source_id, entity_id}])."""
    return f"""
UNWIND $rows AS row
MATCH {_RECORD_BY_ROW}-[rel:RESOLVES_TO]->(e:{token(kind)} {{id: row.entity_id}})
DELETE rel
"""


def point_members(kind: EntityKind) -> str:
    """Make each record resolve to exactly one entity of one kind ($rows: [{source, source_id, entity_id}])."""
    return f"""
UNWIND $rows AS row
MATCH {_RECORD_BY_ROW}
MATCH (e:{token(kind)} {{id: row.entity_id}})
OPTIONAL MATCH (r)-[old:RESOLVES_TO]->(other)
WHERE other <> e
WITH r, e, collect(old) AS stale
FOREACH (rel IN stale | DELETE rel)
MERGE (r)-[:RESOLVES_TO]->(e)
"""


# Delete the aliases among $ids (no-op for IDs that are not aliases).
DELETE_ALIASES = f"""
UNWIND $ids AS id
MATCH (a:{ALIAS} {{id: id}})
DETACH DELETE a
"""


def merge_aliases(kind: EntityKind) -> str:
    """Point aliases at entities of one kind, replacing any earlier target ($rows: [{alias, target}])."""
    return f"""
UNWIND $rows AS row
MATCH (e:{token(kind)} {{id: row.target}})
MERGE (a:{ALIAS} {{id: row.alias}})
WITH a, e
OPTIONAL MATCH (a)-[old:{ALIAS_OF}]->(other)
WHERE other <> e
WITH a, e, collect(old) AS stale
FOREACH (rel IN stale | DELETE rel)
MERGE (a)-[:{ALIAS_OF}]->(e)
"""


def retire_entities(kind: EntityKind) -> str:
    """Delete the entities of one kind among $ids with all their relationships."""
    return f"""
UNWIND $ids AS id
MATCH (e:{token(kind)} {{id: id}})
DETACH DELETE e
"""


# Advance the store-wide sequence $name by $count and return its new value; the numbers value - count + 1
# .. value are the caller's. The SET reads the value it writes, so Cypher write-locks the counter node first:
# concurrent writers take turns, each holding the lock until it commits, so numbers follow commit order.
ADVANCE_COUNTER = f"""
MERGE (c:{COUNTER} {{name: $name}})
ON CREATE SET c.value = 0
SET c.value = c.value + $count
RETURN c.value AS value
"""

# Append history events ($rows: [{entity_id, seq, at, action, cause, records, others}]).
CREATE_HISTORY = f"""
UNWIND $rows AS row
CREATE (h:{HISTORY_EVENT} {{entity_id: row.entity_id, seq: row.seq, at: row.at, action: row.action,
                           cause: row.cause, records: row.records, others: row.others}})
"""


# -- reads ---------------------------------------------------------------------------------------------------

# The stored records among $keys.
GET_RECORDS = f"""
UNWIND $keys AS k
MATCH {_RECORD_BY_KEY}
RETURN r.source AS source, r.source_id AS source_id, labels(r) AS labels, r.properties AS properties
"""


def record_keys(kind: RecordKind) -> str:
    """The keys of every record of one kind."""
    return f"""
MATCH (r:{token(kind)})
RETURN r.source AS source, r.source_id AS source_id
"""


# The identifiers linked from the records among $keys.
IDENTIFIERS_OF = f"""
UNWIND $keys AS k
MATCH {_RECORD_BY_KEY}-[:{_IDENTIFIER_RELS}]->(i)
RETURN r.source AS source, r.source_id AS source_id, labels(i) AS labels, properties(i) AS identifier
"""


def records_with(kind: IdentifierKind) -> str:
    """The records linked to one identifier of a kind ($value, and $system for accounts)."""
    label = token(kind)
    if kind is IdentifierKind.ACCOUNT:
        node = f"(i:{label} {{system: $system, {kind.key_property}: $value}})"
    else:
        node = f"(i:{label} {{{kind.key_property}: $value}})"
    return f"""
MATCH {node}<-[:{token(kind.relationship)}]-(r:{RECORD})
RETURN r.source AS source, r.source_id AS source_id
"""


def neighbours(rel: RelType, direction: Direction) -> str:
    """The records joined to the record ($source, $source_id) by relationships of one type and direction."""
    arrow = f"-[rel:{token(rel)}]->" if direction is Direction.OUT else f"<-[rel:{token(rel)}]-"
    return f"""
MATCH (r:{RECORD} {{source: $source, source_id: $source_id}}){arrow}(n:{RECORD})
RETURN n.source AS source, n.source_id AS source_id, labels(n) AS labels, n.properties AS properties,
       rel.properties AS relation_properties
"""


# The entity each of $keys resolves to.
ENTITY_IDS_OF = f"""
UNWIND $keys AS k
MATCH {_RECORD_BY_KEY}-[:RESOLVES_TO]->(e)
RETURN k.source AS source, k.source_id AS source_id, e.id AS entity_id
"""


def entity_ids(kind: EntityKind) -> str:
    """The IDs of every entity of one kind."""
    return f"""
MATCH (e:{token(kind)})
RETURN e.id AS id
"""


def get_entities(kind: EntityKind) -> str:
    """The entities of one kind among $ids, each with the keys of its members as [source, source_id] pairs."""
    return f"""
UNWIND $ids AS id
MATCH (e:{token(kind)} {{id: id}})
RETURN e.id AS id, e.traits AS traits, e.created_at AS created_at,
       [(e)<-[:RESOLVES_TO]-(r:{RECORD}) | [r.source, r.source_id]] AS members
"""


def relations_of_type(rel: RelType) -> str:
    """Every record-to-record relationship of one type, with the keys of its ends."""
    return f"""
MATCH (a:{RECORD})-[rel:{_record_relation(rel)}]->(b:{RECORD})
RETURN a.source AS start_source, a.source_id AS start_source_id, b.source AS end_source,
       b.source_id AS end_source_id, rel.properties AS properties
"""


# The history events of the entity IDs among $ids.
HISTORY_OF = f"""
UNWIND $ids AS id
MATCH (h:{HISTORY_EVENT} {{entity_id: id}})
RETURN h.seq AS seq, h.entity_id AS entity_id, h.at AS at, h.action AS action, h.cause AS cause,
       h.records AS records, h.others AS others
"""

GET_CHECKPOINT = f"""
MATCH (c:{CHECKPOINT} {{name: $name}})
RETURN c.position AS position
"""


# -- overrides and documents ---------------------------------------------------------------------------------

_OVERRIDE_BY_PAIR = f"(o:{OVERRIDE} {{a_source: $a_source, a_id: $a_id, b_source: $b_source, b_id: $b_id}})"

# Set the override of the pair ($a_source, $a_id) < ($b_source, $b_id), replacing its earlier one.
MERGE_OVERRIDE = f"""
MERGE {_OVERRIDE_BY_PAIR}
SET o.kind = $kind, o.reason = $reason, o.author = $author, o.created_at = $created_at
"""

# Remove the override of a pair; returns how many were removed (0 or 1).
DELETE_OVERRIDE = f"""
MATCH {_OVERRIDE_BY_PAIR}
DETACH DELETE o
RETURN count(*) AS deleted
"""

ALL_OVERRIDES = f"""
MATCH (o:{OVERRIDE})
RETURN o.a_source AS a_source, o.a_id AS a_id, o.b_source AS b_source, o.b_id AS b_id, o.kind AS kind,
       o.reason AS reason, o.author AS author, o.created_at AS created_at
"""

GET_DOCUMENT = f"""
MATCH (d:{DOCUMENT} {{name: $name}})
RETURN d.value AS value
"""

# Remove the document named $name; how many were removed (0 or 1).
DELETE_DOCUMENT = f"""
OPTIONAL MATCH (d:{DOCUMENT} {{name: $name}})
DELETE d
RETURN count(d) AS deleted
"""

MERGE_DOCUMENT = f"""
MERGE (d:{DOCUMENT} {{name: $name}})
SET d.value = $value
"""

# -- the blocking index --------------------------------------------------------------------------------------

# Remove every blocking key of the records among $rows ([{source, source_id}]); the BlockingKey nodes stay,
# even when no record is left in them (see `Neo4jGraphStore.set_blocking_keys`).
DELETE_BLOCKING_KEYS = f"""
UNWIND $rows AS row
MATCH {_RECORD_BY_ROW}-[rel:{IN_BLOCK}]->(:{BLOCKING_KEY})
DELETE rel
"""

# Index records under blocking keys ($rows: [{source, source_id, key}]).
MERGE_BLOCKING_KEYS = f"""
UNWIND $rows AS row
MATCH {_RECORD_BY_ROW}
MERGE (b:{BLOCKING_KEY} {{key: row.key}})
MERGE (r)-[:{IN_BLOCK}]->(b)
"""

# The records indexed under the blocking keys among $blocks.
RECORDS_BY_BLOCKING_KEY = f"""
UNWIND $blocks AS block
MATCH (b:{BLOCKING_KEY} {{key: block}})<-[:{IN_BLOCK}]-(r:{RECORD})
RETURN b.key AS block, r.source AS source, r.source_id AS source_id
"""


def count_nodes(label: RecordKind | IdentifierKind | EntityKind) -> str:
    """The number of nodes with one label (answered from the count store)."""
    return f"MATCH (n:{token(label)}) RETURN count(n) AS count"


def count_relationships(rel: RelType) -> str:
    """The number of relationships of one type (answered from the count store)."""
    return f"MATCH ()-[r:{token(rel)}]->() RETURN count(r) AS count"


# -- schema version ------------------------------------------------------------------------------------------

# Creates the version node on a new store; returns the version stored.
MERGE_SCHEMA_VERSION = f"""
MERGE (s:{SCHEMA} {{name: $name}})
ON CREATE SET s.version = $version
RETURN s.version AS version
"""

SET_SCHEMA_VERSION = f"""
MATCH (s:{SCHEMA} {{name: $name}})
SET s.version = $version
"""
