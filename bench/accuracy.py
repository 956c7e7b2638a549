"""Benchmark: how well the resolver finds the true persons and companies of the demo data (truth.csv).

    .venv/bin/python bench/accuracy.py [--people 2000] [--companies 200] [--seed 7] [--data DIR] [--rules FILE]

Writes the demo data (unless DIR already holds it), loads it into a fresh SQLite store, resolves it, and
scores the partition against the truth: pairwise precision, recall and F1 (over all pairs of records that
share an entity), and cluster-level measures (B-cubed precision and recall, share of true entities found
exactly). Rows the loader quarantined are not in the store and are left out of the scoring.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path

from graph import RecordKey, open_store


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def scores(truth: Mapping[RecordKey, str], predicted: Mapping[RecordKey, str]) -> dict[str, float]:
    """Pairwise and cluster measures of `predicted` against `truth`, over the records both know."""
    keys = [k for k in truth if k in predicted]
    cells = Counter((truth[k], predicted[k]) for k in keys)
    true_sizes = Counter(truth[k] for k in keys)
    predicted_sizes = Counter(predicted[k] for k in keys)
    true_positive = sum(pairs(n) for n in cells.values())
    predicted_pairs = sum(pairs(n) for n in predicted_sizes.values())
    true_pairs = sum(pairs(n) for n in true_sizes.values())
    precision = true_positive / predicted_pairs if predicted_pairs else 1.0
    recall = true_positive / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # B-cubed: per record, the share of its predicted cluster that is truly its entity (and vice versa).
    b3_precision = sum(cells[(truth[k], predicted[k])] / predicted_sizes[predicted[k]] for k in keys) / len(keys)
    b3_recall = sum(cells[(truth[k], predicted[k])] / true_sizes[truth[k]] for k in keys) / len(keys)
    members: dict[str, set[RecordKey]] = defaultdict(set)
    for k in keys:
        members[predicted[k]].add(k)
    true_members: dict[str, set[RecordKey]] = defaultdict(set)
    for k in keys:
        true_members[truth[k]].add(k)
    exact = sum(1 for entity in true_members.values() if members[predicted[next(iter(entity))]] == entity)
    return {
        "records": len(keys),
        "true_entities": len(true_sizes),
        "predicted_entities": len(predicted_sizes),
        "true_pairs": true_pairs,
        "predicted_pairs": predicted_pairs,
        "pairwise_precision": precision,
        "pairwise_recall": recall,
        "pairwise_f1": f1,
        "b3_precision": b3_precision,
        "b3_recall": b3_recall,
        "entities_found_exactly": exact / len(true_members) if true_members else 1.0,
    }


def read_truth(path: Path) -> dict[str, dict[RecordKey, str]]:
    """kind (person / company) -> record -> true entity, for rows meant to be loaded."""
    truth: dict[str, dict[RecordKey, str]] = defaultdict(dict)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["entity"]:
                truth[row["kind"]][RecordKey(row["source"], row["source_id"])] = row["entity"]
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, help="demo data folder (written when it has no sources.toml)")
    parser.add_argument("--rules", type=Path, help="resolver rules TOML (defaults otherwise)")
    args = parser.parse_args()

    from loaders import LoadOptions, Quarantine, load_sources, read_config
    from resolver import read_rules, resolve

    with tempfile.TemporaryDirectory() as scratch:
        data = args.data or Path(scratch) / "demo"
        if not (data / "sources.toml").exists():
            from loaders.demo import generate_demo_data

            generate_demo_data(data, people=args.people, companies=args.companies, seed=args.seed)
        store = open_store(f"sqlite:///{scratch}/accuracy.db")
        config = read_config(data / "sources.toml")
        quarantine = Quarantine(Path(scratch) / "quarantine.jsonl")
        load_sources(store, config, LoadOptions.of(config, quarantine=quarantine))
        quarantine.close()
        started = time.perf_counter()
        summary = resolve(store, read_rules(args.rules))
        seconds = time.perf_counter() - started
        truth = read_truth(data / "truth.csv")
        print(
            f"resolve: {seconds:.2f} s; profiles {summary.profiles.entities:,} from {summary.profiles.records:,}"
            f" records, organizations {summary.organizations.entities:,} from"
            f" {summary.organizations.records:,} records, fuzzy links"
            f" {summary.profiles.fuzzy_links + summary.organizations.fuzzy_links:,}"
        )
        for kind in ("person", "company"):
            keys = list(truth[kind])
            predicted = store.entity_ids_of(keys)
            figures = scores(truth[kind], predicted)
            print(
                f"\n{kind} records ({figures['records']:,.0f} records scored, {figures['true_entities']:,.0f} true,"
                f" {figures['predicted_entities']:,.0f} predicted entities)"
            )
            for name in (
                "pairwise_precision",
                "pairwise_recall",
                "pairwise_f1",
                "b3_precision",
                "b3_recall",
                "entities_found_exactly",
            ):
                print(f"  {name:<24} {figures[name]:.4f}")
        store.close()
    print("\ntargets on the default demo data: pairwise precision >= 0.995, recall >= 0.97")


if __name__ == "__main__":
    main()
