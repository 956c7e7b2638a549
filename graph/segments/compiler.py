"""What the SQL and Cypher compilers share: parameters by name and the walk over a segment's conditions."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime, timedelta
from typing import Any

from graph.events import time_key
from graph.segments.ast import (
    AllOf,
    AnyOf,
    CommitteeCondition,
    ConsentCondition,
    EventCondition,
    EventFilter,
    IdentifierCondition,
    NotOf,
    OrganizationCondition,
    SegmentError,
    SegmentRef,
    TraitCondition,
)


def window(spec: EventFilter, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(since, until) of an event condition: `window_days` before `now`, or its own since / until."""
    if spec.window_days is not None:
        return now - timedelta(days=spec.window_days), None
    return spec.since, spec.until


class Compiler(ABC):
    """A boolean expression per condition; every user value becomes a named parameter (`p`), never text."""

    PARAMETER_MARK: str  # ":" (SQLite) or "$" (Cypher)

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.params: dict[str, Any] = {}

    def p(self, value: Any) -> str:
        name = f"s{len(self.params)}"
        self.params[name] = value
        return f"{self.PARAMETER_MARK}{name}"

    def condition(self, c: Any) -> str:
        if isinstance(c, AllOf):
            return "(" + " AND ".join(self.condition(x) for x in c.all) + ")"
        if isinstance(c, AnyOf):
            return "(" + " OR ".join(self.condition(x) for x in c.any) + ")"
        if isinstance(c, NotOf):
            return f"(NOT {self.condition(c.not_)})"
        if isinstance(c, TraitCondition):
            return self.trait(c)
        if isinstance(c, ConsentCondition):
            granted = self.consent(c)
            return granted if c.consent.granted else f"(NOT {granted})"
        if isinstance(c, IdentifierCondition):
            return self.identifier(c)
        if isinstance(c, EventCondition):
            return self.event(c.event)
        if isinstance(c, OrganizationCondition):
            return self.organization(c)
        if isinstance(c, CommitteeCondition):
            return self.committee(c)
        if isinstance(c, SegmentRef):
            raise SegmentError(
                f"in_segment {c.in_segment!r} must be resolved before compiling (graph.segments.prepare)"
            )
        raise TypeError(f"not a segment condition: {type(c).__name__}")

    def event_filters(self, spec: EventFilter, event: str) -> list[str]:
        """The filters of an event condition on its type, window and time of day, over the event alias `event`
        (which has `type` and `at`, the UTC time key)."""
        filters = []
        if spec.types:
            filters.append(f"{event}.type IN {self.in_list(sorted(set(spec.types)))}")
        since, until = window(spec, self.now)
        if since is not None:
            filters.append(f"{event}.at >= {self.p(time_key(since))}")
        if until is not None:
            filters.append(f"{event}.at < {self.p(time_key(until))}")
        if spec.time_of_day is not None:
            start, end = spec.time_of_day.minutes()
            minute = self.local_minute(f"{event}.at", self.p(spec.time_of_day.timezone))
            joiner = "AND" if start < end else "OR"  # a range past midnight wraps
            filters.append(f"({minute} >= {self.p(start)} {joiner} {minute} < {self.p(end)})")
        return filters

    @abstractmethod
    def in_list(self, values: list[Any]) -> str:
        """The right side of `x IN ...` for `values`, as parameters."""

    @abstractmethod
    def local_minute(self, at: str, timezone: str) -> str:
        """The minute of the day (0..1439) of the time key `at` in the time zone parameter `timezone`."""

    @abstractmethod
    def trait(self, c: TraitCondition) -> str: ...

    @abstractmethod
    def consent(self, c: ConsentCondition) -> str:
        """Whether the profile grants the purpose (the caller negates it for `granted: false`)."""

    @abstractmethod
    def identifier(self, c: IdentifierCondition) -> str: ...

    @abstractmethod
    def event(self, spec: EventFilter) -> str: ...

    @abstractmethod
    def organization(self, c: OrganizationCondition) -> str: ...

    @abstractmethod
    def committee(self, c: CommitteeCondition) -> str: ...
