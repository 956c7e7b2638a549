"""explainLink: the path joining two records of one profile, the reasons two records are apart, and masking."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.security.scopes import Scope
from graph import EntityKind, GraphStore, IdentifierKind, RecordKey, open_store
from resolver.explain import explain

from .conftest import ClientFactory, gql

pytestmark = pytest.mark.anyio

EXPLAIN = """
query ($a: RecordRef!, $b: RecordRef!) {
  explainLink(a: $a, b: $b) {
    a { source sourceId } b { source sourceId }
    joined entityA entityB
    path { start { source sourceId } end { source sourceId } via identifier { kind value system } score rule }
    reasons fuzzyScore fuzzyEvidence
  }
}
"""


@pytest.fixture
def demo_store(demo_store_url: str) -> Iterator[GraphStore]:
    store = open_store(demo_store_url)
    yield store
    store.close()


def ref(key: RecordKey) -> dict[str, str]:
    return {"source": key.source, "sourceId": key.source_id}


async def test_two_records_of_one_profile(client_for: ClientFactory, demo_store: GraphStore) -> None:
    entity = max(demo_store.iter_entities(EntityKind.PROFILE), key=lambda e: len(e.members))
    a, b = entity.members[0], entity.members[-1]
    expected = explain(demo_store, a, b)
    body = await gql(await client_for(), EXPLAIN, a=ref(a), b=ref(b))
    result = body["data"]["explainLink"]
    assert result["joined"] is True and result["entityA"] == result["entityB"] == entity.id
    assert result["a"] == ref(a) and result["b"] == ref(b)
    assert [(s["start"], s["end"], s["via"]) for s in result["path"]] == [
        (ref(RecordKey(*s.start.split("/", 1))), ref(RecordKey(*s.end.split("/", 1))), s.via.upper())
        for s in expected.path
    ]
    assert result["path"][0]["start"] == ref(a) and result["path"][-1]["end"] == ref(b)
    for step, original in zip(result["path"], expected.path, strict=True):
        if step["via"] == "IDENTIFIER":
            identifier = step["identifier"]
            assert original.identifier == f"{identifier['kind']} {identifier['value']}" + (
                f" ({identifier['system']})" if identifier["system"] else ""
            )
    assert result["reasons"] == expected.reasons
    assert result["fuzzyEvidence"] == expected.fuzzy_evidence


async def test_records_apart_and_masking(client_for: ClientFactory, demo_store: GraphStore) -> None:
    shared = demo_store.shared_identifiers(IdentifierKind.PHONE, min_entities=2, limit=1)[0]
    first, second = (demo_store.get_entity(entity_id) for entity_id in shared.entity_ids[:2])
    assert first is not None and second is not None
    holders = set(demo_store.records_with(shared.identifier))
    a = next(k for k in first.members if k in holders)
    b = next(k for k in second.members if k in holders)
    full = (await gql(await client_for(), EXPLAIN, a=ref(a), b=ref(b)))["data"]["explainLink"]
    assert full["joined"] is False and full["entityA"] == first.id and full["entityB"] == second.id
    assert full["reasons"]
    masked_body = await gql(await client_for(frozenset({Scope.PROFILES_READ})), EXPLAIN, a=ref(a), b=ref(b))
    masked = masked_body["data"]["explainLink"]
    assert len(masked["reasons"]) == len(full["reasons"]) and masked["joined"] is False
    text = str(masked_body)
    held = demo_store.identifiers_of([a, b])
    for identifier in {i for ids in held.values() for i in ids}:
        if identifier.kind in {IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.DEVICE}:
            assert identifier.value not in text
    records = demo_store.get_records([a, b])
    for record in records.values():
        for name in ("first_name", "last_name", "full_name"):
            value = record.properties.get(name)
            if isinstance(value, str) and len(value) > 2:
                assert repr(value) not in text
    if full["fuzzyEvidence"]:
        assert len(masked["fuzzyEvidence"]) == len(full["fuzzyEvidence"])
        assert all(
            m.endswith(")") and f.startswith(m)
            for m, f in zip(masked["fuzzyEvidence"], full["fuzzyEvidence"], strict=True)
        )


async def test_unknown_records_give_null_and_blank_keys_an_error(client_for: ClientFactory) -> None:
    client = await client_for()
    unknown = await gql(client, EXPLAIN, a={"source": "crm", "sourceId": "nope"}, b={"source": "crm", "sourceId": "x"})
    assert unknown["data"] == {"explainLink": None} and "errors" not in unknown
    blank = await gql(client, EXPLAIN, a={"source": " ", "sourceId": "1"}, b={"source": "crm", "sourceId": "x"})
    assert "argument 'a'" in blank["errors"][0]["message"]
