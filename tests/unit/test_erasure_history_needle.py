"""The substring by which erasure finds history events that may name a deleted record, whatever the JSON encoder."""

from __future__ import annotations

import json

import orjson
from hypothesis import given
from hypothesis import strategies as st

from graph.erasure import history_needle


@given(st.text())
def test_every_json_encoding_of_the_id_contains_the_needle(source_id: str) -> None:
    needle = history_needle(source_id)
    assert needle in source_id
    for encoded in (
        json.dumps(source_id),
        json.dumps(source_id, ensure_ascii=False),
        orjson.dumps(source_id).decode(),
    ):
        assert needle in encoded


def test_the_needle_is_the_longest_run_that_is_never_escaped() -> None:
    assert history_needle("cust-0042") == "cust-0042"
    assert history_needle('a"b\\cd/e') == "cd"
    assert history_needle("客户7号") == "7"
    assert history_needle("张三") == ""  # no safe character: every event is a candidate, checked exactly
