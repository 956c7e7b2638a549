"""Stable entity IDs across runs: the oldest survives a merge, the part with the oldest record keeps the ID on a
split, merged-away IDs become aliases, and every change is a history event."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from graph import EntityKind, HistoryAction, HistoryEvent, RecordKey
from resolver.trusted import trusted


class Assigned(NamedTuple):
    """One group of records and the entity ID it resolves to."""

    id: str
    members: tuple[RecordKey, ...]
    created_at: datetime


@dataclass
class Assignment:
    """IDs for every group, plus what changed against the previous run."""

    groups: list[Assigned] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)
    history: list[HistoryEvent] = field(default_factory=list)
    merges: int = 0
    splits: int = 0
    created: int = 0


def derived_id(prefix: str, members: Sequence[RecordKey], salt: int = 0) -> str:
    """A new group's ID, derived from its smallest record key, so a rebuild from scratch gives the same IDs."""
    first = min(members)
    text = f"{first.source}\x1f{first.source_id}\x1f{salt}"
    return prefix + hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _event(
    entity_id: str,
    at: datetime,
    action: HistoryAction,
    cause: str,
    records: tuple[RecordKey, ...] = (),
    others: tuple[str, ...] = (),
) -> HistoryEvent:
    return trusted(HistoryEvent, entity_id=entity_id, at=at, action=action, cause=cause, records=records, others=others)


ID_PREFIX = {EntityKind.PROFILE: "p-", EntityKind.ORGANIZATION: "o-"}


def assign_ids(
    groups: Sequence[Sequence[RecordKey]],
    previous: Mapping[RecordKey, str],
    created_at: Mapping[str, datetime],
    *,
    prefix: str,
    now: datetime,
    age: Callable[[RecordKey], str] = lambda key: "",
    cause: str = "resolve",
    taken: Callable[[str], bool] = lambda entity_id: False,
) -> Assignment:
    """Give every group an ID, keeping the IDs of the previous run where their records still are.

    A previous entity's ID goes to the group holding its oldest record (by `age`, then key), so a split
    leaves the ID with the part holding the oldest record. A group granted several previous IDs is a merge:
    the oldest ID survives and the others become its aliases. Previous IDs whose records are all gone are
    retired. `created_at` holds the creation time of every entity of these records; a new ID is neither one of
    them nor `taken` (an entity elsewhere, when only part of the graph is resolved).
    """
    if not previous and not created_at:
        return _first_ids(groups, prefix, now, cause, taken)
    result = Assignment()
    # (Needed only to place previous records: a first run has none.)
    group_of = {key: n for n, group in enumerate(groups) for key in group} if previous else {}
    members_of: dict[str, list[RecordKey]] = defaultdict(list)
    for key, entity_id in previous.items():
        if key in group_of:
            members_of[entity_id].append(key)
    granted: dict[int, list[str]] = defaultdict(list)
    for entity_id, keys in members_of.items():
        oldest = min(keys, key=lambda k: (age(k), k))
        granted[group_of[oldest]].append(entity_id)
    live = set(created_at)
    for entity_id in sorted(live - members_of.keys()):
        result.retired.append(entity_id)
        result.history.append(_event(entity_id, now, HistoryAction.RETIRED, cause))

    ids: list[str] = []
    for n, group in enumerate(groups):
        members = tuple(sorted(group))
        claims = sorted(granted[n], key=lambda i: (created_at.get(i, now), i)) if n in granted else ()
        if claims:
            survivor, *merged = claims
            if merged:
                result.merges += len(merged)
                result.aliases.update(dict.fromkeys(merged, survivor))
                result.retired += merged
                merged_records = tuple(k for i in merged for k in members_of[i])
                result.history.append(
                    _event(survivor, now, HistoryAction.MERGED, cause, tuple(sorted(merged_records)), tuple(merged))
                )
            result.groups.append(Assigned(survivor, members, created_at.get(survivor, now)))
            ids.append(survivor)
            continue
        salt = 0
        while (new_id := derived_id(prefix, members, salt)) in live or taken(new_id):
            salt += 1
        live.add(new_id)
        result.created += 1
        result.groups.append(Assigned(new_id, members, now))
        result.history.append(_event(new_id, now, HistoryAction.CREATED, cause, members))
        ids.append(new_id)

    # Splits: previous entities whose records now sit in several groups.
    for _, keys in sorted(members_of.items()):
        destinations = {ids[group_of[k]] for k in keys}
        if len(destinations) < 2:
            continue
        result.splits += 1
        # The ID now holding the entity's oldest record: the entity itself, or what it was merged into.
        home = ids[group_of[min(keys, key=lambda k: (age(k), k))]]
        result.history.append(
            _event(
                home,
                now,
                HistoryAction.SPLIT,
                cause,
                tuple(sorted(k for k in keys if ids[group_of[k]] != home)),
                tuple(sorted(destinations - {home})),
            )
        )
    return result


def _first_ids(
    groups: Sequence[Sequence[RecordKey]], prefix: str, now: datetime, cause: str, taken: Callable[[str], bool]
) -> Assignment:
    """`assign_ids` when no entity exists yet (a first run): every group is new, with its derived ID. The same
    result as the general path, inlined for speed (a million records pass here)."""
    result = Assignment(created=len(groups))
    live: set[str] = set()
    add_group, add_event, created = result.groups.append, result.history.append, HistoryAction.CREATED
    for group in groups:
        members = tuple(sorted(group))
        salt = 0
        while (new_id := derived_id(prefix, members, salt)) in live or taken(new_id):
            salt += 1
        live.add(new_id)
        add_group(Assigned(new_id, members, now))
        add_event(
            trusted(HistoryEvent, entity_id=new_id, at=now, action=created, cause=cause, records=members, others=())
        )
    return result
