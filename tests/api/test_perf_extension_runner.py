"""The schema's extension runner (api.schema.extension_runner) runs hooks exactly as strawberry's own: the same
hooks in the same order, for sync and async generators and plain callables, with errors passed through; and the
API server's read connection gets its page cache (graph.sqlite.store.size_read_cache) at startup."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import strawberry
from strawberry.extensions import SchemaExtension

from api.app import create_app
from api.schema.errors import PrivateErrorsSchema
from api.settings import Settings
from graph.sqlite import SqliteGraphStore


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "hi"

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("boom")


def _extensions(calls: list[str]) -> list[type[SchemaExtension]]:
    class Generators(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            calls.append("operation:start")
            yield
            calls.append("operation:end")

        async def on_parse(self) -> AsyncIterator[None]:
            calls.append("parse:start")
            yield
            calls.append("parse:end")

        def on_execute(self) -> Iterator[None]:
            calls.append("execute:start")
            try:
                yield
            except Exception as exc:  # what reaches the hook: nothing, as in strawberry (errors are results)
                calls.append(f"execute:error {type(exc).__name__}")
                raise
            calls.append(f"execute:end errors={bool(self.execution_context.result.errors)}")  # type: ignore[union-attr]

    class Callables(SchemaExtension):
        def on_validate(self) -> None:  # type: ignore[override]
            calls.append("validate:callable")

        async def on_operation(self) -> None:  # type: ignore[override]
            calls.append("operation:async callable")

    return [Generators, Callables]


def _run(schema_class: type[strawberry.Schema], query: str) -> tuple[list[str], object, object]:
    calls: list[str] = []
    schema = schema_class(query=Query, extensions=_extensions(calls))
    result = asyncio.run(schema.execute(query))
    return calls, result.data, [e.message for e in result.errors or ()]


def test_hooks_run_in_strawberrys_order() -> None:
    for query in ("{ hello }", "{ broken }", "{ hello(", "{ nothing }"):
        assert _run(PrivateErrorsSchema, query) == _run(strawberry.Schema, query), query


def test_the_server_reads_through_a_larger_page_cache(tmp_path: Path) -> None:
    app = create_app(Settings(store=f"sqlite:///{tmp_path / 'graph.db'}", env="production"))
    store = app.state.store
    assert isinstance(store, SqliteGraphStore)

    async def cache_size_while_serving() -> int:
        async with app.router.lifespan_context(app):
            # The lifespan runs on the event loop's thread, the one requests read on.
            return int(store._connection().execute("PRAGMA cache_size").fetchone()[0])

    assert asyncio.run(cache_size_while_serving()) == -64 * 1024
