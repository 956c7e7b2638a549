"""What a demo data run wrote: files and their row counts, and how many true people and companies are behind them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DemoSummary:
    out: Path  # the folder
    config: Path  # sources.toml
    truth: Path  # truth.csv
    files: dict[str, int]  # data file name -> data rows (without the header), in loading order
    truth_rows: int
    total_rows: int  # data rows of all data files
    persons: int  # true people
    companies: int  # true companies
    seconds: float  # time taken

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0
