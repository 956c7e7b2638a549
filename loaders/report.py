"""What a load did: rows read, loaded and rejected, with the reason for each rejected row (never its values)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RowProblem(BaseModel):
    """Why one row was not loaded. Holds the row's position and the column, never the offending value (PII)."""

    line: int = Field(description="line of the file where the row ends (the header is line 1)")
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: column {self.column!r}: {self.reason}"


class LoadReport(BaseModel):
    """The outcome of loading one file."""

    file: str
    source: str
    rows_read: int = 0
    loaded: int = 0
    problems: list[RowProblem] = Field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.problems)
