"""PII is masked without `pii:read` on every path through the graph, and shown with it.

The paths are data: PII_PATHS lists one query per way of reaching a person's data (profiles, their records,
events and identity graph, organisation contacts, committees, account graphs, shared identifiers, explanations,
segment members, ...). A path whose fields do not exist in the schema yet is skipped, so add new ones freely.

"PII" is computed from the demo store: every value of a person record's PII property or PII identifier, split into
word tokens, minus tokens that also occur in non-personal values (company names, domains, event types). Without
`pii:read` no leaf of any response may contain one of those tokens; with it, a path marked `carries_pii` must.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import parse, validate

from api.schema import build_schema
from api.security.masking import PII_IDENTIFIERS, PII_PROPERTIES
from api.security.scopes import Scope
from graph import PERSON_KINDS, EntityKind, GraphStore, IdentifierKind, RecordKind, open_store

from ._security import served, walk_values

pytestmark = pytest.mark.anyio

MASKED = frozenset({Scope.PROFILES_READ})
CLEAR = frozenset({Scope.PROFILES_READ, Scope.PII_READ})
_TOKEN = re.compile(r"[^\W_]{3,}")


@dataclass(frozen=True)
class PiiPath:
    query: str
    carries_pii: bool = True  # with pii:read the demo data shows PII on this path


PROFILE_FIELDS = "traits { name value } identifiers { kind value system }"
PII_PATHS: dict[str, PiiPath] = {
    "profile traits and identifiers": PiiPath(f"query($p: ID!) {{ profile(id: $p) {{ {PROFILE_FIELDS} }} }}"),
    "profile records' properties": PiiPath("query($p: ID!) { profile(id: $p) { records { properties } } }"),
    "records' identifiers": PiiPath("query($p: ID!) { profile(id: $p) { records { identifiers { value } } } }"),
    "profile by identifier": PiiPath(
        f"query($email: String!) {{ profileByIdentifier(kind: EMAIL, value: $email) {{ {PROFILE_FIELDS} }} }}"
    ),
    "profiles page": PiiPath(f"{{ profiles(first: 30) {{ edges {{ node {{ {PROFILE_FIELDS} }} }} }} }}"),
    "profile events' properties": PiiPath(
        "query($p: ID!) { profile(id: $p) { events(first: 100) { edges { node { properties } } } } }",
        carries_pii=False,
    ),
    "profile consents": PiiPath(
        "query($p: ID!) { profile(id: $p) { consents { purpose source history { source } } } }", carries_pii=False
    ),
    "identity graph nodes": PiiPath(
        "query($p: ID!) { profile(id: $p) { identityGraph(depth: 2) { nodes { id label text } } } }"
    ),
    "profile's organizations' contacts": PiiPath(
        "query($p: ID!) { profile(id: $p) { organizations { contacts(first: 10) { edges { node { profile"
        f" {{ {PROFILE_FIELDS} }} title }} }} }} }} }} }}"
    ),
    "shared identifier clusters": PiiPath(
        "{ sharedIdentifierClusters(kind: PHONE, minProfiles: 2, first: 100, profilesPerCluster: 5)"
        " { identifier { value } profiles { traits { name value } } } }"
    ),
    "explain link": PiiPath(
        "query($a: RecordRef!, $b: RecordRef!) { explainLink(a: $a, b: $b)"
        " { path { identifier { value } rule } reasons fuzzyEvidence } }"
    ),
    "organization contacts": PiiPath(
        "query($o: ID!) { organization(id: $o) { contacts(first: 20) { edges { node { profile"
        f" {{ {PROFILE_FIELDS} records {{ properties }} }} title titles department }} }} }} }} }}"
    ),
    "organization records and opportunities": PiiPath(
        "query($o: ID!) { organization(id: $o) { records { properties } opportunities { properties } } }",
        carries_pii=False,
    ),
    "account graph nodes": PiiPath(
        "query($o: ID!) { organization(id: $o) { accountGraph(depth: 1) { nodes { id kind label } } } }"
    ),
    "buying committee members": PiiPath(
        "query($o: ID!) { organization(id: $o) { buyingCommittee { members { title profile"
        f" {{ {PROFILE_FIELDS} }} }} quietMembers {{ profile {{ identifiers {{ value }} }} }} }} }} }}"
    ),
    "segment members": PiiPath(
        f"{{ segments {{ members(first: 10) {{ edges {{ node {{ {PROFILE_FIELDS} }} }} }} }} }}", carries_pii=False
    ),
    "profiles of a segment": PiiPath(
        "{ profiles(first: 30, segment: {identifier: {kind: EMAIL}}) { edges { node"
        f" {{ {PROFILE_FIELDS} }} }} }} }}"
    ),
}


def _tokens(value: Any) -> set[str]:
    return {token.lower() for token in _TOKEN.findall(str(value))}


def _pii_tokens(store: GraphStore) -> set[str]:
    """Word tokens of personal values that never occur in non-personal ones."""
    personal: set[str] = set()
    other: set[str] = set()
    people = list(store.iter_records(PERSON_KINDS))
    for record in people:
        # A record's key is how the API names it (records, explanations, overrides): a reference, shown to all,
        # even where a source uses the person's account ID as its record ID.
        other.update(_tokens(record.key.source_id))
        for name, value in record.properties.items():
            if value is None or isinstance(value, bool | int | float):
                continue
            if name in PII_PROPERTIES:
                personal.update(_tokens(str(value).split("@")[0]))  # masking keeps an email's domain
            else:
                other.update(_tokens(value))
    for record in store.iter_records([RecordKind.COMPANY, RecordKind.EVENT, RecordKind.OPPORTUNITY]):
        other.update(token for value in walk_values(record.properties) for token in _tokens(value))
    for _, identifier in store.iter_links(PERSON_KINDS):
        if identifier.kind in PII_IDENTIFIERS:
            local = identifier.value.split("@")[0] if identifier.kind is IdentifierKind.EMAIL else identifier.value
            personal.update(_tokens(local))
        else:
            other.update(_tokens(identifier.value))
    other.update(token for name in PII_PROPERTIES for token in _tokens(name))  # trait names are not values
    return personal - other


@dataclass(frozen=True)
class DemoSubjects:
    variables: dict[str, Any]
    pii_tokens: frozenset[str]


@pytest.fixture(scope="module")
def subjects(demo_store_url: str) -> DemoSubjects:
    """The demo's richest profile (most records), one of its emails and records, and the organisation with the
    most members; with the PII tokens of the store."""
    store = open_store(demo_store_url)
    try:
        # The profile with the most records, two of which share an email (so explainLink shows it).
        best: tuple[int, str, Any, Any, str] | None = None
        for entity in store.iter_entities(EntityKind.PROFILE):
            held = store.identifiers_of(list(entity.members))
            by_email: dict[str, list[Any]] = {}
            for key, identifiers in held.items():
                for i in identifiers:
                    if i.kind is IdentifierKind.EMAIL:
                        by_email.setdefault(i.value, []).append(key)
            shared = [(value, keys) for value, keys in by_email.items() if len(keys) > 1]
            if shared and (best is None or len(entity.members) > best[0]):
                value, keys = shared[0]
                best = (len(entity.members), entity.id, keys[0], keys[1], value)
        assert best is not None, "the demo data has no profile whose records share an email"
        _, profile_id, a, b, email = best
        organization = max(store.iter_entities(EntityKind.ORGANIZATION), key=lambda e: (len(e.members), e.id))
        variables = {
            "p": profile_id,
            "email": email,
            "o": organization.id,
            "a": {"source": a.source, "sourceId": a.source_id},
            "b": {"source": b.source, "sourceId": b.source_id},
        }
        return DemoSubjects(variables=variables, pii_tokens=frozenset(_pii_tokens(store)))
    finally:
        store.close()


def _leaks(data: Any, pii_tokens: Iterable[str]) -> list[str]:
    tokens = set(pii_tokens)
    return sorted({str(v) for v in walk_values(data) if isinstance(v, str) and _tokens(v) & tokens})


_SCHEMA = build_schema()._schema


@pytest.mark.parametrize("name", list(PII_PATHS))
async def test_pii_is_masked_without_pii_read_on_every_path(
    demo_store_url: str, subjects: DemoSubjects, name: str
) -> None:
    path = PII_PATHS[name]
    document = parse(path.query)
    if validate(_SCHEMA, document):
        pytest.skip(f"{name}: not in the schema (yet)")
    used = set(re.findall(r"\$(\w+)", path.query))
    variables = {k: v for k, v in subjects.variables.items() if k in used}
    async with served(demo_store_url, MASKED) as api:
        masked = await api.post(path.query, **variables)
    assert "errors" not in masked, masked
    assert not _leaks(masked["data"], subjects.pii_tokens), f"{name} leaks PII without pii:read"
    async with served(demo_store_url, CLEAR) as api:
        clear = await api.post(path.query, **variables)
    assert "errors" not in clear, clear
    if path.carries_pii:
        assert _leaks(clear["data"], subjects.pii_tokens), f"{name}: no PII shown with pii:read; a bad test subject?"


def test_the_masking_paths_cover_every_type_holding_a_person() -> None:
    """A new type that returns a Profile (or records' properties) must get a path here: this lists the object types
    that have a field of type Profile, and checks that each appears in some PII path's query."""
    holders = sorted(
        type_name
        for type_name, type_ in _SCHEMA.type_map.items()
        if not type_name.startswith("__")
        and any(str(field.type).strip("[]!") == "Profile" for field in getattr(type_, "fields", {}).values())
        and type_name not in {"Query", "Mutation", "ProfileEdge", "Edge"}
    )
    covered = {"CommitteeMember", "OrganizationContact", "IdentifierCluster", "TrackResult"}
    missing = [name for name in holders if name not in covered]
    assert not missing, f"add a PII path for the types {missing}, then list them in `covered`"
