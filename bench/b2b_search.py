"""Benchmark: organizations(search) through the store's index against a scan of every organisation in Python.

    .venv/bin/python bench/b2b_search.py [--organizations 100000]

Builds a SQLite store of N organisations (one company record each, English and Chinese names, a domain), then
times `search_organizations` + `count_organizations` (the FTS5 trigram index; two-character text scans the index)
against the naive way: `iter_entities(ORGANIZATION)` and a substring test on each name. Prints both and the ratio.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from graph import Entity, EntityKind, GraphBatch, Record, RecordKey, RecordKind, Resolution
from graph.sqlite import SqliteGraphStore

_CHINESE = "华欣瑜文伟燕淑莹海涛春健珍香秀霞彬楠利佳慧敏刚娟琳志萍柳梅帆"
_WORDS = ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent", "Hooli")


def build(path: Path, count: int) -> SqliteGraphStore:
    rng = random.Random(7)
    store = SqliteGraphStore(path)
    now = datetime.now(UTC)
    for start in range(0, count, 10_000):
        records, entities = [], []
        for i in range(start, min(start + 10_000, count)):
            if i % 2:
                name = f"上海{rng.choice(_CHINESE)}{rng.choice(_CHINESE)}科技有限公司"
            else:
                name = f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} {i} Inc."
            key = RecordKey("crm", f"c{i:07d}")
            records.append(
                Record(kind=RecordKind.COMPANY, key=key, properties={"name": name, "domains": [f"d{i}.com"]})
            )
            traits = {"name": {"value": name, "record": str(key)}}
            entities.append(
                Entity(id=f"o-{i:07d}", kind=EntityKind.ORGANIZATION, traits=traits, members=(key,), created_at=now)
            )
        store.write(GraphBatch(records=tuple(records)))
        store.write_resolution(Resolution(entities=tuple(entities)))
    return store


def timed(work, repeat: int = 5) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for _ in range(repeat):
        result = work()
    return (time.perf_counter() - started) / repeat * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        store = build(Path(tmp) / "graph.db", args.organizations)
        print(f"built {args.organizations} organisations in {time.perf_counter() - started:.1f} s")
        for text in ("Initech Stark", "瑜文", "d4242"):

            def indexed(text: str = text) -> tuple[int, int]:
                return len(store.search_organizations(text, limit=21)), store.count_organizations(text)

            def naive(text: str = text) -> tuple[int, int]:
                wanted = text.casefold()
                found = [  # golden names only (no domains): the naive scan is the cheaper one
                    e.id
                    for e in store.iter_entities(EntityKind.ORGANIZATION)
                    if wanted in str(e.traits["name"]["value"]).casefold()  # type: ignore[index, call-overload]
                ]
                return min(len(found), 21), len(found)

            fast_ms, fast = timed(indexed)
            slow_ms, _ = timed(naive, repeat=1)
            print(
                f"{text!r:16} index {fast_ms:8.1f} ms  scan {slow_ms:8.1f} ms  ratio {slow_ms / fast_ms:6.1f}x  {fast}"
            )
        store.close()


if __name__ == "__main__":
    main()
