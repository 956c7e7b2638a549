"""Golden-record traits of an entity from its member records, each with the record it came from.

Each trait is chosen by its policy (source priority, most recent, most frequent, longest, first non-empty);
consents are merged so that any record saying no, or records disagreeing, means not granted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from pydantic import JsonValue

from graph import Properties, Record, RecordKey
from resolver.rules import Survivorship, SurvivorshipPolicy

# Properties that describe the record rather than the person or company.
_NOT_TRAITS = frozenset({"email_given", "created_at", "updated_at", "derived_from", "attributes"})
CONSENT_SUFFIX = "_consent"

# A member record as the traits need it: its key and its properties.
Member = tuple[RecordKey, Properties]


def _empty(value: JsonValue) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _recency(properties: Properties) -> str:
    value = properties.get("updated_at") or properties.get("created_at") or ""
    return str(value)


def _choose(
    policy: SurvivorshipPolicy, candidates: Sequence[tuple[Member, JsonValue]], survivorship: Survivorship
) -> tuple[Member, JsonValue]:
    """One (record, value) among the non-empty candidates, which come in record-key order."""
    match policy:
        case SurvivorshipPolicy.FIRST_NON_EMPTY:
            return candidates[0]
        case SurvivorshipPolicy.MOST_RECENT:
            # Latest update wins; ties (or no dates) go to the first record.
            return max(candidates, key=lambda c: _recency(c[0][1]))
        case SurvivorshipPolicy.MOST_FREQUENT:
            counts = Counter(_hashable(value) for _, value in candidates)
            best = max(counts.values())
            return next(c for c in candidates if counts[_hashable(c[1])] == best)
        case SurvivorshipPolicy.LONGEST:
            return max(candidates, key=lambda c: len(str(c[1])))
        case SurvivorshipPolicy.SOURCE_PRIORITY:
            order = {source: rank for rank, source in enumerate(survivorship.source_priority)}
            return min(candidates, key=lambda c: order.get(c[0][0].source, len(order)))
    raise AssertionError(policy)  # pragma: no cover


def _hashable(value: JsonValue) -> str:
    return repr(value)


def golden_traits(records: Iterable[Record], survivorship: Survivorship | None = None) -> Properties:
    """`{trait: {"value": ..., "record": "source/source_id", "policy": ...}}` for every trait some record has."""
    return golden_traits_of([(record.key, record.properties) for record in records], survivorship)


def golden_traits_of(members: Sequence[Member], survivorship: Survivorship | None = None) -> Properties:
    """`golden_traits` of records given as (key, properties)."""
    survivorship = survivorship or Survivorship()
    if len(members) == 1:
        return _single(members[0], survivorship)
    ordered = sorted(members, key=lambda m: m[0])
    values: dict[str, list[tuple[Member, JsonValue]]] = {}
    for member in ordered:
        for name, value in member[1].items():
            if name not in _NOT_TRAITS and not _empty(value):
                values.setdefault(name, []).append((member, value))
    traits: Properties = {}
    for name in sorted(values):
        candidates = values[name]
        if name.endswith(CONSENT_SUFFIX):
            granted = all(value is True for _, value in candidates)
            source = candidates[0][0] if granted else next(m for m, v in candidates if v is not True)
            traits[name] = {"value": granted, "record": str(source[0]), "policy": "all_must_grant"}
            continue
        policy = survivorship.policy(name)
        member, value = _choose(policy, candidates, survivorship)
        traits[name] = {"value": value, "record": str(member[0]), "policy": policy.value}
    return traits


def _single(member: Member, survivorship: Survivorship) -> Properties:
    """The traits of a one-record entity: every policy picks the record's own value (most entities are these)."""
    key, properties = member
    source = str(key)
    traits: Properties = {}
    for name in sorted(properties):
        value = properties[name]
        if name in _NOT_TRAITS or _empty(value):
            continue
        if name.endswith(CONSENT_SUFFIX):
            traits[name] = {"value": value is True, "record": source, "policy": "all_must_grant"}
        else:
            traits[name] = {"value": value, "record": source, "policy": survivorship.policy(name).value}
    return traits
