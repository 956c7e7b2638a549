"""Blocking: keys per record, each candidate pair once, oversized blocks skipped, near-linear growth."""

from __future__ import annotations

import itertools

from graph import RecordKey
from resolver.fuzzy import PersonFeatures, blocked_pairs, candidate_pairs, person_blocking_keys
from tests.unit.test_fuzzy_model import synthetic_people


def test_keys_of_a_record() -> None:
    features = PersonFeatures(
        key=RecordKey("s", "1"),
        given="fang",
        family="wang",
        birth_date=19850312,
        postcode="100001",
        city="beijing",
        email_local="fangw1985",
        phone="+8613800001234",
    )
    keys = person_blocking_keys(features)
    assert "nm:fang wang" not in keys
    assert "ny:fang wang|1985" in keys
    assert "dn:19850312|wang" in keys
    assert "pn:100001|fang" in keys
    assert "dp:19850312|100001" in keys
    assert "em:fangw1985" in keys
    assert "ph:+8613800001234" in keys
    assert len(keys) == len(set(keys))


def test_every_pair_once_in_order() -> None:
    keys = [["a:1", "b:1"], ["a:1", "b:1", "c:1"], ["c:1"], ["a:1"], []]
    pairs = list(candidate_pairs(keys, max_block_size=10))
    assert pairs == [(0, 1), (0, 3), (1, 2), (1, 3)]
    blocked = blocked_pairs(keys, 10)
    assert blocked.of_family("c").tolist() == [False, False, True, False]
    assert blocked.of_family("a").tolist() == [True, True, False, True]


def test_blocks_over_the_cap_are_skipped() -> None:
    keys = [["big:x", f"own:{i // 2}"] for i in range(6)]
    assert list(candidate_pairs(keys, max_block_size=5)) == [(0, 1), (2, 3), (4, 5)]
    assert len(list(candidate_pairs(keys, max_block_size=6))) == 15
    assert list(candidate_pairs([], max_block_size=5)) == []


def test_pairs_grow_near_linearly_with_records() -> None:
    def pair_count(entities: int) -> tuple[int, int]:
        features, _ = synthetic_people(entities, seed=11)
        keys = [person_blocking_keys(f) for f in features]
        return len(features), len(list(candidate_pairs(keys, max_block_size=100)))

    small_records, small_pairs = pair_count(2000)
    large_records, large_pairs = pair_count(8000)
    records_ratio = large_records / small_records
    assert 3.5 < records_ratio < 4.5
    assert large_pairs / small_pairs < 1.6 * records_ratio  # quadratic growth would be about 16x


def test_all_pairs_of_a_block_are_found() -> None:
    keys = [[f"k:{i % 3}"] for i in range(12)]
    found = set(candidate_pairs(keys, max_block_size=100))
    expected = {(a, b) for a, b in itertools.combinations(range(12), 2) if a % 3 == b % 3}
    assert found == expected
