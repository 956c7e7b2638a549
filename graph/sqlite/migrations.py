"""Schema migrations of the SQLite store, applied in order; PRAGMA user_version holds the version reached."""

from __future__ import annotations

import sqlite3

from graph.errors import SchemaVersionError
from graph.model import EntityKind, IdentifierKind, RecordKind, RelType


def _check_in(column: str, values: list[str]) -> str:
    """A CHECK constraint keeping a column inside one of the model's closed sets."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"CHECK ({column} IN ({quoted}))"


_V1 = f"""
CREATE TABLE records (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    kind        TEXT NOT NULL {_check_in("kind", [k.value for k in RecordKind])},
    properties  TEXT NOT NULL,                 -- JSON object
    UNIQUE (source, source_id)
);
CREATE INDEX records_by_kind ON records (kind, source, source_id);

CREATE TABLE identifiers (
    id      INTEGER PRIMARY KEY,
    kind    TEXT NOT NULL {_check_in("kind", [k.value for k in IdentifierKind])},
    value   TEXT NOT NULL,
    system  TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, value, system)
);

CREATE TABLE record_identifiers (
    record_id      INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    identifier_id  INTEGER NOT NULL REFERENCES identifiers (id) ON DELETE CASCADE,
    PRIMARY KEY (record_id, identifier_id)
) WITHOUT ROWID;
CREATE INDEX record_identifiers_by_identifier ON record_identifiers (identifier_id, record_id);

CREATE TABLE relations (
    type        TEXT NOT NULL {_check_in("type", [t.value for t in RelType])},
    start_id    INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    end_id      INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    properties  TEXT NOT NULL,                 -- JSON object
    PRIMARY KEY (type, start_id, end_id)
) WITHOUT ROWID;
CREATE INDEX relations_by_end ON relations (end_id, type, start_id);

CREATE TABLE entities (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL {_check_in("kind", [k.value for k in EntityKind])},
    traits      TEXT NOT NULL,                 -- JSON object
    created_at  TEXT NOT NULL                  -- ISO-8601 with offset
);
CREATE INDEX entities_by_kind ON entities (kind, id);

CREATE TABLE resolves_to (
    record_id  INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    entity_id  TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE
);
CREATE INDEX resolves_to_by_entity ON resolves_to (entity_id);

CREATE TABLE entity_aliases (
    alias      TEXT PRIMARY KEY,
    entity_id  TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE
);
CREATE INDEX entity_aliases_by_entity ON entity_aliases (entity_id);

CREATE TABLE checkpoints (
    name      TEXT PRIMARY KEY,
    position  TEXT NOT NULL
);
"""

_V2 = """
CREATE TABLE overrides (
    a_source    TEXT NOT NULL,
    a_id        TEXT NOT NULL,
    b_source    TEXT NOT NULL,
    b_id        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('never_link', 'always_link')),
    reason      TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (a_source, a_id, b_source, b_id)
);

CREATE TABLE entity_history (
    id          INTEGER PRIMARY KEY,
    entity_id   TEXT NOT NULL,
    at          TEXT NOT NULL,
    action      TEXT NOT NULL,
    cause       TEXT NOT NULL,
    records     TEXT NOT NULL,               -- JSON list of [source, source_id]
    others      TEXT NOT NULL                -- JSON list of entity IDs
);
CREATE INDEX entity_history_by_entity ON entity_history (entity_id, id);

CREATE TABLE documents (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL                     -- JSON
);
"""

_V3 = """
CREATE TABLE blocking_keys (
    key        TEXT NOT NULL,
    record_id  INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    PRIMARY KEY (key, record_id)
) WITHOUT ROWID;
CREATE INDEX blocking_keys_by_record ON blocking_keys (record_id);
"""

# Append only: a released migration is never edited, a change is a new entry.
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the schema to the latest version, each step in its own transaction; returns the version."""
    current = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if current > len(MIGRATIONS):
        raise SchemaVersionError(
            f"store schema version {current} is newer than this idgraph supports ({len(MIGRATIONS)}); upgrade idgraph"
        )
    for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
        statements = [s.strip() for s in script.split(";") if s.strip()]
        connection.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            if int(connection.execute("PRAGMA user_version").fetchone()[0]) >= version:
                connection.execute("ROLLBACK")
                continue
            for statement in statements:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {version}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)
