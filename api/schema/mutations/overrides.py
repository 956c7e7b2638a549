"""`addOverride` / `removeOverride`: a person's never_link / always_link decision on two records, applied at once.

The override is stored (it wins over every rule and survives batch runs), then both records are resolved
incrementally, so the profiles split or merge before the call returns.
"""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from starlette.concurrency import run_in_threadpool

from api.ingest.resolving import resolve_records, rules_for
from api.schema.context import Info
from api.schema.errors import InputError
from api.schema.types import RecordKeyType, RecordRef
from api.security.audit import audit
from api.security.permissions import requires
from api.security.scopes import Scope
from graph import RESOLVED_KINDS, GraphStore, Override, OverrideKind, RecordKey, entity_kind_of
from graph import Override as StoredOverride

strawberry.enum(OverrideKind, description="never_link keeps two records apart; always_link joins them.")

MAX_REASON = 500


@strawberry.type(name="Override", description="A person's decision about two records; it wins over every rule.")
class OverrideType:
    kind: OverrideKind
    a: RecordKeyType
    b: RecordKeyType
    reason: str
    author: str = strawberry.field(description="the API key (name and id) that set it")
    created_at: datetime
    profile_ids: list[strawberry.ID] = strawberry.field(description="the profiles of a and b after resolving")

    @classmethod
    def of(cls, override: StoredOverride, profile_ids: list[str]) -> OverrideType:
        return cls(
            kind=override.kind,
            a=RecordKeyType.of(override.a),
            b=RecordKeyType.of(override.b),
            reason=override.reason,
            author=override.author,
            created_at=override.created_at,
            profile_ids=[strawberry.ID(i) for i in profile_ids],
        )


def _pair(store: GraphStore, a: RecordRef, b: RecordRef) -> tuple[RecordKey, RecordKey]:
    """Both records, stored and of one resolvable kind (people with people, companies with companies)."""
    first, second = a.key("a"), b.key("b")
    if first == second:
        raise InputError("arguments 'a' and 'b' name the same record")
    records = store.get_records([first, second])
    for name, key in (("a", first), ("b", second)):
        if key not in records:
            raise InputError(f"argument '{name}': no record with this key")
    kinds = {entity_kind_of(records[first].kind), entity_kind_of(records[second].kind)}
    if None in kinds or len(kinds) > 1:
        allowed = " or ".join(sorted(k.value for kinds_ in RESOLVED_KINDS.values() for k in kinds_))
        raise InputError(f"arguments 'a' and 'b': two records of one resolved kind ({allowed}) are needed")
    return first, second


def _apply(info: Info, first: RecordKey, second: RecordKey) -> list[str]:
    resolved = resolve_records(info.context.store, [first, second], rules_for(info.context.settings))
    # Resolving b may have moved a (a merge or split around b): read both as they are now.
    current = info.context.store.entity_ids_of([first, second])
    return [current[k] for k in (first, second) if k in current] or list(resolved.entity_ids.values())


def _author(info: Info) -> str:
    principal = info.context.principal
    return f"{principal.name} (key {principal.key_id})" if principal.name else f"key {principal.key_id}"


@strawberry.type
class OverrideMutation:
    @strawberry.mutation(
        description="Keep two records apart (NEVER_LINK) or join them (ALWAYS_LINK), with the reason; the"
        " profiles change at once (needs admin).",
        extensions=[requires(Scope.ADMIN)],
    )
    async def add_override(
        self, info: Info, kind: OverrideKind, a: RecordRef, b: RecordRef, reason: str
    ) -> OverrideType:
        why = reason.strip()
        if not 1 <= len(why) <= MAX_REASON:
            raise InputError(f"argument 'reason': 1 to {MAX_REASON} characters")
        store = info.context.store

        def work() -> tuple[StoredOverride, list[str]]:
            first, second = _pair(store, a, b)
            override = Override(
                kind=kind, a=first, b=second, reason=why, author=_author(info), created_at=datetime.now(UTC)
            )
            store.put_override(override)
            return override, _apply(info, first, second)

        override, profiles = await run_in_threadpool(work)
        audit(info, "override.add", f"{override.a}|{override.b}", kind=override.kind.value, profiles=list(profiles))
        return OverrideType.of(override, profiles)

    @strawberry.mutation(
        description="Remove the override of two records (whether there was one); the profiles change at once"
        " (needs admin).",
        extensions=[requires(Scope.ADMIN)],
    )
    async def remove_override(self, info: Info, a: RecordRef, b: RecordRef) -> bool:
        store = info.context.store

        def work() -> tuple[bool, list[str]]:
            first, second = _pair(store, a, b)
            removed = store.delete_override(first, second)
            return removed, _apply(info, first, second) if removed else []

        removed, profiles = await run_in_threadpool(work)
        first, second = sorted((a.key("a"), b.key("b")))
        audit(info, "override.remove", f"{first}|{second}", removed=removed, profiles=list(profiles))
        return removed
