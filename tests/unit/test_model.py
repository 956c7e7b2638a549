"""The model refuses what no store should be asked to write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from graph import (
    Entity,
    EntityKind,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    RecordKey,
    Relation,
    RelType,
    Resolution,
)

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def entity(entity_id: str, *members: int) -> Entity:
    return Entity(
        id=entity_id, kind=EntityKind.PROFILE, members=tuple(RecordKey("crm", str(m)) for m in members), created_at=T0
    )


@pytest.mark.parametrize(
    ("resolution", "message"),
    [
        ({"entities": (entity("p1", 1), entity("p1", 2))}, "p1 appears twice"),
        ({"entities": (entity("p1", 1), entity("p2", 1))}, "crm/1 is a member of more than one entity"),
        ({"entities": (entity("p1", 1),), "retired": ("p1",)}, "p1 is both upserted and retired"),
        ({"entities": (entity("p1", 1),), "aliases": {"p2": "p1"}}, "aliased entity p2 must be retired"),
        ({"aliases": {"a": "b", "b": "a"}, "retired": ("a", "b")}, "cycle"),
    ],
)
def test_a_resolution_must_not_contradict_itself(resolution: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Resolution.model_validate(resolution)


def test_alias_chains_are_followed_to_their_end() -> None:
    resolution = Resolution(aliases={"a": "b", "b": "c"}, retired=("a", "b"))
    assert resolution.final_aliases() == {"a": "c", "b": "c"}


def test_entities_need_time_zone_aware_creation_times() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        Entity(id="p1", kind=EntityKind.PROFILE, created_at=datetime(2024, 1, 1))


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        (Identifier(IdentifierKind.EMAIL, ""), "non-empty"),
        (Identifier(IdentifierKind.ACCOUNT, "42"), "system is required"),
        (Identifier(IdentifierKind.EMAIL, "a@b.c", "crm"), "only there"),
    ],
)
def test_identifiers_are_checked(identifier: Identifier, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        IdentifierLink(record=RecordKey("crm", "1"), identifier=identifier)


def test_record_keys_and_relation_types_are_checked() -> None:
    with pytest.raises(ValidationError, match="non-empty"):
        IdentifierLink(record=RecordKey("crm", " "), identifier=Identifier(IdentifierKind.EMAIL, "a@b.c"))
    with pytest.raises(ValidationError, match="not a relationship between records"):
        Relation(type=RelType.HAS_EMAIL, start=RecordKey("crm", "1"), end=RecordKey("crm", "2"))


def test_an_override_is_keyed_by_its_unordered_pair() -> None:
    from graph import Override, OverrideKind

    one, two = RecordKey("crm", "1"), RecordKey("crm", "2")
    override = Override(kind=OverrideKind.NEVER_LINK, a=two, b=one, reason="twins", author="ops", created_at=T0)
    assert (override.a, override.b) == (one, two)
    with pytest.raises(ValidationError, match="two different records"):
        Override(kind=OverrideKind.NEVER_LINK, a=one, b=one, reason="r", author="ops", created_at=T0)
