"""Incremental resolution agrees with a batch run, whatever the order the records arrive in."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import (
    EntityKind,
    GraphBatch,
    GraphStore,
    Identifier,
    IdentifierKind,
    IdentifierLink,
    Record,
    RecordKey,
    RecordKind,
    open_store,
)
from resolver import Rules, resolve
from resolver.incremental import resolve_record

RULES = Rules.model_validate(
    {
        "identifiers": {
            "email": {"max_records": 3, "max_per_profile": 2},
            "phone": {"max_records": 2, "max_per_profile": 2},
        },
        "max_component_size": 4,
    }
)
POOL = (
    [Identifier(IdentifierKind.EMAIL, f"e{n}@x.com") for n in range(6)]
    + [Identifier(IdentifierKind.PHONE, f"+1415555000{n}") for n in range(4)]
    + [Identifier(IdentifierKind.EMAIL, "test@test.com")]
)

# One step: record number, and the pool indices of the identifiers it brings.
Step = tuple[int, list[int]]
steps = st.lists(st.tuples(st.integers(0, 11), st.lists(st.integers(0, len(POOL) - 1), max_size=3)), max_size=25)


def apply(store: GraphStore, step: Step) -> RecordKey:
    key = RecordKey("crm", f"{step[0]:02d}")
    store.write(
        GraphBatch(
            records=(Record(kind=RecordKind.CUSTOMER, key=key, properties={"n": step[0]}),),
            links=tuple(IdentifierLink(record=key, identifier=POOL[i]) for i in step[1]),
        )
    )
    return key


def groups(store: GraphStore) -> list[tuple[RecordKey, ...]]:
    return sorted(entity.members for entity in store.iter_entities(EntityKind.PROFILE))


def run_incrementally(directory: Path, name: str, sequence: list[Step]) -> list[tuple[RecordKey, ...]]:
    store = open_store(f"sqlite:///{directory / name}")
    try:
        for step in sequence:
            resolve_record(store, apply(store, step), RULES)
        return groups(store)
    finally:
        store.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.randoms(use_true_random=False))
def test_incremental_updates_give_the_batch_partition_in_any_order(sequence: list[Step], rng: random.Random) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        incremental = run_incrementally(directory, "incremental.db", sequence)
        shuffled = list(sequence)
        rng.shuffle(shuffled)
        assert run_incrementally(directory, "shuffled.db", shuffled) == incremental

        batch = open_store(f"sqlite:///{directory / 'batch.db'}")
        try:
            for step in sequence:
                apply(batch, step)
            resolve(batch, RULES)
            assert groups(batch) == incremental
        finally:
            batch.close()


def test_a_record_joining_two_profiles_merges_them_and_the_old_id_resolves(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    first = resolve_record(store, apply(store, (1, [0])))
    second = resolve_record(store, apply(store, (2, [1])))
    bridge = resolve_record(store, apply(store, (3, [0, 1])))
    assert bridge.merges == 1
    assert bridge.entity_id == first.entity_id
    merged = store.get_entity(str(second.entity_id))
    assert merged is not None
    assert merged.id == first.entity_id
    store.close()


def test_an_identifier_crossing_its_limit_splits_the_records_it_joined(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    phone = POOL.index(Identifier(IdentifierKind.PHONE, "+14155550000"))
    resolve_record(store, apply(store, (1, [phone])), RULES)
    joined = resolve_record(store, apply(store, (2, [phone])), RULES)
    assert len(groups(store)) == 1
    third = resolve_record(store, apply(store, (3, [phone])), RULES)  # limit is 2 holders
    assert third.splits == 1
    assert len(groups(store)) == 3
    assert joined.entity_id in {e.id for e in store.iter_entities(EntityKind.PROFILE)}
    store.close()


# -- with fuzzy matching -----------------------------------------------------------------------------------

PEOPLE = [
    {"first_name": "Ann", "last_name": "Lee", "birth_date": "1990-01-02", "postcode": "10001"},
    {"first_name": "Anne", "last_name": "Lee", "birth_date": "1990-01-02", "postcode": "10001"},
    {"first_name": "Bob", "last_name": "Lee", "birth_date": "1988-07-15", "postcode": "10001"},
    {"first_name": "Robert", "last_name": "Lee", "birth_date": "1988-07-15", "postcode": "10001"},
    {"full_name": "王芳", "birth_date": "1985-03-04", "postcode": "200000"},
    {"first_name": "Fang", "last_name": "Wang", "birth_date": "1985-03-04", "postcode": "200000"},
    {"first_name": "Wei", "last_name": "Zhang", "birth_date": "1979-11-30", "postcode": "100000"},
    {"full_name": "张伟", "birth_date": "1979-11-30", "postcode": "100000"},
    {"first_name": "Wei", "last_name": "Zhang", "birth_date": "1991-05-06", "postcode": "100000"},
]
FUZZY_RULES = Rules.model_validate({"fuzzy": {"max_block_size": 3}, "identifiers": {"phone": {"max_records": 3}}})

# One step: record number, template, and pool indices of its identifiers.
FuzzyStep = tuple[int, int, list[int]]
fuzzy_steps = st.lists(
    st.tuples(st.integers(0, 14), st.integers(0, len(PEOPLE) - 1), st.lists(st.integers(0, len(POOL) - 1), max_size=2)),
    max_size=18,
)


def apply_fuzzy(store: GraphStore, step: FuzzyStep, template: dict[str, str] | None = None) -> RecordKey:
    key = RecordKey("crm", f"{step[0]:03d}")
    properties = template or PEOPLE[step[1]]
    store.write(
        GraphBatch(
            records=(Record.model_validate({"kind": RecordKind.CUSTOMER, "key": key, "properties": properties}),),
            links=tuple(IdentifierLink(record=key, identifier=POOL[i]) for i in step[2]),
        )
    )
    return key


def model_document() -> dict[str, object]:
    """A person model estimated once from the demo data's people, shared by every store of the test."""
    from loaders import LoadOptions, load_sources, read_config
    from loaders.demo import generate_demo_data

    with tempfile.TemporaryDirectory() as scratch:
        generate_demo_data(Path(scratch) / "demo", people=400, companies=20, seed=3)
        config = read_config(Path(scratch) / "demo" / "sources.toml")
        store = open_store(f"sqlite:///{scratch}/model.db")
        load_sources(store, config, LoadOptions.of(config), only=["crm", "eshop", "loyalty"])
        resolve(store, FUZZY_RULES)
        document = store.get_document("resolver.model.person")
        store.close()
    assert document is not None
    return document


MODEL = model_document()


def same_as(store: GraphStore) -> list[tuple[RecordKey, RecordKey]]:
    from graph import RelType

    return sorted((r.start, r.end) for r in store.iter_relations(RelType.SAME_AS))


def fuzzy_state(directory: Path, name: str, sequence: list[FuzzyStep], incremental: bool) -> tuple[object, ...]:
    store = open_store(f"sqlite:///{directory / name}")
    try:
        store.put_document("resolver.model.person", MODEL)  # type: ignore[arg-type]
        for step in sequence:
            key = apply_fuzzy(store, step)
            if incremental:
                resolve_record(store, key, FUZZY_RULES)
        if not incremental:
            resolve(store, FUZZY_RULES)
        return groups(store), same_as(store)
    finally:
        store.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzzy_steps, st.randoms(use_true_random=False))
def test_with_fuzzy_links_incremental_updates_give_the_batch_result(
    sequence: list[FuzzyStep], rng: random.Random
) -> None:
    # A record id used twice keeps its first content: records are upserted, and a changed record is another test.
    firsts: dict[int, FuzzyStep] = {}
    for step in sequence:
        firsts.setdefault(step[0], step)
    sequence = [firsts[step[0]] for step in sequence]
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        incremental = fuzzy_state(directory, "incremental.db", sequence, incremental=True)
        shuffled = list(sequence)
        rng.shuffle(shuffled)
        assert fuzzy_state(directory, "shuffled.db", shuffled, incremental=True) == incremental
        assert fuzzy_state(directory, "batch.db", sequence, incremental=False) == incremental


def test_records_written_together_then_resolved_one_by_one_still_split_what_they_unlink(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    phone = POOL.index(Identifier(IdentifierKind.PHONE, "+14155550000"))
    resolve_record(store, apply(store, (1, [phone])), RULES)
    resolve_record(store, apply(store, (2, [phone])), RULES)
    assert len(groups(store)) == 1
    third, fourth = apply(store, (3, [phone])), apply(store, (4, [phone]))  # the phone now has 4 holders, limit 2
    resolve_record(store, third, RULES)
    resolve_record(store, fourth, RULES)
    assert len(groups(store)) == 4
    store.close()
