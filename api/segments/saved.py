"""Saved segments: named definitions stored as documents `segment.<name>`, and preparing any segment to compile.

Preparing inlines the saved segments a definition refers to (`in_segment`, cycles refused) and turns committee
roles into the CRM contact-role names that mean them, from the B2B rules (`Settings.b2b_rules`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from api.b2b import CommitteeRole, load_rules
from api.settings import Settings
from graph import GraphStore
from graph.segments import Segment, SegmentError, parse_segment, prepare, references
from graph.segments.ast import SEGMENT_NAME_PATTERN

PREFIX = "segment."
_NAME = re.compile(SEGMENT_NAME_PATTERN)


@dataclass(frozen=True)
class SavedSegment:
    name: str
    segment: Segment
    saved_at: datetime
    saved_by: str  # the API key's name


def check_name(name: str) -> str:
    """The segment name, or SegmentError saying what a name may hold."""
    if not _NAME.fullmatch(name):
        raise SegmentError("a name of 1 to 100 letters, digits, '_', '-' or '.', starting with a letter or digit")
    return name


def load(store: GraphStore, name: str) -> SavedSegment | None:
    """The saved segment of that name, if any."""
    if not _NAME.fullmatch(name):
        return None
    document = store.get_document(PREFIX + name)
    if document is None:
        return None
    return SavedSegment(
        name=name,
        segment=parse_segment(document["definition"]),
        saved_at=datetime.fromisoformat(str(document["saved_at"])),
        saved_by=str(document.get("saved_by", "")),
    )


def names(store: GraphStore) -> list[str]:
    """Every saved segment's name, sorted."""
    return [name.removeprefix(PREFIX) for name in store.document_names(PREFIX)]


def _saved_lookup(store: GraphStore) -> Callable[[str], Segment | None]:
    def lookup(name: str) -> Segment | None:
        saved = load(store, name)
        return saved.segment if saved is not None else None

    return lookup


def role_names(settings: Settings) -> Callable[[str], list[str]]:
    """The CRM contact-role names (as the B2B rules normalise them) that mean each committee role."""
    rules = load_rules(settings.b2b_rules)

    def names_of(role: str) -> list[str]:
        wanted = CommitteeRole(role)
        return sorted(name for name, mapped in rules.crm_roles.items() if mapped is wanted)

    return names_of


def prepared(store: GraphStore, settings: Settings, segment: Segment, *, name: str | None = None) -> Segment:
    """`segment` ready for the store: saved segments inlined, committee roles expanded (SegmentError if not)."""
    return prepare(segment, saved=_saved_lookup(store), role_names=role_names(settings), name=name)


def save(store: GraphStore, settings: Settings, name: str, segment: Segment, *, by: str) -> SavedSegment:
    """Store (replace) a saved segment after checking that it prepares (known references, no cycle)."""
    check_name(name)
    prepared(store, settings, segment, name=name)
    saved = SavedSegment(name=name, segment=segment, saved_at=datetime.now(UTC), saved_by=by)
    store.put_document(
        PREFIX + name,
        {"name": name, "definition": segment.to_json(), "saved_at": saved.saved_at.isoformat(), "saved_by": by},
    )
    return saved


def users_of(store: GraphStore, name: str) -> list[str]:
    """The saved segments that refer to `name` directly."""
    users = []
    for other in names(store):
        saved = load(store, other)
        if saved is not None and other != name and name in references(saved.segment):
            users.append(other)
    return users


def delete(store: GraphStore, name: str) -> bool:
    """Remove a saved segment; refused (SegmentError) while other saved segments refer to it."""
    users = users_of(store, name)
    if users:
        raise SegmentError(f"segment {name!r} is used by {', '.join(repr(u) for u in users)}; change them first")
    return store.delete_document(PREFIX + name)
