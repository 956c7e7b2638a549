"""Engagement of a person or an account: weighted actions with exponential time decay, normalised to 0-100."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Activity:
    """One action of one person: its event type and when it happened (timezone-aware)."""

    type: str
    at: datetime


@dataclass(frozen=True)
class Engagement:
    """`score` 0-100; `points` the decayed weighted sum behind it; `last_engaged_at` the newest counted action."""

    score: float
    points: float
    last_engaged_at: datetime | None
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def engaged(self) -> bool:
        return self.last_engaged_at is not None


NONE = Engagement(score=0.0, points=0.0, last_engaged_at=None)


def decay(age: timedelta, half_life_days: float) -> float:
    """The share of an action's weight left after `age`: 1 now, 1/2 after one half-life, 1/4 after two."""
    days = max(age.total_seconds(), 0.0) / 86_400
    return math.pow(0.5, days / half_life_days)


def normalise(points: float, saturation: float) -> float:
    """0-100, rising steeply at first and levelling off: `saturation` points give 63, twice that 86, three times 95.

    A saturating curve rather than a cap, so that more activity always scores higher and no outlier (one person
    opening every e-mail) flattens everybody else into 0-5 as min-max scaling would.
    """
    if points <= 0:
        return 0.0
    return round(100.0 * (1.0 - math.exp(-points / saturation)), 2)


def score_engagement(
    activities: Iterable[Activity],
    *,
    weights: Mapping[str, float],
    half_life_days: float,
    saturation: float,
    as_of: datetime,
    window_days: int,
) -> Engagement:
    """Score the actions in (as_of - window_days, as_of]: each weighs `weights[type]` (types without a positive
    weight do not count, and do not make a person engaged), halved every `half_life_days` of age."""
    since = as_of - timedelta(days=window_days)
    points = 0.0
    last: datetime | None = None
    counts: Counter[str] = Counter()
    for activity in activities:
        weight = weights.get(activity.type, 0.0)
        if weight <= 0 or not since < activity.at <= as_of:
            continue
        points += weight * decay(as_of - activity.at, half_life_days)
        counts[activity.type] += 1
        if last is None or activity.at > last:
            last = activity.at
    return Engagement(
        score=normalise(points, saturation), points=round(points, 4), last_engaged_at=last, counts=dict(counts)
    )


def is_quiet(engagement: Engagement, *, as_of: datetime, quiet_days: int) -> bool:
    """No counted action in the last `quiet_days` (including never, within the window scored)."""
    last = engagement.last_engaged_at
    return last is None or last <= as_of - timedelta(days=quiet_days)
