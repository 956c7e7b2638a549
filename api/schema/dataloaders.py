"""DataLoaders, one set per request: they turn the N reads of a page of results into one store call per kind of read.

Store calls are synchronous (SQLite, the Neo4j driver); a batch runs in a worker thread so the event loop stays free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from graph import Entity, GraphStore, Identifier, Record, RecordKey

K = TypeVar("K")
V = TypeVar("V")


def _loader(fetch: Callable[[list[K]], Mapping[K, V]], missing: V) -> DataLoader[K, V]:
    """A DataLoader over a store read that takes many keys and returns a mapping of those it found."""

    async def load(keys: Sequence[K]) -> list[V]:
        found = await run_in_threadpool(fetch, list(keys))
        return [found.get(key, missing) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """The request's loaders. Add one per kind of batched read; each costs one store call per batch."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.record: DataLoader[RecordKey, Record | None] = _loader(store.get_records, None)
        self.identifiers: DataLoader[RecordKey, list[Identifier]] = _loader(store.identifiers_of, [])
        self.entity_id: DataLoader[RecordKey, str | None] = _loader(store.entity_ids_of, None)
        self.entity: DataLoader[str, Entity | None] = _loader(self._entities, None)

    def _entities(self, ids: list[str]) -> dict[str, Entity | None]:
        return {entity_id: self.store.get_entity(entity_id) for entity_id in ids}
