"""DataLoaders, one set per request: they turn the N reads of a page of results into one store call per kind of read.

Store calls are synchronous (SQLite, the Neo4j driver); a batch runs in a worker thread so the event loop stays free.
A loader also caches within its request, so a record or entity read twice in one query is read once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from graph import Direction, Entity, GraphStore, HistoryEvent, Identifier, Neighbour, Record, RecordKey, RelType

K = TypeVar("K")
V = TypeVar("V")


def _loader(fetch: Callable[[list[K]], Mapping[K, V]], missing: V) -> DataLoader[K, V]:
    """A DataLoader over a store read that takes many keys and returns a mapping of those it found."""

    async def load(keys: Sequence[K]) -> list[V]:
        found = await run_in_threadpool(fetch, list(keys))
        return [found.get(key, missing) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """The request's loaders. Add one per kind of batched read; each costs one store call per batch.

    Areas that need a batched read the store offers add a loader here (one line); reads the store can only
    answer one key at a time (`history`) still batch into one worker-thread hop, at one store call per key.
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.record: DataLoader[RecordKey, Record | None] = _loader(store.get_records, None)
        self.identifiers: DataLoader[RecordKey, list[Identifier]] = _loader(store.identifiers_of, [])
        self.entity_id: DataLoader[RecordKey, str | None] = _loader(store.entity_ids_of, None)
        # By ID or alias: an alias loads its survivor.
        self.entity: DataLoader[str, Entity | None] = _loader(store.get_entities, None)
        self.history: DataLoader[str, list[HistoryEvent]] = _loader(self._histories, [])
        # Records joined by one relationship type and direction (WORKS_AT in, FOR in, ...): one call per pair.
        self.neighbours: DataLoader[tuple[RecordKey, RelType, Direction], list[Neighbour]] = _loader(
            self._neighbours, []
        )

    def _histories(self, ids: list[str]) -> dict[str, list[HistoryEvent]]:
        return {entity_id: self.store.history(entity_id) for entity_id in ids}

    def _neighbours(
        self, keys: list[tuple[RecordKey, RelType, Direction]]
    ) -> dict[tuple[RecordKey, RelType, Direction], list[Neighbour]]:
        groups: dict[tuple[RelType, Direction], list[RecordKey]] = {}
        for key, rel, direction in keys:
            groups.setdefault((rel, direction), []).append(key)
        return {
            (key, rel, direction): found
            for (rel, direction), records in groups.items()
            for key, found in self.store.neighbours_of(records, rel, direction).items()
        }
