"""Identity resolution: records that belong to one person (or company) become one entity with a stable ID."""

from resolver.batch import EntitySummary, ResolveSummary, resolve
from resolver.incremental import RecordResolution, resolve_record
from resolver.linking import Evidence, FuzzyEdge, Partition, partition
from resolver.rules import Rules, RulesError, read_rules

__all__ = [
    "EntitySummary",
    "Evidence",
    "FuzzyEdge",
    "Partition",
    "RecordResolution",
    "ResolveSummary",
    "Rules",
    "RulesError",
    "partition",
    "read_rules",
    "resolve",
    "resolve_record",
]
