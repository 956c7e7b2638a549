"""The Neo4j audit log's Cypher: values only as parameters, labels only from the backend's closed set, and a
newest-first page read; run against a server by tests/integration/test_store_audit.py when one is configured."""

from __future__ import annotations

import re

import pytest

from graph.neo4j import audit, cypher

QUERIES = {"create": audit._CREATE, "entries": audit._ENTRIES, "document names": audit._DOCUMENT_NAMES}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_audit_cypher_holds_no_literal_and_only_known_labels(name: str) -> None:
    query = QUERIES[name]
    assert "'" not in query and '"' not in query and "`" not in query
    labels = set(re.findall(r"\(\w*:(\w+)", query))
    assert labels <= {v.value for v in cypher.Bookkeeping}, labels


def test_entries_are_read_newest_first_and_paged_by_seq() -> None:
    assert "ORDER BY a.seq DESC" in audit._ENTRIES
    assert "$before IS NULL OR a.seq < $before" in audit._ENTRIES
    assert "LIMIT $limit" in audit._ENTRIES
    assert audit.AUDIT_ENTRY == "AuditEntry"
