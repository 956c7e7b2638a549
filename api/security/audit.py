"""The audit log: `audit(context, action, target, **detail)` for every area, and its writer.

Audited: PII reads (once per request that served unmasked PII), exports, merges and overrides, consent changes,
erasures, API key changes. An entry says who (the API key), when, what (action and target) and holds no raw PII:
details are IDs, counts, kinds and field names, never values (`audit` refuses detail keys that name PII).

Inside a GraphQL request `audit` only queues the entry; the request's `AuditTrail` extension writes the queue
before the response leaves, through the `AuditWriter`: on the event loop when the store can commit at once (the
embedded store with its write lock free), else in a worker thread, committing the entries of concurrent requests
together (group commit: one transaction for many requests). Outside a request the entry is written at once.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode
from pydantic import JsonValue
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import SchemaExtension

from api.security.audit_context import current_trail, request_trail
from api.security.masking import PII_PROPERTIES
from graph import AuditEntry, GraphStore

PII_READ = "pii.read"
# While other requests are still running, the writer waits this long before a commit so that their entries join it:
# each commit is a hop to a worker thread, which costs more CPU than the commit itself on a busy server.
GATHER_SECONDS = 0.002
_log = logging.getLogger("idgraph.audit")
# Detail keys that would hold personal data; an entry is about IDs and counts, never values.
_FORBIDDEN_DETAIL = PII_PROPERTIES | {"value", "values", "name", "address", "identifier", "query", "variables"}
_MAX_PROFILES = 100  # profile IDs named in one PII-read entry


class AuditError(RuntimeError):
    """The audit log could not be written; the request that needed it fails."""


def _checked(detail: Mapping[str, Any]) -> dict[str, JsonValue]:
    for key in detail:
        if key in _FORBIDDEN_DETAIL:
            raise ValueError(f"audit detail {key!r} may hold personal data: record IDs and counts, not values")
    return dict(detail)


def audit(context: Any, action: str, target: str, **detail: Any) -> None:
    """Record that the caller of `context` (a GraphQL Info or Context) did `action` on `target`.

    `target` is an ID (profile, organisation, segment, record as source/sourceId) or a kind; `detail` holds IDs,
    counts and kinds only. Inside a request the entry is written before the response is sent.
    """
    ctx = getattr(context, "context", context)
    principal = ctx.principal
    entry = AuditEntry(
        at=datetime.now(UTC),
        actor=principal.key_id,
        actor_name=principal.name,
        action=action,
        target=target,
        detail=_checked(detail),
    )
    trail = current_trail()
    if trail is not None:
        trail.entries.append(entry)
    else:
        ctx.store.append_audit([entry])


def audit_cli(store: GraphStore, action: str, target: str, **detail: Any) -> None:
    """Record an action taken from the command line (the actor is `cli:<user>`), written at once."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no user name in a bare container
        user = "unknown"
    entry = AuditEntry(at=datetime.now(UTC), actor=f"cli:{user}", action=action, target=target, detail=_checked(detail))
    store.append_audit([entry])


class AuditWriter:
    """Writes audit entries for one store, committing those of concurrent requests in one transaction.

    `await write(entries)` returns once the entries are committed (or raises AuditError): at once when the store
    can commit without waiting (`append_audit_now`), else through a queue. While one queued commit runs, entries
    arriving meanwhile queue up and go together in the next one.
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.running = 0  # requests being served that may still queue entries (counted by AuditTrail)
        self._queue: list[tuple[list[AuditEntry], asyncio.Future[None]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def write(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        # The common case: nothing queued and the store can commit at once (SQLite with its write lock free): the
        # entries are committed here, on the event loop, and the request goes on without suspending. A request that
        # waited for a commit in a worker thread went to the back of the loop's queue, behind every other request
        # in flight: twice their latency. With entries queued, these join them, so the log keeps the calls' order.
        if not self._queue and (self._drainer is None or self._drainer.done()):
            try:
                written = self.store.append_audit_now(entries)
            except Exception as exc:  # any store failure: this request fails
                raise AuditError(f"the audit log could not be written ({type(exc).__name__})") from exc
            if written is not None:
                return
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._queue.append((list(entries), done))
        # One drainer at a time; a new one when the last finished (or belonged to a loop that is gone).
        if self._drainer is None or self._drainer.done() or self._drainer.get_loop() is not loop:
            self._drainer = loop.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        while self._queue:
            if self.running > 0:  # a lone request commits at once; concurrent ones share the commit
                await asyncio.sleep(GATHER_SECONDS)
            batch, self._queue = self._queue, []
            entries = [entry for queued, _ in batch for entry in queued]
            failure: AuditError | None = None
            try:
                await run_in_threadpool(self.store.append_audit, entries)
            except Exception as exc:  # any store failure: every waiting request fails
                failure = AuditError(f"the audit log could not be written ({type(exc).__name__})")
            loop = asyncio.get_running_loop()
            for _, done in batch:
                if done.done() or done.get_loop() is not loop:  # its request was cancelled, or its loop is gone
                    continue
                if failure is None:
                    done.set_result(None)
                else:
                    done.set_exception(failure)


def _profile_ids(data: Any, found: list[str]) -> None:
    """The profile IDs (`p-...`) a response names in its `id` fields, in order, at most _MAX_PROFILES.

    The response is graphql-core's: plain dicts, lists and scalars (a JSON scalar's value may nest more of them),
    so exact type tests are enough; they cost less than isinstance on the hundred-odd values of a profile."""
    kind = type(data)
    if kind is dict:
        for key, value in data.items():
            kind = type(value)
            if kind is str:
                if key == "id" and value.startswith("p-") and value not in found and len(found) < _MAX_PROFILES:
                    found.append(value)
            elif kind is dict or kind is list:
                _profile_ids(value, found)
    elif kind is list:
        for item in data:
            kind = type(item)
            if kind is dict or kind is list:
                _profile_ids(item, found)


class AuditTrail(SchemaExtension):
    """Gives each GraphQL request an audit trail, adds one `pii.read` entry when the request served unmasked
    PII, and writes the trail before the response is sent."""

    def __init__(self, writer: AuditWriter) -> None:
        self.writer = writer

    async def on_operation(self) -> AsyncIterator[None]:
        self.writer.running += 1
        try:
            with request_trail() as trail:
                yield
        finally:
            self.writer.running -= 1
        context = self.execution_context
        result = context.result
        if trail.pii_read and result is not None and getattr(result, "data", None):
            profiles: list[str] = []
            _profile_ids(result.data, profiles)
            document = context.graphql_document
            operation = context.operation_name
            roots = _root_fields(document, operation) if document is not None else []
            # Built from values known to be valid (a key ID, a fixed action, profile IDs): no validation needed.
            audit_entry = AuditEntry.model_construct(
                at=datetime.now(UTC),
                actor=context.context.principal.key_id,
                actor_name=context.context.principal.name,
                action=PII_READ,
                target=",".join(roots),
                detail={"operation": operation, "profiles": list(profiles)},
            )
            trail.entries.append(audit_entry)
        if trail.entries:
            try:
                await self.writer.write(trail.entries)
            except AuditError:
                # What could not be recorded is not sent: the response carries no data, only this error.
                _log.exception("audit log write failed")
                if result is not None:
                    result.data = None
                    result.errors = [
                        GraphQLError(
                            "the request could not be audited, so nothing is returned; try again later",
                            extensions={"code": "AUDIT_UNAVAILABLE"},
                        )
                    ]


def _root_fields(document: Any, operation_name: str | None) -> list[str]:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        ):
            return [s.name.value for s in definition.selection_set.selections if isinstance(s, FieldNode)]
    return []
