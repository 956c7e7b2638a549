"""Schema of the Neo4j store: uniqueness constraints on every natural key, created idempotently at start-up.

Constraints (all available in Neo4j 5 Community; each one also creates the index its lookups use):

- `(:Record)` unique on `(source, source_id)`: record keys are unique across record kinds;
- each identifier label unique on its key property, `Account` on `(system, id)`;
- each entity label, and `Alias`, unique on `id`; `Checkpoint` on `name`; `IdgraphSchema` on `name`;
- `Override` unique on its pair `(a_source, a_id, b_source, b_id)`; `Document` and `IdgraphCounter` on `name`.
- `BlockingKey` unique on `key`.

Indexes: `(:HistoryEvent)` on `entity_id` (history is appended, so it has no natural key to constrain);
`(:Event)` on `(type, at)` and on `at` (events of a type in a time window, for segments).

The `IdgraphSchema {name: "graph"}` node holds the schema version, so an older idgraph refuses a store
that a newer one has changed. Versions: 1 records, identifiers, entities, aliases, checkpoints; 2 adds
history events, overrides and documents; 3 adds the blocking index (`BlockingKey` nodes and `IN_BLOCK`
relationships); 4 puts the indexed facts of graph.events on Event nodes and each trait value on entity nodes as
`trait.<name>` (both backfilled on opening an older store). Versions 1-3 only add labels, so an older store
moves to them unchanged.
"""

from __future__ import annotations

from neo4j import ManagedTransaction

from graph.errors import SchemaVersionError
from graph.model import EntityKind, IdentifierKind, RecordKind
from graph.neo4j import cypher
from graph.neo4j.erasure import constraint_statements as erasure_constraints
from graph.neo4j.events import backfill_event_facts
from graph.neo4j.segments import backfill_entity_traits
from graph.neo4j.transactions import Transactions, fetch

SCHEMA_VERSION = 4
EVENT_FACTS_VERSION = 4  # the version that put facts on Event nodes
SCHEMA_NAME = "graph"
AWAIT_INDEXES_SECONDS = 300


def _unique(name: str, label: str, *properties: str) -> str:
    keys = ", ".join(f"n.{p}" for p in properties)
    if len(properties) > 1:
        keys = f"({keys})"
    return f"CREATE CONSTRAINT idgraph_{name} IF NOT EXISTS FOR (n:{label}) REQUIRE {keys} IS UNIQUE"


def constraint_statements() -> list[str]:
    """Every `CREATE CONSTRAINT ... IF NOT EXISTS` statement of the store, in a fixed order."""
    statements = [_unique("record_key", cypher.RECORD, "source", "source_id")]
    for kind in IdentifierKind:
        properties = ("system", kind.key_property) if kind is IdentifierKind.ACCOUNT else (kind.key_property,)
        statements.append(_unique(f"{kind.value.lower()}_key", cypher.token(kind), *properties))
    for entity in EntityKind:
        statements.append(_unique(f"{entity.value.lower()}_id", cypher.token(entity), "id"))
    statements.append(_unique("alias_id", cypher.ALIAS, "id"))
    statements.append(_unique("checkpoint_name", cypher.CHECKPOINT, "name"))
    statements.append(_unique("schema_name", cypher.SCHEMA, "name"))
    statements.append(_unique("override_pair", cypher.OVERRIDE, "a_source", "a_id", "b_source", "b_id"))
    statements.append(_unique("document_name", cypher.DOCUMENT, "name"))
    statements.append(_unique("counter_name", cypher.COUNTER, "name"))
    statements.append(_unique("blocking_key", cypher.BLOCKING_KEY, "key"))
    statements.append(_unique("audit_seq", cypher.token(cypher.Bookkeeping.AUDIT_ENTRY), "seq"))
    statements += erasure_constraints()  # the suppression list and erasure requests (graph.neo4j.erasure)
    return statements


def _index(name: str, label: str, *properties: str) -> str:
    keys = ", ".join(f"n.{p}" for p in properties)
    return f"CREATE INDEX idgraph_{name} IF NOT EXISTS FOR (n:{label}) ON ({keys})"


def index_statements() -> list[str]:
    """Every `CREATE INDEX ... IF NOT EXISTS` statement of the store (besides the constraints' own indexes)."""
    event = cypher.token(RecordKind.EVENT)
    return [
        _index("history_entity", cypher.HISTORY_EVENT, "entity_id"),
        _index("event_type_at", event, "type", "at"),
        _index("event_at", event, "at"),
    ]


AWAIT_INDEXES = f"CALL db.awaitIndexes({AWAIT_INDEXES_SECONDS})"


def check_version(stored: int) -> None:
    """Raise SchemaVersionError if the store was written by a newer schema than this code knows."""
    if stored > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"the Neo4j store has schema version {stored}, newer than this idgraph's {SCHEMA_VERSION}: upgrade idgraph"
        )


def _claim_version(tx: ManagedTransaction) -> int:
    """The stored schema version (a new store is created at the latest one), refused if newer than ours."""
    rows = fetch(tx, cypher.MERGE_SCHEMA_VERSION, name=SCHEMA_NAME, version=SCHEMA_VERSION)
    stored = int(rows[0]["version"])
    check_version(stored)
    return stored


def _set_version(tx: ManagedTransaction) -> None:
    tx.run(cypher.SET_SCHEMA_VERSION, {"name": SCHEMA_NAME, "version": SCHEMA_VERSION}).consume()


def ensure_schema(transactions: Transactions) -> None:
    """Create the constraints and indexes that are missing, wait for the indexes, and check the schema version."""
    for statement in constraint_statements():
        transactions.run_schema("creating a constraint", statement)
    for statement in index_statements():
        transactions.run_schema("creating an index", statement)
    transactions.run_schema("waiting for indexes", AWAIT_INDEXES)
    stored = transactions.write("checking the schema version", _claim_version)
    if stored < EVENT_FACTS_VERSION:
        # Before the version moves on, so that an interrupted backfill is redone on the next opening.
        backfill_event_facts(transactions)
        backfill_entity_traits(transactions)
    if stored < SCHEMA_VERSION:
        transactions.write("moving the schema version", _set_version)
