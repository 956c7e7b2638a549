"""Query limits (depth, aliases, tokens, page size, cost) reject a document at validation: no resolver runs, and
no store call is made. Each limit is configurable; the defaults let ordinary queries through."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from api.schema import build_schema
from api.schema.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from api.security.limits import measure
from api.security.scopes import Scope

from ._security import CountingStore, ResolverCounter, codes, served

pytestmark = pytest.mark.anyio

READ = frozenset({Scope.PROFILES_READ, Scope.PII_READ})


def _nested(levels: int) -> str:
    """`profiles { edges { node { ... } } }` repeated through each profile's records' identifiers: deep."""
    inner = "id"
    for _ in range(levels):
        inner = f"profiles(first: 1) {{ edges {{ node {{ {inner} }} }} }}"
    return inner


# name -> (query, variables, settings, expected error code)
REJECTED: dict[str, tuple[str, dict[str, Any], dict[str, Any], str]] = {
    "depth": ('{ profile(id: "p") { records { identifiers { kind } } } }', {}, {"max_depth": 3}, "LIMIT_EXCEEDED"),
    "aliases": (
        "{ " + " ".join(f'a{i}: profile(id: "p-{i}") {{ id }}' for i in range(31)) + " }",
        {},
        {},
        "LIMIT_EXCEEDED",
    ),
    "aliases in fragments": (
        '{ ...F ...F } fragment F on Query { a: profile(id: "1") { id } b: profile(id: "2") { id } }',
        {},
        {"max_aliases": 3},
        "LIMIT_EXCEEDED",
    ),
    "tokens": ('{ profile(id: "p") { ' + "id " * 2100 + "} }", {}, {}, "None"),
    "page size": ("{ profiles(first: 1000) { totalCount } }", {}, {}, "BAD_USER_INPUT"),
    "page size by variable": (
        "query($n: Int) { profiles(first: $n) { totalCount } }",
        {"n": MAX_PAGE_SIZE + 1},
        {},
        "BAD_USER_INPUT",
    ),
    "negative page size": ("{ profiles(first: -1) { totalCount } }", {}, {}, "BAD_USER_INPUT"),
    "cost": (
        "{ profiles(first: 100) { edges { node { records { identifiers { kind value } properties } } } } }",
        {},
        {"max_cost": 10_000},
        "LIMIT_EXCEEDED",
    ),
    "cost by variable": (
        "query($n: Int) { profiles(first: $n) { edges { node { records { properties } } } } }",
        {"n": 100},
        {"max_cost": 1_000},
        "LIMIT_EXCEEDED",
    ),
}


@pytest.mark.parametrize("name", list(REJECTED))
async def test_each_limit_rejects_before_any_resolver_or_store_call(demo_store_url: str, name: str) -> None:
    query, variables, settings, code = REJECTED[name]
    async with served(demo_store_url, READ, count_resolvers=True, key_cache_seconds=60, **settings) as api:
        # A first request checks the key (a document read) and caches it; from then on any store use counts.
        assert (await api.post("{ __typename }"))["data"] == {"__typename": "Query"}
        ResolverCounter.calls = CountingStore.calls = 0
        body = await api.post(query, **variables)
        assert body["data"] is None, body
        assert codes(body)[0] == code, body
        assert ResolverCounter.calls == 0
        assert CountingStore.calls == 0


async def test_the_same_queries_pass_under_looser_limits(demo_store_url: str) -> None:
    async with served(demo_store_url, READ, count_resolvers=True, max_depth=4, max_cost=20_000) as api:
        body = await api.post('{ profile(id: "p") { records { identifiers { kind } } } }')
        assert body == {"data": {"profile": None}}
        body = await api.post("query($n: Int) { profiles(first: $n) { edges { node { id } } } }", n=3)
        assert "errors" not in body and len(body["data"]["profiles"]["edges"]) == 3
        assert ResolverCounter.calls > 0 and CountingStore.calls > 0


async def test_a_realistic_frontend_query_is_within_the_defaults(demo_store_url: str) -> None:
    query = """
    query Profile($id: ID!) {
      profile(id: $id) {
        id createdAt
        traits { name value source }
        identifiers { kind value system }
        records { kind source sourceId properties }
        events(first: 10) { edges { node { type timestamp channel amount currency } } }
        history { at action }
      }
      profiles(first: 50) { totalCount edges { node { id traits { name value } identifiers { kind value } } } }
    }
    """
    async with served(demo_store_url, READ) as api:
        body = await api.post(query, id="p-none")
        assert "errors" not in body, body


def test_cost_counts_pages_once_per_item_and_connection_totals_once() -> None:
    schema = build_schema()._schema
    assert measure(schema, parse("{ profiles { totalCount } }"), None, None).cost == 2
    one = measure(schema, parse("{ profiles(first: 10) { edges { node { id } } } }"), None, None)
    assert one.cost == 1 + 1 + 10 * 2  # profiles, edges, then node and id per item
    default = measure(schema, parse("{ profiles { edges { node { id } } } }"), None, None)
    assert default.cost == 2 + DEFAULT_PAGE_SIZE * 2
    lists = measure(schema, parse('{ profile(id: "p") { traits { name } } }'), None, None)
    assert lists.cost == 1 + 1 + DEFAULT_PAGE_SIZE  # a list without `first` counts the default page size
    assert lists.depth == 3


def test_a_fragment_bomb_is_measured_in_linear_time() -> None:
    # Each fragment spreads the previous one twice: 2**40 fields if expanded, measured once per fragment here.
    fragments = ["fragment F0 on Profile { id }"]
    fragments += [f"fragment F{i} on Profile {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 41)]
    document = parse('{ profile(id: "p") { ...F40 } } ' + " ".join(fragments))
    found = measure(build_schema()._schema, document, None, None)
    assert found.cost == 1 + 2**40


async def test_a_cached_document_is_measured_again_with_each_requests_variables(demo_store_url: str) -> None:
    query = "query($n: Int) { profiles(first: $n) { edges { node { records { properties } } } } }"
    async with served(demo_store_url, READ, max_cost=1_000) as api:
        for n, passes in ((2, True), (100, False), (101, False), (2, True)):
            body = await api.post(query, n=n)
            assert ("errors" not in body) is passes, (n, body)


async def test_a_query_text_is_parsed_and_validated_once(demo_store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.security import guard

    calls = {"parse": 0, "validate": 0}

    def counted(name: str, real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(guard, "parse", counted("parse", guard.parse))
    monkeypatch.setattr(guard, "validate_document", counted("validate", guard.validate_document))
    query = "query Ids($n: Int) { profiles(first: $n) { edges { node { id } } } }"
    async with served(demo_store_url, READ) as api:
        for n in (1, 2, 3):
            assert "errors" not in await api.post(query, n=n)
        assert calls == {"parse": 1, "validate": 1}
        response = await api.client.post("/graphql", json={"query": query, "operationName": "Ids", "variables": {}})
        assert response.status_code == 200 and "errors" not in response.json()
        assert calls == {"parse": 2, "validate": 2}  # another (text, operation name): checked once more
