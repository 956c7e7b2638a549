"""The guards against over-merging, overrides, and the laws of the partition (networkx as the oracle)."""

from __future__ import annotations

import random
from dataclasses import replace

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import Identifier, IdentifierKind, RecordKey
from resolver.linking import Evidence, FuzzyEdge, LinkTable, Partition, partition
from resolver.rules import Rules


def k(n: int) -> RecordKey:
    return RecordKey("crm", f"{n:05d}")


def email(n: int | str) -> Identifier:
    return Identifier(IdentifierKind.EMAIL, f"person{n}@example.com")


def phone(n: int) -> Identifier:
    return Identifier(IdentifierKind.PHONE, f"+1415555{n:04d}")


def groups_of(evidence: Evidence, rules: Rules | None = None) -> list[list[RecordKey]]:
    return partition(evidence, rules or Rules()).groups


def test_records_sharing_an_identifier_are_one_group() -> None:
    evidence = Evidence(records=[k(1), k(2), k(3)], links=[(k(1), email(1)), (k(2), email(1)), (k(3), email(3))])
    assert groups_of(evidence) == [[k(1), k(2)], [k(3)]]


def test_a_thousand_records_sharing_a_call_centre_phone_stay_a_thousand_groups() -> None:
    call_centre = phone(1)
    records = [k(n) for n in range(1000)]
    links = [(key, call_centre) for key in records] + [(k(n), email(n)) for n in range(1000)]
    result = partition(Evidence(records=records, links=links), Rules())
    assert len(result.groups) == 1000
    assert result.limited == {call_centre}


def test_a_limit_ignores_only_the_shared_identifier() -> None:
    call_centre = phone(1)
    records = [k(n) for n in range(50)]
    links = [(key, call_centre) for key in records] + [(k(0), email("a")), (k(1), email("a"))]
    assert len(groups_of(Evidence(records=records, links=links))) == 49


def test_a_blocked_value_joins_nothing() -> None:
    placeholders = [
        Identifier(IdentifierKind.EMAIL, "test@test.com"),
        Identifier(IdentifierKind.PHONE, "+8613800000000"),
        Identifier(IdentifierKind.DEVICE, "00000000-0000-0000-0000-000000000000"),
        Identifier(IdentifierKind.ACCOUNT, "null", "crm"),
        Identifier(IdentifierKind.PHONE, "+11111111111"),
    ]
    for placeholder in placeholders:
        result = partition(Evidence(records=[k(1), k(2)], links=[(k(1), placeholder), (k(2), placeholder)]), Rules())
        assert result.groups == [[k(1)], [k(2)]], placeholder
        assert placeholder in result.blocked


def test_an_identifier_kind_can_be_kept_from_linking() -> None:
    rules = Rules.model_validate({"identifiers": {"device": {"link": False}}})
    tablet = Identifier(IdentifierKind.DEVICE, "tablet-1")
    assert len(groups_of(Evidence(records=[k(1), k(2)], links=[(k(1), tablet), (k(2), tablet)]), rules)) == 2


def test_never_link_keeps_two_records_apart_cutting_the_weakest_link() -> None:
    # 1 -email- 2 -device- 3: never(1, 3) must cut the weaker device link, not the email.
    tablet = Identifier(IdentifierKind.DEVICE, "tablet-1")
    evidence = Evidence(
        records=[k(1), k(2), k(3)],
        links=[(k(1), email(1)), (k(2), email(1)), (k(2), tablet), (k(3), tablet)],
        never=[(k(1), k(3))],
    )
    result = partition(evidence, Rules())
    assert result.groups == [[k(1), k(2)], [k(3)]]
    assert result.split_by_override == 1


def test_always_link_joins_records_that_share_nothing() -> None:
    evidence = Evidence(records=[k(1), k(2)], links=[], always=[(k(1), k(2))])
    assert groups_of(evidence) == [[k(1), k(2)]]


def test_always_link_wins_over_a_weaker_path_to_a_never_linked_record() -> None:
    evidence = Evidence(
        records=[k(1), k(2), k(3)],
        links=[(k(2), email(2)), (k(3), email(2))],
        always=[(k(1), k(2))],
        never=[(k(1), k(3))],
    )
    assert groups_of(evidence) == [[k(1), k(2)], [k(3)]]


def test_a_profile_holds_at_most_k_identifiers_of_a_kind() -> None:
    rules = Rules.model_validate({"identifiers": {"email": {"max_per_profile": 3}}})
    loyalty = Identifier(IdentifierKind.ACCOUNT, "L-1", "loyalty")
    records = [k(n) for n in range(6)]
    links = [(key, loyalty) for key in records] + [(k(n), email(n)) for n in range(6)]
    result = partition(Evidence(records=records, links=links), rules)
    assert all(len(g) <= 3 for g in result.groups)
    assert sum(len(g) for g in result.groups) == 6


def test_a_group_over_the_maximum_size_is_not_merged_but_queued_for_review() -> None:
    rules = Rules.model_validate({"max_component_size": 5, "identifiers": {"phone": {"max_per_profile": 100}}})
    records = [k(n) for n in range(12)]
    # A chain through phones, each shared by two neighbours.
    links = [(k(n), phone(n)) for n in range(12)] + [(k(n + 1), phone(n)) for n in range(11)]
    result = partition(Evidence(records=records, links=links), rules)
    assert all(len(g) <= 5 for g in result.groups)
    assert len(result.groups) == 12
    assert len(result.review) == 1
    assert result.review[0].records == 12


def test_fuzzy_edges_join_and_are_dropped_first_when_a_group_is_too_big() -> None:
    rules = Rules.model_validate({"max_component_size": 3})
    evidence = Evidence(
        records=[k(n) for n in range(4)],
        links=[(k(0), email(0)), (k(1), email(0)), (k(2), email(2)), (k(3), email(2))],
        fuzzy=[FuzzyEdge(k(1), k(2), 0.999, "fs:name")],
    )
    assert groups_of(evidence) == [[k(0), k(1), k(2), k(3)]]
    assert groups_of(evidence, rules) == [[k(0), k(1)], [k(2), k(3)]]


def random_evidence(seed: int, n: int, links: int) -> Evidence:
    rng = random.Random(seed)
    records = [k(i) for i in range(n)]
    pairs = [(rng.choice(records), Identifier(IdentifierKind.EMAIL, f"e{rng.randrange(links)}")) for _ in range(links)]
    return Evidence(records=records, links=pairs)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 80), st.integers(0, 150))
def test_without_guards_the_partition_is_networkx_connected_components(seed: int, n: int, links: int) -> None:
    rules = Rules.model_validate(
        {"identifiers": {"email": {"max_records": 10_000, "max_per_profile": 10_000}}, "max_component_size": 10_000}
    )
    evidence = random_evidence(seed, n, links)
    oracle = nx.Graph()
    oracle.add_nodes_from(evidence.records)
    oracle.add_edges_from((key, ("id", identifier)) for key, identifier in evidence.links)
    expected = sorted(
        (
            sorted(node for node in component if isinstance(node, RecordKey))
            for component in nx.connected_components(oracle)
        ),
        key=lambda g: g[0] if g else RecordKey("", ""),
    )
    assert groups_of(evidence, rules) == [g for g in expected if g]


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 60), st.integers(0, 120))
def test_the_partition_does_not_depend_on_input_order(seed: int, n: int, links: int) -> None:
    rules = Rules.model_validate(
        {"identifiers": {"email": {"max_records": 4, "max_per_profile": 3}}, "max_component_size": 6}
    )
    evidence = random_evidence(seed, n, links)
    never = [(k(0), k(n - 1))] if n > 1 else []
    shuffled_links = list(evidence.links)
    shuffled_records = list(evidence.records)
    random.Random(seed + 1).shuffle(shuffled_links)
    random.Random(seed + 2).shuffle(shuffled_records)
    reordered = Evidence(records=shuffled_records, links=shuffled_links, never=[(b, a) for a, b in never])
    assert groups_of(Evidence(records=evidence.records, links=evidence.links, never=never), rules) == groups_of(
        reordered, rules
    )


# -- the links as a LinkTable, and the vectorised path at scale -------------------------------------------------

GUARDED = Rules.model_validate(
    {
        "identifiers": {
            "email": {"max_records": 3, "max_per_profile": 2},
            "phone": {"max_records": 2, "max_per_profile": 1},
            "device": {"max_records": 3},
        },
        "max_component_size": 5,
    }
)


def guarded_evidence(seed: int, n: int, links: int, prefix: str = "crm") -> Evidence:
    """Records sharing emails, phones (which need agreeing names), devices and a placeholder, with overrides."""
    rng = random.Random(seed)
    records = [RecordKey(prefix, f"{i:05d}") for i in range(n)]
    kinds = [IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.DEVICE]
    pairs = [
        (rng.choice(records), Identifier(rng.choice(kinds), f"{prefix}-v{rng.randrange(links // 2 + 1)}"))
        for _ in range(links)
    ]
    pairs += [(rng.choice(records), Identifier(IdentifierKind.EMAIL, "test@test.com")) for _ in range(2)]
    never = [(rng.choice(records), rng.choice(records)) for _ in range(2)]
    always = [(rng.choice(records), rng.choice(records))]
    fuzzy = [FuzzyEdge(rng.choice(records), rng.choice(records), 0.999, "fs:name")]
    return Evidence(records=records, links=pairs, fuzzy=fuzzy, always=always, never=never)


def as_table(evidence: Evidence) -> Evidence:
    identifiers = list(dict.fromkeys(i for _, i in evidence.links))
    code = {identifier: number for number, identifier in enumerate(identifiers)}
    position = {key: number for number, key in enumerate(evidence.records)}
    table = LinkTable(
        evidence.records,
        identifiers,
        np.array([position[k] for k, _ in evidence.links], dtype=np.int64),
        np.array([code[i] for _, i in evidence.links], dtype=np.int64),
    )
    return replace(evidence, links=table)


def outcome(result: Partition) -> tuple[object, ...]:
    return (
        result.groups,
        result.blocked,
        result.limited,
        result.demoted,
        result.split_by_override,
        [(r.records, r.sample) for r in result.review],
    )


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 40), st.integers(0, 90))
def test_links_as_a_link_table_give_the_same_partition(seed: int, n: int, links: int) -> None:
    evidence = guarded_evidence(seed, n, links)
    shuffled = list(evidence.records)
    random.Random(seed).shuffle(shuffled)
    evidence = replace(evidence, records=shuffled + shuffled[:2])  # in any order, some twice
    agreeing = replace(
        evidence, agree=lambda a, b: [x.source_id[-1] == y.source_id[-1] for x, y in zip(a, b, strict=True)]
    )
    for case in (evidence, agreeing):
        assert outcome(partition(as_table(case), GUARDED)) == outcome(partition(case, GUARDED))


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_each_component_is_decided_alone_even_among_thousands(seed: int) -> None:
    # Many disjoint copies make a graph big enough for the sparse-matrix path; each must come out as it does alone.
    parts = [guarded_evidence(seed + copy, 12, 25, prefix=f"s{copy:03d}") for copy in range(300)]
    alone = [partition(part, GUARDED) for part in parts]
    together = partition(
        Evidence(
            records=[key for part in parts for key in part.records],
            links=[link for part in parts for link in part.links],
            fuzzy=[edge for part in parts for edge in part.fuzzy],
            always=[pair for part in parts for pair in part.always],
            never=[pair for part in parts for pair in part.never],
        ),
        GUARDED,
    )
    assert together.groups == sorted((g for result in alone for g in result.groups), key=lambda g: g[0])
    assert together.limited == set().union(*(result.limited for result in alone))
    assert together.demoted == set().union(*(result.demoted for result in alone))
    assert together.blocked.keys() == {i for result in alone for i in result.blocked}
    assert together.split_by_override == sum(result.split_by_override for result in alone)
    assert len(together.review) == sum(len(result.review) for result in alone)


def test_a_link_table_is_a_sequence_of_record_identifier_pairs() -> None:
    table = LinkTable([k(1), k(2)], [email(1), phone(2)], np.array([0, 1, 1]), np.array([0, 0, 1]))
    assert len(table) == 3
    assert table[1] == (k(2), email(1))
    assert list(table) == [(k(1), email(1)), (k(2), email(1)), (k(2), phone(2))]
    assert table[1:] == [(k(2), email(1)), (k(2), phone(2))]


def test_a_link_table_with_numbers_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match=r"LinkTable\.identifier"):
        LinkTable([k(1)], [email(1)], np.array([0]), np.array([1]))
    with pytest.raises(ValueError, match=r"LinkTable\.record"):
        LinkTable([k(1)], [email(1)], np.array([0, 0]), np.array([0]))


def test_a_link_to_a_record_not_in_the_evidence_is_refused() -> None:
    with pytest.raises(ValueError, match=r"Evidence\.links"):
        partition(Evidence(records=[k(1)], links=[(k(2), email(1))]), Rules())


def test_identifiers_are_matched_on_kind_value_and_system_not_on_the_value_alone() -> None:
    same_value = [
        Identifier(IdentifierKind.DEVICE, "12345"),
        Identifier(IdentifierKind.ACCOUNT, "12345", "shop"),
        Identifier(IdentifierKind.ACCOUNT, "12345", "crm"),
    ]
    links = [(k(n), identifier) for n, identifier in enumerate(same_value)]
    # The same identifier as a separate object joins.
    links.append((k(3), Identifier(IdentifierKind.ACCOUNT, "12345", "shop")))
    groups = groups_of(Evidence(records=[k(n) for n in range(4)], links=links))
    assert groups == [[k(0)], [k(1), k(3)], [k(2)]]


def test_a_record_holding_an_identifier_twice_is_one_holder() -> None:
    rules = Rules.model_validate({"identifiers": {"email": {"max_records": 2}}})
    links = [(k(1), email(1)), (k(1), email(1)), (k(2), email(1))]
    result = partition(Evidence(records=[k(1), k(2)], links=links), rules)
    assert result.groups == [[k(1), k(2)]]
    assert not result.limited
