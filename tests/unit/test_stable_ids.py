"""Stable entity IDs: kept across runs, oldest survives a merge, larger part keeps the ID on a split."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from graph import HistoryAction, RecordKey
from resolver.stable_ids import assign_ids, derived_id

OLD = datetime(2020, 1, 1, tzinfo=UTC)
NEW = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def k(n: int) -> RecordKey:
    return RecordKey("crm", str(n))


def test_new_groups_get_ids_derived_from_their_records() -> None:
    result = assign_ids([[k(2), k(1)], [k(3)]], {}, {}, prefix="p-", now=NOW)
    assert [g.id for g in result.groups] == [derived_id("p-", [k(1)]), derived_id("p-", [k(3)])]
    assert result.groups[0].members == (k(1), k(2))
    assert result.created == 2
    assert result.groups[0].created_at == NOW


def test_an_unchanged_partition_keeps_its_ids() -> None:
    result = assign_ids([[k(1), k(2)]], {k(1): "p-a", k(2): "p-a"}, {"p-a": OLD}, prefix="p-", now=NOW)
    assert [(g.id, g.created_at) for g in result.groups] == [("p-a", OLD)]
    assert (result.created, result.merges, result.splits, result.aliases, result.retired) == (0, 0, 0, {}, [])
    assert result.history == []


def test_merge_keeps_the_oldest_id_and_aliases_the_others() -> None:
    previous = {k(1): "p-new", k(2): "p-old", k(3): "p-mid"}
    created = {"p-new": NEW, "p-old": OLD, "p-mid": datetime(2022, 1, 1, tzinfo=UTC)}
    result = assign_ids([[k(1), k(2), k(3)]], previous, created, prefix="p-", now=NOW)
    assert [g.id for g in result.groups] == ["p-old"]
    assert result.aliases == {"p-mid": "p-old", "p-new": "p-old"}
    assert sorted(result.retired) == ["p-mid", "p-new"]
    assert result.merges == 2
    [merged] = result.history
    assert (merged.entity_id, merged.action, merged.others) == ("p-old", HistoryAction.MERGED, ("p-mid", "p-new"))
    assert merged.records == (k(1), k(3))


def test_split_leaves_the_id_with_the_part_holding_the_oldest_record() -> None:
    previous = {k(1): "p-a", k(2): "p-a", k(3): "p-a"}
    ages = {k(1): "2024-05-01", k(2): "2023-01-01", k(3): "2025-01-01"}
    result = assign_ids([[k(1)], [k(2), k(3)]], previous, {"p-a": OLD}, prefix="p-", now=NOW, age=lambda key: ages[key])
    assert [g.id for g in result.groups] == [derived_id("p-", [k(1)]), "p-a"]
    assert result.splits == 1
    assert result.created == 1
    split = next(h for h in result.history if h.action is HistoryAction.SPLIT)
    assert (split.entity_id, split.records, split.others) == ("p-a", (k(1),), (derived_id("p-", [k(1)]),))
    created = next(h for h in result.history if h.action is HistoryAction.CREATED)
    assert created.records == (k(1),)


def test_split_without_record_dates_leaves_the_id_with_the_smallest_record() -> None:
    previous = {k(1): "p-a", k(2): "p-a", k(3): "p-a"}
    result = assign_ids([[k(2), k(3)], [k(1)]], previous, {"p-a": OLD}, prefix="p-", now=NOW)
    assert {g.members: g.id for g in result.groups}[(k(1),)] == "p-a"


def test_entities_whose_records_are_gone_are_retired() -> None:
    result = assign_ids([[k(1)]], {k(1): "p-a"}, {"p-a": OLD, "p-gone": OLD}, prefix="p-", now=NOW)
    assert result.retired == ["p-gone"]
    assert result.aliases == {}
    assert [(h.entity_id, h.action) for h in result.history] == [("p-gone", HistoryAction.RETIRED)]


def test_a_derived_id_already_in_use_is_salted() -> None:
    taken = derived_id("p-", [k(1)])
    # k(1) left the entity named after it; the group it now forms needs another ID.
    previous = {k(2): taken, k(3): taken}
    result = assign_ids([[k(1)], [k(2), k(3)]], previous, {taken: OLD}, prefix="p-", now=NOW)
    ids = [g.id for g in result.groups]
    assert ids[1] == taken
    assert ids[0] == derived_id("p-", [k(1)], salt=1)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 60), min_size=1, max_size=4, unique=True), max_size=12),
    st.sets(st.integers(0, 60), max_size=5),
)
def test_a_first_run_gives_what_the_general_path_gives(numbers: list[list[int]], taken_by: set[int]) -> None:
    """A first run (nothing stored) has a path of its own; it must give what the general one does. The general
    path is made to run by an unrelated stored entity, which it retires (its one extra event)."""
    seen: set[int] = set()
    groups = []
    for group in numbers:  # a record is in one group
        members = [k(n) for n in group if n not in seen]
        seen.update(group)
        if members:
            groups.append(members)
    taken = {derived_id("p-", [k(n)]) for n in taken_by}  # IDs held elsewhere: salted IDs instead

    first = assign_ids(groups, {}, {}, prefix="p-", now=NOW, taken=taken.__contains__)
    general = assign_ids(groups, {}, {"q-other": OLD}, prefix="p-", now=NOW, taken=taken.__contains__)
    assert first.groups == general.groups
    assert general.retired == ["q-other"] and general.history[0].action is HistoryAction.RETIRED
    assert first.history == general.history[1:]
    assert (first.created, first.merges, first.splits, first.aliases, first.retired) == (len(groups), 0, 0, {}, [])
