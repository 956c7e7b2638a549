"""The fast execution paths answer exactly as strawberry's own machinery: direct field reads and resolvers
(api.schema.execution, api.schema.direct_resolvers), compiled argument conversion, the plain ASGI GraphQL endpoint;
and a served request is freed by reference counting, not left to the cycle collector."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest
from graphql import GraphQLInputType, GraphQLNonNull, coerce_input_value
from starlette.types import ASGIApp, Receive, Send
from starlette.types import Scope as AsgiScope
from strawberry.http import process_result
from strawberry.types.arguments import convert_argument

from api.app import create_app
from api.schema import build_schema
from api.schema.context import Context
from api.schema.direct_resolvers import _Compiler
from api.schema.mutations.track import EventInput
from api.schema.segments import SegmentInput
from api.security.keys import create_key
from api.security.principal import Principal
from api.security.scopes import Scope
from api.settings import Settings
from graph import EntityKind, GraphStore, IdentifierKind, open_store

from .conftest import ALL_READ, ClientFactory, gql

pytestmark = pytest.mark.anyio

WIDE = """
query P($v: String!, $since: DateTime) { profileByIdentifier(kind: EMAIL, value: $v) {
  id createdAt __typename
  traits { name value source policy } some: traits(names: ["email", "city"]) { name value }
  identifiers { kind value system } phones: identifiers(kinds: [PHONE]) { value }
  records { kind source sourceId properties identifiers { kind value } }
  consents { purpose granted source updatedAt explicit history { granted source at } }
  events(first: 4, since: $since) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { source sourceId type timestamp channel amount currency originalAmount originalCurrency
                          quantity performedBy properties } }
  }
  history { at action cause profileId records { source sourceId } others }
  organizations { id name domains }
} }
"""
READ_ONLY = frozenset({Scope.PROFILES_READ})
INGEST = frozenset({Scope.INGEST_WRITE})


@pytest.fixture
def store(demo_store_url: str) -> Iterator[GraphStore]:
    opened = open_store(demo_store_url)
    yield opened
    opened.close()


def _emails(store: GraphStore, count: int) -> list[str]:
    emails: list[str] = []
    for entity in store.iter_entities(EntityKind.PROFILE):
        held = store.identifiers_of(list(entity.members))
        emails += [i.value for ids in held.values() for i in ids if i.kind is IdentifierKind.EMAIL][:1]
        if len(emails) >= count:
            break
    return emails


def _context(store: GraphStore, scopes: frozenset[Scope]) -> Context:
    return Context(store=store, settings=Settings(store="sqlite:///unused.db"), principal=Principal("k", "t", scopes))


async def _answer(schema: Any, store: GraphStore, scopes: frozenset[Scope], query: str, **variables: Any) -> bytes:
    context = _context(store, scopes)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    return orjson.dumps(process_result(result))


@pytest.mark.parametrize("production", [True, False])
async def test_the_fast_paths_answer_byte_for_byte_as_strawberry_does(store: GraphStore, production: bool) -> None:
    fast, plain = build_schema(production=production), build_schema(production=production, fast=False)
    cases: list[tuple[frozenset[Scope], str, dict[str, Any]]] = []
    for email in _emails(store, 25):
        for scopes in (ALL_READ, READ_ONLY):  # unmasked and masked
            cases.append((scopes, WIDE, {"v": email}))
    cases += [
        (ALL_READ, WIDE, {"v": "nobody@example.com"}),  # no such profile: null
        (ALL_READ, WIDE, {"v": "no-at-sign"}),  # bad input: an error naming the argument
        (ALL_READ, WIDE, {"v": cases[0][2]["v"], "since": "2020-01-01T00:00:00"}),  # no time zone: a field error
        (ALL_READ, 'mutation { deleteSegment(name: "x") }', {}),  # FORBIDDEN from the scope check
        (INGEST, 'query { profile(id: "p-1") { id } }', {}),  # refused before execution
    ]
    for scopes, query, variables in cases:
        expected = await _answer(plain, store, scopes, query, **variables)
        assert await _answer(fast, store, scopes, query, **variables) == expected, (scopes, variables)


PAGE = """
query { profiles(first: 5) { edges { node { id identifiers { kind value } consents { purpose granted }
  events(first: 2) { pageInfo { hasNextPage endCursor } edges { cursor node { type } } } } } } }
"""


async def test_reads_in_worker_threads_answer_as_inline_reads(store: GraphStore) -> None:
    """The profile fields that read inline on SQLite (root look-up, identifiers, consents, events) return an
    awaitable when the store's reads go to worker threads (a networked store): the same answers, errors included."""
    schema = build_schema(production=True)

    async def answer(inline: bool, query: str, **variables: Any) -> bytes:
        context = _context(store, ALL_READ)
        context.loaders.inline = inline
        result = await schema.execute(query, variable_values=variables, context_value=context)
        return orjson.dumps(process_result(result))

    email = _emails(store, 1)[0]
    cases: list[tuple[str, dict[str, Any]]] = [
        (WIDE, {"v": email}),
        (WIDE, {"v": "nobody@example.com"}),
        (WIDE, {"v": email, "since": "2020-01-01T00:00:00"}),  # no time zone: a field error
        (PAGE, {}),
    ]
    for query, variables in cases:
        inline = await answer(True, query, **variables)
        assert b'"profile' in inline
        assert await answer(False, query, **variables) == inline, variables


async def test_plans_shared_between_requests_follow_each_requests_directives(store: GraphStore) -> None:
    """Plans of plain sub-selections are shared by the requests of one document; a sub-field under
    `@include(if: $var)` is planned per request."""
    schema = build_schema(production=True)
    query = (
        "query ($v: String!, $with: Boolean!) { profileByIdentifier(kind: EMAIL, value: $v) {"
        " traits { name source @include(if: $with) } identifiers { kind value } } }"
    )
    email = _emails(store, 1)[0]
    for include in (True, False, True):
        body = orjson.loads(await _answer(schema, store, ALL_READ, query, v=email, **{"with": include}))
        profile = body["data"]["profileByIdentifier"]
        assert profile["identifiers"] and profile["traits"]
        assert all(("source" in trait) is include for trait in profile["traits"])


def _coerced(schema: Any, type_name: str, value: Any) -> Any:
    """The value as graphql-core hands it to a resolver (enums as members, names as in the schema)."""
    graphql_type: GraphQLInputType = GraphQLNonNull(schema._schema.get_type(type_name))
    return coerce_input_value(value, graphql_type)


@pytest.mark.parametrize(
    ("python_type", "type_name", "value"),
    [
        (EventInput, "EventInput", {"type": "page_view", "identifiers": [{"kind": "DEVICE", "value": "d-1"}]}),
        (
            EventInput,
            "EventInput",
            {
                "type": "purchase",
                "identifiers": [
                    {"kind": "ACCOUNT", "value": "U1", "system": "eshop"},
                    {"kind": "EMAIL", "value": "a@b.c"},
                ],
                "timestamp": "2024-05-01T10:00:00Z",
                "channel": None,
                "source": "pos",
                "id": "e-1",
                "properties": {"basket": [1, {"sku": "x"}], "ok": True},
                "amount": 9.5,
                "currency": "EUR",
                "quantity": 2,
            },
        ),
        (
            SegmentInput,
            "SegmentInput",
            {
                "all": [
                    {"trait": {"name": "city", "op": "IN", "value": ["Oslo", "Bergen"]}},
                    {"not": {"any": [{"consent": {"purpose": "email"}}, {"identifier": {"kind": "PHONE"}}]}},
                    {"event": {"types": ["purchase"], "windowDays": 7, "count": {"gte": 2}}},
                ]
            },
        ),
    ],
)
def test_compiled_argument_conversion_builds_what_strawberry_builds(
    python_type: type, type_name: str, value: dict[str, Any]
) -> None:
    schema = build_schema()
    raw = _coerced(schema, type_name, value)
    compiled = _Compiler(schema).converter(python_type)
    assert compiled is not None
    expected = convert_argument(raw, python_type, schema.schema_converter.scalar_registry, schema.config)
    assert compiled(raw) == expected
    if python_type is EventInput and "timestamp" in value:
        assert compiled(raw).timestamp == datetime(2024, 5, 1, 10, tzinfo=UTC)


async def test_a_served_request_is_freed_without_the_cycle_collector(store: GraphStore) -> None:
    schema = build_schema(production=True)
    email = _emails(store, 1)[0]
    context = _context(store, ALL_READ)
    alive = weakref.ref(context)
    gc.collect()
    gc.disable()
    try:
        result = await schema.execute(WIDE, variable_values={"v": email}, context_value=context)
        assert not result.errors and result.data
        del context, result
        # The executor, the request's loaders and its records go with the last reference, not at a later (slow,
        # on a busy server) full collection.
        assert alive() is None
    finally:
        gc.enable()


class _Counting:
    """A pure ASGI middleware counting the HTTP requests it sees."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[str] = []

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            _Counting.last = self
            self.seen.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)

    last: _Counting | None = None


async def test_graphql_requests_pass_middleware_added_to_the_app(
    demo_store_url: str, client_for: ClientFactory
) -> None:
    query = "{ __typename }"
    direct = await client_for(ALL_READ)
    assert (await gql(direct, query))["data"] == {"__typename": "Query"}
    app = create_app(Settings(store=demo_store_url))
    app.add_middleware(_Counting)
    key = create_key(app.state.store, "t", ALL_READ)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers={"Authorization": f"Bearer {key}"}
        ) as client:
            assert (await gql(client, query))["data"] == {"__typename": "Query"}
            refused = await client.post("/graphql", json={"query": query}, headers={"Authorization": "Bearer nope"})
            assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
            assert refused.json() == {"detail": "a valid API key is needed: Authorization: Bearer <key>"}
    finally:
        app.state.store.close()
    assert _Counting.last is not None and _Counting.last.seen == ["POST /graphql", "POST /graphql"]
