"""Preparing a segment for the compilers: saved segments inlined (cycles refused) and committee roles expanded.

The compilers accept only prepared segments: no `in_segment` left, every committee condition with its CRM role
names. Both look-ups are callbacks, so this stays pure (the API reads saved segments and the B2B rules).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from graph.segments.ast import (
    MAX_CONDITIONS,
    AllOf,
    AnyOf,
    CommitteeCondition,
    CommitteeFilter,
    NotOf,
    Segment,
    SegmentError,
    SegmentRef,
    _size,
    conditions_of,
)

SavedLookup = Callable[[str], Segment | None]
RoleNames = Callable[[str], Sequence[str]]


def _no_role_names(role: str) -> Sequence[str]:
    return [role.replace("_", " ").lower()]


def prepare(
    segment: Segment,
    *,
    saved: SavedLookup = lambda name: None,
    role_names: RoleNames = _no_role_names,
    name: str | None = None,
) -> Segment:
    """`segment` with every `in_segment` replaced by the saved segment's condition and every committee role
    expanded into CRM role names (lower case). `name` is the segment's own name when it is being saved, so
    that a segment referring to itself is refused. SegmentError names the path of an unknown or cyclic ref."""
    stack = [name] if name is not None else []
    prepared = Segment(_prepare(segment.root, "", stack, saved, role_names))
    count, _ = _size(prepared.root, 1)
    if count > MAX_CONDITIONS:
        raise SegmentError(f"segment: {count} conditions with saved segments inlined, more than {MAX_CONDITIONS}")
    return prepared


def _at(path: str, part: str) -> str:
    return f"{path}.{part}" if path and not part.startswith("[") else f"{path}{part}"


def _prepare(condition: Any, path: str, stack: list[str], saved: SavedLookup, role_names: RoleNames) -> Any:
    """The prepared copy of one condition; `path` is where it sits, for error messages."""
    if isinstance(condition, AllOf):
        children = [_prepare(c, _at(path, f"all[{i}]"), stack, saved, role_names) for i, c in enumerate(condition.all)]
        return AllOf(all=children)
    if isinstance(condition, AnyOf):
        children = [_prepare(c, _at(path, f"any[{i}]"), stack, saved, role_names) for i, c in enumerate(condition.any)]
        return AnyOf(any=children)
    if isinstance(condition, NotOf):
        return NotOf(not_=_prepare(condition.not_, _at(path, "not"), stack, saved, role_names))
    if isinstance(condition, SegmentRef):
        where = _at(path, "in_segment")
        if condition.in_segment in stack:
            cycle = " -> ".join([*stack[stack.index(condition.in_segment) :], condition.in_segment])
            raise SegmentError(f"{where}: saved segments refer to each other in a cycle ({cycle})")
        target = saved(condition.in_segment)
        if target is None:
            raise SegmentError(f"{where}: no saved segment is named {condition.in_segment!r}")
        return _prepare(target.root, path, [*stack, condition.in_segment], saved, role_names)
    if isinstance(condition, CommitteeCondition):
        spec = condition.committee_role
        names = [n.strip().lower() for n in spec.crm_roles]
        for role in spec.roles:
            names.extend(n.strip().lower() for n in role_names(role))
        # Constructed without validation: a role no CRM name means leaves an empty list, which matches no one.
        expanded = CommitteeFilter.model_construct(roles=[], crm_roles=sorted(set(names)))
        return CommitteeCondition.model_construct(committee_role=expanded)
    return condition


def references(segment: Segment) -> set[str]:
    """The names of the saved segments a segment refers to directly."""
    found: set[str] = set()

    def walk(condition: BaseModel) -> None:
        if isinstance(condition, SegmentRef):
            found.add(condition.in_segment)
        for child in conditions_of(condition):
            walk(child)

    walk(segment.root)
    return found
