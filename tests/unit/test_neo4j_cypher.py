"""The pure parts of the Neo4j store: query text, row conversion, write checks, alias plans, connection settings."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import neo4j.time
import pytest
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from graph import (
    RECORD_RELATIONS,
    Checkpoint,
    Direction,
    Entity,
    EntityKind,
    GraphBatch,
    GraphStore,
    GraphStoreError,
    HistoryAction,
    HistoryEvent,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Override,
    OverrideKind,
    Record,
    RecordKey,
    RecordKind,
    RecordKindConflictError,
    Relation,
    RelationEndpointError,
    RelationKey,
    RelType,
    Resolution,
    ResolutionError,
    SchemaVersionError,
    UnknownRecordError,
)
from graph.neo4j import Neo4jGraphStore, cypher, plans, rows, schema
from graph.neo4j.connection import ConnectionSettings, connection_settings, split_credentials
from graph.neo4j.transactions import describe, wrapped_errors

T0 = datetime(2024, 1, 1, tzinfo=UTC)

MODEL_TOKENS = {v.value for enum in (RecordKind, IdentifierKind, EntityKind, RelType) for v in enum}
BACKEND_TOKENS = {v.value for v in cypher.Bookkeeping}


def key(n: int | str, source: str = "crm") -> RecordKey:
    return RecordKey(source, str(n))


def email(value: str) -> Identifier:
    return Identifier(IdentifierKind.EMAIL, value)


def entity(entity_id: str, *members: RecordKey, kind: EntityKind = EntityKind.PROFILE) -> Entity:
    return Entity(id=entity_id, kind=kind, members=members, created_at=T0)


def history_event(entity_id: str, *others: str, at: datetime = T0) -> HistoryEvent:
    return HistoryEvent(
        entity_id=entity_id,
        at=at,
        action=HistoryAction.MERGED if others else HistoryAction.CREATED,
        cause="shared email",
        records=(key(1), key("c1", "b2b")),
        others=others,
    )


def every_query() -> dict[str, str]:
    """Every query text the store can send, for every enum member it is built from."""
    queries = {
        name: value
        for name, value in vars(cypher).items()
        if name.isupper() and not name.startswith("_") and isinstance(value, str) and value not in BACKEND_TOKENS
    }
    for kind in RecordKind:
        queries[f"merge_records {kind}"] = cypher.merge_records(kind)
        queries[f"record_keys {kind}"] = cypher.record_keys(kind)
        queries[f"count {kind}"] = cypher.count_nodes(kind)
    for identifier_kind in IdentifierKind:
        queries[f"merge_links {identifier_kind}"] = cypher.merge_links(identifier_kind)
        queries[f"records_with {identifier_kind}"] = cypher.records_with(identifier_kind)
        queries[f"count {identifier_kind}"] = cypher.count_nodes(identifier_kind)
    for rel in RelType:
        queries[f"count {rel}"] = cypher.count_relationships(rel)
        for direction in Direction:
            queries[f"neighbours {rel} {direction}"] = cypher.neighbours(rel, direction)
    for rel in RECORD_RELATIONS:
        queries[f"merge_relations {rel}"] = cypher.merge_relations(rel)
        queries[f"delete_relations {rel}"] = cypher.delete_relations(rel)
        queries[f"relations_of_type {rel}"] = cypher.relations_of_type(rel)
    builders = [
        cypher.stored_entity_ids,
        cypher.aliases_pointing_at,
        cypher.merge_entities,
        cypher.members_of,
        cypher.unlink_members,
        cypher.point_members,
        cypher.merge_aliases,
        cypher.retire_entities,
        cypher.entity_ids,
        cypher.get_entities,
    ]
    for entity_kind in EntityKind:
        queries[f"count {entity_kind}"] = cypher.count_nodes(entity_kind)
        for build in builders:
            queries[f"{build.__name__} {entity_kind}"] = build(entity_kind)
    for n, statement in enumerate(schema.constraint_statements()):
        queries[f"constraint {n}"] = statement
    for n, statement in enumerate(schema.index_statements()):
        queries[f"index {n}"] = statement
    return queries


# -- query text ----------------------------------------------------------------------------------------------


def test_the_query_set_covers_every_builder() -> None:
    assert len(every_query()) > 100


@pytest.mark.parametrize(("name", "query"), sorted(every_query().items()))
def test_labels_and_types_come_only_from_the_closed_sets(name: str, query: str) -> None:
    # `:Label`, `:A|B` in patterns; map keys (`{id: ...}`) have a space after the colon and are not matched.
    tokens = {t for group in re.findall(r":(\w+(?:\|\w+)*)", query) for t in group.split("|")}
    assert tokens, name
    assert tokens <= MODEL_TOKENS | BACKEND_TOKENS, (name, tokens - MODEL_TOKENS - BACKEND_TOKENS)


@pytest.mark.parametrize(("name", "query"), sorted(every_query().items()))
def test_queries_hold_no_literal_values(name: str, query: str) -> None:
    # Every value is a $parameter: no string literal can appear in the text.
    assert "'" not in query and '"' not in query and "`" not in query, name


def test_token_refuses_plain_strings_even_when_they_name_a_label() -> None:
    assert cypher.token(RecordKind.CUSTOMER) == "Customer"
    assert cypher.token(RelType.WORKS_AT) == "WORKS_AT"
    with pytest.raises(TypeError):
        cypher.token("Customer")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cypher.merge_records("Customer) DETACH DELETE (n")  # type: ignore[arg-type]


def test_record_upsert_merges_on_the_common_label_and_sets_the_kind() -> None:
    query = cypher.merge_records(RecordKind.CONTACT)
    assert "UNWIND $rows AS row" in query
    assert "MERGE (r:Record {source: row.source, source_id: row.source_id})" in query
    assert "SET r:Contact, r.properties = row.properties" in query


def test_identifier_patterns_use_the_key_property() -> None:
    assert cypher.identifier_pattern(IdentifierKind.EMAIL) == "(i:Email {value: row.value})"
    assert cypher.identifier_pattern(IdentifierKind.PHONE) == "(i:Phone {e164: row.value})"
    assert cypher.identifier_pattern(IdentifierKind.DEVICE) == "(i:Device {id: row.value})"
    assert cypher.identifier_pattern(IdentifierKind.DOMAIN) == "(i:Domain {name: row.value})"
    assert cypher.identifier_pattern(IdentifierKind.ACCOUNT) == "(i:Account {system: row.system, id: row.value})"
    assert "MERGE (r)-[:HAS_ACCOUNT]->(i)" in cypher.merge_links(IdentifierKind.ACCOUNT)
    assert "(i:Account {system: $system, id: $value})<-[:HAS_ACCOUNT]-(r:Record)" in cypher.records_with(
        IdentifierKind.ACCOUNT
    )


def test_identifier_reads_follow_every_identifier_relationship() -> None:
    assert ":HAS_EMAIL|HAS_PHONE|USES_DEVICE|HAS_ACCOUNT|HAS_DOMAIN]->(i)" in cypher.IDENTIFIERS_OF


def test_relations_only_between_records() -> None:
    assert "MERGE (a)-[rel:SAME_AS]->(b)" in cypher.merge_relations(RelType.SAME_AS)
    with pytest.raises(ValueError, match="HAS_EMAIL"):
        cypher.merge_relations(RelType.HAS_EMAIL)


def test_relation_reads_and_deletes_only_between_records() -> None:
    assert "MATCH (a:Record)-[rel:SAME_AS]->(b:Record)" in cypher.relations_of_type(RelType.SAME_AS)
    assert (
        "MATCH (a:Record {source: row.start_source, source_id: row.start_source_id})-[rel:SAME_AS]->"
        "(b:Record {source: row.end_source, source_id: row.end_source_id})\nDELETE rel"
    ) in cypher.delete_relations(RelType.SAME_AS)
    for build in (cypher.relations_of_type, cypher.delete_relations):
        with pytest.raises(ValueError, match="RESOLVES_TO"):
            build(RelType.RESOLVES_TO)
        with pytest.raises(TypeError):
            build("SAME_AS")  # type: ignore[arg-type]


def test_history_events_are_numbered_from_a_locked_counter() -> None:
    # `c.value + $count` reads the property it sets: Cypher write-locks the counter before reading it.
    assert "MERGE (c:IdgraphCounter {name: $name})" in cypher.ADVANCE_COUNTER
    assert "SET c.value = c.value + $count" in cypher.ADVANCE_COUNTER
    assert "CREATE (h:HistoryEvent {entity_id: row.entity_id, seq: row.seq," in cypher.CREATE_HISTORY
    assert "MATCH (h:HistoryEvent {entity_id: id})" in cypher.HISTORY_OF


def test_overrides_and_documents_are_keyed_by_parameters() -> None:
    pair = "(o:Override {a_source: $a_source, a_id: $a_id, b_source: $b_source, b_id: $b_id})"
    assert f"MERGE {pair}" in cypher.MERGE_OVERRIDE
    assert f"MATCH {pair}\nDETACH DELETE o\nRETURN count(*) AS deleted" in cypher.DELETE_OVERRIDE
    assert "MERGE (d:Document {name: $name})\nSET d.value = $value" in cypher.MERGE_DOCUMENT


def test_the_blocking_index_is_keyed_by_parameters() -> None:
    assert (
        "MATCH (r:Record {source: row.source, source_id: row.source_id})-[rel:IN_BLOCK]->(:BlockingKey)\nDELETE rel"
        in cypher.DELETE_BLOCKING_KEYS
    )
    assert "MERGE (b:BlockingKey {key: row.key})\nMERGE (r)-[:IN_BLOCK]->(b)" in cypher.MERGE_BLOCKING_KEYS
    assert "UNWIND $blocks AS block" in cypher.RECORDS_BY_BLOCKING_KEY
    assert "MATCH (b:BlockingKey {key: block})<-[:IN_BLOCK]-(r:Record)" in cypher.RECORDS_BY_BLOCKING_KEY
    assert cypher.token(cypher.Bookkeeping.BLOCKING_KEY) == cypher.BLOCKING_KEY == "BlockingKey"
    assert cypher.token(cypher.Bookkeeping.IN_BLOCK) == cypher.IN_BLOCK == "IN_BLOCK"


def _parameters(query: str) -> set[str]:
    return set(re.findall(r"\$(\w+)", query))


def _row_fields(query: str) -> set[str]:
    return set(re.findall(r"\brow\.(\w+)", query))


def test_row_builders_give_exactly_the_fields_their_queries_read() -> None:
    link = Relation(type=RelType.SAME_AS, start=key(1), end=key(2), properties={"score": 0.9})
    (same_as_row,) = rows.relation_rows([link])[RelType.SAME_AS]
    assert _row_fields(cypher.merge_relations(RelType.SAME_AS)) == set(same_as_row)
    (removed_row,) = rows.relation_key_rows([RelationKey(RelType.SAME_AS, key(1), key(2))])[RelType.SAME_AS]
    assert _row_fields(cypher.delete_relations(RelType.SAME_AS)) == set(removed_row)
    (history_row,) = rows.history_rows([history_event("p1")], first_seq=1)
    assert _row_fields(cypher.CREATE_HISTORY) == set(history_row)
    override = Override(kind=OverrideKind.NEVER_LINK, a=key(1), b=key(2), reason="r", author="a", created_at=T0)
    assert _parameters(cypher.MERGE_OVERRIDE) == set(rows.override_row(override))
    assert _parameters(cypher.DELETE_OVERRIDE) == set(rows.override_pair_row(key(1), key(2)))
    (block_row,) = rows.blocking_key_rows({key(1): ["n:ann|1990"]})
    assert _row_fields(cypher.MERGE_BLOCKING_KEYS) == set(block_row)
    assert _row_fields(cypher.DELETE_BLOCKING_KEYS) == set(rows.key_row(key(1)))
    assert _parameters(cypher.RECORDS_BY_BLOCKING_KEY) == {"blocks"}


def test_neighbours_direction() -> None:
    assert "-[rel:WORKS_AT]->(n:Record)" in cypher.neighbours(RelType.WORKS_AT, Direction.OUT)
    assert "<-[rel:WORKS_AT]-(n:Record)" in cypher.neighbours(RelType.WORKS_AT, Direction.IN)


def test_counts_use_count_store_shapes() -> None:
    assert cypher.count_nodes(IdentifierKind.PHONE) == "MATCH (n:Phone) RETURN count(n) AS count"
    assert cypher.count_relationships(RelType.RESOLVES_TO) == "MATCH ()-[r:RESOLVES_TO]->() RETURN count(r) AS count"


# -- schema --------------------------------------------------------------------------------------------------


def test_constraints_cover_every_natural_key_idempotently() -> None:
    statements = schema.constraint_statements()
    names = [statement.split()[2] for statement in statements]
    assert len(set(names)) == len(names)
    assert all(s.startswith("CREATE CONSTRAINT idgraph_") and " IF NOT EXISTS FOR (n:" in s for s in statements)
    assert all(s.endswith(" IS UNIQUE") for s in statements)
    assert (
        "CREATE CONSTRAINT idgraph_record_key IF NOT EXISTS FOR (n:Record) REQUIRE (n.source, n.source_id) IS UNIQUE"
        in statements
    )
    assert "CREATE CONSTRAINT idgraph_account_key IF NOT EXISTS FOR (n:Account) REQUIRE (n.system, n.id) IS UNIQUE" in (
        statements
    )
    assert "CREATE CONSTRAINT idgraph_phone_key IF NOT EXISTS FOR (n:Phone) REQUIRE n.e164 IS UNIQUE" in statements
    assert (
        "CREATE CONSTRAINT idgraph_override_pair IF NOT EXISTS FOR (n:Override)"
        " REQUIRE (n.a_source, n.a_id, n.b_source, n.b_id) IS UNIQUE" in statements
    )
    assert "CREATE CONSTRAINT idgraph_document_name IF NOT EXISTS FOR (n:Document) REQUIRE n.name IS UNIQUE" in (
        statements
    )
    labels = {re.search(r"FOR \(n:(\w+)\)", s).group(1) for s in statements}  # type: ignore[union-attr]
    expected = {k.value for k in (*IdentifierKind, *EntityKind)} | {
        "Record",
        "Alias",
        "Checkpoint",
        "IdgraphSchema",
        "Override",
        "Document",
        "IdgraphCounter",
        "BlockingKey",
        "Suppression",
        "ErasureRequest",
        "AuditEntry",
    }
    assert labels == expected
    assert (
        "CREATE CONSTRAINT idgraph_blocking_key IF NOT EXISTS FOR (n:BlockingKey) REQUIRE n.key IS UNIQUE" in statements
    )


def test_history_events_are_indexed_by_entity() -> None:
    assert schema.index_statements() == [
        "CREATE INDEX idgraph_history_entity IF NOT EXISTS FOR (n:HistoryEvent) ON (n.entity_id)",
        "CREATE INDEX idgraph_event_type_at IF NOT EXISTS FOR (n:Event) ON (n.type, n.at)",
        "CREATE INDEX idgraph_event_at IF NOT EXISTS FOR (n:Event) ON (n.at)",
    ]
    names = [statement.split()[2] for statement in schema.constraint_statements() + schema.index_statements()]
    assert len(set(names)) == len(names)  # constraints and indexes share one namespace


def test_event_facts_are_schema_version_4() -> None:
    assert schema.SCHEMA_VERSION == schema.EVENT_FACTS_VERSION == 4


def test_a_newer_schema_version_is_refused() -> None:
    schema.check_version(schema.SCHEMA_VERSION)
    schema.check_version(schema.SCHEMA_VERSION - 1)
    with pytest.raises(SchemaVersionError, match="upgrade"):
        schema.check_version(schema.SCHEMA_VERSION + 1)


# -- rows ----------------------------------------------------------------------------------------------------


def test_json_properties_round_trip_with_stable_text() -> None:
    properties = {"b": 1, "a": {"city": "上海", "tags": ["vip", None, 4.5, True]}}
    text = rows.encode_json(properties)
    assert "上海" in text
    assert text == rows.encode_json({"a": {"tags": ["vip", None, 4.5, True], "city": "上海"}, "b": 1})
    assert rows.decode_json(text) == properties
    assert rows.decode_json(None) == {}
    with pytest.raises(GraphStoreError, match="list"):
        rows.decode_json("[1]")


def test_datetimes_come_back_aware_and_equal() -> None:
    shanghai = datetime(2024, 5, 1, 9, 30, 0, 123456, tzinfo=timezone(timedelta(hours=8)))
    back = rows.decode_datetime(rows.encode_datetime(shanghai))
    assert back == shanghai and back.utcoffset() == timedelta(hours=8)
    assert rows.decode_datetime(rows.encode_datetime(datetime(2024, 1, 1))) == T0  # naive is UTC
    assert rows.decode_datetime(neo4j.time.DateTime(2024, 1, 1, tzinfo=UTC)) == T0
    with pytest.raises(GraphStoreError):
        rows.decode_datetime(42)


def test_records_round_trip_through_rows_and_the_last_duplicate_wins() -> None:
    ann = Record(kind=RecordKind.CUSTOMER, key=key(1), properties={"name": "Ann", "address": {"city": "Oslo"}})
    acme = Record(kind=RecordKind.COMPANY, key=key("acme", "b2b"), properties={"name": "Acme"})
    anna = Record(kind=RecordKind.CUSTOMER, key=key(1), properties={"name": "Anna"})
    grouped = rows.record_rows([ann, acme, anna])
    assert list(grouped) == [RecordKind.CUSTOMER, RecordKind.COMPANY]
    (customer_row,) = grouped[RecordKind.CUSTOMER]
    assert customer_row == {"source": "crm", "source_id": "1", "properties": '{"name":"Anna"}'}
    (company_row,) = grouped[RecordKind.COMPANY]
    assert rows.record_from_row(company_row | {"labels": ["Record", "Company"]}) == acme
    assert (
        rows.record_from_row(rows.record_rows([ann])[RecordKind.CUSTOMER][0] | {"labels": ["Customer", "Record"]})
        == ann
    )


def test_a_node_with_two_record_kinds_is_reported() -> None:
    with pytest.raises(GraphStoreError, match="crm/1 has 2"):
        rows.record_kind_of(["Record", "Customer", "Contact"], key(1))
    with pytest.raises(GraphStoreError, match="crm/1 has 0"):
        rows.record_kind_of(["Record"], key(1))


def test_links_are_grouped_by_kind_without_repeats() -> None:
    account = Identifier(IdentifierKind.ACCOUNT, "L-9", "loyalty")
    links = [
        IdentifierLink(record=key(1), identifier=email("a@example.com")),
        IdentifierLink(record=key(1), identifier=email("a@example.com")),
        IdentifierLink(record=key(2), identifier=account),
    ]
    grouped = rows.link_rows(links)
    assert grouped[IdentifierKind.EMAIL] == [
        {"source": "crm", "source_id": "1", "value": "a@example.com", "system": ""}
    ]
    assert grouped[IdentifierKind.ACCOUNT] == [{"source": "crm", "source_id": "2", "value": "L-9", "system": "loyalty"}]


def test_identifiers_are_read_from_labels_and_key_properties() -> None:
    assert rows.identifier_from_row(["Email"], {"value": "a@example.com"}) == email("a@example.com")
    assert rows.identifier_from_row(["Phone"], {"e164": "+4712345678"}) == Identifier(
        IdentifierKind.PHONE, "+4712345678"
    )
    assert rows.identifier_from_row(["Account"], {"system": "loyalty", "id": "42"}) == Identifier(
        IdentifierKind.ACCOUNT, "42", "loyalty"
    )
    assert rows.identifier_from_row(["Domain"], {"name": "acme.com"}) == Identifier(IdentifierKind.DOMAIN, "acme.com")
    with pytest.raises(GraphStoreError):
        rows.identifier_from_row(["Customer"], {"value": "x"})


def test_relation_rows_replace_properties_of_repeats() -> None:
    first = Relation(type=RelType.WORKS_AT, start=key("c1", "b2b"), end=key("acme", "b2b"), properties={"title": "CFO"})
    second = first.model_copy(update={"properties": {"title": "CEO"}})
    assert rows.relation_rows([first, second]) == {
        RelType.WORKS_AT: [
            {
                "start_source": "b2b",
                "start_source_id": "c1",
                "end_source": "b2b",
                "end_source_id": "acme",
                "properties": '{"title":"CEO"}',
            }
        ]
    }


def test_entities_round_trip_with_sorted_members() -> None:
    profile = Entity(
        id="p1", kind=EntityKind.PROFILE, traits={"first_name": "Ann"}, members=(key(1), key(2)), created_at=T0
    )
    (row,) = rows.entity_rows([profile])[EntityKind.PROFILE]
    assert set(row) == {"id", "traits", "created_at", "node"}
    assert row["node"] == {"id": "p1", "traits": row["traits"], "created_at": row["created_at"]}  # no {value} trait
    result_row = row | {"members": [["crm", "2"], ["crm", "1"]]}
    assert rows.entity_from_row(EntityKind.PROFILE, result_row) == profile
    assert rows.member_rows([profile]) == {
        EntityKind.PROFILE: [
            {"source": "crm", "source_id": "1", "entity_id": "p1"},
            {"source": "crm", "source_id": "2", "entity_id": "p1"},
        ]
    }


def test_relations_round_trip_through_rows() -> None:
    link = Relation(type=RelType.SAME_AS, start=key(1), end=key("c1", "b2b"), properties={"score": 0.99, "rule": "fs"})
    (row,) = rows.relation_rows([link])[RelType.SAME_AS]
    assert rows.relation_from_row(RelType.SAME_AS, row) == link
    assert rows.relation_from_row(RelType.SAME_AS, row | {"properties": None}).properties == {}


def test_relation_key_rows_name_both_ends_without_repeats() -> None:
    removed = RelationKey(RelType.SAME_AS, key(1), key(2))
    assert rows.relation_key_rows([removed, removed, RelationKey(RelType.SAME_AS, key(2), key(1))]) == {
        RelType.SAME_AS: [
            {"start_source": "crm", "start_source_id": "1", "end_source": "crm", "end_source_id": "2"},
            {"start_source": "crm", "start_source_id": "2", "end_source": "crm", "end_source_id": "1"},
        ]
    }


def test_history_events_round_trip_numbered_in_order() -> None:
    shanghai = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    created, merged = history_event("p2"), history_event("p1", "p2", "p3", at=shanghai)
    event_rows = rows.history_rows([created, merged], first_seq=41)
    assert [row["seq"] for row in event_rows] == [41, 42]
    assert event_rows[1]["records"] == '[["crm","1"],["b2b","c1"]]'
    assert event_rows[1]["others"] == '["p2","p3"]'
    assert event_rows[1]["action"] == "merged" and event_rows[1]["at"] == "2024-05-01T09:30:00+08:00"
    assert rows.in_history_order(reversed(event_rows)) == [created, merged]
    back = rows.history_from_row(event_rows[1])
    assert back == merged and back.at.utcoffset() == timedelta(hours=8)
    bare = HistoryEvent(entity_id="p9", at=T0, action=HistoryAction.RETIRED, cause="gone")
    assert rows.history_from_row(rows.history_rows([bare], 1)[0]) == bare


def test_malformed_history_lists_are_store_errors() -> None:
    (row,) = rows.history_rows([history_event("p1")], first_seq=1)
    with pytest.raises(GraphStoreError, match="not an array"):
        rows.history_from_row(row | {"records": '{"a": 1}'})
    with pytest.raises(GraphStoreError, match="pair"):
        rows.history_from_row(row | {"records": '[["crm"]]'})
    assert rows.decode_json_list(None) == []


def test_overrides_round_trip_keyed_by_the_ordered_pair() -> None:
    override = Override(
        kind=OverrideKind.ALWAYS_LINK, a=key(2), b=key(1), reason="same person", author="ops@x", created_at=T0
    )
    row = rows.override_row(override)
    assert row == {
        "a_source": "crm",
        "a_id": "1",
        "b_source": "crm",
        "b_id": "2",
        "kind": "always_link",
        "reason": "same person",
        "author": "ops@x",
        "created_at": "2024-01-01T00:00:00+00:00",
    }
    assert rows.override_from_row(row) == override
    assert rows.override_pair_row(key(2), key(1)) == rows.override_pair_row(key(1), key(2))


def test_blocking_key_rows_pair_each_record_with_its_keys_without_repeats() -> None:
    assert rows.blocking_key_rows({key(1): ["n:ann|1990", "p:200000|a", "n:ann|1990"], key(2): [], key(3): ["x"]}) == [
        {"source": "crm", "source_id": "1", "key": "n:ann|1990"},
        {"source": "crm", "source_id": "1", "key": "p:200000|a"},
        {"source": "crm", "source_id": "3", "key": "x"},
    ]


def test_records_by_block_are_grouped_and_sorted() -> None:
    found = [
        {"block": "n:ann|1990", "source": "crm", "source_id": "2"},
        {"block": "p:200000|a", "source": "crm", "source_id": "1"},
        {"block": "n:ann|1990", "source": "b2b", "source_id": "c1"},
        {"block": "n:ann|1990", "source": "crm", "source_id": "2"},
    ]
    assert rows.records_by_block(found) == {
        "n:ann|1990": [key("c1", "b2b"), key(2)],
        "p:200000|a": [key(1)],
    }
    assert rows.records_by_block([]) == {}


def test_chunked() -> None:
    assert list(rows.chunked([1, 2, 3, 4, 5], 2)) == [[1, 2], [3, 4], [5]]
    assert list(rows.chunked([], 3)) == []
    with pytest.raises(ValueError, match="positive"):
        list(rows.chunked([1], 0))


# -- write checks --------------------------------------------------------------------------------------------


def test_referenced_keys_are_unique_in_first_seen_order() -> None:
    batch = GraphBatch(
        records=(Record(kind=RecordKind.CONTACT, key=key("c1", "b2b")),),
        links=(IdentifierLink(record=key(1), identifier=email("a@example.com")),),
        relations=(Relation(type=RelType.WORKS_AT, start=key("c1", "b2b"), end=key("acme", "b2b")),),
    )
    assert plans.referenced_keys(batch) == [key("c1", "b2b"), key(1), key("acme", "b2b")]


def test_a_batch_may_refer_to_stored_records_and_to_its_own() -> None:
    batch = GraphBatch(
        records=(Record(kind=RecordKind.CONTACT, key=key("c1", "b2b")),),
        links=(IdentifierLink(record=key(1), identifier=email("a@example.com")),),
        relations=(Relation(type=RelType.WORKS_AT, start=key("c1", "b2b"), end=key("acme", "b2b")),),
    )
    plans.check_batch(batch, {key(1): RecordKind.CUSTOMER, key("acme", "b2b"): RecordKind.COMPANY})


def test_a_stored_key_cannot_change_kind() -> None:
    batch = GraphBatch(records=(Record(kind=RecordKind.CONTACT, key=key(1)),))
    with pytest.raises(RecordKindConflictError, match="crm/1 is stored as Customer"):
        plans.check_batch(batch, {key(1): RecordKind.CUSTOMER})


def test_a_key_cannot_have_two_kinds_in_one_batch() -> None:
    batch = GraphBatch(
        records=(Record(kind=RecordKind.CUSTOMER, key=key(1)), Record(kind=RecordKind.CONTACT, key=key(1)))
    )
    with pytest.raises(RecordKindConflictError, match="crm/1"):
        plans.check_batch(batch, {})


def test_links_and_relations_to_unknown_records_fail() -> None:
    link = GraphBatch(links=(IdentifierLink(record=key("ghost"), identifier=email("g@example.com")),))
    with pytest.raises(UnknownRecordError, match="crm/ghost"):
        plans.check_batch(link, {})
    relation = GraphBatch(
        records=(Record(kind=RecordKind.CONTACT, key=key("c1", "b2b")),),
        relations=(Relation(type=RelType.WORKS_AT, start=key("c1", "b2b"), end=key("nowhere", "b2b")),),
    )
    with pytest.raises(UnknownRecordError, match="b2b/nowhere"):
        plans.check_batch(relation, {})


def test_relation_endpoints_must_fit_the_type() -> None:
    stored = {key(1): RecordKind.CUSTOMER, key("acme", "b2b"): RecordKind.COMPANY}
    works_at = GraphBatch(relations=(Relation(type=RelType.WORKS_AT, start=key(1), end=key("acme", "b2b")),))
    with pytest.raises(RelationEndpointError, match="WORKS_AT cannot join Customer crm/1"):
        plans.check_batch(works_at, stored)
    same_as = GraphBatch(relations=(Relation(type=RelType.SAME_AS, start=key(1), end=key("acme", "b2b")),))
    plans.check_batch(same_as, stored)


def test_blocking_keys_of_unknown_records_fail_naming_them() -> None:
    plans.check_stored([key(1)], {key(1): RecordKind.CUSTOMER}, "blocking keys")
    with pytest.raises(UnknownRecordError, match=r"blocking keys refer to unknown record\(s\): crm/ghost$"):
        plans.check_stored([key(1), key("ghost")], [key(1)], "blocking keys")
    with pytest.raises(UnknownRecordError, match=r"crm/0, crm/1, crm/2, crm/3, crm/4 and 2 more$"):
        plans.check_stored([key(n) for n in range(7)], [], "blocking keys")


def test_a_checkpoint_only_batch_needs_no_records() -> None:
    plans.check_batch(GraphBatch(checkpoint=Checkpoint(name="load:a.csv", position="3")), {})


# -- resolution plans ----------------------------------------------------------------------------------------


def test_members_must_be_stored_and_ids_keep_their_kind() -> None:
    resolution = Resolution(entities=(entity("p1", key(1)), entity("p2", key(404))))
    assert plans.member_keys(resolution) == [key(1), key(404)]
    with pytest.raises(UnknownRecordError, match="crm/404"):
        plans.check_members(resolution, {key(1): RecordKind.CUSTOMER})
    with pytest.raises(ResolutionError, match="crm/404 is a Event"):
        plans.check_members(resolution, {key(1): RecordKind.CUSTOMER, key(404): RecordKind.EVENT})
    plans.check_members(resolution, {key(1): RecordKind.CUSTOMER, key(404): RecordKind.CONTACT})
    with pytest.raises(ResolutionError, match="p1 is stored as Organization"):
        plans.check_entity_kinds(resolution, {"p1": EntityKind.ORGANIZATION})
    plans.check_entity_kinds(resolution, {"p1": EntityKind.PROFILE})


def test_records_no_longer_members_are_unlinked() -> None:
    resolution = Resolution(entities=(entity("p1", key(1)), entity("p4", key(2))))
    current = {"p1": [key(1), key(2), key(3)], "p4": []}
    assert plans.stale_members(resolution, current) == {EntityKind.PROFILE: [(key(2), "p1"), (key(3), "p1")]}


def test_existing_aliases_follow_their_entity_when_it_is_merged_away() -> None:
    # The contract's chain: p2 was merged into p3; now p3 merges into p1.
    resolution = Resolution(entities=(entity("p1", key(1), key(2), key(3)),), aliases={"p3": "p1"}, retired=("p3",))
    plan = plans.plan_aliases(
        resolution,
        stored_entities={"p1": EntityKind.PROFILE, "p3": EntityKind.PROFILE},
        stored_aliases={},
        aliases_of={"p3": ["p2"]},
    )
    assert plan.upserts == {"p3": ("p1", EntityKind.PROFILE), "p2": ("p1", EntityKind.PROFILE)}
    assert plan.deletes == frozenset()


def test_alias_chains_within_one_resolution_collapse() -> None:
    # p2 follows the resolution's own chain through p3 to p1.
    resolution = Resolution(entities=(entity("p1", key(1)),), aliases={"p2": "p3", "p3": "p1"}, retired=("p2", "p3"))
    plan = plans.plan_aliases(resolution, {"p3": EntityKind.PROFILE}, {}, {})
    assert plan.upserts == {"p2": ("p1", EntityKind.PROFILE), "p3": ("p1", EntityKind.PROFILE)}


def test_an_alias_to_an_alias_points_at_its_entity() -> None:
    resolution = Resolution(aliases={"p5": "p2"}, retired=("p5",))
    plan = plans.plan_aliases(resolution, {}, {"p2": ("o1", EntityKind.ORGANIZATION)}, {})
    assert plan.upserts == {"p5": ("o1", EntityKind.ORGANIZATION)}


def test_aliases_of_an_entity_retired_without_a_successor_are_deleted() -> None:
    resolution = Resolution(retired=("p3",))
    plan = plans.plan_aliases(resolution, {"p3": EntityKind.PROFILE}, {}, {"p3": ["p2", "p7"]})
    assert plan.upserts == {}
    assert plan.deletes == frozenset({"p2", "p7"})


def test_an_id_coming_back_as_an_entity_keeps_no_alias_plan() -> None:
    # p2 was an alias of p3; a split brings p2 back as an entity while p3 is retired.
    resolution = Resolution(entities=(entity("p2", key(2)),), retired=("p3",))
    plan = plans.plan_aliases(resolution, {"p3": EntityKind.PROFILE}, {}, {"p3": ["p2"]})
    assert plan.upserts == {} and plan.deletes == frozenset()


def test_alias_cycles_and_dangling_targets_fail() -> None:
    # The model refuses cycles within one resolution; one through a stored alias is caught here.
    with pytest.raises(GraphStoreError, match="cycle"):
        plans.plan_aliases(
            Resolution(aliases={"p1": "p2"}, retired=("p1",)),
            {"p1": EntityKind.PROFILE},
            {"p2": ("p1", EntityKind.PROFILE)},
            {},
        )
    with pytest.raises(GraphStoreError, match="p9 is neither a live entity"):
        plans.plan_aliases(Resolution(aliases={"p1": "p9"}, retired=("p1",)), {}, {}, {})
    with pytest.raises(GraphStoreError, match="p3 is neither a live entity"):  # target retired in the same run
        plans.plan_aliases(Resolution(aliases={"p1": "p3"}, retired=("p1", "p3")), {"p3": EntityKind.PROFILE}, {}, {})


def test_same_as_ends_must_be_stored_records_of_person_or_organization_kinds() -> None:
    link = Relation(type=RelType.SAME_AS, start=key(1), end=key("c1", "b2b"))
    removed = RelationKey(RelType.SAME_AS, key(2), key("gone"))
    resolution = Resolution(entities=(entity("p1", key(1)),), same_as=(link,), same_as_removed=(removed,))
    assert plans.linked_keys(resolution) == [key(1), key("c1", "b2b"), key(2), key("gone")]
    stored = {key(1): RecordKind.CUSTOMER, key("c1", "b2b"): RecordKind.CONTACT, key(2): RecordKind.CUSTOMER}
    with pytest.raises(UnknownRecordError, match="SAME_AS relation refers to unknown record crm/gone"):
        plans.check_same_as(resolution, stored)
    plans.check_same_as(resolution, stored | {key("gone"): RecordKind.CUSTOMER})
    with pytest.raises(UnknownRecordError, match="b2b/c1"):
        plans.check_same_as(resolution, {key(1): RecordKind.CUSTOMER})
    with pytest.raises(RelationEndpointError, match="SAME_AS cannot join Customer crm/1 to Event b2b/c1"):
        plans.check_same_as(
            Resolution(same_as=(link,)), {key(1): RecordKind.CUSTOMER, key("c1", "b2b"): RecordKind.EVENT}
        )


# -- the store over a stand-in driver ------------------------------------------------------------------------

Answer = Callable[[str, dict[str, Any]], list[dict[str, Any]]]


class FakeResult:
    def __init__(self, found: list[dict[str, Any]]) -> None:
        self.found = found

    def __iter__(self) -> Iterator[Any]:
        return iter(SimpleNamespace(data=lambda row=row: row) for row in self.found)

    def consume(self) -> None:
        return None


class FakeDriver:
    """Answers every query with `answer(query, parameters)` and records what was sent, and in which mode."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.sent: list[tuple[str, str, dict[str, Any]]] = []
        self.mode = "schema"

    def run(self, query: str, parameters: dict[str, Any] | None = None) -> FakeResult:
        parameters = parameters or {}
        assert set(re.findall(r"\$(\w+)", query)) == set(parameters), query  # no missing or stray parameter
        self.sent.append((self.mode, query, parameters))
        if query == cypher.MERGE_SCHEMA_VERSION:
            return FakeResult([{"version": schema.SCHEMA_VERSION}])
        return FakeResult(self.answer(query, parameters))

    def session(self, **_: object) -> FakeDriver:
        return self

    def __enter__(self) -> FakeDriver:
        return self

    def __exit__(self, *_: object) -> None:
        self.mode = "schema"

    def execute_read(self, work: Callable[[FakeDriver], Any]) -> Any:
        self.mode = "read"
        return work(self)

    def execute_write(self, work: Callable[[FakeDriver], Any]) -> Any:
        self.mode = "write"
        return work(self)

    def close(self) -> None:
        return None

    def queries(self, mode: str | None = None) -> list[str]:
        return [query for sent_mode, query, _ in self.sent if mode in (None, sent_mode)]

    def parameters(self, query: str) -> list[dict[str, Any]]:
        return [parameters for _, sent, parameters in self.sent if sent == query]


def fake_store(answer: Answer = lambda query, parameters: []) -> tuple[Neo4jGraphStore, FakeDriver]:
    driver = FakeDriver(answer)
    store = Neo4jGraphStore(driver, database=None)  # type: ignore[arg-type]
    driver.sent.clear()
    return store, driver


def test_opening_creates_every_constraint_and_index() -> None:
    driver = FakeDriver(lambda query, parameters: [])
    Neo4jGraphStore(driver, database=None)  # type: ignore[arg-type]
    statements = schema.constraint_statements() + schema.index_statements()
    assert driver.queries("schema")[: len(statements)] == statements


def stored_records(*kinds: tuple[RecordKey, RecordKind]) -> Answer:
    labels = {k: ["Record", kind.value] for k, kind in kinds}

    def answer(query: str, parameters: dict[str, Any]) -> list[dict[str, Any]]:
        if query == cypher.RECORD_LABELS:
            found = [RecordKey(k["source"], k["source_id"]) for k in parameters["keys"]]
            return [rows.key_row(k) | {"labels": labels[k]} for k in found if k in labels]
        if query == cypher.ADVANCE_COUNTER:
            return [{"value": 10 + parameters["count"]}]  # ten events were numbered before
        return []

    return answer


def test_a_resolution_deletes_then_merges_same_as_and_numbers_its_history_after_the_last_event() -> None:
    store, driver = fake_store(stored_records((key(1), RecordKind.CUSTOMER), (key(2), RecordKind.CUSTOMER)))
    link = Relation(type=RelType.SAME_AS, start=key(1), end=key(2), properties={"score": 0.9})
    events = (history_event("p1"), history_event("p1", "p2"))
    store.write_resolution(
        Resolution(same_as=(link,), same_as_removed=(RelationKey(RelType.SAME_AS, key(2), key(1)),), history=events)
    )
    writes = driver.queries("write")
    delete, merge = cypher.delete_relations(RelType.SAME_AS), cypher.merge_relations(RelType.SAME_AS)
    assert writes.index(delete) < writes.index(merge) < writes.index(cypher.ADVANCE_COUNTER)
    assert writes.index(cypher.ADVANCE_COUNTER) < writes.index(cypher.CREATE_HISTORY)
    assert driver.parameters(cypher.ADVANCE_COUNTER) == [{"name": "history", "count": 2}]
    (created,) = driver.parameters(cypher.CREATE_HISTORY)
    assert [row["seq"] for row in created["rows"]] == [11, 12]
    assert [rows.history_from_row(row) for row in created["rows"]] == list(events)
    (merged,) = driver.parameters(merge)
    assert [rows.relation_from_row(RelType.SAME_AS, row) for row in merged["rows"]] == [link]


def test_a_same_as_link_to_an_unknown_record_fails_before_any_write() -> None:
    store, driver = fake_store(stored_records((key(1), RecordKind.CUSTOMER)))
    link = Relation(type=RelType.SAME_AS, start=key(1), end=key("ghost"))
    with pytest.raises(UnknownRecordError, match="crm/ghost"):
        store.write_resolution(Resolution(same_as=(link,), history=(history_event("p1"),)))
    assert driver.queries("write") == [cypher.RECORD_LABELS]


def test_a_history_only_resolution_is_written() -> None:
    store, driver = fake_store(stored_records())
    store.write_resolution(Resolution(history=(history_event("p1"),)))
    assert cypher.CREATE_HISTORY in driver.queries("write")
    store.write_resolution(Resolution())
    assert driver.queries("write").count(cypher.CREATE_HISTORY) == 1


def test_history_reads_the_entity_and_its_aliases_oldest_first() -> None:
    created, merged = history_event("p2"), history_event("p1", "p2")
    stored = rows.history_rows([created, merged], first_seq=7)

    def answer(query: str, parameters: dict[str, Any]) -> list[dict[str, Any]]:
        if query == cypher.aliases_pointing_at(EntityKind.PROFILE):
            return [{"target": "p1", "alias": "p2"}]
        if query == cypher.HISTORY_OF:
            return [row for row in reversed(stored) if row["entity_id"] in parameters["ids"]]
        return []

    store, driver = fake_store(answer)
    assert store.history("p1") == [created, merged]
    assert driver.parameters(cypher.HISTORY_OF) == [{"ids": ["p1", "p2"]}]
    assert set(driver.queries()) <= {cypher.HISTORY_OF, *(cypher.aliases_pointing_at(kind) for kind in EntityKind)}
    assert set(driver.queries("write")) == set()


def test_iter_relations_sorts_by_start_then_end() -> None:
    links = [
        Relation(type=RelType.SAME_AS, start=key(2), end=key(1)),
        Relation(type=RelType.SAME_AS, start=key(1), end=key(3), properties={"score": 1}),
        Relation(type=RelType.SAME_AS, start=key(1), end=key(2)),
    ]
    found = rows.relation_rows(links)[RelType.SAME_AS]
    store, _ = fake_store(lambda query, parameters: found)
    assert list(store.iter_relations(RelType.SAME_AS)) == [links[2], links[1], links[0]]
    with pytest.raises(ValueError, match="HAS_EMAIL"):
        store.iter_relations(RelType.HAS_EMAIL)


def test_overrides_are_written_by_pair_and_read_in_pair_order() -> None:
    first = Override(kind=OverrideKind.NEVER_LINK, a=key(2), b=key(1), reason="twins", author="a", created_at=T0)
    second = Override(kind=OverrideKind.ALWAYS_LINK, a=key(1), b=key(3), reason="r", author="a", created_at=T0)
    deleted = {"count": 1}

    def answer(query: str, parameters: dict[str, Any]) -> list[dict[str, Any]]:
        if query == cypher.ALL_OVERRIDES:
            return [rows.override_row(second), rows.override_row(first)]
        if query == cypher.DELETE_OVERRIDE:
            found, deleted["count"] = deleted["count"], 0
            return [{"deleted": found}]
        return []

    store, driver = fake_store(answer)
    store.put_override(first)
    assert driver.parameters(cypher.MERGE_OVERRIDE) == [rows.override_row(first)]
    assert store.overrides() == [first, second]
    assert store.delete_override(key(2), key(1)) is True
    assert store.delete_override(key(2), key(1)) is False
    assert driver.parameters(cypher.DELETE_OVERRIDE)[0] == {
        "a_source": "crm",
        "a_id": "1",
        "b_source": "crm",
        "b_id": "2",
    }
    assert [mode for mode, query, _ in driver.sent if query == cypher.DELETE_OVERRIDE] == ["write", "write"]


def test_documents_travel_as_json_text() -> None:
    kept: dict[str, str] = {}

    def answer(query: str, parameters: dict[str, Any]) -> list[dict[str, Any]]:
        if query == cypher.MERGE_DOCUMENT:
            kept[parameters["name"]] = parameters["value"]
        if query == cypher.GET_DOCUMENT and parameters["name"] in kept:
            return [{"value": kept[parameters["name"]]}]
        return []

    store, _ = fake_store(answer)
    assert store.get_document("resolver.model") is None
    store.put_document("resolver.model", {"lambda": 0.01, "fields": {"name": [0.9, 0.1]}})
    assert kept["resolver.model"] == '{"fields":{"name":[0.9,0.1]},"lambda":0.01}'
    assert store.get_document("resolver.model") == {"lambda": 0.01, "fields": {"name": [0.9, 0.1]}}


def test_blocking_keys_are_checked_then_deleted_then_merged_in_one_write() -> None:
    store, driver = fake_store(stored_records((key(1), RecordKind.CUSTOMER), (key(2), RecordKind.CUSTOMER)))
    store.set_blocking_keys({key(1): ["n:anna|1990", "p:200000|a"], key(2): []})
    assert driver.queries() == [cypher.RECORD_LABELS, cypher.DELETE_BLOCKING_KEYS, cypher.MERGE_BLOCKING_KEYS]
    assert set(driver.queries("write")) == set(driver.queries())
    assert driver.parameters(cypher.RECORD_LABELS) == [{"keys": [rows.key_row(key(1)), rows.key_row(key(2))]}]
    # key(2) loses all its keys: its relationships are deleted and none merged.
    assert driver.parameters(cypher.DELETE_BLOCKING_KEYS) == [{"rows": [rows.key_row(key(1)), rows.key_row(key(2))]}]
    assert driver.parameters(cypher.MERGE_BLOCKING_KEYS) == [
        {"rows": [rows.key_row(key(1)) | {"key": "n:anna|1990"}, rows.key_row(key(1)) | {"key": "p:200000|a"}]}
    ]


def test_blocking_keys_of_an_unknown_record_fail_before_any_write() -> None:
    store, driver = fake_store(stored_records((key(1), RecordKind.CUSTOMER)))
    with pytest.raises(UnknownRecordError, match="crm/ghost"):
        store.set_blocking_keys({key(1): ["n:ann|1990"], key("ghost"): ["x"]})
    assert driver.queries() == [cypher.RECORD_LABELS]
    store.set_blocking_keys({})
    assert driver.queries() == [cypher.RECORD_LABELS]


def test_a_resolution_replaces_blocking_keys_in_its_write_after_the_checks() -> None:
    store, driver = fake_store(stored_records((key(1), RecordKind.CUSTOMER), (key(2), RecordKind.CUSTOMER)))
    link = Relation(type=RelType.SAME_AS, start=key(1), end=key(2))
    store.write_resolution(
        Resolution(
            entities=(entity("p1", key(1)),),
            same_as=(link,),
            history=(history_event("p1"),),
            blocking_keys=((key(2), ("n:bob|1980",)), (key(1), ("n:ann|1990", "p:200000|a", "n:ann|1990"))),
        )
    )
    assert set(driver.queries("write")) == set(driver.queries())  # one managed write transaction
    writes = driver.queries("write")
    assert driver.parameters(cypher.RECORD_LABELS) == [{"keys": [rows.key_row(key(1)), rows.key_row(key(2))]}]
    assert writes.index(cypher.RECORD_LABELS) < writes.index(cypher.merge_entities(EntityKind.PROFILE))
    assert writes.index(cypher.merge_relations(RelType.SAME_AS)) < writes.index(cypher.DELETE_BLOCKING_KEYS)
    assert writes.index(cypher.DELETE_BLOCKING_KEYS) < writes.index(cypher.MERGE_BLOCKING_KEYS)
    assert writes.index(cypher.MERGE_BLOCKING_KEYS) < writes.index(cypher.CREATE_HISTORY)
    assert driver.parameters(cypher.DELETE_BLOCKING_KEYS) == [{"rows": [rows.key_row(key(2)), rows.key_row(key(1))]}]
    assert driver.parameters(cypher.MERGE_BLOCKING_KEYS) == [
        {
            "rows": [
                rows.key_row(key(2)) | {"key": "n:bob|1980"},
                rows.key_row(key(1)) | {"key": "n:ann|1990"},
                rows.key_row(key(1)) | {"key": "p:200000|a"},
            ]
        }
    ]


def test_a_blocking_keys_only_resolution_is_written_and_unknown_records_fail_before_any_write() -> None:
    store, driver = fake_store(stored_records((key(1), RecordKind.CUSTOMER)))
    store.write_resolution(Resolution(blocking_keys=((key(1), ()),)))
    assert driver.queries("write")[0] == cypher.RECORD_LABELS
    assert driver.parameters(cypher.DELETE_BLOCKING_KEYS) == [{"rows": [rows.key_row(key(1))]}]
    assert driver.parameters(cypher.MERGE_BLOCKING_KEYS) == []  # no keys left: nothing merged
    driver.sent.clear()
    with pytest.raises(UnknownRecordError, match=r"blocking keys.*crm/ghost"):
        store.write_resolution(
            Resolution(
                entities=(entity("p1", key(1)),),
                blocking_keys=((key(1), ("n:ann|1990",)), (key("ghost"), ("x",))),
            )
        )
    assert driver.queries() == [cypher.RECORD_LABELS]
    assert driver.parameters(cypher.RECORD_LABELS) == [{"keys": [rows.key_row(key(1)), rows.key_row(key("ghost"))]}]


def test_records_by_blocking_key_read_each_key_once_and_sort() -> None:
    held = {"n:ann|1990": [key(2), key(1)], "p:200000|a": [key(1)]}

    def answer(query: str, parameters: dict[str, Any]) -> list[dict[str, Any]]:
        if query != cypher.RECORDS_BY_BLOCKING_KEY:
            return []
        return [rows.key_row(k) | {"block": b} for b in parameters["blocks"] for k in held.get(b, [])]

    store, driver = fake_store(answer)
    assert store.records_by_blocking_key(["n:ann|1990", "none", "p:200000|a", "n:ann|1990"]) == {
        "n:ann|1990": [key(1), key(2)],
        "p:200000|a": [key(1)],
    }
    assert driver.parameters(cypher.RECORDS_BY_BLOCKING_KEY) == [{"blocks": ["n:ann|1990", "none", "p:200000|a"]}]
    assert driver.queries("read") == driver.queries() == [cypher.RECORDS_BY_BLOCKING_KEY]
    assert store.records_by_blocking_key([]) == {}
    assert len(driver.queries()) == 1


def test_a_version_2_store_is_moved_to_the_latest_version() -> None:
    class OlderStore(FakeDriver):
        def run(self, query: str, parameters: dict[str, Any] | None = None) -> FakeResult:
            if query == cypher.MERGE_SCHEMA_VERSION:
                self.sent.append((self.mode, query, parameters or {}))
                return FakeResult([{"version": 2}])
            return super().run(query, parameters)

    driver = OlderStore(lambda query, parameters: [])
    Neo4jGraphStore(driver, database=None)  # type: ignore[arg-type]
    assert driver.parameters(cypher.SET_SCHEMA_VERSION) == [{"name": "graph", "version": schema.SCHEMA_VERSION}]


# -- connection settings and errors --------------------------------------------------------------------------


def test_credentials_are_stripped_from_the_url() -> None:
    assert split_credentials("neo4j://alice:s3cret@db.example.com:7687") == (
        "neo4j://db.example.com:7687",
        "alice",
        "s3cret",
    )
    assert split_credentials("bolt+s://bob:p%40ss%3Aw@[::1]:7687?policy=eu") == (
        "bolt+s://[::1]:7687?policy=eu",
        "bob",
        "p@ss:w",
    )
    assert split_credentials("neo4j://carol:a@b@host") == ("neo4j://host", "carol", "a@b")
    assert split_credentials("neo4j://dave@host") == ("neo4j://host", "dave", None)
    assert split_credentials("neo4j://host:7687") == ("neo4j://host:7687", None, None)
    with pytest.raises(ValueError, match="neo4j://"):
        split_credentials("localhost:7687")


def test_settings_take_arguments_then_url_then_environment_then_defaults() -> None:
    env = {"IDGRAPH_NEO4J_USER": "env-user", "IDGRAPH_NEO4J_PASSWORD": "env-pw", "IDGRAPH_NEO4J_DATABASE": "envdb"}
    url = "neo4j://url-user:url-pw@host:7687"
    assert connection_settings(url, username="arg-user", password="arg-pw", database="argdb", environ=env) == (
        ConnectionSettings("neo4j://host:7687", "arg-user", "arg-pw", "argdb")
    )
    assert connection_settings(url, environ=env) == ConnectionSettings(
        "neo4j://host:7687", "url-user", "url-pw", "envdb"
    )
    assert connection_settings("neo4j://host", environ=env) == ConnectionSettings(
        "neo4j://host", "env-user", "env-pw", "envdb"
    )
    assert connection_settings("neo4j://host", environ={}) == ConnectionSettings("neo4j://host", "neo4j", "", None)


def test_the_password_stays_out_of_the_settings_repr() -> None:
    settings = connection_settings("neo4j://alice:s3cret@host", environ={})
    assert "s3cret" not in repr(settings) and "alice" in repr(settings)


def test_driver_errors_are_wrapped_without_server_messages() -> None:
    expected = "neo4j: writing a batch failed: ServiceUnavailable"
    with pytest.raises(GraphStoreError, match=expected) as caught, wrapped_errors("writing a batch"):
        raise ServiceUnavailable("no route")
    assert isinstance(caught.value.__cause__, ServiceUnavailable)
    server_error = Neo4jError("Node already exists with property `value` = 'ann@example.com'")
    message = describe("writing a batch", server_error)
    assert message.startswith("neo4j: writing a batch failed: Neo4jError") and "ann@example.com" not in message


def test_domain_errors_pass_unwrapped() -> None:
    with pytest.raises(UnknownRecordError), wrapped_errors("writing a batch"):
        raise UnknownRecordError("crm/ghost")


def test_an_unreachable_server_fails_with_a_store_error_that_hides_the_password() -> None:
    with pytest.raises(GraphStoreError, match="creating a constraint failed") as caught:
        Neo4jGraphStore.from_url("bolt://alice:s3cret@127.0.0.1:1", username=None, password=None, database=None)
    assert "s3cret" not in str(caught.value)


def test_the_store_implements_the_port() -> None:
    import graph.neo4j

    assert graph.neo4j.__all__ == ["Neo4jGraphStore"]
    assert issubclass(Neo4jGraphStore, GraphStore)
