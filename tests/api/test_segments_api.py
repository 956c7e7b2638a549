"""Segments through the real app: save, count, page members, validation errors, references, Profile.segments, CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from api.security.scopes import Scope
from graph import IdentifierKind, RecordKind, open_store
from graph.segments import parse_segment, prepare
from tests.api.conftest import ALL_READ, ClientFactory, gql

pytestmark = pytest.mark.anyio

WRITER = frozenset({Scope.PROFILES_READ, Scope.SEGMENTS_WRITE})
READER = frozenset({Scope.PROFILES_READ})

SAVE = """
mutation Save($name: String!, $definition: SegmentInput!) {
  saveSegment(name: $name, definition: $definition) { name definition count }
}
"""
READ = """
query Read($name: String!, $first: Int, $after: String) {
  segment(name: $name) {
    name count
    members(first: $first, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } }
  }
}
"""
BUYERS: dict[str, Any] = {
    "all": [
        {"event": {"types": ["purchase"], "count": {"gte": 2}}},
        {"not": {"consent": {"purpose": "email"}}},
    ]
}


def _store_count(store_url: str, definition: dict[str, Any]) -> tuple[int, list[str]]:
    store = open_store(store_url)
    try:
        segment = prepare(parse_segment(definition))
        return store.segment_count(segment), store.segment_members(segment, limit=10_000)
    finally:
        store.close()


async def test_save_then_read_count_and_every_member_page(client_for: ClientFactory, fresh_store_url: str) -> None:
    client = await client_for(WRITER, store_url=fresh_store_url)
    saved = await gql(client, SAVE, name="buyers", definition=BUYERS)
    assert "errors" not in saved, saved
    expected_count, expected_ids = _store_count(fresh_store_url, BUYERS)
    assert expected_count > 25
    assert saved["data"]["saveSegment"]["count"] == expected_count
    assert saved["data"]["saveSegment"]["definition"] == {
        "all": [
            {"event": {"types": ["purchase"], "count": {"gte": 2.0}}},
            {"not": {"consent": {"purpose": "email"}}},
        ]
    }
    seen: list[str] = []
    after = None
    while True:
        body = await gql(client, READ, name="buyers", first=20, after=after)
        segment = body["data"]["segment"]
        assert segment["count"] == segment["members"]["totalCount"] == expected_count
        seen += [edge["node"]["id"] for edge in segment["members"]["edges"]]
        if not segment["members"]["pageInfo"]["hasNextPage"]:
            break
        after = segment["members"]["pageInfo"]["endCursor"]
    assert seen == expected_ids
    listed = await gql(client, "{ segments { name count } }")
    assert listed["data"]["segments"] == [{"name": "buyers", "count": expected_count}]
    unknown = await gql(client, READ, name="nope")
    assert unknown["data"]["segment"] is None


async def test_saving_needs_segments_write(client_for: ClientFactory, fresh_store_url: str) -> None:
    client = await client_for(READER, store_url=fresh_store_url)
    body = await gql(client, SAVE, name="buyers", definition=BUYERS)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_invalid_definitions_name_the_path(client_for: ClientFactory, fresh_store_url: str) -> None:
    client = await client_for(WRITER, store_url=fresh_store_url)
    bad = {"all": [{"consent": {"purpose": "email"}}, {"event": {"types": ["purchase"], "windowDays": 0}}]}
    body = await gql(client, SAVE, name="bad", definition=bad)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "all[1].event.window_days: must be > 0" in error["message"]
    two = {"trait": {"name": "city", "value": "x"}, "consent": {"purpose": "email"}}
    body = await gql(client, SAVE, name="bad", definition=two)
    assert "exactly one of the keys" in body["errors"][0]["message"]
    body = await gql(client, SAVE, name="no spaces", definition={"consent": {"purpose": "email"}})
    assert "argument 'name'" in body["errors"][0]["message"]


async def test_references_cycles_and_deletion(client_for: ClientFactory, fresh_store_url: str) -> None:
    client = await client_for(WRITER, store_url=fresh_store_url)
    body = await gql(client, SAVE, name="ref", definition={"inSegment": "missing"})
    assert "in_segment: no saved segment is named 'missing'" in body["errors"][0]["message"]
    assert "errors" not in await gql(client, SAVE, name="base", definition=BUYERS)
    narrowed = {"all": [{"inSegment": "base"}, {"identifier": {"kind": "EMAIL"}}]}
    body = await gql(client, SAVE, name="narrow", definition=narrowed)
    assert "errors" not in body
    assert 0 < body["data"]["saveSegment"]["count"] <= _store_count(fresh_store_url, BUYERS)[0]
    cyclic = await gql(client, SAVE, name="base", definition={"any": [{"inSegment": "narrow"}]})
    assert "cycle (base -> narrow -> base)" in cyclic["errors"][0]["message"]
    delete = "mutation D($name: String!) { deleteSegment(name: $name) }"
    refused = await gql(client, delete, name="base")
    assert "is used by 'narrow'" in refused["errors"][0]["message"]
    assert (await gql(client, delete, name="narrow"))["data"]["deleteSegment"] is True
    assert (await gql(client, delete, name="base"))["data"]["deleteSegment"] is True
    assert (await gql(client, delete, name="base"))["data"]["deleteSegment"] is False


async def test_profile_segments_lists_the_saved_segments_it_is_in(
    client_for: ClientFactory, fresh_store_url: str
) -> None:
    client = await client_for(WRITER, store_url=fresh_store_url)
    await gql(client, SAVE, name="buyers", definition=BUYERS)
    await gql(client, SAVE, name="everyone", definition={"not": {"inSegment": "buyers"}})
    _, members = _store_count(fresh_store_url, BUYERS)
    query = "query P($id: ID!) { profile(id: $id) { segments { name } } }"
    inside = await gql(client, query, id=members[0])
    assert inside["data"]["profile"]["segments"] == [{"name": "buyers"}]
    outsider = await gql(client, "{ profiles(first: 50) { edges { node { id segments { name } } } } }")
    for edge in outsider["data"]["profiles"]["edges"]:
        names = [s["name"] for s in edge["node"]["segments"]]
        assert names == (["buyers"] if edge["node"]["id"] in members else ["everyone"])


async def test_csv_export_streams_members_and_hides_pii_without_pii_read(
    client_for: ClientFactory, fresh_store_url: str
) -> None:
    writer = await client_for(WRITER, store_url=fresh_store_url)
    await gql(writer, SAVE, name="buyers", definition=BUYERS)
    count, members = _store_count(fresh_store_url, BUYERS)

    response = await writer.get("/segments/buyers/export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["profile_id", "created_at", "country", "email_consent"]
    assert [row[0] for row in rows[1:]] == members and len(rows) == count + 1
    assert "email" in response.headers["x-omitted-columns"].split(",")

    full = await client_for(ALL_READ, store_url=fresh_store_url)
    response = await full.get("/segments/buyers/export", params={"traits": "email,country"})
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["profile_id", "created_at", "email", "country"]
    assert any("@" in row[2] for row in rows[1:])

    assert (await full.get("/segments/nope/export")).status_code == 404
    assert (await full.get("/segments/buyers/export", params={"traits": 'a"b'})).status_code == 422
    nobody = await client_for(None, store_url=fresh_store_url)
    assert (await nobody.get("/segments/buyers/export")).status_code == 401
    no_read = await client_for(frozenset({Scope.SEGMENTS_WRITE}), store_url=fresh_store_url)
    assert (await no_read.get("/segments/buyers/export")).status_code == 403

    store = open_store(fresh_store_url)
    try:
        actions = [(e.action, e.target, e.detail.get("rows")) for e in store.audit_entries(limit=50)]
    finally:
        store.close()
    assert ("segment.export", "buyers", count) in actions
    assert ("segment.save", "buyers", None) in actions


PROFILES_IN = """
query In($segment: SegmentInput!) { profiles(segment: $segment, first: 5) { totalCount edges { node { id } } } }
"""


async def test_identifier_values_in_a_segment_are_normalised_as_the_loaders_do(
    client_for: ClientFactory, demo_store_url: str
) -> None:
    store = open_store(demo_store_url)
    try:
        email = next(
            value
            for _, identifier in store.iter_links({RecordKind.CUSTOMER})
            if identifier.kind is IdentifierKind.EMAIL and (value := identifier.value)
        )
    finally:
        store.close()
    client = await client_for(READER)
    given = {"identifier": {"kind": "EMAIL", "value": f"  {email.upper()} "}}
    body = await gql(client, PROFILES_IN, segment=given)
    assert "errors" not in body, body
    expected = _store_count(demo_store_url, {"identifier": {"kind": "EMAIL", "value": email}})
    assert expected[0] >= 1
    assert body["data"]["profiles"]["totalCount"] == expected[0]
    bad = await gql(client, PROFILES_IN, segment={"identifier": {"kind": "EMAIL", "value": "not an email"}})
    assert "argument 'segment'" in bad["errors"][0]["message"]
