"""What a load did, per file: the row-count identity, reasons, fill rates and normalisations applied."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, Field, computed_field


class FileReport(BaseModel):
    """The outcome of loading one file. Every row read is loaded, quarantined, a duplicate, or suppressed."""

    source: str
    file: str
    rows_read: int = 0
    loaded: int = 0
    quarantined: int = 0
    duplicates: int = Field(0, description="exact duplicates of an earlier row of the file, skipped")
    suppressed: int = Field(0, description="rows of erased subjects, not loaded again")
    resumed_after: int = Field(0, description="rows an interrupted earlier run had already committed, not re-read")
    reasons: dict[str, int] = Field(default_factory=dict, description="quarantine reason -> rows")
    fields_filled: dict[str, int] = Field(default_factory=dict, exclude=True)
    normalisations: dict[str, int] = Field(default_factory=dict, description="field -> values changed by cleaning")
    warnings: dict[str, int] = Field(
        default_factory=dict, description="loaded rows with a problem, e.g. unknown parent"
    )
    seconds: float = 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fill_rates(self) -> dict[str, float]:
        """Share of loaded rows with a value in each field."""
        if not self.loaded:
            return {}
        return {name: round(count / self.loaded, 4) for name, count in sorted(self.fields_filled.items())}

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.loaded + self.quarantined + self.duplicates + self.suppressed


class LoadReport(BaseModel):
    """Reports of every file of one load."""

    files: list[FileReport] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def totals(self) -> dict[str, int]:
        keys = ("rows_read", "loaded", "quarantined", "duplicates", "suppressed")
        return {key: sum(getattr(f, key) for f in self.files) for key in keys}

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reasons_by_source(self) -> dict[str, dict[str, int]]:
        by_source: dict[str, Counter[str]] = {}
        for report in self.files:
            by_source.setdefault(report.source, Counter()).update(report.reasons)
        return {source: dict(sorted(counts.items())) for source, counts in sorted(by_source.items())}
