"""The source configuration (TOML): which files hold which records, and how their columns map onto fields."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from loaders.encoding import check_encoding
from loaders.errors import LoadError
from loaders.fields import FIELDS, IDENTIFIER_TYPES, REFERENCE_ROLES, SourceKind
from loaders.normalise import check_date_format, check_rates, check_timestamp_format, check_timezone

_STRICT = ConfigDict(extra="forbid", frozen=True)

SourceName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")]


class FileFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


_FORMAT_BY_SUFFIX = {
    ".csv": FileFormat.CSV,
    ".jsonl": FileFormat.JSONL,
    ".ndjson": FileFormat.JSONL,
    ".json": FileFormat.JSONL,
    ".parquet": FileFormat.PARQUET,
}


_CHECKS: dict[str, Callable[[str], object]] = {
    "date_format": check_date_format,
    "timestamp_format": check_timestamp_format,
    "encoding": check_encoding,
    "timezone": check_timezone,
}


class Checks(BaseModel):
    """Quality checks; each is on unless turned off."""

    model_config = _STRICT

    duplicates: bool = Field(True, description="skip exact duplicate rows (counted as duplicates)")
    test_data: bool = Field(True, description="quarantine test rows (test@test.com, 13800000000, names like 'test')")
    garbled_text: bool = Field(True, description="quarantine text whose mojibake cannot be repaired")
    logical: bool = Field(True, description="quarantine logical errors (birth date in the future, negative quantity)")


class SourceDefaults(BaseModel):
    """Settings every source inherits unless it sets its own."""

    model_config = _STRICT

    encoding: str = Field("auto", description="auto (UTF-8, UTF-8 with BOM or GB18030/GBK), or a codec name")
    delimiter: str = Field(",", min_length=1, max_length=1)
    date_format: str = Field("YYYY-MM-DD", description="e.g. MM/DD/YYYY, DD/MM/YYYY, YYYYMMDD")
    timestamp_format: str = Field("ISO", description="ISO, epoch, epoch_ms, or tokens like YYYY-MM-DD HH:mm:ss")
    timezone: str = Field("UTC", description="IANA zone of times written without an offset")
    phone_region: str | None = Field(None, description="ISO 3166 region of phone numbers without a country code")
    currency: str | None = Field(None, description="currency of amounts when the row names none")
    checks: Checks = Checks()

    @field_validator("date_format", "timestamp_format", "encoding", "timezone")
    @classmethod
    def _usable(cls, value: str, info: ValidationInfo) -> str:
        """A format, encoding or time zone the normalisers can use; a ValueError naming it otherwise."""
        _CHECKS[info.field_name or ""](value)
        return value


class SourceConfig(SourceDefaults):
    """One source: a file (or glob) of one kind of rows."""

    name: SourceName = Field(description="the source system's name; part of every record key")
    kind: SourceKind
    path: str = Field(min_length=1, description="file or glob, relative to the config file")
    format: FileFormat | None = Field(None, description="csv, jsonl or parquet; default: from the file extension")
    columns: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="field -> source column (identifier fields may take a list of columns); unmapped fields"
        " are read from a column of their own name",
    )
    properties: list[str] = Field(default_factory=list, description="event columns copied into its properties")
    attributes: list[str] = Field(default_factory=list, description="extra columns kept on the record as-is")
    required: list[str] = Field(default_factory=list, description="fields required beyond the kind's own")
    references: dict[str, SourceName] = Field(
        default_factory=dict, description="role (person, company, contact, opportunity) -> source of those records"
    )
    account_system: str | None = Field(None, description="system of account ids; default: the source name")

    @model_validator(mode="after")
    def _known_fields(self) -> SourceConfig:
        fields = FIELDS[self.kind]
        where = f"source {self.name!r} ({self.kind})"
        for field, column in self.columns.items():
            if field not in fields:
                raise ValueError(
                    f"{where}: columns maps onto {field!r}, which is not a {self.kind} field;"
                    f" fields are: {', '.join(fields)}"
                )
            if isinstance(column, list) and fields[field].type not in IDENTIFIER_TYPES:
                raise ValueError(f"{where}: only identifier fields take several columns, not {field!r}")
        for field in self.required:
            if field not in fields:
                raise ValueError(f"{where}: required names {field!r}, which is not a {self.kind} field")
        for role in self.references:
            if role not in REFERENCE_ROLES:
                raise ValueError(
                    f"{where}: references has unknown role {role!r}; roles are {', '.join(REFERENCE_ROLES)}"
                )
        return self

    def column_of(self, field: str) -> list[str]:
        """The source columns a field is read from (its own name when unmapped)."""
        column = self.columns.get(field, field)
        return column if isinstance(column, list) else [column]

    def reference(self, role: str) -> str:
        """The source whose records a reference of this role points at (default: this source)."""
        return self.references.get(role, self.name)

    def file_format(self, path: Path) -> FileFormat:
        if self.format is not None:
            return self.format
        return _FORMAT_BY_SUFFIX.get(path.suffix.lower(), FileFormat.CSV)


class LoadConfig(BaseModel):
    """The whole configuration file."""

    model_config = _STRICT

    base_currency: str = Field("USD", min_length=3, max_length=3, description="currency amounts are converted to")
    rates: dict[str, Decimal] = Field(
        default_factory=dict, description="currency -> value of one unit in the base currency"
    )
    batch_size: int = Field(2000, ge=1, le=100_000, description="rows per transaction")
    defaults: SourceDefaults = SourceDefaults()
    sources: list[SourceConfig] = Field(min_length=1)
    root: Path = Field(Path("."), exclude=True, description="folder relative paths start from")

    @model_validator(mode="before")
    @classmethod
    def _inherit_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("defaults"), dict):
            defaults = data["defaults"]
            data = {
                **data,
                "sources": [{**defaults, **s} if isinstance(s, dict) else s for s in data.get("sources", [])],
            }
        return data

    @model_validator(mode="after")
    def _unique_names(self) -> LoadConfig:
        check_rates(self.rates, base=self.base_currency)
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"two sources are named {source.name!r}; each needs its own name")
            seen.add(source.name)
        return self

    def only(self, names: list[str]) -> list[SourceConfig]:
        """The sources named (all when none are), in file order; an unknown name is an error."""
        if not names:
            return list(self.sources)
        known = {s.name for s in self.sources}
        if unknown := [n for n in names if n not in known]:
            raise LoadError(f"no source named {', '.join(map(repr, unknown))}; sources are: {', '.join(sorted(known))}")
        return [s for s in self.sources if s.name in names]


def _location(loc: tuple[int | str, ...], data: Any) -> str:
    """`sources[2] ('crm').columns` from pydantic's ('sources', 2, 'columns')."""
    text = ""
    node = data
    for item in loc:
        if isinstance(item, int):
            text += f"[{item}]"
            node = node[item] if isinstance(node, list) and item < len(node) else None
            if isinstance(node, dict) and "name" in node:
                text += f" ({node['name']!r})"
        else:
            text += ("." if text else "") + str(item)
            node = node.get(item) if isinstance(node, dict) else None
    return text


def read_config(path: Path) -> LoadConfig:
    """Read and validate a config file; every problem is reported with where it is (a LoadError)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LoadError(f"{path}: cannot read the config file: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(f"{path}: not valid TOML: {exc}") from None
    try:
        return LoadConfig.model_validate({**data, "root": path.parent})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = _location(error["loc"], data)
            message = (
                "unknown key" if error["type"] == "extra_forbidden" else error["msg"].removeprefix("Value error, ")
            )
            problems.append(f"  {where}: {message}" if where else f"  {message}")
        raise LoadError(f"{path}: invalid configuration:\n" + "\n".join(problems)) from None


def single_source(kind: SourceKind, name: str, **settings: Any) -> SourceConfig:
    """A source for `idgraph load KIND FILE`: columns named like the fields need no mapping."""
    return SourceConfig(name=name, kind=kind, path="-", **{k: v for k, v in settings.items() if v is not None})
