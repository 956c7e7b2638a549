"""The pure parts of the Neo4j store: query text, row conversion, write checks, alias plans, connection settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

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
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Record,
    RecordKey,
    RecordKind,
    RecordKindConflictError,
    Relation,
    RelationEndpointError,
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
    labels = {re.search(r"FOR \(n:(\w+)\)", s).group(1) for s in statements}  # type: ignore[union-attr]
    expected = {k.value for k in (*IdentifierKind, *EntityKind)} | {"Record", "Alias", "Checkpoint", "IdgraphSchema"}
    assert labels == expected


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
    assert set(row) == {"id", "traits", "created_at"}
    result_row = row | {"members": [["crm", "2"], ["crm", "1"]]}
    assert rows.entity_from_row(EntityKind.PROFILE, result_row) == profile
    assert rows.member_rows([profile]) == {
        EntityKind.PROFILE: [
            {"source": "crm", "source_id": "1", "entity_id": "p1"},
            {"source": "crm", "source_id": "2", "entity_id": "p1"},
        ]
    }


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
