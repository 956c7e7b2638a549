"""Engagement: weighted actions, exponential time decay with a half-life, 0-100, last engagement, quiet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.b2b import Activity, score_engagement
from api.b2b.engagement import decay, is_quiet, normalise

NOW = datetime(2025, 6, 30, tzinfo=UTC)
WEIGHTS = {"meeting": 10.0, "email_open": 1.0}


def score(*activities: Activity, window_days: int = 90, saturation: float = 10.0):  # type: ignore[no-untyped-def]
    return score_engagement(
        activities, weights=WEIGHTS, half_life_days=14, saturation=saturation, as_of=NOW, window_days=window_days
    )


def ago(days: float, kind: str = "meeting") -> Activity:
    return Activity(kind, NOW - timedelta(days=days))


def test_decay_halves_every_half_life() -> None:
    assert decay(timedelta(0), 14) == 1.0
    assert decay(timedelta(days=14), 14) == pytest.approx(0.5)
    assert decay(timedelta(days=28), 14) == pytest.approx(0.25)


def test_points_are_weights_decayed_by_age() -> None:
    result = score(ago(0), ago(14, "email_open"))
    assert result.points == pytest.approx(10.5)
    assert result.counts == {"meeting": 1, "email_open": 1}


def test_score_is_0_to_100_and_rises_with_activity() -> None:
    assert score().score == 0.0
    scores = [score(*[ago(d) for d in range(n)]).score for n in (1, 2, 5, 50)]
    assert scores == sorted(scores)
    assert scores[0] > 0 and scores[-1] <= 100
    assert normalise(10, 10) == pytest.approx(63.21, abs=0.01)


def test_recent_actions_weigh_more_than_old_ones() -> None:
    assert score(ago(1)).score > score(ago(30)).score > score(ago(60)).score


def test_only_weighted_types_inside_the_window_count() -> None:
    result = score(ago(1, "page_view"), ago(100), Activity("meeting", NOW + timedelta(days=1)))
    assert result.score == 0.0 and result.last_engaged_at is None and not result.engaged
    assert score(ago(100), window_days=120).engaged


def test_last_engagement_is_the_newest_counted_action() -> None:
    result = score(ago(10), ago(3, "email_open"), ago(1, "page_view"))
    assert result.last_engaged_at == NOW - timedelta(days=3)


def test_quiet_means_no_counted_action_for_quiet_days() -> None:
    assert is_quiet(score(), as_of=NOW, quiet_days=30)
    assert is_quiet(score(ago(31)), as_of=NOW, quiet_days=30)
    assert not is_quiet(score(ago(29)), as_of=NOW, quiet_days=30)
