"""Both segment compilers: every user value is a parameter (never spliced), the text of each condition kind, and
the compiled SQL runs on a migrated SQLite database."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api.ingest.consent import CONSENT_EVENT
from graph.model import EntityKind, IdentifierKind, RecordKind, RelType
from graph.segments import parse_segment, prepare
from graph.segments.cypher import compile_cypher
from graph.segments.cypher import count_query as cypher_count
from graph.segments.cypher import members_query as cypher_members
from graph.segments.fields import CONSENT_EVENT as SEGMENT_CONSENT_EVENT
from graph.segments.sql import compile_sql, count_query, local_minute, members_query, register_functions
from graph.sqlite.migrations import migrate

NOW = datetime(2024, 6, 30, tzinfo=UTC)
EVIL = "x') OR 1=1 --\"}]"  # a value that would break out of any quoting

CONDITIONS: dict[str, dict[str, Any]] = {
    "trait": {"trait": {"name": "city", "value": EVIL}},
    "trait_in": {"trait": {"name": "city", "op": "in", "value": [EVIL, "b"]}},
    "trait_contains": {"trait": {"name": "tags", "op": "contains", "value": EVIL}},
    "trait_gt": {"trait": {"name": "age", "op": "gt", "value": 30}},
    "trait_exists": {"trait": {"name": "age", "op": "exists"}},
    "consent": {"consent": {"purpose": "email"}},
    "identifier": {"identifier": {"kind": "EMAIL", "value": EVIL}},
    "identifier_account": {"identifier": {"kind": "ACCOUNT", "system": EVIL}},
    "event_count": {"event": {"types": [EVIL], "window_days": 7, "count": {"gte": 2}}},
    "event_sum": {"event": {"since": "2024-01-01T00:00:00Z", "until": "2024-02-01T00:00:00Z", "sum": {"gt": 100}}},
    "event_distinct": {
        "event": {
            "time_of_day": {"start": "22:00", "end": "05:00", "timezone": "Asia/Shanghai"},
            "where": [{"field": "properties.city", "op": "contains", "value": EVIL}],
            "distinct": {"field": "properties.city", "gte": 3},
        }
    },
    "event_zero": {"event": {"types": ["purchase"], "count": {"lt": 1}}},
    "organization_id": {"organization": {"id": EVIL}},
    "organization_domain": {"organization": {"domain": EVIL}},
    "organization_industry": {"organization": {"industry": EVIL}},
    "committee": {"committee_role": {"crm_roles": [EVIL, "Champion"]}},
    "combined": {"all": [{"any": [{"consent": {"purpose": "sms"}}]}, {"not": {"trait": {"name": "city", "value": 1}}}]},
}


def _ready(definition: dict[str, Any]) -> Any:
    return prepare(parse_segment(definition))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    connection = sqlite3.connect(Path(tmp_path_factory.mktemp("segments")) / "graph.db", isolation_level=None)
    migrate(connection)
    register_functions(connection)
    return connection


@pytest.mark.parametrize("name", sorted(CONDITIONS))
def test_sql_splices_no_value_and_runs(name: str, db: sqlite3.Connection) -> None:
    segment = _ready(CONDITIONS[name])
    for per_profile in (False, True):
        compiled = compile_sql(segment, now=NOW, per_profile=per_profile)
        assert EVIL not in compiled.where and "OR 1=1" not in compiled.where
        assert set(re.findall(r":(s\d+)", compiled.where)) == set(compiled.params)
        sql, params = members_query(compiled, after=None, limit=10, among=["p-1"] if per_profile else None)
        assert db.execute(sql, params).fetchall() == []
        sql, params = count_query(compiled)
        assert db.execute(sql, params).fetchone() == (0,)
    if EVIL in str(CONDITIONS[name]):
        assert any(EVIL in str(value) for value in compile_sql(segment, now=NOW).params.values())


def test_sql_reads_names_as_json_path_parameters() -> None:
    compiled = compile_sql(_ready({"trait": {"name": "first name", "value": "Ann"}}), now=NOW)
    assert '$."first name".value' in compiled.params.values()
    assert "first name" not in compiled.where
    event = compile_sql(_ready({"event": {"distinct": {"field": "properties.门店城市", "gte": 2}}}), now=NOW)
    assert '$.properties."门店城市"' in event.params.values()


def test_sql_event_conditions_use_the_event_index_once() -> None:
    compiled = compile_sql(_ready(CONDITIONS["event_count"]), now=NOW)
    assert compiled.where.startswith(
        "p.id IN (SELECT t.entity_id FROM (SELECT f.actor_id AS actor_id, count(*) AS n"
        " FROM event_facts f INDEXED BY event_facts_by_type_actor WHERE f.type IN ("
    )
    assert "GROUP BY f.actor_id) a JOIN resolves_to t" in compiled.where
    assert "GROUP BY t.entity_id HAVING total(a.n) >= " in compiled.where
    distinct = compile_sql(_ready(CONDITIONS["event_distinct"]), now=NOW)
    assert "HAVING count(DISTINCT json_extract(r.properties, :s" in distinct.where
    assert "2024-06-23T00:00:00.000Z" in compiled.params.values()  # 7 days before NOW, as a time key
    zero = compile_sql(_ready(CONDITIONS["event_zero"]), now=NOW)
    assert zero.where.startswith("p.id NOT IN (") and "HAVING NOT (total(a.n) < " in zero.where
    one = compile_sql(_ready(CONDITIONS["event_count"]), now=NOW, per_profile=True)
    assert "INDEXED BY event_facts_by_actor" in one.where and "t.entity_id = p.id" in one.where


def test_local_minute_follows_the_zone_and_its_daylight_saving() -> None:
    assert local_minute("2024-06-27T17:30:00.000Z", "Asia/Shanghai") == 90
    assert local_minute("2024-01-15T12:00:00.000Z", "Europe/Berlin") == 13 * 60
    assert local_minute("2024-07-15T12:00:00.000Z", "Europe/Berlin") == 14 * 60
    assert local_minute(None, "UTC") is None
    assert local_minute("garbage", "UTC") is None


def test_the_consent_event_type_is_the_one_the_api_writes() -> None:
    assert SEGMENT_CONSENT_EVENT == CONSENT_EVENT


# -- Cypher ----------------------------------------------------------------------------------------------------

MODEL_TOKENS = {
    *(k.value for k in RecordKind),
    *(k.value for k in IdentifierKind),
    *(k.value for k in EntityKind),
    *(t.value for t in RelType),
    "Record",
    "Alias",
    "ALIAS_OF",
}


@pytest.mark.parametrize("name", sorted(CONDITIONS))
def test_cypher_splices_no_value_and_only_model_labels(name: str) -> None:
    compiled = compile_cypher(_ready(CONDITIONS[name]), now=NOW)
    assert EVIL not in compiled.where
    assert set(re.findall(r"\$(s\d+)", compiled.where)) == set(compiled.params)
    # `:Label` in patterns, `IS :: STRING` type predicates aside.
    tokens = set(re.findall(r"(?<![:\w]):(\w+)", compiled.where.replace(":: ", "")))
    assert tokens <= MODEL_TOKENS, tokens - MODEL_TOKENS
    query, params = cypher_members(compiled, after=None, limit=5, among=["p-1"])
    assert set(re.findall(r"\$(\w+)", query)) == set(params)
    query, params = cypher_count(compiled)
    assert set(re.findall(r"\$(\w+)", query)) == set(params)


def _cypher(definition: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    compiled = compile_cypher(_ready(definition), now=NOW)
    return compiled.where, compiled.params


def test_cypher_of_a_trait_condition() -> None:
    where, params = _cypher({"trait": {"name": "city", "value": "Shanghai"}})
    assert where == "coalesce(p[$s0] = $s1, false)"
    assert params == {"s0": "trait.city", "s1": "Shanghai"}
    where, params = _cypher({"trait": {"name": "tags", "op": "contains", "value": "VIP"}})
    # toLower only under a CASE that has checked the type: an AND's operands may run in any order.
    assert "CASE WHEN p[$s0] IS :: LIST<ANY> THEN $s2 IN p[$s0] END" in where
    assert "CASE WHEN p[$s0] IS :: STRING THEN toLower(p[$s0]) CONTAINS $s1 END" in where
    assert params == {"s0": "trait.tags", "s1": "vip", "s2": "VIP"}
    assert _cypher({"trait": {"name": "age", "op": "exists"}})[0] == "(p[$s0] IS NOT NULL)"


def test_cypher_of_a_consent_condition() -> None:
    where, params = _cypher({"consent": {"purpose": "email", "granted": False}})
    assert where.startswith("(NOT coalesce(coalesce(head(COLLECT { MATCH (p)<-[:RESOLVES_TO]-(m:Record)-[:PERFORMED]->")
    assert "ORDER BY e.at DESC, e.source DESC, e.source_id DESC LIMIT 1 }), p[$s0]) = true, false))" in where
    assert params["s0"] == "trait.email_consent" and "consent_change" in params.values()


def test_cypher_of_an_identifier_condition() -> None:
    where, params = _cypher({"identifier": {"kind": "PHONE", "value": "+8613800138000"}})
    assert where == "EXISTS { MATCH (p)<-[:RESOLVES_TO]-(m:Record)-[:HAS_PHONE]->(i:Phone) WHERE i.e164 = $s0 }"
    assert params == {"s0": "+8613800138000"}


def test_cypher_of_an_event_condition() -> None:
    where, params = _cypher(
        {
            "event": {
                "types": ["transaction"],
                "window_days": 7,
                "time_of_day": {"start": "00:00", "end": "05:00", "timezone": "Asia/Shanghai"},
                "distinct": {"field": "properties.city", "gte": 3},
            }
        }
    )
    assert "[(p)<-[:RESOLVES_TO]-(m:Record)-[:PERFORMED]->(e:Event) WHERE e.at IS NOT NULL AND e.type IN $s0" in where
    assert "datetime({datetime: datetime(e.at), timezone: $s2})" in where
    assert "size(reduce(seen = [], x IN" in where and ") >= $s" in where
    assert params["s0"] == ["transaction"] and params["s1"] == "2024-06-23T00:00:00.000Z"
    assert "properties.city" in params.values() and 3.0 in params.values()
    where, _ = _cypher({"event": {"sum": {"gte": 100}}})
    assert where.startswith("(reduce(total = 0.0, x IN [(p)<-[:RESOLVES_TO]-(m:Record)-[:PERFORMED]->(e:Event) |")
    where, _ = _cypher({"event": {"types": ["purchase"], "count": {"lt": 1}}})
    assert where == "(size([(p)<-[:RESOLVES_TO]-(m:Record)-[:PERFORMED]->(e:Event) WHERE e.type IN $s0 | 1]) < $s1)"


def test_cypher_of_organization_and_committee_conditions() -> None:
    where, params = _cypher({"organization": {"id": "o-1"}})
    assert where == (
        "EXISTS { MATCH (p)<-[:RESOLVES_TO]-(m:Record)-[:WORKS_AT]->(:Record)-[:RESOLVES_TO]->(o:Organization)"
        " WHERE o.id = $s0 OR EXISTS { MATCH (:Alias {id: $s0})-[:ALIAS_OF]->(o) } }"
    )
    where, params = _cypher({"organization": {"domain": "www.Acme.com"}})
    assert "-[:HAS_DOMAIN]->(d:Domain) WHERE d.name = $s0" in where and params == {"s0": "acme.com"}
    where, params = _cypher({"organization": {"industry": "Retail"}})
    assert "coalesce(CASE WHEN o[$s0] IS :: STRING THEN toLower(o[$s0]) END = $s1, false)" in where
    assert params == {"s0": "trait.industry", "s1": "retail"}
    where, params = _cypher({"committee_role": {"crm_roles": ["Economic Buyer", "a.b"]}})
    assert where == (
        "EXISTS { MATCH (p)<-[:RESOLVES_TO]-(m:Record)-[r:ON_OPPORTUNITY]->(:Record) WHERE r.properties =~ $s0 }"
    )
    pattern = params["s0"]
    assert re.fullmatch(pattern.replace("(?isu)", "(?is)"), '{"role":"  ECONOMIC BUYER "}')
    assert not re.fullmatch(pattern.replace("(?isu)", "(?is)"), '{"role":"aXb"}')  # the dot is escaped
    assert _cypher({"committee_role": {"roles": ["USER"]}})[0] != "false"  # expanded by prepare's default names


def test_cypher_members_and_count_queries() -> None:
    compiled = compile_cypher(_ready({"consent": {"purpose": "email"}}), now=NOW)
    query, params = cypher_members(compiled, after="p-5", limit=10)
    assert "MATCH (p:Profile)\nWHERE p.id > $after AND " in query and "ORDER BY id\nLIMIT $limit" in query
    assert params["after"] == "p-5" and params["limit"] == 10
    query, _ = cypher_count(compiled)
    assert query.startswith("MATCH (p:Profile)\nWHERE ") and query.endswith("RETURN count(p) AS count\n")
