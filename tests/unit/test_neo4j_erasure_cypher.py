"""The Cypher of the Neo4j erasure module: labels from the closed sets only, every value a parameter."""

from __future__ import annotations

import re

import pytest

from graph.model import EntityKind, IdentifierKind, RecordKind, RelType
from graph.neo4j import cypher, erasure

MODEL_TOKENS = {v.value for enum in (RecordKind, IdentifierKind, EntityKind, RelType) for v in enum}
BACKEND_TOKENS = {v.value for v in cypher.Bookkeeping}


def _queries() -> dict[str, str]:
    queries = {
        name: value
        for name, value in vars(erasure).items()
        if name.startswith("_") and name[1:].isupper() and isinstance(value, str) and "\n" in value
    }
    for kind in IdentifierKind:
        queries[f"delete identifiers {kind}"] = erasure._delete_identifiers(kind)
    for entity in EntityKind:
        queries[f"entity stored {entity}"] = erasure._entity_stored(entity)
    for n, statement in enumerate(erasure.constraint_statements()):
        queries[f"constraint {n}"] = statement
    return queries


def test_every_query_is_covered() -> None:
    assert len(_queries()) == 21


@pytest.mark.parametrize(("name", "query"), sorted(_queries().items()))
def test_labels_come_from_the_closed_sets_and_values_are_parameters(name: str, query: str) -> None:
    tokens = {t for group in re.findall(r":(\w+(?:\|\w+)*)", query) for t in group.split("|")}
    assert tokens, name
    assert tokens <= MODEL_TOKENS | BACKEND_TOKENS, (name, tokens - MODEL_TOKENS - BACKEND_TOKENS)
    assert "'" not in query and '"' not in query and "`" not in query, name
