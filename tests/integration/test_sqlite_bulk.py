"""The SQLite store's paths for large writes (scans instead of look-ups, indexes rebuilt, rows staged and sorted)
keep the store contract: here they are taken for writes of any size."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph import (
    EntityKind,
    GraphBatch,
    GraphStore,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Record,
    RecordKey,
    RecordKind,
    RelType,
    open_store,
)
from graph.sqlite import bulk

from . import test_store_contract as contract

# The contract tests that need nothing but a store.
CONTRACT = [
    function
    for name, function in sorted(vars(contract).items())
    if name.startswith("test_") and list(inspect.signature(function).parameters) == ["store"]
]


@pytest.fixture
def bulk_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "SCAN_FROM", 1)
    monkeypatch.setattr(bulk, "REBUILD_FROM", 1)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[GraphStore]:
    store = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    yield store
    store.close()


@pytest.mark.parametrize("test", CONTRACT, ids=lambda f: f.__name__)
def test_the_contract_holds_on_the_bulk_paths(
    test: Callable[[GraphStore], None], bulk_paths: None, sqlite_store: GraphStore
) -> None:
    test(sqlite_store)


def test_the_bulk_paths_are_taken(bulk_paths: None, sqlite_store: GraphStore) -> None:
    assert len(CONTRACT) > 20
    c = sqlite_store._connection()  # type: ignore[attr-defined]
    assert bulk.is_empty(c, "blocking_keys")
    contract.test_a_resolution_replaces_blocking_keys_with_the_rest(sqlite_store)
    # The indexes dropped for the bulk insert are back, as the migrations defined them.
    indexes = {row[0] for row in c.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    assert {"blocking_keys_by_record", "resolves_to_by_entity", "entities_by_kind"} <= indexes


def _people(first: int, count: int, renamed: bool = False) -> GraphBatch:
    """Person records: pairs sharing an e-mail, near-duplicates that only fuzzy matching joins, and loners."""
    records, links = [], []
    for n in range(first, first + count):
        name = ("Anna", "Bobby", "Cyril", "Diana")[n // 3 % 4] + ("x" if renamed and n % 5 == 0 else "")
        properties = {"first_name": name, "last_name": f"Family{n // 3}", "birth_date": f"19{50 + n // 3 % 40}-03-04"}
        records.append(Record(kind=RecordKind.CUSTOMER, key=k(n), properties={**properties, "city": "Berlin"}))
        if n % 3 != 2:
            links.append(IdentifierLink(record=k(n), identifier=Identifier(IdentifierKind.EMAIL, f"e{n // 3}@x.org")))
    return GraphBatch(records=tuple(records), links=tuple(links))


def k(n: int) -> RecordKey:
    return RecordKey("crm", f"{n:04d}")


def _graph(store: GraphStore) -> tuple[object, ...]:
    entities = [(e.id, e.traits, e.members, e.created_at) for e in store.iter_entities(EntityKind.PROFILE)]
    history = [(e.action, e.records, e.others) for entity in entities for e in store.history(entity[0])]
    same_as = [(r.start, r.end, r.properties) for r in store.iter_relations(RelType.SAME_AS)]
    c = store._connection()  # type: ignore[attr-defined]
    blocks = c.execute(
        "SELECT b.key, r.source, r.source_id FROM blocking_keys b JOIN records r ON r.id = b.record_id ORDER BY 1, 2, 3"
    ).fetchall()
    resolves = c.execute(
        "SELECT r.source, r.source_id, t.entity_id FROM resolves_to t JOIN records r ON r.id = t.record_id"
        " ORDER BY 1, 2"
    ).fetchall()
    aliases = c.execute("SELECT alias, entity_id FROM entity_aliases ORDER BY 1").fetchall()
    return entities, history, same_as, blocks, resolves, aliases, store.counts()


def test_a_resolve_writes_the_same_graph_on_either_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from resolver import resolve

    graphs = []
    for name in ("plain", "bulk"):
        if name == "bulk":
            monkeypatch.setattr(bulk, "SCAN_FROM", 1)
            monkeypatch.setattr(bulk, "REBUILD_FROM", 1)
        store = open_store(f"sqlite:///{tmp_path / name}.db")
        store.write(_people(0, 90))
        resolve(store)
        # Renamed records and new ones: profiles split, merge and change, blocking keys are replaced.
        store.write(_people(0, 30, renamed=True))
        store.write(_people(90, 30))
        store.write(
            GraphBatch(links=(IdentifierLink(record=k(2), identifier=Identifier(IdentifierKind.EMAIL, "e5@x.org")),))
        )
        resolve(store)
        before = _graph(store)
        resolve(store)  # a re-run changes nothing
        assert _graph(store) == before
        graphs.append(before)
        store.close()
    plain, large = graphs
    assert plain[0] and plain[2] and plain[3] and plain[5]  # profiles, SAME_AS links, blocking keys, aliases
    # Apart from the creation times of the profiles (each run has its own clock), the same graph.
    assert [(i, t, m) for i, t, m, _ in plain[0]] == [(i, t, m) for i, t, m, _ in large[0]]  # type: ignore[attr-defined]
    assert plain[1:] == large[1:]
