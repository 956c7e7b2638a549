"""Models the resolver builds without validation equal the validated ones, and the model sample is stable."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from graph import Entity, EntityKind, HistoryAction, HistoryEvent, Record, RecordKey, RecordKind, Relation, RelType
from resolver.fuzzy import PersonFeatures
from resolver.fuzzy.estimate import sample_records
from resolver.trusted import trusted

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_trusted_models_equal_validated_ones() -> None:
    a, b = RecordKey("crm", "1"), RecordKey("shop", "2")
    entity = {
        "id": "p-1",
        "kind": EntityKind.PROFILE,
        "traits": {"n": {"value": 1}},
        "members": (a, b),
        "created_at": T0,
    }
    event = {
        "entity_id": "p-1",
        "at": T0,
        "action": HistoryAction.CREATED,
        "cause": "resolve",
        "records": (a,),
        "others": (),
    }
    relation = {"type": RelType.SAME_AS, "start": a, "end": b, "properties": {"score": 0.999, "rule": "fs:name=exact"}}
    for cls, values in ((Entity, entity), (HistoryEvent, event), (Relation, relation)):
        built, validated = trusted(cls, **values), cls(**values)
        assert built == validated and validated == built
        assert built.model_dump(mode="json") == validated.model_dump(mode="json")
        assert built.model_fields_set == validated.model_fields_set


def test_the_estimation_sample_does_not_depend_on_the_order() -> None:
    records = [
        Record(kind=RecordKind.CUSTOMER, key=RecordKey("crm", f"{n}"), properties={"first_name": f"N{n % 50}"})
        for n in range(3000)
    ]
    features = [f for r in records if (f := PersonFeatures.from_record(r)) is not None]
    sample = sample_records(features, 1000)
    shuffled = features[:]
    random.Random(3).shuffle(shuffled)
    assert [f.key for f in sample_records(shuffled, 1000)] == [f.key for f in sample]
    assert len(sample) == 1000 and [f.key for f in sample] == sorted(f.key for f in sample)
    assert len(sample_records(features, 5000)) == 3000
