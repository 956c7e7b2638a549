"""The audit log's entry: who did what to which target and when, appended by the API and never changed.

Entries hold no raw personal data: targets and details are IDs, counts, kinds and names of fields, never values.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from graph.model import Properties


class AuditEntry(BaseModel):
    """One audited action. `seq` is given by the store on append: increasing, in commit order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int | None = Field(None, description="position in the log, set by the store")
    at: AwareDatetime
    actor: str = Field(min_length=1, description="who: the API key ID (or 'cli:<user>')")
    actor_name: str = Field("", description="the key's name, e.g. the calling service")
    action: str = Field(min_length=1, description="what: pii.read, export, merge, override, consent, erasure, ...")
    target: str = Field("", description="on what: a profile or organisation ID, a segment, an operation")
    detail: Properties = Field(default_factory=dict)


def audit_time(at: datetime) -> str:
    """The stored form of an entry's time: ISO-8601 in UTC with microseconds, so text order is time order."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")
