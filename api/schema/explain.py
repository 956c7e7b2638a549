"""explainLink: why two records share a profile (the path of identifiers and fuzzy links), or why they do not.

Wraps resolver.explain under the default rules. Without pii:read, identifier values in the path and the reasons
are masked, and the fuzzy evidence keeps each field's level and weight but not the compared values.
"""

from __future__ import annotations

import re
from enum import Enum

import strawberry
from starlette.concurrency import run_in_threadpool

from api.schema.context import Info
from api.schema.types import Identifier, RecordKeyType, RecordRef
from api.security.audit_context import note_pii_read
from api.security.masking import MASK, mask_identifier
from api.security.permissions import requires
from api.security.scopes import Scope
from graph import GraphStore, RecordKey
from graph import Identifier as GraphIdentifier
from resolver.explain import Explanation, explain

# "name: exact (+3.2) 'Ann' / 'Anne'": the part before the compared values.
_EVIDENCE_HEAD = re.compile(r"^(.*?\([+-]?\d+(?:\.\d+)?\))")


@strawberry.enum(description="What joins two records in one step of a link path.")
class LinkVia(Enum):
    IDENTIFIER = "identifier"
    SAME_AS = "same_as"
    ALWAYS_LINK = "always_link"


@strawberry.type(description="One hop of a link path: from one record to the next.")
class LinkStep:
    start: RecordKeyType
    end: RecordKeyType
    via: LinkVia
    identifier: Identifier | None = strawberry.field(description="the shared identifier (via IDENTIFIER)")
    score: float | None = strawberry.field(description="the fuzzy match score (via SAME_AS)")
    rule: str | None = strawberry.field(description="the fuzzy rule, or the override's reason")


@strawberry.type(description="The evidence joining two records, or the reasons nothing does.")
class LinkExplanation:
    a: RecordKeyType
    b: RecordKeyType
    joined: bool = strawberry.field(description="both resolve to the same entity")
    entity_a: strawberry.ID | None
    entity_b: strawberry.ID | None
    path: list[LinkStep] = strawberry.field(description="the shortest path of links between them, if any")
    reasons: list[str] = strawberry.field(description="why they are not joined")
    fuzzy_score: float | None = strawberry.field(description="the pair's match probability (person records)")
    fuzzy_evidence: list[str] = strawberry.field(description="per field: level and weight (values with pii:read)")


def _text(identifier: GraphIdentifier) -> str:
    """As resolver.explain writes an identifier."""
    system = f" ({identifier.system})" if identifier.system else ""
    return f"{identifier.kind.name} {identifier.value}{system}"


def _masked_text(identifier: GraphIdentifier) -> str:
    return _text(identifier._replace(value=mask_identifier(identifier.kind, identifier.value, sees_pii=False)))


def _key(text: str) -> RecordKey:
    source, _, source_id = text.partition("/")
    return RecordKey(source, source_id)


def _view(result: Explanation, held: dict[RecordKey, list[GraphIdentifier]], sees_pii: bool) -> LinkExplanation:
    known = {_text(i): i for ids in held.values() for i in ids}
    reasons = list(result.reasons)
    evidence = list(result.fuzzy_evidence)
    if sees_pii and (evidence or reasons):
        note_pii_read()  # the evidence and reasons quote values
    if not sees_pii:
        # Longest first, so that no identifier's text is masked inside a longer one.
        for text in sorted(known, key=len, reverse=True):
            reasons = [reason.replace(text, _masked_text(known[text])) for reason in reasons]
        evidence = [m.group(1) if (m := _EVIDENCE_HEAD.match(e)) else MASK for e in evidence]
    steps = []
    for step in result.path:
        identifier = None
        if step.identifier is not None:
            through = known.get(step.identifier)
            identifier = (
                Identifier.of(through, sees_pii=sees_pii)
                if through is not None
                else None  # not held by either end: never the case for an identifier step
            )
        steps.append(
            LinkStep(
                start=RecordKeyType.of(_key(step.start)),
                end=RecordKeyType.of(_key(step.end)),
                via=LinkVia(step.via),
                identifier=identifier,
                score=step.score,
                rule=step.rule,
            )
        )
    return LinkExplanation(
        a=RecordKeyType.of(_key(result.a)),
        b=RecordKeyType.of(_key(result.b)),
        joined=result.joined,
        entity_a=strawberry.ID(result.entity_a) if result.entity_a else None,
        entity_b=strawberry.ID(result.entity_b) if result.entity_b else None,
        path=steps,
        reasons=reasons,
        fuzzy_score=result.fuzzy_score,
        fuzzy_evidence=evidence,
    )


def _explain(store: GraphStore, a: RecordKey, b: RecordKey, sees_pii: bool) -> LinkExplanation | None:
    try:
        result = explain(store, a, b)
    except KeyError:  # an unknown record
        return None
    # The identifiers of every record on the path (and of both ends, which the reasons may name).
    on_path = {a, b} | {_key(k) for step in result.path for k in (step.start, step.end)}
    return _view(result, store.identifiers_of(sorted(on_path)), sees_pii)


@strawberry.type
class ExplainQuery:
    @strawberry.field(
        description="Why two records share a profile (or organisation): the shortest path of shared identifiers,"
        " fuzzy links and overrides, with scores; or the reasons they do not. Null when a record is unknown.",
        extensions=[requires(Scope.PROFILES_READ)],
    )
    async def explain_link(self, info: Info, a: RecordRef, b: RecordRef) -> LinkExplanation | None:
        store, sees_pii = info.context.store, info.context.sees_pii
        return await run_in_threadpool(_explain, store, a.key("a"), b.key("b"), sees_pii)
