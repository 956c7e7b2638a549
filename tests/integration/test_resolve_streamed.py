"""Batch resolve writes its entities chunk by chunk and its blocking index in a second thread: the graph is the same
as with everything written at once, on the first run and on a re-run that merges and splits."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph import (
    EntityKind,
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
    RelType,
    open_store,
)
from resolver import Rules, batch, resolve
from resolver.matching import PrefixedKeys

FIRST = ("Anna", "Boris", "Chen", "Dana", "Emil", "Fatima")
LAST = ("Meyer", "Li", "Okafor", "Silva")


def people(n: int, *, bridge: bool) -> GraphBatch:
    """People in fours: two share an e-mail, the other two match them only fuzzily; `bridge` adds an account
    joining two of them (a merge on the re-run)."""
    records, links = [], []
    for i in range(n):
        key = RecordKey("crm" if i % 3 else "web", f"{i:03d}")
        first = FIRST[i // 4 % len(FIRST)] + ("a" if i % 7 == 0 else "")
        properties = {
            "first_name": first,
            "last_name": LAST[i // 4 % len(LAST)],
            "birth_date": f"19{60 + i // 4 % 30}-0{1 + i // 4 % 9}-1{i // 4 % 10}",
            "city": ("Berlin", "Lagos", "Shanghai")[i // 4 % 3],
            "postcode": f"{10000 + i // 4}",
            "street": f"{i // 4 + 1} Main Street",
            "gender": ("f", "m")[i // 4 % 2],
            "email": f"person{i // 4}@mail.example",
            "created_at": f"2024-01-{1 + i % 28:02d}",
        }
        records.append(Record(kind=RecordKind.CUSTOMER, key=key, properties=properties))
        if i % 4 < 2:
            links.append(IdentifierLink(record=key, identifier=Identifier(IdentifierKind.EMAIL, f"g{i // 4}@x.org")))
        if bridge and i in (4, 40):
            links.append(IdentifierLink(record=key, identifier=Identifier(IdentifierKind.ACCOUNT, "shared-1", "shop")))
    return GraphBatch(records=tuple(records), links=tuple(links))


def state(store: GraphStore) -> tuple[object, ...]:
    """The resolved graph without the run's timestamps."""
    profiles = list(store.iter_entities(EntityKind.PROFILE))
    keys = [r.key for r in store.iter_records([RecordKind.CUSTOMER])]
    history = {p.id: [(h.action, h.cause, h.records, h.others) for h in store.history(p.id)] for p in profiles}
    return (
        store.counts(),
        [(p.id, p.traits, p.members) for p in profiles],
        store.entity_ids_of(keys),
        list(store.iter_relations(RelType.SAME_AS)),
        history,
        store.records_by_blocking_key(
            sorted({k for r in store.get_records(keys).values() for k in _keys_of(store, r.key)})
        ),
    )


def _keys_of(store: GraphStore, key: RecordKey) -> list[str]:
    c = store._connection()  # type: ignore[attr-defined]
    rows = c.execute(
        "SELECT b.key FROM blocking_keys b JOIN records r ON r.id = b.record_id WHERE r.source = ? AND r.source_id = ?",
        tuple(key),
    )
    return [row[0] for row in rows]


def run(path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch) -> tuple[object, ...]:
    monkeypatch.setattr(batch, "ENTITY_CHUNK", chunk)
    store = open_store(f"sqlite:///{path}")
    try:
        store.write(people(60, bridge=False))
        resolve(store, Rules())
        first = state(store)
        store.write(people(60, bridge=True))
        store.put_override(
            Override(
                a=RecordKey("crm", "020"),
                b=RecordKey("crm", "022"),
                kind=OverrideKind.NEVER_LINK,
                reason="r",
                author="t",
                created_at=datetime(2024, 1, 1, tzinfo=UTC),
            )
        )
        summary = resolve(store, Rules())
        assert summary.profiles.merges and summary.profiles.splits
        return first, state(store)
    finally:
        store.close()


def test_entities_written_in_chunks_give_the_graph_written_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = run(tmp_path / "whole.db", 1_000_000, monkeypatch)
    chunked = run(tmp_path / "chunked.db", 3, monkeypatch)
    assert chunked == whole
    first, second = whole
    assert first != second and first[3]  # fuzzy links were made, and the re-run changed the graph


def test_prefixed_blocking_keys_read_as_the_prefixed_lists() -> None:
    held = {RecordKey("crm", "1"): ["ny:ann|1980", "ph:+1"], RecordKey("crm", "2"): []}
    prefixed = PrefixedKeys(held, "p|")
    expected = {RecordKey("crm", "1"): ["p|ny:ann|1980", "p|ph:+1"], RecordKey("crm", "2"): []}
    assert dict(prefixed.items()) == expected == {k: prefixed[k] for k in prefixed}
    assert len(prefixed) == 2 and list(prefixed) == list(held)


def test_runs_reuse_the_background_writer_and_its_connection(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    try:
        store.write(people(24, bridge=False))
        for _ in range(3):
            resolve(store, Rules(), full=True)
        # This thread's connection and the background writer's: not one more per run.
        assert len(store._connections) == 2  # type: ignore[attr-defined]
    finally:
        store.close()
