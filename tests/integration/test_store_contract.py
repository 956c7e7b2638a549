"""The GraphStore contract: every backend must pass all of it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from graph import (
    Checkpoint,
    Direction,
    Entity,
    EntityKind,
    GraphBatch,
    GraphStore,
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
    UnknownRecordError,
    UnsupportedStoreURLError,
    open_store,
)

from .conftest import StoreFactory

T0 = datetime(2024, 1, 1, tzinfo=UTC)
T1 = datetime(2024, 6, 1, tzinfo=UTC)


def key(n: int | str, source: str = "crm") -> RecordKey:
    return RecordKey(source, str(n))


def email(value: str) -> Identifier:
    return Identifier(IdentifierKind.EMAIL, value)


def phone(value: str) -> Identifier:
    return Identifier(IdentifierKind.PHONE, value)


def customer(n: int | str, **properties: object) -> Record:
    return Record.model_validate({"kind": RecordKind.CUSTOMER, "key": key(n), "properties": properties})


def customers_batch(start: int, size: int) -> GraphBatch:
    """`size` customers, each with its own email."""
    records = tuple(customer(n, first_name=f"N{n}") for n in range(start, start + size))
    links = tuple(IdentifierLink(record=r.key, identifier=email(f"c{r.key.source_id}@example.com")) for r in records)
    return GraphBatch(records=records, links=links)


def mixed_batch() -> GraphBatch:
    """A small B2B + B2C graph touching every write path."""
    records = (
        customer(1, first_name="Ann", tags=["vip", "早鸟"], address={"city": "上海", "postcode": "200000"}),
        customer(2, first_name="Bob", score=4.5, active=True, nickname=None),
        Record(kind=RecordKind.CONTACT, key=key("c1", "b2b"), properties={"title": "CFO"}),
        Record(kind=RecordKind.COMPANY, key=key("acme", "b2b"), properties={"name": "Acme Ltd"}),
        Record(kind=RecordKind.EVENT, key=key("e1", "web"), properties={"type": "page_view"}),
    )
    links = (
        IdentifierLink(record=key(1), identifier=email("ann@example.com")),
        IdentifierLink(record=key(1), identifier=phone("+8613800138000")),
        IdentifierLink(record=key(2), identifier=phone("+8613800138000")),
        IdentifierLink(record=key(2), identifier=Identifier(IdentifierKind.ACCOUNT, "L-9", "loyalty")),
        IdentifierLink(record=key("c1", "b2b"), identifier=email("ann@example.com")),
        IdentifierLink(record=key("acme", "b2b"), identifier=Identifier(IdentifierKind.DOMAIN, "acme.com")),
        IdentifierLink(record=key("e1", "web"), identifier=Identifier(IdentifierKind.DEVICE, "dev-1")),
    )
    relations = (
        Relation(type=RelType.WORKS_AT, start=key("c1", "b2b"), end=key("acme", "b2b"), properties={"title": "CFO"}),
        Relation(type=RelType.PERFORMED, start=key(1), end=key("e1", "web")),
    )
    return GraphBatch(records=records, links=links, relations=relations)


def snapshot(store: GraphStore) -> tuple[object, ...]:
    """Everything readable about the stored records, for before/after comparisons."""
    kinds = list(RecordKind)
    records = list(store.iter_records(kinds))
    keys = [r.key for r in records]
    return (
        store.counts(),
        records,
        store.identifiers_of(keys),
        list(store.iter_links(kinds)),
        [store.neighbours(k, rel) for k in keys for rel in (RelType.WORKS_AT, RelType.PERFORMED)],
    )


# -- records, links, relations -------------------------------------------------------------------------


def test_records_round_trip_with_their_properties(store: GraphStore) -> None:
    batch = mixed_batch()
    store.write(batch)
    got = store.get_records([r.key for r in batch.records] + [key("missing")])
    assert got == {r.key: r for r in batch.records}
    assert got[key(1)].properties["address"] == {"city": "上海", "postcode": "200000"}


def test_counts_per_label_and_relationship_type(store: GraphStore) -> None:
    store.write(mixed_batch())
    counts = store.counts()
    assert counts["Customer"] == 2 and counts["Contact"] == 1 and counts["Company"] == 1
    assert counts["Event"] == 1 and counts["Opportunity"] == 0
    assert counts["Email"] == 1 and counts["Phone"] == 1 and counts["Account"] == 1
    assert counts["Domain"] == 1 and counts["Device"] == 1
    assert counts["HAS_EMAIL"] == 2 and counts["HAS_PHONE"] == 2 and counts["HAS_ACCOUNT"] == 1
    assert counts["HAS_DOMAIN"] == 1 and counts["USES_DEVICE"] == 1
    assert counts["WORKS_AT"] == 1 and counts["PERFORMED"] == 1
    assert counts["Profile"] == 0 and counts["RESOLVES_TO"] == 0


def test_re_upserting_the_same_batch_changes_nothing(store: GraphStore) -> None:
    store.write(mixed_batch())
    before = snapshot(store)
    store.write(mixed_batch())
    assert snapshot(store) == before


def test_upsert_replaces_properties_and_adds_links(store: GraphStore) -> None:
    store.write(GraphBatch(records=(customer(1, first_name="Ann", city="Oslo"),)))
    store.write(
        GraphBatch(
            records=(customer(1, first_name="Anna"),),
            links=(IdentifierLink(record=key(1), identifier=email("anna@example.com")),),
        )
    )
    assert store.get_records([key(1)])[key(1)].properties == {"first_name": "Anna"}
    assert store.identifiers_of([key(1)]) == {key(1): [email("anna@example.com")]}


def test_links_may_refer_to_records_stored_earlier(store: GraphStore) -> None:
    store.write(GraphBatch(records=(customer(1),)))
    store.write(GraphBatch(links=(IdentifierLink(record=key(1), identifier=email("a@example.com")),)))
    assert store.records_with(email("a@example.com")) == [key(1)]


def test_identifier_reads(store: GraphStore) -> None:
    store.write(mixed_batch())
    shared = phone("+8613800138000")
    assert store.records_with(shared) == [key(1), key(2)]
    assert store.records_with(phone("+10000000000")) == []
    assert store.identifiers_of([key(1), key(2), key("acme", "b2b"), key("nope")]) == {
        key(1): sorted([email("ann@example.com"), shared]),
        key(2): sorted([Identifier(IdentifierKind.ACCOUNT, "L-9", "loyalty"), shared]),
        key("acme", "b2b"): [Identifier(IdentifierKind.DOMAIN, "acme.com")],
    }
    links = list(store.iter_links([RecordKind.CUSTOMER]))
    assert links == [
        (key(1), email("ann@example.com")),
        (key(1), shared),
        (key(2), Identifier(IdentifierKind.ACCOUNT, "L-9", "loyalty")),
        (key(2), shared),
    ]


def test_accounts_of_different_systems_are_different_identifiers(store: GraphStore) -> None:
    store.write(
        GraphBatch(
            records=(customer(1), customer(2)),
            links=(
                IdentifierLink(record=key(1), identifier=Identifier(IdentifierKind.ACCOUNT, "42", "loyalty")),
                IdentifierLink(record=key(2), identifier=Identifier(IdentifierKind.ACCOUNT, "42", "eshop")),
            ),
        )
    )
    assert store.records_with(Identifier(IdentifierKind.ACCOUNT, "42", "loyalty")) == [key(1)]
    assert store.counts()["Account"] == 2


def test_iter_records_filters_by_kind_in_key_order(store: GraphStore) -> None:
    store.write(mixed_batch())
    assert [r.key for r in store.iter_records([RecordKind.CUSTOMER, RecordKind.COMPANY])] == [
        key("acme", "b2b"),
        key(1),
        key(2),
    ]


def test_neighbours_in_both_directions(store: GraphStore) -> None:
    store.write(mixed_batch())
    out = store.neighbours(key("c1", "b2b"), RelType.WORKS_AT)
    assert [(n.record.key, n.properties) for n in out] == [(key("acme", "b2b"), {"title": "CFO"})]
    into = store.neighbours(key("acme", "b2b"), RelType.WORKS_AT, Direction.IN)
    assert [n.record.kind for n in into] == [RecordKind.CONTACT]
    assert store.neighbours(key(1), RelType.WORKS_AT) == []


def test_relation_properties_are_replaced_on_upsert(store: GraphStore) -> None:
    store.write(mixed_batch())
    rel = Relation(type=RelType.WORKS_AT, start=key("c1", "b2b"), end=key("acme", "b2b"), properties={"title": "CEO"})
    store.write(GraphBatch(relations=(rel,)))
    assert store.neighbours(key("c1", "b2b"), RelType.WORKS_AT)[0].properties == {"title": "CEO"}
    assert store.counts()["WORKS_AT"] == 1


# -- failures leave nothing of their batch -------------------------------------------------------------


def test_a_batch_failing_midway_leaves_nothing_while_earlier_batches_stay(store: GraphStore) -> None:
    store.write(customers_batch(0, 10))
    before = snapshot(store)
    bad = GraphBatch(
        records=tuple(customer(n) for n in range(10, 20)),
        links=(
            IdentifierLink(record=key(10), identifier=email("new@example.com")),
            IdentifierLink(record=key("ghost"), identifier=email("ghost@example.com")),
        ),
        checkpoint=Checkpoint(name="load:crm.csv", position="20"),
    )
    with pytest.raises(UnknownRecordError, match="crm/ghost"):
        store.write(bad)
    assert snapshot(store) == before
    assert store.get_checkpoint("load:crm.csv") is None


def test_relation_to_an_unknown_record_fails_the_batch(store: GraphStore) -> None:
    with pytest.raises(UnknownRecordError, match="b2b/nowhere"):
        store.write(
            GraphBatch(
                records=(Record(kind=RecordKind.CONTACT, key=key("c1", "b2b")),),
                relations=(Relation(type=RelType.WORKS_AT, start=key("c1", "b2b"), end=key("nowhere", "b2b")),),
            )
        )
    assert store.counts()["Contact"] == 0


def test_a_record_key_cannot_change_kind(store: GraphStore) -> None:
    store.write(GraphBatch(records=(customer(1),)))
    with pytest.raises(RecordKindConflictError, match="crm/1"):
        store.write(GraphBatch(records=(customer(2), Record(kind=RecordKind.CONTACT, key=key(1)))))
    assert store.counts()["Customer"] == 1 and store.counts()["Contact"] == 0


def test_relation_endpoints_must_fit_the_type(store: GraphStore) -> None:
    store.write(mixed_batch())
    with pytest.raises(RelationEndpointError, match="WORKS_AT"):
        store.write(GraphBatch(relations=(Relation(type=RelType.WORKS_AT, start=key(1), end=key("acme", "b2b")),)))
    assert store.counts()["WORKS_AT"] == 1


# -- checkpoints -----------------------------------------------------------------------------------------


def test_checkpoint_is_committed_with_its_batch(store: GraphStore) -> None:
    assert store.get_checkpoint("load:a.csv") is None
    store.write(customers_batch(0, 3).model_copy(update={"checkpoint": Checkpoint(name="load:a.csv", position="3")}))
    store.write(customers_batch(3, 3).model_copy(update={"checkpoint": Checkpoint(name="load:a.csv", position="6")}))
    assert store.get_checkpoint("load:a.csv") == "6"
    assert store.get_checkpoint("load:b.csv") is None


# -- resolution results ----------------------------------------------------------------------------------


def test_resolution_points_members_at_entities(store: GraphStore) -> None:
    store.write(mixed_batch())
    profile = Entity(
        id="p1", kind=EntityKind.PROFILE, traits={"first_name": "Ann"}, members=(key(1), key(2)), created_at=T0
    )
    org = Entity(id="o1", kind=EntityKind.ORGANIZATION, members=(key("acme", "b2b"),), created_at=T0)
    store.write_resolution(Resolution(entities=(profile, org)))
    assert store.entity_ids_of([key(1), key(2), key("acme", "b2b"), key("c1", "b2b")]) == {
        key(1): "p1",
        key(2): "p1",
        key("acme", "b2b"): "o1",
    }
    assert store.get_entity("p1") == profile
    assert store.get_entity("nope") is None
    assert list(store.iter_entities(EntityKind.ORGANIZATION)) == [org]
    assert store.counts()["Profile"] == 1 and store.counts()["RESOLVES_TO"] == 3


def test_merge_keeps_survivor_and_aliases_still_resolve(store: GraphStore) -> None:
    store.write(mixed_batch())
    store.write(GraphBatch(records=(customer(3),)))
    store.write_resolution(
        Resolution(
            entities=(
                Entity(id="p1", kind=EntityKind.PROFILE, members=(key(1),), created_at=T0),
                Entity(id="p2", kind=EntityKind.PROFILE, members=(key(2),), created_at=T1),
                Entity(id="p3", kind=EntityKind.PROFILE, members=(key(3),), created_at=T1),
            )
        )
    )
    # p2 merges into p3, then p3 into p1: the alias p2 must follow to p1.
    store.write_resolution(
        Resolution(
            entities=(Entity(id="p3", kind=EntityKind.PROFILE, members=(key(2), key(3)), created_at=T1),),
            aliases={"p2": "p3"},
            retired=("p2",),
        )
    )
    merged = Entity(id="p1", kind=EntityKind.PROFILE, members=(key(1), key(2), key(3)), created_at=T0)
    store.write_resolution(Resolution(entities=(merged,), aliases={"p3": "p1"}, retired=("p3",)))
    assert store.get_entity("p2") == merged
    assert store.get_entity("p3") == merged
    assert [e.id for e in store.iter_entities(EntityKind.PROFILE)] == ["p1"]
    assert store.entity_ids_of([key(2)]) == {key(2): "p1"}


def test_a_merged_away_id_can_become_an_entity_again(store: GraphStore) -> None:
    store.write(mixed_batch())
    p1 = Entity(id="p1", kind=EntityKind.PROFILE, members=(key(1),), created_at=T0)
    p2 = Entity(id="p2", kind=EntityKind.PROFILE, members=(key(2),), created_at=T1)
    store.write_resolution(Resolution(entities=(p1, p2)))
    merged = Entity(id="p1", kind=EntityKind.PROFILE, members=(key(1), key(2)), created_at=T0)
    store.write_resolution(Resolution(entities=(merged,), aliases={"p2": "p1"}, retired=("p2",)))
    assert store.get_entity("p2") == merged
    store.write_resolution(Resolution(entities=(p1, p2)))
    assert store.get_entity("p2") == p2
    assert store.get_entity("p1") == p1


def test_resolution_is_idempotent(store: GraphStore) -> None:
    store.write(mixed_batch())
    resolution = Resolution(
        entities=(Entity(id="p1", kind=EntityKind.PROFILE, traits={"n": 1}, members=(key(1), key(2)), created_at=T0),)
    )
    store.write_resolution(resolution)
    before = (store.counts(), list(store.iter_entities(EntityKind.PROFILE)))
    store.write_resolution(resolution)
    assert (store.counts(), list(store.iter_entities(EntityKind.PROFILE))) == before


def test_resolution_with_an_unknown_member_fails_whole(store: GraphStore) -> None:
    store.write(mixed_batch())
    with pytest.raises(UnknownRecordError, match="crm/404"):
        store.write_resolution(
            Resolution(
                entities=(
                    Entity(id="p1", kind=EntityKind.PROFILE, members=(key(1),), created_at=T0),
                    Entity(id="p2", kind=EntityKind.PROFILE, members=(key(404),), created_at=T0),
                )
            )
        )
    assert store.counts()["Profile"] == 0 and store.entity_ids_of([key(1)]) == {}


def test_an_entity_keeps_its_kind_and_takes_only_records_that_resolve_to_it(store: GraphStore) -> None:
    store.write(mixed_batch())
    store.write_resolution(Resolution(entities=(Entity(id="e1", kind=EntityKind.PROFILE, created_at=T0),)))
    with pytest.raises(ResolutionError, match="e1"):
        store.write_resolution(Resolution(entities=(Entity(id="e1", kind=EntityKind.ORGANIZATION, created_at=T0),)))
    with pytest.raises(ResolutionError, match="web/e1"):
        store.write_resolution(
            Resolution(entities=(Entity(id="p9", kind=EntityKind.PROFILE, members=(key("e1", "web"),), created_at=T0),))
        )
    assert [e.kind for e in store.iter_entities(EntityKind.PROFILE)] == [EntityKind.PROFILE]
    assert list(store.iter_entities(EntityKind.ORGANIZATION)) == []


def test_neighbours_refuses_identifier_relationships(store: GraphStore) -> None:
    store.write(mixed_batch())
    with pytest.raises(ValueError, match="HAS_EMAIL"):
        store.neighbours(key(1), RelType.HAS_EMAIL)


def test_resolution_writes_and_removes_same_as_links_and_appends_history(store: GraphStore) -> None:
    store.write(mixed_batch())
    link = Relation(type=RelType.SAME_AS, start=key(1), end=key("c1", "b2b"), properties={"score": 0.99, "rule": "fs"})
    created = HistoryEvent(entity_id="p1", at=T0, action=HistoryAction.CREATED, cause="resolve", records=(key(1),))
    store.write_resolution(
        Resolution(
            entities=(Entity(id="p1", kind=EntityKind.PROFILE, members=(key(1), key("c1", "b2b")), created_at=T0),),
            same_as=(link,),
            history=(created,),
        )
    )
    assert list(store.iter_relations(RelType.SAME_AS)) == [link]
    merged = HistoryEvent(
        entity_id="p1", at=T1, action=HistoryAction.MERGED, cause="shared email", records=(key(2),), others=("p2",)
    )
    store.write_resolution(
        Resolution(
            entities=(Entity(id="p2", kind=EntityKind.PROFILE, members=(key(2),), created_at=T1),),
            same_as_removed=(RelationKey(RelType.SAME_AS, key(1), key("c1", "b2b")),),
            history=(merged,),
        )
    )
    assert list(store.iter_relations(RelType.SAME_AS)) == []
    assert store.history("p1") == [created, merged]
    assert store.history("nobody") == []


def _resolution_state(store: GraphStore) -> tuple[object, ...]:
    keys = [r.key for r in store.iter_records(list(RecordKind))]
    return (
        store.counts(),
        list(store.iter_entities(EntityKind.PROFILE)),
        list(store.iter_entities(EntityKind.ORGANIZATION)),
        store.entity_ids_of(keys),
        list(store.iter_relations(RelType.SAME_AS)),
        store.history("p1"),
        store.get_entity("p2"),
    )


def _streamed_case(store: GraphStore) -> tuple[Resolution, list[Entity]]:
    store.write(mixed_batch())
    store.write(GraphBatch(records=(customer(3), customer(4))))
    first = (
        Entity(id="p1", kind=EntityKind.PROFILE, members=(key(1),), created_at=T0),
        Entity(id="p2", kind=EntityKind.PROFILE, members=(key(2),), created_at=T1),
    )
    store.write_resolution(Resolution(entities=first))
    entities = [
        Entity(
            id="p1",
            kind=EntityKind.PROFILE,
            traits={"first_name": {"value": "Ann"}},
            members=(key(1), key(2)),
            created_at=T0,
        ),
        Entity(id="p3", kind=EntityKind.PROFILE, traits={"n": 3}, members=(key(3),), created_at=T1),
        Entity(id="p4", kind=EntityKind.PROFILE, members=(key(4), key("c1", "b2b")), created_at=T1),
        Entity(id="o1", kind=EntityKind.ORGANIZATION, members=(key("acme", "b2b"),), created_at=T0),
    ]
    link = Relation(type=RelType.SAME_AS, start=key(3), end=key(4), properties={"score": 0.99, "rule": "fs"})
    merged = HistoryEvent(
        entity_id="p1", at=T1, action=HistoryAction.MERGED, cause="resolve", records=(key(2),), others=("p2",)
    )
    rest = Resolution(aliases={"p2": "p1"}, retired=("p2",), same_as=(link,), history=(merged,))
    return rest, entities


def test_a_streamed_resolution_writes_what_the_whole_one_writes(store_factory: StoreFactory) -> None:
    whole, streamed = store_factory(), store_factory()
    rest, entities = _streamed_case(whole)
    whole.write_resolution(rest.model_copy(update={"entities": tuple(entities)}))
    _streamed_case(streamed)
    # Chunks of any size, one of them empty, and some entities in the resolution itself.
    streamed.write_resolution_stream(
        rest.model_copy(update={"entities": (entities[3],)}), iter([[entities[2]], [], entities[:2]])
    )
    assert _resolution_state(streamed) == _resolution_state(whole)
    assert streamed.get_entity("p2") == entities[0]  # the alias resolves


def test_a_streamed_resolution_checks_its_chunks_and_fails_whole(store: GraphStore) -> None:
    rest, entities = _streamed_case(store)
    before = _resolution_state(store)
    twice = [[entities[0]], [entities[1], entities[0]]]
    with pytest.raises(ResolutionError, match="p1"):
        store.write_resolution_stream(rest, iter(twice))
    shared = Entity(id="p9", kind=EntityKind.PROFILE, members=(key(3),), created_at=T1)
    with pytest.raises(ResolutionError, match="crm/3"):
        store.write_resolution_stream(rest, iter([entities[1:2], [shared]]))
    retired = Entity(id="p2", kind=EntityKind.PROFILE, members=(key(2),), created_at=T1)
    with pytest.raises(ResolutionError, match="p2"):
        store.write_resolution_stream(rest, iter([[retired]]))
    unknown = Entity(id="p8", kind=EntityKind.PROFILE, members=(key(404),), created_at=T1)
    with pytest.raises(UnknownRecordError, match="crm/404"):
        store.write_resolution_stream(rest, iter([entities[:1], [unknown]]))

    def failing() -> Iterator[list[Entity]]:
        yield entities[:2]
        raise RuntimeError("producer failed")

    with pytest.raises(RuntimeError, match="producer failed"):
        store.write_resolution_stream(rest, failing())
    assert _resolution_state(store) == before


def test_history_of_an_entity_includes_the_ids_merged_into_it(store: GraphStore) -> None:
    store.write(mixed_batch())
    p2_created = HistoryEvent(entity_id="p2", at=T0, action=HistoryAction.CREATED, cause="resolve", records=(key(2),))
    store.write_resolution(
        Resolution(
            entities=(
                Entity(id="p1", kind=EntityKind.PROFILE, members=(key(1),), created_at=T0),
                Entity(id="p2", kind=EntityKind.PROFILE, members=(key(2),), created_at=T1),
            ),
            history=(p2_created,),
        )
    )
    merged = HistoryEvent(entity_id="p1", at=T1, action=HistoryAction.MERGED, cause="phone", others=("p2",))
    store.write_resolution(
        Resolution(
            entities=(Entity(id="p1", kind=EntityKind.PROFILE, members=(key(1), key(2)), created_at=T0),),
            aliases={"p2": "p1"},
            retired=("p2",),
            history=(merged,),
        )
    )
    assert store.history("p1") == [p2_created, merged]
    # A page of profiles reads its histories in one call: each ID as `history` gives it, an alias its own events.
    assert store.histories(["p1", "p2", "nobody", "p1"]) == {
        "p1": [p2_created, merged],
        "p2": [p2_created],
        "nobody": [],
    }


def test_overrides_are_kept_per_pair_and_can_be_removed(store: GraphStore) -> None:
    store.write(mixed_batch())
    never = Override(kind=OverrideKind.NEVER_LINK, a=key(2), b=key(1), reason="twins", author="ops@x", created_at=T0)
    assert (never.a, never.b) == (key(1), key(2))  # the pair is unordered
    store.put_override(never)
    store.put_override(
        Override(kind=OverrideKind.ALWAYS_LINK, a=key(1), b=key("c1", "b2b"), reason="r", author="a", created_at=T0)
    )
    assert [o.kind for o in store.overrides()] == [OverrideKind.ALWAYS_LINK, OverrideKind.NEVER_LINK]
    always = never.model_copy(update={"kind": OverrideKind.ALWAYS_LINK, "reason": "same person after all"})
    store.put_override(always)
    assert store.overrides()[1] == always
    assert store.delete_override(key(2), key(1)) is True
    assert store.delete_override(key(2), key(1)) is False
    assert len(store.overrides()) == 1


def test_documents_are_stored_by_name(store: GraphStore) -> None:
    assert store.get_document("resolver.model") is None
    store.put_document("resolver.model", {"lambda": 0.01, "fields": {"name": [0.9, 0.1]}})
    store.put_document("resolver.model", {"lambda": 0.02})
    assert store.get_document("resolver.model") == {"lambda": 0.02}


def test_blocking_keys_are_replaced_per_record(store: GraphStore) -> None:
    store.write(mixed_batch())
    store.set_blocking_keys({key(1): ["n:ann|1990", "p:200000|a"], key(2): ["n:ann|1990"]})
    assert store.records_by_blocking_key(["n:ann|1990", "p:200000|a", "none"]) == {
        "n:ann|1990": [key(1), key(2)],
        "p:200000|a": [key(1)],
    }
    store.set_blocking_keys({key(1): ["n:anna|1990"]})
    assert store.records_by_blocking_key(["n:ann|1990", "n:anna|1990", "p:200000|a"]) == {
        "n:ann|1990": [key(2)],
        "n:anna|1990": [key(1)],
    }
    with pytest.raises(UnknownRecordError):
        store.set_blocking_keys({key("ghost"): ["x"]})


def test_a_resolution_replaces_blocking_keys_with_the_rest(store: GraphStore) -> None:
    store.write(mixed_batch())
    store.set_blocking_keys({key(1): ["old"]})
    store.write_resolution(
        Resolution(
            entities=(Entity(id="p1", kind=EntityKind.PROFILE, members=(key(1),), created_at=T0),),
            blocking_keys=((key(1), ("new",)), (key(2), ("new", "other"))),
        )
    )
    assert store.records_by_blocking_key(["old", "new", "other"]) == {"new": [key(1), key(2)], "other": [key(2)]}


# -- durability and isolation ----------------------------------------------------------------------------


def test_data_survives_reopening(store_factory: StoreFactory) -> None:
    first = store_factory()
    first.write(mixed_batch())
    before = snapshot(first)
    first.close()
    assert snapshot(store_factory()) == before


def test_concurrent_reader_never_sees_a_partial_batch(store_factory: StoreFactory) -> None:
    writer, reader = store_factory(), store_factory()
    size, batches = 200, 8
    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                counts = reader.counts()
                seen.append((counts["Customer"], counts["HAS_EMAIL"]))
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for n in range(batches):
            writer.write(customers_batch(n * size, size))
    finally:
        done.set()
        thread.join()
    assert not errors
    assert seen, "the reader never ran"
    for customers, links in seen:
        assert customers == links and customers % size == 0, (customers, links)
    assert reader.counts()["Customer"] == size * batches


def test_open_store_rejects_unknown_schemes() -> None:
    with pytest.raises(UnsupportedStoreURLError, match="postgres"):
        open_store("postgres://localhost/db")


def test_a_streamed_resolution_takes_keys_and_ids_with_any_characters(store: GraphStore) -> None:
    odd = [key("a\x00b"), key("引号\"'\\"), key("x" * 300)]
    store.write(GraphBatch(records=tuple(customer(k.source_id) for k in odd)))
    entities = [
        Entity(id="p\x001", kind=EntityKind.PROFILE, members=(odd[0], odd[1]), created_at=T0),
        Entity(id="p-2", kind=EntityKind.PROFILE, members=(odd[2],), created_at=T0),
    ]
    store.write_resolution_stream(Resolution(), iter([entities[:1], entities[1:]]))
    assert store.entity_ids_of(odd) == {odd[0]: "p\x001", odd[1]: "p\x001", odd[2]: "p-2"}
    assert store.get_entity("p\x001") == entities[0]
