"""The segment DSL's AST: valid definitions round-trip, bad ones fail with errors naming the path."""

from __future__ import annotations

from typing import Any

import pytest

from graph.segments import SegmentError, parse_segment, prepare, references
from graph.segments.ast import MAX_DEPTH, CommitteeCondition, Segment

RISKY: dict[str, Any] = {
    "all": [
        {"trait": {"name": "city", "op": "in", "value": ["Shanghai", "Beijing"]}},
        {"consent": {"purpose": "email"}},
        {"not": {"identifier": {"kind": "EMAIL", "value": "ann@example.com"}}},
        {
            "event": {
                "types": ["transaction"],
                "window_days": 7,
                "time_of_day": {"start": "00:00", "end": "05:00", "timezone": "Asia/Shanghai"},
                "where": [{"field": "channel", "value": "pos"}],
                "distinct": {"field": "properties.city", "gte": 3},
            }
        },
        {"any": [{"organization": {"domain": "acme.com"}}, {"committee_role": {"roles": ["CHAMPION"]}}]},
        {"in_segment": "vip"},
    ]
}


def test_a_full_definition_round_trips_through_its_json() -> None:
    segment = parse_segment(RISKY)
    assert parse_segment(segment.to_json()) == segment
    assert parse_segment('{"consent": {"purpose": "sms"}}').to_json() == {"consent": {"purpose": "sms"}}
    # The GraphQL enum name and the label both name an identifier kind; the JSON keeps the name.
    assert parse_segment({"identifier": {"kind": "Email"}}).to_json() == {"identifier": {"kind": "EMAIL"}}


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (
            {"all": [{"consent": {"purpose": "email"}}, {"event": {"window_days": 0}}]},
            "all[1].event.window_days: must be > 0",
        ),
        ({"all": []}, "all: must not be empty"),
        ({"any": [{"bogus": {}}]}, "any[0]: a condition is an object with exactly one of the keys"),
        ({"trait": {"name": "a"}, "consent": {"purpose": "x"}}, "segment: a condition is an object with exactly one"),
        ({"trait": {"name": "city", "op": "in", "value": "x"}}, "trait: 'in' needs a non-empty list"),
        ({"trait": {"name": "city", "op": "exists", "value": 1}}, "trait: 'exists' takes no value"),
        ({"trait": {"name": "city", "op": "gt", "value": True}}, "trait: 'gt' needs a number or a string"),
        ({"trait": {"name": 'ci"ty'}}, "trait.name: has characters"),
        ({"trait": {"name": "city", "value": {"a": 1}}}, "trait.value"),
        ({"consent": {"purpose": "E mail"}}, "consent.purpose"),
        ({"identifier": {"kind": "FAX"}}, "identifier.kind"),
        ({"identifier": {"kind": "EMAIL", "system": "crm"}}, "identifier: system is for ACCOUNT identifiers only"),
        ({"event": {"window_days": 3, "since": "2024-01-01T00:00:00Z"}}, "event: give window_days or since/until"),
        ({"event": {"since": "2024-01-01T00:00:00"}}, "event.since"),  # needs a time zone
        ({"event": {"since": "2024-02-01T00:00:00Z", "until": "2024-01-01T00:00:00Z"}}, "since must be before until"),
        ({"event": {"time_of_day": {"start": "5:00", "end": "06:00"}}}, "event.time_of_day.start: must be HH:MM"),
        (
            {"event": {"time_of_day": {"start": "05:00", "end": "05:00"}}},
            "event.time_of_day: start and end must differ",
        ),
        (
            {"event": {"time_of_day": {"start": "01:00", "end": "02:00", "timezone": "Mars/Olympus"}}},
            "unknown time zone",
        ),
        ({"event": {"where": [{"field": "colour"}]}}, "event.where[0].field: unknown event field 'colour'"),
        ({"event": {"count": {"gte": 1}, "sum": {"gte": 2}}}, "event: give at most one of count, sum, distinct"),
        ({"event": {"count": {"gte": 1, "lt": 5}}}, "event.count: give exactly one of gte, gt, lte, lt, eq"),
        ({"event": {"sum": {"field": "channel", "gte": 1}}}, "event.sum.field: channel is not numeric"),
        ({"event": {"distinct": {"gte": 1}}}, "event.distinct.field: is required"),
        ({"organization": {"id": "o1", "domain": "a.com"}}, "organization: give exactly one of id, domain, industry"),
        ({"committee_role": {}}, "committee_role: give roles or crm_roles"),
        ({"committee_role": {"roles": ["BOSS"]}}, "committee_role.roles[0]"),
        ({"in_segment": "../x"}, "in_segment: has characters"),
        ({"not": {"consent": {"purpose": "email", "extra": 1}}}, "not.consent.extra: is not a known field"),
        ("{not json", "segment: the definition is not valid JSON"),
    ],
)
def test_bad_definitions_name_the_path(definition: Any, message: str) -> None:
    with pytest.raises(SegmentError) as caught:
        parse_segment(definition)
    assert message in str(caught.value)


def test_errors_never_echo_values() -> None:
    with pytest.raises(SegmentError) as caught:
        parse_segment({"identifier": {"kind": "EMAIL", "value": "", "system": "secret-system"}})
    assert "secret-system" not in str(caught.value)


def test_depth_is_limited() -> None:
    definition: dict[str, Any] = {"consent": {"purpose": "email"}}
    for _ in range(MAX_DEPTH):
        definition = {"not": definition}
    with pytest.raises(SegmentError, match="nest"):
        parse_segment(definition)


def test_saved_segments_are_inlined_and_cycles_refused() -> None:
    saved = {
        "vip": parse_segment({"trait": {"name": "tier", "value": "gold"}}),
        "loop_a": parse_segment({"all": [{"in_segment": "loop_b"}]}),
        "loop_b": parse_segment({"any": [{"consent": {"purpose": "sms"}}, {"in_segment": "loop_a"}]}),
    }
    segment = parse_segment({"all": [{"in_segment": "vip"}, {"not": {"in_segment": "vip"}}]})
    assert references(segment) == {"vip"}
    ready = prepare(segment, saved=saved.get)
    assert ready.to_json() == {
        "all": [{"trait": {"name": "tier", "value": "gold"}}, {"not": {"trait": {"name": "tier", "value": "gold"}}}]
    }
    with pytest.raises(SegmentError, match=r"all\[0\]\.in_segment: saved segments refer to each other in a cycle"):
        prepare(saved["loop_a"], saved=saved.get)
    with pytest.raises(SegmentError, match=r"in_segment: .*cycle \(vip -> vip\)"):
        prepare(parse_segment({"in_segment": "vip"}), saved=saved.get, name="vip")
    with pytest.raises(SegmentError, match=r"any\[1\]\.in_segment: no saved segment is named 'gone'"):
        prepare(parse_segment({"any": [{"in_segment": "vip"}, {"in_segment": "gone"}]}), saved=saved.get)


def test_committee_roles_expand_to_crm_role_names() -> None:
    segment = parse_segment({"committee_role": {"roles": ["ECONOMIC_BUYER"], "crm_roles": [" Budget Owner "]}})
    ready = prepare(
        segment, role_names=lambda role: ["economic buyer", "经济决策者"] if role == "ECONOMIC_BUYER" else []
    )
    condition = ready.root
    assert isinstance(condition, CommitteeCondition)
    assert condition.committee_role.crm_roles == ["budget owner", "economic buyer", "经济决策者"]
    assert isinstance(prepare(parse_segment({"committee_role": {"roles": ["USER"]}}), role_names=lambda r: []), Segment)
    nested = parse_segment({"all": [{"committee_role": {"roles": ["USER"]}}, {"consent": {"purpose": "email"}}]})
    assert prepare(nested, role_names=lambda role: []).to_json()["all"][0] == {"committee_role": {}}  # matches no one
