"""Scopes: query operations need profiles:read, every mutation its own scope, auditLog admin; a key lacking the
scope gets a GraphQL error with extensions.code FORBIDDEN and nothing runs. The mutation checks walk the schema, so
a mutation added later is covered, and one added without `requires(...)` fails `test_every_mutation_names_a_scope`.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)

from api.schema import build_schema
from api.security.permissions import required_scopes
from api.security.scopes import Scope

from ._security import CountingStore, ResolverCounter, codes, served

pytestmark = pytest.mark.anyio

SCHEMA = build_schema()
EVERYTHING_BUT_ADMIN = frozenset(Scope) - {Scope.ADMIN}
_SCALARS: dict[str, Any] = {
    "String": "x",
    "ID": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "DateTime": "2024-01-01T00:00:00+00:00",
    "Date": "2024-01-01",
    "JSON": {},
}


def _dummy(type_: GraphQLInputType) -> Any:
    """A value of an input type that passes GraphQL's own coercion (what the resolver would make of it is moot)."""
    if isinstance(type_, GraphQLNonNull):
        return _dummy(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [_dummy(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLScalarType):
        return _SCALARS.get(type_.name, "x")
    assert isinstance(type_, GraphQLInputObjectType)
    return {name: _dummy(field.type) for name, field in type_.fields.items() if isinstance(field.type, GraphQLNonNull)}


def _call(name: str, field: GraphQLField) -> tuple[str, dict[str, Any]]:
    """A mutation document calling `name` with variables for its required arguments."""
    required = {arg: a for arg, a in field.args.items() if isinstance(a.type, GraphQLNonNull)}
    declared = ", ".join(f"${arg}: {a.type}" for arg, a in required.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in required)
    selection = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
    document = f"mutation{f'({declared})' if declared else ''} {{ {name}{f'({passed})' if passed else ''}{selection} }}"
    return document, {arg: _dummy(a.type) for arg, a in required.items()}


def _mutations() -> dict[str, tuple[GraphQLField, set[Scope]]]:
    mutation_type = SCHEMA._schema.mutation_type
    if mutation_type is None:
        return {}
    definition = SCHEMA.get_type_by_name("Mutation")
    strawberry_fields = {SCHEMA.config.name_converter.get_graphql_name(f): f for f in definition.fields}  # type: ignore[union-attr]
    return {name: (field, required_scopes(strawberry_fields[name])) for name, field in mutation_type.fields.items()}


def _query_fields() -> dict[str, set[Scope]]:
    definition = SCHEMA.get_type_by_name("Query")
    return {SCHEMA.config.name_converter.get_graphql_name(f): required_scopes(f) for f in definition.fields}  # type: ignore[union-attr]


def test_every_mutation_names_a_scope() -> None:
    missing = [name for name, (_, scopes) in _mutations().items() if not scopes]
    assert not missing, f"mutations without requires(Scope...): {missing}"


def test_every_root_query_field_names_a_scope() -> None:
    missing = [name for name, scopes in _query_fields().items() if not scopes]
    assert not missing, f"root query fields without requires(Scope...): {missing}"
    assert _query_fields()["auditLog"] == {Scope.ADMIN}


@pytest.mark.parametrize("name", sorted(_mutations()))
async def test_a_mutation_without_its_scope_is_forbidden_and_changes_nothing(fresh_store_url: str, name: str) -> None:
    field, scopes = _mutations()[name]
    document, variables = _call(name, field)
    for scope in scopes - {Scope.ADMIN}:
        async with served(fresh_store_url, EVERYTHING_BUT_ADMIN - {scope}, count_resolvers=True) as api:
            before = api.app.state.store.counts()
            body = await api.post(document, **variables)
            assert codes(body) == ["FORBIDDEN"], body
            assert body["errors"][0]["extensions"]["scope"] == scope.value
            assert api.app.state.store.counts() == before
    async with served(fresh_store_url, frozenset({Scope.ADMIN})) as api:
        body = await api.post(document, **variables)
        assert "FORBIDDEN" not in codes(body), body  # admin implies every scope (the dummy input may be refused)


@pytest.mark.parametrize(
    "scopes", [frozenset({Scope.PII_READ}), frozenset({Scope.INGEST_WRITE}), frozenset({Scope.SEGMENTS_WRITE})]
)
async def test_a_query_without_profiles_read_is_forbidden_before_anything_runs(
    demo_store_url: str, scopes: frozenset[Scope]
) -> None:
    async with served(demo_store_url, scopes, count_resolvers=True, key_cache_seconds=60) as api:
        assert (await api.post("{ __typename }"))["data"] == {"__typename": "Query"}  # meta fields need no scope
        ResolverCounter.calls = CountingStore.calls = 0
        body = await api.post('{ profile(id: "p-1") { id } }')
        assert body["data"] is None
        assert codes(body) == ["FORBIDDEN"]
        assert body["errors"][0]["extensions"]["scope"] == "profiles:read"
        assert ResolverCounter.calls == 0 and CountingStore.calls == 0


async def test_the_audit_log_is_for_admins_only(demo_store_url: str) -> None:
    query = "{ auditLog(first: 5) { edges { node { seq at actor action target detail } } pageInfo { hasNextPage } } }"
    async with served(demo_store_url, EVERYTHING_BUT_ADMIN) as api:
        body = await api.post(query)
        assert body["data"] is None and codes(body) == ["FORBIDDEN"]
    async with served(demo_store_url, frozenset({Scope.ADMIN})) as api:
        body = await api.post(query)
        assert "errors" not in body, body
