"""Erase-then-reload through the command line: after forgetting a person, `idgraph load` of the same files
counts their rows as suppressed and creates nothing."""

from __future__ import annotations

import json
from pathlib import Path

from api.ingest.erasure import ForgetStatus, forget_profile
from api.settings import Settings
from graph import EntityKind, IdentifierKind, open_store
from loaders.demo import generate_demo_data

from .conftest import Run


def test_a_reload_after_an_erasure_creates_nothing(tmp_path: Path, idgraph: Run, store_url: str) -> None:
    generate_demo_data(tmp_path / "data", people=60, companies=6, seed=3)
    idgraph("load", "--config", "data/sources.toml")
    idgraph("resolve")

    store = open_store(store_url)
    try:
        person = next(
            e
            for e in store.iter_entities(EntityKind.PROFILE)
            if len(e.members) >= 3
            and any(
                i.kind is IdentifierKind.EMAIL for ids in store.identifiers_of(list(e.members)).values() for i in ids
            )
        )
        held = store.identifiers_of(list(person.members))
        identifiers = sorted({i for ids in held.values() for i in ids})
        outcome = forget_profile(store, Settings(store=store_url), person.id)
        assert outcome.status is ForgetStatus.DONE
        after_erasure = store.counts()
    finally:
        store.close()

    result = idgraph("load", "--config", "data/sources.toml", "--report", "again.json")
    totals = json.loads((tmp_path / "again.json").read_text("utf-8"))["totals"]
    assert totals["suppressed"] >= len(person.members)
    assert f"suppressed {totals['suppressed']:,}" in result.stdout

    store = open_store(store_url)
    try:
        assert store.counts() == after_erasure
        assert store.get_records(list(person.members)) == {}
        gone = [i for i in identifiers if not store.records_with(i)]
        assert gone  # what only they held is not back
    finally:
        store.close()
    # A second erasure request for the same person changes nothing.
    store = open_store(store_url)
    try:
        assert forget_profile(store, Settings(store=store_url), person.id).status is ForgetStatus.ALREADY_FORGOTTEN
    finally:
        store.close()
