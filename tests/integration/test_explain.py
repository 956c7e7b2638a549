"""Explain: the evidence joining two records, or why they are not joined."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph import (
    GraphBatch,
    GraphStore,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Override,
    OverrideKind,
    Record,
    RecordKey,
    RecordKind,
    open_store,
)
from resolver import resolve
from resolver.explain import explain


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GraphStore]:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    yield store
    store.close()


def add(store: GraphStore, n: int, *identifiers: Identifier, **properties: object) -> RecordKey:
    key = RecordKey("crm", str(n))
    store.write(
        GraphBatch(
            records=(Record.model_validate({"kind": RecordKind.CUSTOMER, "key": key, "properties": properties}),),
            links=tuple(IdentifierLink(record=key, identifier=i) for i in identifiers),
        )
    )
    return key


def email(value: str) -> Identifier:
    return Identifier(IdentifierKind.EMAIL, value)


def test_the_path_of_identifiers_joining_two_records(store: GraphStore) -> None:
    a = add(store, 1, email("a@x.com"))
    add(store, 2, email("a@x.com"), Identifier(IdentifierKind.ACCOUNT, "L-1", "loyalty"))
    c = add(store, 3, Identifier(IdentifierKind.ACCOUNT, "L-1", "loyalty"))
    resolve(store)
    result = explain(store, a, c)
    assert result.joined
    assert [(s.start, s.end, s.identifier) for s in result.path] == [
        ("crm/1", "crm/2", "EMAIL a@x.com"),
        ("crm/2", "crm/3", "ACCOUNT L-1 (loyalty)"),
    ]
    assert result.entity_a == result.entity_b
    assert result.reasons == []


def test_a_blocked_value_is_named_as_the_reason(store: GraphStore) -> None:
    a = add(store, 1, email("test@test.com"))
    b = add(store, 2, email("test@test.com"))
    resolve(store)
    result = explain(store, a, b)
    assert not result.joined
    assert result.reasons[0] == "they share EMAIL test@test.com, but it is a blocked value"


def test_an_identifier_shared_by_too_many_records_is_named(store: GraphStore) -> None:
    call_centre = Identifier(IdentifierKind.PHONE, "+14155550000")
    keys = [add(store, n, call_centre) for n in range(12)]
    resolve(store)
    result = explain(store, keys[0], keys[1])
    assert not result.joined
    assert "shared by 12 records, more than the 10 allowed" in result.reasons[0]


def test_a_never_link_override_is_named(store: GraphStore) -> None:
    a = add(store, 1, email("a@x.com"))
    b = add(store, 2, email("a@x.com"))
    store.put_override(
        Override(kind=OverrideKind.NEVER_LINK, a=a, b=b, reason="twins", author="ops", created_at=datetime.now(UTC))
    )
    resolve(store)
    result = explain(store, a, b)
    assert not result.joined
    assert "never_link override set by ops: twins" in result.reasons


def test_a_fuzzy_score_below_the_threshold_is_named_with_its_evidence(store: GraphStore) -> None:
    for n in range(40):
        add(store, 100 + n, first_name=f"Name{n}", last_name=f"Family{n % 9}", birth_date=f"19{50 + n}-03-04")
    a = add(store, 1, first_name="Ann", last_name="Lee", birth_date="1990-01-02")
    b = add(store, 2, first_name="Bob", last_name="Lee", birth_date="1971-06-07")
    resolve(store)
    result = explain(store, a, b)
    assert not result.joined
    assert result.fuzzy_score is not None
    assert any(r.startswith("their match score") and "below the threshold 0.995" in r for r in result.reasons)
    assert any(line.startswith("name:") for line in result.fuzzy_evidence)


def test_records_of_different_entity_kinds(store: GraphStore) -> None:
    a = add(store, 1)
    company = RecordKey("b2b", "1")
    store.write(GraphBatch(records=(Record(kind=RecordKind.COMPANY, key=company, properties={"name": "Acme"}),)))
    assert "never resolve to one entity" in explain(store, a, company).reasons[0]
    with pytest.raises(KeyError, match="crm/404"):
        explain(store, a, RecordKey("crm", "404"))
