"""The erasure part of the GraphStore contract: forget an entity, keep a request record, a suppression list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graph import (
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
    Relation,
    RelType,
    Resolution,
)
from graph.erasure import ErasureStatus, SuppressionHasher

from .conftest import StoreFactory

T0 = datetime(2024, 1, 1, tzinfo=UTC)
T1 = datetime(2024, 6, 1, tzinfo=UTC)
HASH = SuppressionHasher(b"k" * 32)

ANN, ANN_WEB, BOB, CAROL = RecordKey("crm", "1"), RecordKey("web", "a1"), RecordKey("crm", "2"), RecordKey("crm", "3")
ANN_EVENT, BOB_EVENT = RecordKey("shop", "e1"), RecordKey("shop", "e2")
ANN_EMAIL = Identifier(IdentifierKind.EMAIL, "ann@example.com")
SHARED_PHONE = Identifier(IdentifierKind.PHONE, "+12025550100")
ANN_DEVICE = Identifier(IdentifierKind.DEVICE, "dev-ann")
BOB_EMAIL = Identifier(IdentifierKind.EMAIL, "bob@example.com")


def _person(key: RecordKey) -> Record:
    return Record(kind=RecordKind.CUSTOMER, key=key, properties={"first_name": "x"})


def _event(key: RecordKey) -> Record:
    return Record(kind=RecordKind.EVENT, key=key, properties={"type": "purchase", "timestamp": T0.isoformat()})


def _link(record: RecordKey, identifier: Identifier) -> IdentifierLink:
    return IdentifierLink(record=record, identifier=identifier)


def _override(a: RecordKey, b: RecordKey) -> Override:
    return Override(kind=OverrideKind.NEVER_LINK, a=a, b=b, reason="different people", author="tests", created_at=T0)


def _graph(store: GraphStore) -> None:
    """Ann (crm/1 + web/a1, profile P-ann, formerly also P-old) and Bob (crm/2, P-bob) share a phone."""
    store.write(
        GraphBatch(
            records=(
                _person(ANN),
                _person(ANN_WEB),
                _person(BOB),
                _person(CAROL),
                _event(ANN_EVENT),
                _event(BOB_EVENT),
            ),
            links=(
                _link(ANN, ANN_EMAIL),
                _link(ANN, SHARED_PHONE),
                _link(ANN, ANN_DEVICE),
                _link(ANN_WEB, ANN_DEVICE),
                _link(BOB, SHARED_PHONE),
                _link(BOB, BOB_EMAIL),
            ),
            relations=(
                Relation(type=RelType.PERFORMED, start=ANN, end=ANN_EVENT),
                Relation(type=RelType.PERFORMED, start=BOB, end=BOB_EVENT),
            ),
        )
    )
    store.write_resolution(
        Resolution(
            entities=(
                Entity(id="P-old", kind=EntityKind.PROFILE, members=(ANN_WEB,), created_at=T0),
                Entity(id="P-bob", kind=EntityKind.PROFILE, members=(BOB, CAROL), created_at=T0),
            ),
            history=(
                HistoryEvent(entity_id="P-old", at=T0, action=HistoryAction.CREATED, cause="t", records=(ANN_WEB,)),
            ),
        )
    )
    store.write_resolution(
        Resolution(
            entities=(Entity(id="P-ann", kind=EntityKind.PROFILE, members=(ANN, ANN_WEB), created_at=T0),),
            aliases={"P-old": "P-ann"},
            retired=("P-old",),
            same_as=(Relation(type=RelType.SAME_AS, start=ANN, end=BOB, properties={"score": 0.7, "rule": "name"}),),
            history=(
                HistoryEvent(entity_id="P-ann", at=T1, action=HistoryAction.MERGED, cause="t", others=("P-old",)),
            ),
            blocking_keys=((ANN, ("b:ann",)), (BOB, ("b:bob",))),
        )
    )
    store.put_override(_override(ANN, BOB))
    store.put_override(_override(BOB, CAROL))


def _bob_split_from_ann(store: GraphStore) -> None:
    """P-bob's history: Ann's first record split off from it, once with Carol's, once alone."""
    store.write_resolution(
        Resolution(
            history=(
                HistoryEvent(
                    entity_id="P-bob",
                    at=T0,
                    action=HistoryAction.SPLIT,
                    cause="t",
                    records=(ANN, CAROL),
                    others=("P-ann",),
                ),
                HistoryEvent(entity_id="P-bob", at=T1, action=HistoryAction.SPLIT, cause="t", records=(ANN,)),
                HistoryEvent(entity_id="P-bob", at=T1, action=HistoryAction.MERGED, cause="t", records=(BOB,)),
            ),
        )
    )


def test_erasing_an_entity_deletes_what_hangs_off_its_records(store: GraphStore) -> None:
    _graph(store)
    request = store.erase_entity("P-old", suppress=HASH, at=T1)  # an alias finds the survivor
    assert request is not None
    assert request.entity_id == "P-ann"
    assert request.status is ErasureStatus.DONE
    counts = request.counts
    assert (counts.records, counts.events, counts.identifiers, counts.entities, counts.aliases) == (2, 1, 2, 1, 1)
    assert counts.overrides == 1
    assert counts.history == 2
    assert counts.suppressed == 4  # Ann's email and device, her two record keys (not the shared phone)

    assert store.get_records([ANN, ANN_WEB, ANN_EVENT, BOB, CAROL, BOB_EVENT]).keys() == {BOB, CAROL, BOB_EVENT}
    assert store.records_with(ANN_EMAIL) == []
    assert store.records_with(ANN_DEVICE) == []
    assert store.records_with(SHARED_PHONE) == [BOB]
    assert store.get_entity("P-ann") is None
    assert store.get_entity("P-old") is None
    bob = store.get_entity("P-bob")
    assert bob is not None
    assert bob.members == (BOB, CAROL)
    assert store.history("P-ann") == []
    assert store.history("P-old") == []
    assert [(o.a, o.b) for o in store.overrides()] == [(BOB, CAROL)]
    assert list(store.iter_relations(RelType.SAME_AS)) == []
    assert store.records_by_blocking_key(["b:ann", "b:bob"]) == {"b:bob": [BOB]}
    counts_now = store.counts()
    assert counts_now[IdentifierKind.EMAIL.value] == 1
    assert counts_now[IdentifierKind.DEVICE.value] == 0
    assert counts_now[RecordKind.EVENT.value] == 1


def test_other_entities_history_no_longer_names_the_erased_records(store: GraphStore) -> None:
    _graph(store)
    _bob_split_from_ann(store)
    request = store.erase_entity("P-ann", suppress=HASH, at=T1)
    assert request is not None
    assert request.counts.history_mentions == 2
    history = store.history("P-bob")
    assert [(event.action, event.records, event.others) for event in history] == [
        (HistoryAction.SPLIT, (CAROL,), ("P-ann",)),
        (HistoryAction.SPLIT, (), ()),
        (HistoryAction.MERGED, (BOB,), ()),
    ]
    again = store.erase_entity("P-bob", suppress=HASH, at=T1)
    assert again is not None
    assert again.counts.history_mentions == 0


@pytest.mark.parametrize("source_id", ["张三", 'a"b\\c/d', "e1"])
def test_history_is_scrubbed_of_records_whose_ids_json_escapes(store: GraphStore, source_id: str) -> None:
    _graph(store)
    odd = RecordKey("pos", source_id)  # shop/e1 is an event: same needle, another pair, which stays
    store.write(GraphBatch(records=(_person(odd),)))
    store.write_resolution(
        Resolution(
            entities=(Entity(id="P-odd", kind=EntityKind.PROFILE, members=(odd,), created_at=T0),),
            history=(
                HistoryEvent(entity_id="P-bob", at=T1, action=HistoryAction.SPLIT, cause="t", records=(odd, BOB)),
                HistoryEvent(entity_id="P-bob", at=T1, action=HistoryAction.MERGED, cause="t", records=(ANN_EVENT,)),
            ),
        )
    )
    request = store.erase_entity("P-odd", suppress=HASH, at=T1)
    assert request is not None
    assert request.counts.history_mentions == 1
    assert [event.records for event in store.history("P-bob")] == [(BOB,), (ANN_EVENT,)]


def test_the_suppression_list_holds_keyed_hashes_of_what_only_the_entity_held(store: GraphStore) -> None:
    _graph(store)
    store.erase_entity("P-ann", suppress=HASH, at=T1)
    wanted = {HASH(ANN_EMAIL), HASH(ANN_DEVICE), HASH(ANN), HASH(ANN_WEB)}
    others = {HASH(SHARED_PHONE), HASH(BOB_EMAIL), HASH(BOB)}
    assert store.suppressed(wanted | others) == wanted
    assert set(store.iter_suppressed()) == wanted
    assert store.suppressed([]) == set()
    # No value is stored in the list: entries are 64 hex digits.
    assert all(len(h) == 64 and int(h, 16) >= 0 for h in store.iter_suppressed())


def test_an_erasure_request_is_kept_and_a_repeat_changes_nothing(store_factory: StoreFactory) -> None:
    store = store_factory()
    _graph(store)
    first = store.erase_entity("P-ann", suppress=HASH, at=T1)
    assert store.erase_entity("P-ann", suppress=HASH, at=T1) is None
    assert store.erase_entity("P-old", suppress=HASH, at=T1) is None
    reopened = store_factory()
    assert reopened.erasure_request("P-ann") == first
    assert reopened.erasure_request("P-old") == first
    assert reopened.erasure_request("P-bob") is None
    assert len(list(reopened.iter_suppressed())) == 4
    assert "ann@example.com" not in (first.model_dump_json() if first else "")


def test_erasing_an_unknown_entity_is_none_and_writes_nothing(store: GraphStore) -> None:
    _graph(store)
    before = store.counts()
    assert store.erase_entity("nobody", suppress=HASH, at=T1) is None
    assert store.counts() == before
    assert list(store.iter_suppressed()) == []
    assert store.erasure_request("nobody") is None


@pytest.mark.parametrize("size", [16, 64])
def test_suppression_hashes_depend_on_the_key(size: int) -> None:
    other = SuppressionHasher(b"o" * size)
    assert other(ANN_EMAIL) != HASH(ANN_EMAIL)
    assert HASH(ANN_EMAIL) == HASH(Identifier(IdentifierKind.EMAIL, "ann@example.com"))
    assert HASH(RecordKey("crm", "1")) != HASH(RecordKey("crm", "2"))
    with pytest.raises(ValueError, match="at least 16 bytes"):
        SuppressionHasher(b"short")
