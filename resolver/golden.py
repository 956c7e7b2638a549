"""Golden-record traits of an entity from its member records, each with the record it came from.

Each trait is chosen by its policy (source priority, most recent, most frequent, longest, first non-empty);
consents are merged so that any record saying no, or records disagreeing, means not granted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from operator import itemgetter

from pydantic import JsonValue

from graph import Properties, Record, RecordKey
from resolver.rules import Survivorship, SurvivorshipPolicy

# Properties that describe the record rather than the person or company.
_NOT_TRAITS = frozenset({"email_given", "created_at", "updated_at", "derived_from", "attributes"})
CONSENT_SUFFIX = "_consent"

# Distinct sets of property names whose traits' order and policies are kept (see `_Policies.plan`).
_PLANS = 4096
# `_Policies.first_upto` of a policy that picks the first candidate whatever their number.
_ANY = 1 << 62
# A member record as the traits need it: its key and its properties.
Member = tuple[RecordKey, Properties]


def _empty(value: JsonValue) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _recency(properties: Properties) -> str:
    value = properties.get("updated_at") or properties.get("created_at") or ""
    return str(value)


def _choose(
    policy: SurvivorshipPolicy,
    candidates: Sequence[tuple[int, JsonValue]],
    ordered: Sequence[Member],
    policies: _Policies,
    recency: list[str],
) -> tuple[int, JsonValue]:
    """One (member, value) among the non-empty candidates, each member given by its place in `ordered` (record-key
    order), which is the candidates' order. `recency` holds each member's `_recency`, worked out once per entity
    rather than once per trait (filled in on first need)."""
    match policy:
        case SurvivorshipPolicy.FIRST_NON_EMPTY:
            return candidates[0]
        case SurvivorshipPolicy.MOST_RECENT:
            # Latest update wins; ties (or no dates) go to the first record.
            if not recency:
                recency += [_recency(properties) for _, properties in ordered]
            return max(candidates, key=lambda c: recency[c[0]])
        case SurvivorshipPolicy.MOST_FREQUENT:
            if len(candidates) <= 2:  # one value, or two counted once or twice: either way the first
                return candidates[0]
            keys = [_hashable(value) for _, value in candidates]
            counts = Counter(keys)
            best = max(counts.values())
            return next(c for c, key in zip(candidates, keys, strict=True) if counts[key] == best)
        case SurvivorshipPolicy.LONGEST:
            return max(candidates, key=lambda c: len(str(c[1])))
        case SurvivorshipPolicy.SOURCE_PRIORITY:
            order = policies.source_rank
            if not order:  # every source ranks the same: the first record
                return candidates[0]
            return min(candidates, key=lambda c: order.get(ordered[c[0]][0].source, len(order)))
    raise AssertionError(policy)  # pragma: no cover


def _hashable(value: JsonValue) -> object:
    """A key equal for equal values: text as itself (most values are), anything else by its repr (kept apart from
    text, which is never a tuple)."""
    return value if type(value) is str else ("repr", repr(value))


class _Policies:
    """A survivorship's policy of each trait, looked up by name (and its value as stored) without going through the
    model and the enum for every trait of every entity."""

    def __init__(self, survivorship: Survivorship) -> None:
        self.survivorship = survivorship
        self.default = survivorship.default
        self.policy = dict(survivorship.traits)
        self.value = {name: policy.value for name, policy in self.policy.items()}
        self.default_value = self.default.value
        self.source_rank = {source: rank for rank, source in enumerate(survivorship.source_priority)}
        self._first_upto: dict[str, int] = {}
        self._plans: dict[tuple[str, ...], list[tuple[str, str | None]]] = {}

    def plan(self, properties: Properties) -> list[tuple[str, str | None]]:
        """The trait names among `properties`' names, sorted, each with its policy's value (None for a consent).
        Records of one source have the same names: each set of names is worked out once (up to a bound)."""
        names = tuple(properties)
        plan = self._plans.get(names)
        if plan is None:
            plan = [
                (name, None if name.endswith(CONSENT_SUFFIX) else self.value.get(name, self.default_value))
                for name in sorted(names)
                if name not in _NOT_TRAITS
            ]
            if len(self._plans) < _PLANS:
                self._plans[names] = plan
        return plan

    def first_upto(self, name: str) -> int:
        """Up to how many candidates the trait's policy picks the first one for sure (see `_choose`)."""
        upto = self._first_upto.get(name)
        if upto is None:
            policy = self.policy.get(name, self.default)
            if policy is SurvivorshipPolicy.FIRST_NON_EMPTY or (
                policy is SurvivorshipPolicy.SOURCE_PRIORITY and not self.source_rank
            ):
                upto = _ANY
            else:
                upto = 2 if policy is SurvivorshipPolicy.MOST_FREQUENT else 1
            self._first_upto[name] = upto
        return upto


_last_policies: _Policies | None = None


def _policies(survivorship: Survivorship) -> _Policies:
    """The `_Policies` of `survivorship`, made again only when another survivorship comes (a run uses one)."""
    global _last_policies
    last = _last_policies
    if last is None or last.survivorship is not survivorship:
        last = _last_policies = _Policies(survivorship)
    return last


def golden_traits(records: Iterable[Record], survivorship: Survivorship | None = None) -> Properties:
    """`{trait: {"value": ..., "record": "source/source_id", "policy": ...}}` for every trait some record has."""
    return golden_traits_of([(record.key, record.properties) for record in records], survivorship)


def golden_traits_of(members: Sequence[Member], survivorship: Survivorship | None = None) -> Properties:
    """`golden_traits` of records given as (key, properties)."""
    survivorship = survivorship or Survivorship()
    policies = _policies(survivorship)
    if len(members) == 1:
        return _single(members[0], policies)
    ordered = sorted(members, key=_first)
    # Each trait's non-empty values, with the place of the member giving it in `ordered`.
    values: dict[str, list[tuple[int, JsonValue]]] = {}
    plan = policies.plan
    for index, (_, properties) in enumerate(ordered):
        for name, _ in plan(properties):
            value = properties[name]
            if value or not _empty(value):  # (most values are non-empty text: no call for them)
                if (candidates := values.get(name)) is None:
                    values[name] = [(index, value)]
                else:
                    candidates.append((index, value))
    recency: list[str] = []  # (made by `_choose` when a trait needs it)
    # Each member's key as text, made once rather than once per trait it gives.
    shown = [str(key) for key, _ in ordered]
    traits: Properties = {}
    policy_of, value_of, default, default_value, first_upto = (
        policies.policy,
        policies.value,
        policies.default,
        policies.default_value,
        policies.first_upto,
    )
    for name in sorted(values):
        candidates = values[name]
        if name.endswith(CONSENT_SUFFIX):
            granted = all(value is True for _, value in candidates)
            source = candidates[0][0] if granted else next(i for i, v in candidates if v is not True)
            traits[name] = {"value": granted, "record": shown[source], "policy": "all_must_grant"}
            continue
        # (One candidate: every policy picks it; some pick the first of any number, or of two.)
        index, value = (
            candidates[0]
            if len(candidates) == 1 or len(candidates) <= first_upto(name)
            else _choose(policy_of.get(name, default), candidates, ordered, policies, recency)
        )
        traits[name] = {"value": value, "record": shown[index], "policy": value_of.get(name, default_value)}
    return traits


_first = itemgetter(0)  # a member's key


def _single(member: Member, policies: _Policies) -> Properties:
    """The traits of a one-record entity: every policy picks the record's own value (most entities are these)."""
    key, properties = member
    source = str(key)
    traits: Properties = {}
    for name, policy in policies.plan(properties):
        value = properties[name]
        if not value and _empty(value):
            continue
        if policy is None:
            traits[name] = {"value": value is True, "record": source, "policy": "all_must_grant"}
        else:
            traits[name] = {"value": value, "record": source, "policy": policy}
    return traits
