"""The SQLite store's fast records equal what pydantic's `model_construct` makes from the same row."""

from __future__ import annotations

import orjson

from graph.model import Record, RecordKey, RecordKind
from graph.sqlite.record_objects import stored_record


def test_a_record_from_a_row_is_the_model_constructed_one() -> None:
    properties = {"type": "purchase", "amount": 12.5, "currency": "CNY", "properties": {"sku": ["a", "b"]}}
    text = orjson.dumps(properties).decode()
    fast = stored_record(RecordKind.EVENT.value, "shop", "o-1", text)
    built = Record.model_construct(kind=RecordKind.EVENT, key=RecordKey("shop", "o-1"), properties=properties)
    assert fast == built
    assert fast.model_dump() == built.model_dump() and fast.model_fields_set == built.model_fields_set
    assert fast.model_copy(update={"properties": {}}).properties == {}
    assert (
        fast.model_fields_set is not stored_record(RecordKind.EVENT.value, "shop", "o-2", text).model_fields_set
    )  # not shared
