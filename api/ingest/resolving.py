"""Incremental resolution of the records an API write touched, with the configured rules."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from api.settings import Settings
from graph import GraphStore, RecordKey
from resolver import Rules, incremental, read_rules
from resolver.incremental import NeighbourhoodTooLarge

log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _rules(path: Path | None) -> Rules:
    return read_rules(path)


def rules_for(settings: Settings) -> Rules:
    """The resolver rules of the settings (read once per file)."""
    return _rules(settings.rules)


@dataclass
class Resolved:
    """The entity each resolved record belongs to now; records too entangled for one step are left for a batch run."""

    entity_ids: dict[RecordKey, str] = field(default_factory=dict)
    deferred: list[RecordKey] = field(default_factory=list)


def resolve_records(store: GraphStore, keys: Iterable[RecordKey], rules: Rules) -> Resolved:
    """Resolve each record incrementally (a record already placed by an earlier one of them is done again: cheap);
    new records nothing can join are written together (see resolver.incremental.resolve_records)."""
    resolved = Resolved()
    for key, outcome in incremental.resolve_records(store, keys, rules).items():
        if isinstance(outcome, NeighbourhoodTooLarge):
            log.warning("a record touches too much of the graph for incremental resolution; run `idgraph resolve`")
            resolved.deferred.append(key)
        elif isinstance(outcome, KeyError):  # deleted meanwhile (an erasure)
            continue
        elif outcome.entity_id is not None:
            resolved.entity_ids[key] = outcome.entity_id
    return resolved
