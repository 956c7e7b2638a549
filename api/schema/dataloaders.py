"""DataLoaders, one set per request: they turn the N reads of a page of results into one store call per kind of read.

Store calls are synchronous. On the embedded SQLite store a batch runs inline on the event loop: a read of a few
indexed rows takes 50-100 us, less than the hop to a worker thread and back (WAL readers never wait for a writer).
On a networked store (Neo4j) a batch runs in a worker thread so the event loop stays free while it waits.
A loader also caches within its request, so a record or entity read twice in one query is read once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cached_property, partial
from inspect import isawaitable
from typing import Any, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from graph import Direction, Entity, GraphStore, HistoryEvent, Identifier, Neighbour, Record, RecordKey, RelType
from graph.sqlite import SqliteGraphStore

K = TypeVar("K")
V = TypeVar("V")
P = ParamSpec("P")
T = TypeVar("T")
U = TypeVar("U")


def reads_inline(store: GraphStore) -> bool:
    """Whether short reads of `store` run on the event loop (the embedded SQLite store) rather than in a thread."""
    return isinstance(store, SqliteGraphStore)


def _loader(fetch: Callable[[list[K]], Mapping[K, V]], missing: V, *, inline: bool) -> DataLoader[K, V]:
    """A DataLoader over a store read that takes many keys and returns a mapping of those it found."""

    async def load(keys: Sequence[K]) -> list[V]:
        found = fetch(list(keys)) if inline else await run_in_threadpool(fetch, list(keys))
        return [found.get(key, missing) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """The request's loaders. Add one per kind of batched read; each costs one store call per batch.

    Areas that need a batched read the store offers add a loader here (one line).
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.inline = reads_inline(store)
        self._primed: dict[str, dict[Any, Any]] | None = None  # values for loaders not made yet, by loader name

    def prime(self, name: str, values: Mapping[Any, Any]) -> None:
        """Prime the loader `name` (entity, identifiers, ...) with values read another way, as `prime_many` does
        (a key already there keeps its value). A loader not made yet is not made for this: it gets the values when
        it is first used, and most requests never use it."""
        loader = self.__dict__.get(name)
        if loader is not None:
            loader.prime_many(values)
            return
        if self._primed is None:
            self._primed = {}
        pending = self._primed.setdefault(name, {})
        for key, value in values.items():
            pending.setdefault(key, value)

    def _made(self, name: str, loader: DataLoader[K, V]) -> DataLoader[K, V]:
        if self._primed is not None and name in self._primed:
            loader.prime_many(self._primed.pop(name))
        return loader

    # Each loader is made on first use: most requests need one or two of them. None refers back to this object
    # (the fetch functions take the store), so a request's loaders are freed by reference counting, not by the
    # cycle collector.
    @cached_property
    def record(self) -> DataLoader[RecordKey, Record | None]:
        return self._made("record", _loader(self.store.get_records, None, inline=self.inline))

    @cached_property
    def identifiers(self) -> DataLoader[RecordKey, list[Identifier]]:
        return self._made("identifiers", _loader(self.store.identifiers_of, [], inline=self.inline))

    @cached_property
    def entity_id(self) -> DataLoader[RecordKey, str | None]:
        return self._made("entity_id", _loader(self.store.entity_ids_of, None, inline=self.inline))

    @cached_property
    def entity(self) -> DataLoader[str, Entity | None]:
        """By ID or alias: an alias loads its survivor."""
        return self._made("entity", _loader(self.store.get_entities, None, inline=self.inline))

    @cached_property
    def history(self) -> DataLoader[str, list[HistoryEvent]]:
        return self._made("history", _loader(self.store.histories, [], inline=self.inline))

    @cached_property
    def neighbours(self) -> DataLoader[tuple[RecordKey, RelType, Direction], list[Neighbour]]:
        """Records joined by one relationship type and direction (WORKS_AT in, FOR in, ...): one call per pair."""
        return self._made("neighbours", _loader(partial(_neighbours, self.store), [], inline=self.inline))

    async def read(self, fetch: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """A short store read not worth a loader (one query of a few rows): inline on SQLite, else in a thread."""
        if self.inline:
            return fetch(*args, **kwargs)
        return await run_in_threadpool(fetch, *args, **kwargs)

    def read_now(self, fetch: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | Awaitable[T]:
        """As `read`, for a resolver that need not be a coroutine: on SQLite the value itself (read inline, so
        graphql-core completes the field at once, with no coroutine or task), else an awaitable of it."""
        if self.inline:
            return fetch(*args, **kwargs)
        return run_in_threadpool(fetch, *args, **kwargs)


def then(result: T | Awaitable[T], build: Callable[[T], U]) -> U | Awaitable[U]:
    """`build(result)`, now when `result` is a value (Loaders.read_now on SQLite), else once it is awaited."""
    if isawaitable(result):
        pending = result

        async def later() -> U:
            return build(await pending)

        return later()
    return build(result)  # not awaitable: a T


def _neighbours(
    store: GraphStore, keys: list[tuple[RecordKey, RelType, Direction]]
) -> dict[tuple[RecordKey, RelType, Direction], list[Neighbour]]:
    groups: dict[tuple[RelType, Direction], list[RecordKey]] = {}
    for key, rel, direction in keys:
        groups.setdefault((rel, direction), []).append(key)
    return {
        (key, rel, direction): found
        for (rel, direction), records in groups.items()
        for key, found in store.neighbours_of(records, rel, direction).items()
    }
