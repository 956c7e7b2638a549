"""A looked-up profile's reads in one store call: which parts the query asks for, and what was read.

`profileByIdentifier` finds one profile, so nothing can batch with its reads. Instead of a look-up followed by a
read each for identifiers, events and consents, it reads what its selection asks for with
GraphStore.entity_bundle (one call, one transaction) and hands the parts to the Profile's fields. A field uses its
part only when it was read with exactly the field's arguments; otherwise (fragments, aliases, filters, cursors) it
reads on its own as for any profile, so the answer never depends on this.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, IntValueNode, NullValueNode, VariableNode

from api.ingest.consent import CONSENT_EVENT, MAX_HISTORY
from api.schema.context import Info
from api.schema.errors import InputError
from api.schema.pagination import page_size
from graph import PERSON_KINDS, GraphStore, Identifier, Record, RecordKey
from graph.bundle import EntityBundle


@dataclass(frozen=True)
class BundlePlan:
    """The parts of a profile's bundle a query asks for directly (not through fragments)."""

    identifiers: bool = False
    events: int = 0  # events to read: the `events` field's page size + 1 (its has-next-page probe); 0 for none
    consents: bool = False

    def read(self, store: GraphStore, identifier: Identifier) -> EntityBundle | None:
        """The bundle of the profile holding `identifier` (the smallest ID when several do), as planned."""
        return store.entity_bundle(
            identifier,
            PERSON_KINDS,
            identifiers=self.identifiers,
            events=self.events,
            typed_events=(CONSENT_EVENT,) if self.consents else (),
            typed_limit=MAX_HISTORY if self.consents else 0,
        )


@dataclass(frozen=True)
class Prefetched:
    """The parts of a profile read with it (None: not read), for its fields."""

    identifiers: dict[RecordKey, list[Identifier]] | None
    events_limit: int  # the limit `events` were read with; 0 when not read
    events: list[tuple[RecordKey, Record]]
    consent_events: list[tuple[RecordKey, Record]] | None  # events_of(members, [CONSENT_EVENT], MAX_HISTORY)

    @classmethod
    def of(cls, plan: BundlePlan, bundle: EntityBundle) -> Prefetched:
        return cls(
            identifiers=bundle.identifiers,
            events_limit=plan.events,
            events=bundle.events,
            consent_events=bundle.typed_events if plan.consents else None,
        )


def _first(node: FieldNode, variables: Mapping[str, Any]) -> int | None:
    """The `events` field's read limit (page size + 1) when its only argument is `first`; None otherwise."""
    first: Any = None
    for argument in node.arguments or ():
        if argument.name.value != "first":
            return None
        value = argument.value
        if isinstance(value, IntValueNode):
            first = int(value.value)
        elif isinstance(value, VariableNode):
            first = variables.get(value.name.value)
        elif not isinstance(value, NullValueNode):
            return None
    if first is not None and not isinstance(first, int):
        return None
    try:
        size = page_size(first)
    except InputError:
        return None  # the field raises it when resolved
    return size + 1 if size > 0 else None


def plan_of(info: Info) -> BundlePlan:
    """What the field's selection asks for of the profile: the fields it names itself (a field in a fragment
    reads on its own); events only when asked for once, with at most `first`."""
    raw = info._raw_info
    # graphql-core 3.3 keeps the coerced values in `.coerced`; 3.2 gives the dict itself.
    coerced: Any = getattr(raw.variable_values, "coerced", raw.variable_values)
    variables: Mapping[str, Any] = coerced
    identifiers = consents = False
    events: list[int | None] = []
    for field_node in raw.field_nodes:
        if field_node.selection_set is None:
            continue
        for selection in field_node.selection_set.selections:
            if not isinstance(selection, FieldNode):
                continue
            name = selection.name.value
            if name == "identifiers":
                identifiers = True
            elif name == "consents":
                consents = True
            elif name == "events":
                events.append(_first(selection, variables))
    limit = events[0] if len(events) == 1 else None
    return BundlePlan(identifiers=identifiers, events=limit or 0, consents=consents)
