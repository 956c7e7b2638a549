"""The Neo4j B2B reads: Cypher built from the model's closed sets with values as parameters, and the exact name and
domain check applied to the candidates the database's JSON-text filter lets through."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from graph import Direction, RelType
from graph.neo4j import b2b


class _Result:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def __iter__(self) -> Any:
        return iter(type("R", (), {"data": lambda s, row=row: row})() for row in self.rows)


class FakeTx:
    """Answers SEARCH_CANDIDATES like the database would: rows in ID order whose JSON text contains the needle."""

    def __init__(self, companies: list[tuple[str, dict[str, Any]]]) -> None:
        self.companies = companies
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def run(self, query: str, parameters: dict[str, Any]) -> _Result:
        self.calls.append((query, parameters))
        rows = [
            {"id": entity_id, "properties": json.dumps(props, ensure_ascii=False)}
            for entity_id, props in sorted(self.companies, key=lambda c: c[0])
            if entity_id > parameters["after"] and parameters["needle"] in json.dumps(props, ensure_ascii=False).lower()
        ]
        return _Result(rows)


COMPANIES = [
    ("o-1", {"name": "Acme Analytics", "domains": ["acme.io"], "industry": "Software"}),
    ("o-1", {"domain": "acme-corp.com"}),
    ("o-2", {"name": "上海华欣信息技术有限公司", "industry": "Media"}),
    ("o-3", {"name": 'Quote "Co"', "city": "Acmeville"}),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acme", ["o-1"]),  # Acmeville is a city, not a name: filtered out here
        ("ACME-CORP", ["o-1"]),
        ("华欣", ["o-2"]),
        ("software", []),  # an industry
        ('"co"', ["o-3"]),  # escaped in the JSON text: every record goes through, the exact check decides
    ],
)
def test_search_checks_names_and_domains_exactly(text: str, expected: list[str]) -> None:
    tx = FakeTx(COMPANIES)
    assert b2b.matching_organization_ids(tx, text, None) == expected  # type: ignore[arg-type]
    query, parameters = tx.calls[0]
    assert parameters["needle"] in ("", text.lower())
    assert query == b2b.SEARCH_CANDIDATES and text not in query


def test_search_starts_after_the_cursor() -> None:
    tx = FakeTx(COMPANIES)
    assert b2b.matching_organization_ids(tx, "o", None) == ["o-1", "o-3"]  # type: ignore[arg-type]
    assert b2b.matching_organization_ids(tx, "o", "o-1") == ["o-3"]  # type: ignore[arg-type]
    assert [call[1]["after"] for call in tx.calls] == ["", "o-1"]


@pytest.mark.parametrize("direction", list(Direction))
@pytest.mark.parametrize("rel", [RelType.WORKS_AT, RelType.FOR, RelType.ON_OPPORTUNITY, RelType.SUBSIDIARY_OF])
def test_queries_take_labels_from_the_model_and_values_as_parameters(rel: RelType, direction: Direction) -> None:
    query = b2b.neighbours_query(rel, direction)
    assert f"[rel:{rel.value}]" in query
    assert set(re.findall(r"\$(\w+)", query)) == {"keys"}
    assert set(re.findall(r"\$(\w+)", b2b.SEARCH_CANDIDATES)) == {"after", "needle"}
    assert ":Company)" in b2b.SEARCH_CANDIDATES and ":Organization)" in b2b.SEARCH_CANDIDATES
