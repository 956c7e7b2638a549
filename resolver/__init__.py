"""Identity resolution: records that belong to one person (or company) become one entity with a stable ID."""

from resolver.batch import ResolveSummary, resolve
from resolver.components import components

__all__ = ["ResolveSummary", "components", "resolve"]
