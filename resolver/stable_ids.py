"""Stable entity IDs across runs: survivors on merge, the larger part on split, aliases for merged-away IDs."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from graph import RecordKey


@dataclass(frozen=True)
class Assigned:
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
    merges: int = 0
    splits: int = 0
    created: int = 0


def derived_id(prefix: str, members: Sequence[RecordKey], salt: int = 0) -> str:
    """A new group's ID, derived from its smallest record key, so a rebuild from scratch gives the same IDs."""
    first = min(members)
    text = f"{first.source}\x1f{first.source_id}\x1f{salt}"
    return prefix + hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def assign_ids(
    groups: Sequence[Sequence[RecordKey]],
    previous: Mapping[RecordKey, str],
    created_at: Mapping[str, datetime],
    *,
    prefix: str,
    now: datetime,
) -> Assignment:
    """Give every group an ID, keeping the IDs of the previous run where the records still are.

    A previous entity's ID goes to the group holding most of its records (ties: the group with its smallest
    record key), so a split leaves the ID with the larger part. A group granted several previous IDs is a
    merge: the oldest ID survives and the others become its aliases. Previous IDs whose records are all gone
    are retired.
    """
    result = Assignment()
    group_of = {key: n for n, group in enumerate(groups) for key in group}
    holders: dict[str, Counter[int]] = {}
    smallest: dict[str, RecordKey] = {}
    for key, entity_id in previous.items():
        if key in group_of:
            holders.setdefault(entity_id, Counter())[group_of[key]] += 1
            smallest[entity_id] = min(smallest.get(entity_id, key), key)
    granted: dict[int, list[str]] = {}
    for entity_id, counts in holders.items():
        if len(counts) > 1:
            result.splits += 1
        best = max(counts.items(), key=lambda item: (item[1], item[0] == group_of[smallest[entity_id]]))[0]
        granted.setdefault(best, []).append(entity_id)
    live = set(created_at)
    result.retired = sorted(live - holders.keys())
    for n, group in enumerate(groups):
        members = tuple(sorted(group))
        ids = sorted(granted.get(n, ()), key=lambda i: (created_at.get(i, now), i))
        if ids:
            survivor, *merged = ids
            for entity_id in merged:
                result.aliases[entity_id] = survivor
            result.retired.extend(merged)
            result.merges += len(merged)
            result.groups.append(Assigned(survivor, members, created_at.get(survivor, now)))
            continue
        salt = 0
        while (new_id := derived_id(prefix, members, salt)) in live:
            salt += 1
        live.add(new_id)
        result.created += 1
        result.groups.append(Assigned(new_id, members, now))
    return result
