"""The admin-only `auditLog` query: the audit log newest first, a page at a time."""

from __future__ import annotations

from datetime import datetime

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON

from api.schema.context import Info
from api.schema.errors import InputError
from api.schema.pagination import PageInfo, decode_cursor, encode_cursor, page_size
from api.security.permissions import requires
from api.security.scopes import Scope
from graph import AuditEntry as GraphAuditEntry


@strawberry.type(description="One audited action: who (API key), when, what, on which target. Holds no PII.")
class AuditEntry:
    entry: strawberry.Private[GraphAuditEntry]

    @strawberry.field(description="position in the log (increasing)")
    def seq(self) -> int:
        return self.entry.seq or 0

    @strawberry.field
    def at(self) -> datetime:
        return self.entry.at

    @strawberry.field(description="the API key's ID, or cli:<user> for the command line")
    def actor(self) -> str:
        return self.entry.actor

    @strawberry.field(description="the API key's name")
    def actor_name(self) -> str:
        return self.entry.actor_name

    @strawberry.field(description="pii.read, export, merge, override, consent, erasure, key.create, ...")
    def action(self) -> str:
        return self.entry.action

    @strawberry.field(description="a profile, organisation or segment ID, a record, or the root fields of a read")
    def target(self) -> str:
        return self.entry.target

    @strawberry.field(description="IDs, counts and kinds; never values")
    def detail(self) -> JSON:
        return JSON(self.entry.detail)


@strawberry.type
class AuditEntryEdge:
    node: AuditEntry
    cursor: str


@strawberry.type(description="A page of the audit log, newest first.")
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo


@strawberry.type
class AuditQuery:
    @strawberry.field(description="The audit log, newest first (admin only).", extensions=[requires(Scope.ADMIN)])
    async def audit_log(
        self, info: Info, first: int | None = None, after: str | None = None, since: datetime | None = None
    ) -> AuditEntryConnection:
        size = page_size(first)
        before = decode_cursor(after)
        if before is not None and (not isinstance(before, int) or isinstance(before, bool)):
            raise InputError("argument 'after' is not a cursor this API returned")
        if since is not None and since.tzinfo is None:
            raise InputError("argument 'since' needs a time zone (e.g. 2024-01-01T00:00:00Z)")
        store = info.context.store
        found = await run_in_threadpool(lambda: store.audit_entries(since=since, before=before, limit=size + 1))
        edges = [AuditEntryEdge(node=AuditEntry(entry=e), cursor=encode_cursor(e.seq)) for e in found[:size]]
        return AuditEntryConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=len(found) > size, end_cursor=edges[-1].cursor if edges else None),
        )
