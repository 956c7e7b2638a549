"""Connected components over shared identifiers, checked against networkx on random graphs."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver import components


def test_records_sharing_identifiers_transitively_are_one_group() -> None:
    links = [("a", "e1"), ("b", "e1"), ("b", "p1"), ("c", "p1"), ("d", "e2")]
    assert components(["a", "b", "c", "d", "e"], links) == [["a", "b", "c"], ["d"], ["e"]]


def test_no_records_no_groups() -> None:
    assert components([], []) == []


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=60).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 40)), max_size=120),
        )
    )
)
def test_same_partition_as_networkx(case: tuple[int, list[tuple[int, int]]]) -> None:
    n, links = case
    oracle = nx.Graph()
    oracle.add_nodes_from(("r", i) for i in range(n))
    oracle.add_edges_from((("r", r), ("i", i)) for r, i in links)
    expected = {frozenset(node[1] for node in c if node[0] == "r") for c in nx.connected_components(oracle)}
    expected.discard(frozenset())
    got = components(list(range(n)), links)
    assert {frozenset(g) for g in got} == expected
    assert sorted(r for g in got for r in g) == list(range(n))
