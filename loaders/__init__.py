"""Loaders: read source exports, normalise and validate them, and write them to a GraphStore."""

from loaders.actors import actor_key
from loaders.config import LoadConfig, SourceConfig, read_config, single_source
from loaders.errors import LoadError
from loaders.fields import FIELDS, SourceKind
from loaders.normalise import (
    Money,
    TestDataRules,
    convert_money,
    is_garbled,
    is_test_email,
    is_test_name,
    is_test_phone,
    normalise_domain,
    normalise_email,
    normalise_identifier,
    normalise_name,
    normalise_phone,
    normalise_text,
    parse_amount,
    parse_date,
    parse_timestamp,
    repair_text,
)
from loaders.pipeline import LoadOptions, load_file, load_files, load_sources, source_files
from loaders.quarantine import Quarantine
from loaders.reasons import InvalidValue, Reason
from loaders.report import FileReport, LoadReport

__all__ = [
    "FIELDS",
    "FileReport",
    "InvalidValue",
    "LoadConfig",
    "LoadError",
    "LoadOptions",
    "LoadReport",
    "Money",
    "Quarantine",
    "Reason",
    "SourceConfig",
    "SourceKind",
    "TestDataRules",
    "actor_key",
    "convert_money",
    "is_garbled",
    "is_test_email",
    "is_test_name",
    "is_test_phone",
    "load_file",
    "load_files",
    "load_sources",
    "normalise_domain",
    "normalise_email",
    "normalise_identifier",
    "normalise_name",
    "normalise_phone",
    "normalise_text",
    "parse_amount",
    "parse_date",
    "parse_timestamp",
    "read_config",
    "repair_text",
    "single_source",
    "source_files",
]
