"""Benchmark: load the demo data set end to end against a floor that only reads and normalises the same rows.

    .venv/bin/python bench/load.py [--people 16000] [--companies 800] [--data DIR]

Each phase runs in a fresh process, so its peak RSS is its own. The floor reads every file of the demo
sources.toml and runs each row through the loaders' normalisers and checks (RowMapper.parse), writing
nothing; the load runs the real pipeline (mapping, quarantine, batches into a new SQLite store). The figure
that matters is the ratio of the two rates, measured in the same run on the same machine.

The load reads and maps the files in worker processes (loaders.worker) while the main process writes: its
figures are those of all of them. Peak RSS: the main process and its workers together, sampled every 20 ms
(bench/tree_rss.py), beside the main process's own peak and the largest worker's (RUSAGE_CHILDREN; it counts the
pages a forked worker shares with the main process too). CPU seconds are given for the main process and for the
workers together, to judge the figures on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tree_rss import TreePeak


def _usage() -> dict[str, float]:
    """CPU seconds and peak RSS of this process and of its (finished) worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_rss = children.ru_maxrss / 1024
    return {
        "cpu_s": own.ru_utime + own.ru_stime,
        "worker_cpu_s": children.ru_utime + children.ru_stime,
        "main_rss_mb": own.ru_maxrss / 1024,
        "worker_rss_mb": worker_rss,
        "rss_mb": own.ru_maxrss / 1024 + worker_rss,
    }


def floor(data: Path) -> dict[str, float]:
    from loaders import read_config, source_files
    from loaders.mapping import RowMapper
    from loaders.readers import read_rows

    config = read_config(data / "sources.toml")
    today = datetime.now(UTC).date()
    rows = 0
    started = time.perf_counter()
    for source in config.sources:
        mapper = RowMapper(source, base_currency=config.base_currency, rates=config.rates, today=today)
        for path in source_files(config, source):
            for row in read_rows(path, source.file_format(path), encoding=source.encoding, delimiter=source.delimiter):
                rows += 1
                if row.error is None:
                    mapper.parse(row.values)
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, **_usage()}


def load(data: Path) -> dict[str, float]:
    from graph import open_store
    from loaders import LoadOptions, Quarantine, load_sources, read_config

    config = read_config(data / "sources.toml")
    with tempfile.TemporaryDirectory() as scratch:
        store = open_store(f"sqlite:///{scratch}/bench.db")
        quarantine = Quarantine(Path(scratch) / "quarantine.jsonl")
        started = time.perf_counter()
        with TreePeak() as tree:
            report = load_sources(store, config, LoadOptions.of(config, quarantine=quarantine))
        seconds = time.perf_counter() - started
        quarantine.close()
        store.close()
    totals = report.totals
    usage = _usage()
    # The processes together, sampled: the workers' own peaks added to the main's would count shared pages twice.
    usage["rss_mb"] = max(tree.mb, usage["main_rss_mb"])
    return {"rows": totals["rows_read"], "loaded": totals["loaded"], "seconds": seconds, **usage}


def _run_phase(phase: str, data: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--data", str(data)], capture_output=True, text=True, check=True
    )
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # About 14 source rows per person: 16,000 people make some 225,000 rows.
    parser.add_argument("--people", type=int, default=16_000)
    parser.add_argument("--companies", type=int, default=800)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, help="demo data folder (written when it has no sources.toml)")
    parser.add_argument("--phase", choices=["floor", "load"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        print(json.dumps(floor(args.data) if args.phase == "floor" else load(args.data)))
        return

    with tempfile.TemporaryDirectory() as scratch:
        data = args.data or Path(scratch) / "demo"
        if not (data / "sources.toml").exists():
            from loaders.demo import generate_demo_data

            started = time.perf_counter()
            summary = generate_demo_data(data, people=args.people, companies=args.companies, seed=args.seed)
            print(
                f"demo data: {summary.total_rows:,} rows in {len(summary.files)} files, "
                f"written in {time.perf_counter() - started:.1f} s"
            )
        floor_figures = _run_phase("floor", data)
        load_figures = _run_phase("load", data)

    floor_rate = floor_figures["rows"] / floor_figures["seconds"]
    load_rate = load_figures["rows"] / load_figures["seconds"]
    print(
        f"{'phase':<6} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'peak RSS MB':>12}"
        f" {'(main, worker)':>16} {'CPU s main':>11} {'CPU s workers':>13}"
    )
    for name, figures, rate in (("floor", floor_figures, floor_rate), ("load", load_figures, load_rate)):
        print(
            f"{name:<6} {figures['rows']:>9,.0f} {figures['seconds']:>8.2f} {rate:>9,.0f} {figures['rss_mb']:>12.0f}"
            f" {figures['main_rss_mb']:>8.0f}, {figures['worker_rss_mb']:<5.0f}"
            f" {figures['cpu_s']:>11.2f} {figures['worker_cpu_s']:>13.2f}"
        )
    print(f"loaded {load_figures['loaded']:,.0f} of {load_figures['rows']:,.0f} rows")
    print(
        f"ratio load/floor rows/s: {load_rate / floor_rate:.2f}  (target >= 0.5);"
        f" load peak RSS {load_figures['rss_mb']:.0f} MB (target < 500)"
    )


if __name__ == "__main__":
    main()
