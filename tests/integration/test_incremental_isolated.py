"""Resolving records together (`resolve_records`: new records nothing can join in one write) gives exactly what
`resolve_record` one by one gives."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import (
    Entity,
    EntityKind,
    GraphBatch,
    GraphStore,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Override,
    OverrideKind,
    Properties,
    Record,
    RecordKey,
    RecordKind,
    Resolution,
    open_store,
)
from resolver import Rules, resolve
from resolver.incremental import RecordResolution, isolated_records, resolve_record, resolve_records
from resolver.stable_ids import derived_id

RULES = Rules.model_validate(
    {"identifiers": {"email": {"max_records": 3}, "phone": {"max_records": 2}}, "max_component_size": 4}
)
SHARED = [Identifier(IdentifierKind.EMAIL, f"e{n}@x.com") for n in range(3)] + [
    Identifier(IdentifierKind.PHONE, f"+1415555000{n}") for n in range(2)
]
DEVICES = [Identifier(IdentifierKind.DEVICE, f"device-{n}") for n in range(12)]
POOL = SHARED + DEVICES
TEMPLATES: list[Properties] = [
    {"derived_from": "event"},
    {"created_at": "2020-01-02", "city": "Lyon", "email_consent": True},
    {"first_name": "Ann", "last_name": "Lee", "birth_date": "1990-01-02", "postcode": "10001"},
]

# One record: its number, template, and the pool indices of the identifiers it brings; records of a group are
# written together, then resolved together (as `track` does per commit).
Step = tuple[int, int, list[int]]
groups_of_steps = st.lists(
    st.lists(
        st.tuples(
            st.integers(0, 11), st.integers(0, len(TEMPLATES) - 1), st.lists(st.integers(0, len(POOL) - 1), max_size=2)
        ),
        min_size=1,
        max_size=6,
    ),
    max_size=6,
)


def write(store: GraphStore, steps: list[Step]) -> list[RecordKey]:
    keys = [RecordKey("web", f"{number:02d}") for number, _, _ in steps]
    records = {
        key: Record(kind=RecordKind.CUSTOMER, key=key, properties=TEMPLATES[t])
        for key, (_, t, _) in zip(keys, steps, strict=True)
    }
    store.write(
        GraphBatch(
            records=tuple(records.values()),
            links=tuple(
                {
                    IdentifierLink(record=key, identifier=POOL[i])
                    for key, (_, _, held) in zip(keys, steps, strict=True)
                    for i in held
                }
            ),
        )
    )
    return list(dict.fromkeys(keys))


def resolve_together(store: GraphStore, keys: list[RecordKey], rules: Rules) -> dict[RecordKey, RecordResolution]:
    outcomes = resolve_records(store, keys, rules)
    assert list(outcomes) == keys
    return {key: outcome for key, outcome in outcomes.items() if isinstance(outcome, RecordResolution)}


def isolated(store: GraphStore, keys: list[RecordKey]) -> list[RecordKey]:
    """The records `resolve_records` makes singletons without `resolve_record`."""
    return sorted(isolated_records(store, store.get_records(keys), Rules()))


def state(store: GraphStore) -> list[tuple[str, tuple[RecordKey, ...]]]:
    return sorted((entity.id, entity.members) for entity in store.iter_entities(EntityKind.PROFILE))


def run(
    directory: Path, name: str, sequence: list[list[Step]], together: bool
) -> list[tuple[str, tuple[RecordKey, ...]]]:
    store = open_store(f"sqlite:///{directory / name}")
    try:
        for group in sequence:
            keys = write(store, group)
            if together:
                resolve_together(store, keys, RULES)
            else:
                for key in keys:
                    resolve_record(store, key, RULES)
        return state(store)
    finally:
        store.close()


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups_of_steps)
def test_resolving_a_group_together_gives_the_one_by_one_ids_and_the_batch_partition(
    sequence: list[list[Step]],
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        together = run(directory, "together.db", sequence, together=True)
        assert together == run(directory, "one_by_one.db", sequence, together=False)
        store = open_store(f"sqlite:///{directory / 'together.db'}")
        try:
            resolve(store, RULES)
            assert sorted(members for _, members in state(store)) == sorted(members for _, members in together)
        finally:
            store.close()


def _snapshot(store: GraphStore, keys: list[RecordKey]) -> list[tuple[object, ...]]:
    """Everything resolution stored about the records' entities, with creation times checked then left out."""
    found = []
    for key, entity_id in sorted(store.entity_ids_of(keys).items()):
        entity = store.get_entity(entity_id)
        assert entity is not None
        history = store.history(entity_id)
        assert [event.at for event in history] == [entity.created_at]
        found.append(
            (
                key,
                entity.id,
                entity.kind,
                entity.traits,
                entity.members,
                [(e.entity_id, e.action, e.cause, e.records, e.others) for e in history],
            )
        )
    return found


def _two_stores(tmp_path: Path) -> tuple[GraphStore, GraphStore]:
    return open_store(f"sqlite:///{tmp_path / 'general.db'}"), open_store(f"sqlite:///{tmp_path / 'fast.db'}")


def test_new_singletons_get_the_id_traits_history_and_blocking_keys_of_the_general_path(tmp_path: Path) -> None:
    general, fast = _two_stores(tmp_path)
    steps: list[Step] = [(1, 0, [len(SHARED)]), (2, 1, [len(SHARED) + 1]), (3, 1, [])]
    for store in (general, fast):
        write(store, steps)
    keys = [RecordKey("web", f"{n:02d}") for n in (1, 2, 3)]
    assert isolated(fast, keys) == keys
    outcomes = resolve_together(fast, keys, Rules())
    expected = {key: resolve_record(general, key, Rules()).entity_id for key in keys}
    assert {key: o.entity_id for key, o in outcomes.items()} == expected
    assert _snapshot(fast, keys) == _snapshot(general, keys)
    assert fast.get_entity(expected[keys[1]]).traits  # type: ignore[union-attr]  # golden traits were written
    for store in (general, fast):
        store.close()


def test_a_derived_id_already_taken_is_salted_as_the_general_path_does(tmp_path: Path) -> None:
    general, fast = _two_stores(tmp_path)
    key, other = RecordKey("web", "01"), RecordKey("crm", "x")
    for store in (general, fast):
        write(store, [(1, 0, [len(SHARED)])])
        store.write(GraphBatch(records=(Record(kind=RecordKind.CUSTOMER, key=other, properties={}),)))
        # An entity of another record already holds the ID the new record would derive.
        taken = Entity(
            id=derived_id("p-", [key]), kind=EntityKind.PROFILE, members=(other,), created_at=datetime.now(UTC)
        )
        store.write_resolution(Resolution(entities=(taken,)))
    assert isolated(fast, [key]) == [key]
    outcome = resolve_together(fast, [key], Rules())[key]
    assert outcome.entity_id == resolve_record(general, key, Rules()).entity_id != derived_id("p-", [key])
    assert _snapshot(fast, [key]) == _snapshot(general, [key])
    for store in (general, fast):
        store.close()


def test_records_something_can_join_are_left_to_the_general_path(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    shared, device = 0, len(SHARED)
    keys = write(
        store,
        [
            (1, 0, [shared]),  # 1 and 2 share an email
            (2, 0, [shared]),
            (3, 2, []),  # a name: blocking keys to match on
            (4, 0, [device]),  # named by an override
            (5, 0, [device + 1]),
            (6, 0, [device + 2]),  # already resolved
            (7, 0, [device + 3]),  # isolated
        ],
    )
    override = Override(
        kind=OverrideKind.NEVER_LINK, a=keys[3], b=keys[4], reason="test", author="t", created_at=datetime.now(UTC)
    )
    store.put_override(override)
    resolve_record(store, keys[5], Rules())
    assert isolated(store, keys) == [keys[6]]
    store.close()
