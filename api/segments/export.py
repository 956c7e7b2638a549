"""`GET /segments/{name}/export`: a saved segment's profiles as CSV, streamed a page at a time.

Needs a key with `profiles:read`. Columns: `profile_id`, `created_at`, then the traits asked for with `traits=`
(comma-separated; a default set otherwise). PII traits are columns only for keys with `pii:read`; without it they
are left out (and named in the `X-Omitted-Columns` header). Every export is audited (segment, rows, columns).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, HTTPException, Query
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.security.audit import audit
from api.security.audit_context import request_trail
from api.security.masking import PII_PROPERTIES
from api.security.principal import Principal
from api.security.scopes import Scope
from api.segments import saved
from api.settings import Settings
from graph import GraphStore
from graph.segments import Segment, SegmentError
from graph.segments.fields import is_name

PAGE = 1_000
MAX_COLUMNS = 50
DEFAULT_TRAITS = ("first_name", "last_name", "email", "phone", "city", "country", "email_consent")


class _Context:
    """Just enough of the GraphQL context for `audit`."""

    def __init__(self, store: GraphStore, principal: Principal) -> None:
        self.store, self.principal = store, principal


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_cell(item) for item in value)
    return str(value)


def _rows(store: GraphStore, segment: Segment, traits: list[str], now: datetime) -> Iterator[str]:
    """The CSV text, header first, one page of profiles per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["profile_id", "created_at", *traits])
    after: str | None = None
    while True:
        ids = store.segment_members(segment, after=after, limit=PAGE, now=now)
        entities = store.get_entities(ids) if ids else {}
        for profile_id in ids:
            entity = entities.get(profile_id)
            if entity is None:  # merged away or erased since the page was read
                continue
            values = []
            for name in traits:
                trait = entity.traits.get(name)
                values.append(_cell(trait.get("value") if isinstance(trait, dict) else None))
            writer.writerow([entity.id, entity.created_at.isoformat(), *values])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(ids) < PAGE:
            return
        after = ids[-1]


def export_router(app: FastAPI) -> APIRouter:
    router = APIRouter(tags=["segments"])
    store: GraphStore = app.state.store
    settings: Settings = app.state.settings

    @router.get("/segments/{name}/export", response_class=StreamingResponse)
    async def export_segment(
        name: str,
        traits: Annotated[str | None, Query(description="comma-separated trait names (columns)")] = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> StreamingResponse:
        """The saved segment's profiles as CSV (streamed); PII columns only for keys with pii:read."""
        principal: Principal = await app.state.principal_of(authorization)
        if not principal.allows(Scope.PROFILES_READ):
            raise HTTPException(403, "this needs the 'profiles:read' scope")
        wanted = [t.strip() for t in traits.split(",") if t.strip()] if traits is not None else list(DEFAULT_TRAITS)
        if len(wanted) > MAX_COLUMNS or not all(is_name(t) for t in wanted):
            raise HTTPException(422, f"traits: at most {MAX_COLUMNS} trait names (letters, digits, '_', '.', '-')")
        columns = list(dict.fromkeys(t for t in wanted if principal.sees_pii or t not in PII_PROPERTIES))
        omitted = [t for t in dict.fromkeys(wanted) if t not in columns]
        found = await run_in_threadpool(saved.load, store, name)
        if found is None:
            raise HTTPException(404, "no saved segment has this name")
        try:
            segment = await run_in_threadpool(saved.prepared, store, settings, found.segment)
        except SegmentError as error:
            raise HTTPException(409, f"the saved segment no longer prepares: {error}") from None
        now = datetime.now(UTC)
        total = await run_in_threadpool(store.segment_count, segment, now=now)
        with request_trail() as trail:
            audit(_Context(store, principal), "segment.export", name, rows=total, columns=columns, format="csv")
            await app.state.audit_writer.write(trail.entries)
        headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
        if omitted:
            headers["X-Omitted-Columns"] = ",".join(t for t in omitted if t.isascii())
        return StreamingResponse(_rows(store, segment, columns, now), media_type="text/csv", headers=headers)

    return router
