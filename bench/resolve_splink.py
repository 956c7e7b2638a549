"""The peer for bench/resolve.py (a): Splink 5 on DuckDB, a deterministic link on the same identifier rules, clustered.

The input is one DuckDB table, one row per record: `unique_id` and, per identifier kind, the list of values the
record holds (multi-valued, so each rule is `block_on(kind, arrays_to_explode=[kind])`, Splink's form for
array columns). Building that table is loading, not timed; the link and the clustering are.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
from resolve_data import KINDS, Dataset


@dataclass
class SplinkRun:
    setup_seconds: float  # loading the table into DuckDB, registering it, making the Linker (not timed)
    link_seconds: float
    cluster_seconds: float
    pairs: int
    labels: np.ndarray  # cluster of each record (by record index)
    fetch_seconds: float  # reading the clusters back into numpy (not part of the timed figure)

    @property
    def seconds(self) -> float:
        return self.link_seconds + self.cluster_seconds


def input_table(data: Dataset) -> pa.Table:
    """One row per record: unique_id and a list column per identifier kind (null when the record has none)."""
    columns: dict[str, pa.Array] = {"unique_id": pa.array(np.arange(data.records, dtype=np.int64))}
    for kind, name in enumerate(KINDS):
        mask = data.link_kind == kind
        records, codes = data.link_record[mask], data.link_code[mask]
        counts = np.bincount(records, minlength=data.records)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        values = pa.array(data.values[kind], type=pa.string()).take(pa.array(codes))
        lists = pa.ListArray.from_arrays(pa.array(offsets), values, mask=pa.array(counts == 0))
        columns[name] = lists
    return pa.table(columns)


def run(data: Dataset, table: pa.Table, *, threads: int | None = None) -> SplinkRun:
    """Deterministic link on each identifier kind, then connected components; returns timings and clusters."""
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    setup = time.perf_counter()
    connection = duckdb.connect()
    if threads:
        connection.execute(f"SET threads = {threads}")
    connection.register("records_arrow", table)
    connection.execute("CREATE TABLE records AS SELECT * FROM records_arrow")
    connection.unregister("records_arrow")
    db_api = DuckDBAPI(connection)
    records = db_api.register("records", dataset_display_name="records")
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[block_on(kind, arrays_to_explode=[kind]) for kind in KINDS],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(records, settings, log_level=logging.WARNING)

    started = time.perf_counter()
    pairs = linker.inference.deterministic_link()
    linked = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs)
    clustered = time.perf_counter()

    pair_count = connection.execute(f"SELECT count(*) FROM {pairs.physical_name}").fetchone()
    rows = connection.execute(f"SELECT unique_id, cluster_id FROM {clusters.physical_name}").fetchnumpy()
    labels = np.empty(data.records, dtype=np.int64)
    # cluster_id is the smallest unique_id of the cluster (a number here, maybe as text).
    labels[rows["unique_id"].astype(np.int64)] = np.asarray(rows["cluster_id"]).astype(np.int64)
    fetched = time.perf_counter()
    connection.close()
    return SplinkRun(
        setup_seconds=started - setup,
        link_seconds=linked - started,
        cluster_seconds=clustered - linked,
        pairs=int(pair_count[0]) if pair_count else 0,
        labels=labels,
        fetch_seconds=fetched - clustered,
    )
