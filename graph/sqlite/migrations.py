"""Schema migrations of the SQLite store, applied in order; PRAGMA user_version holds the version reached."""

from __future__ import annotations

import sqlite3

from graph.errors import SchemaVersionError
from graph.model import EntityKind, IdentifierKind, RecordKind, RelType
from graph.sqlite.b2b import COMPANY_SEARCH_MIGRATION


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

# The event index: one row per Event record with the facts that events_of and segment conditions filter on,
# kept up to date by triggers, so that no writer needs to know it exists. `at` is the UTC timestamp as
# 'YYYY-MM-DDTHH:MM:SS.mmmZ' (see graph.events.time_key), NULL when the timestamp is missing or unreadable.
# `actor_id` is the record that PERFORMED the event (every event has exactly one).
_EVENT_FACT_VALUES = """
    json_extract(NEW.properties, '$.type'),
    strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(NEW.properties, '$.timestamp')),
    json_extract(NEW.properties, '$.amount'),
    json_extract(NEW.properties, '$.channel')"""

_V4 = f"""
CREATE TABLE event_facts (
    record_id  INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    actor_id   INTEGER REFERENCES records (id) ON DELETE SET NULL,
    type       TEXT,
    at         TEXT,
    amount     REAL,
    channel    TEXT
);
CREATE INDEX event_facts_by_actor ON event_facts (actor_id, at);
CREATE INDEX event_facts_by_type ON event_facts (type, at, actor_id, amount);

CREATE TRIGGER event_facts_on_insert AFTER INSERT ON records WHEN NEW.kind = 'Event'
BEGIN
    INSERT OR REPLACE INTO event_facts (record_id, actor_id, type, at, amount, channel) VALUES (
        NEW.id,
        (SELECT start_id FROM relations WHERE type = 'PERFORMED' AND end_id = NEW.id LIMIT 1),{_EVENT_FACT_VALUES});
END;

CREATE TRIGGER event_facts_on_update AFTER UPDATE OF properties ON records WHEN NEW.kind = 'Event'
BEGIN
    UPDATE event_facts SET (type, at, amount, channel) = ({_EVENT_FACT_VALUES}) WHERE record_id = NEW.id;
END;

CREATE TRIGGER event_facts_actor_on_insert AFTER INSERT ON relations WHEN NEW.type = 'PERFORMED'
BEGIN
    UPDATE event_facts SET actor_id = NEW.start_id WHERE record_id = NEW.end_id;
END;

CREATE TRIGGER event_facts_actor_on_delete AFTER DELETE ON relations WHEN OLD.type = 'PERFORMED'
BEGIN
    UPDATE event_facts SET actor_id = (
        SELECT start_id FROM relations WHERE type = 'PERFORMED' AND end_id = OLD.end_id LIMIT 1
    ) WHERE record_id = OLD.end_id;
END;

INSERT INTO event_facts (record_id, actor_id, type, at, amount, channel)
SELECT
    r.id,
    (SELECT start_id FROM relations WHERE type = 'PERFORMED' AND end_id = r.id LIMIT 1),
    json_extract(r.properties, '$.type'),
    strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(r.properties, '$.timestamp')),
    json_extract(r.properties, '$.amount'),
    json_extract(r.properties, '$.channel')
FROM records r WHERE r.kind = 'Event';
"""

# The audit log: append-only (the triggers refuse any change or removal). `at` is ISO-8601 UTC with microseconds
# (graph.audit.audit_time), so text order is time order; `detail` is a JSON object of IDs and counts, never PII.
_V5 = """
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    detail      TEXT NOT NULL                  -- JSON object
);
CREATE INDEX audit_log_by_time ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"""

# Erasure (graph/sqlite/erasure.py): the suppression list holds keyed hashes (HMAC-SHA256) only; an erasure
# request is a JSON object of an entity ID, times and counts, found by the entity's ID and each of its aliases.
_V6 = """
CREATE TABLE suppressions (
    hash      TEXT PRIMARY KEY,
    added_at  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE erasures (
    id       TEXT PRIMARY KEY,
    request  TEXT NOT NULL                   -- JSON: graph.erasure.ErasureRequest
);
"""

# Append only: a released migration is never edited, a change is a new entry.
# Organisations by company name or domain: the FTS5 trigram index `company_search` (graph.sqlite.b2b).
_V7 = COMPANY_SEARCH_MIGRATION

# Segment aggregates per actor (graph.segments.sql): the events of a type in actor order, so counting or summing
# them per actor streams without a sort before the per-profile totals.
_V8 = """
CREATE INDEX event_facts_by_type_actor ON event_facts (type, actor_id, at, amount);
"""

# The event index is kept by the batch writer (graph.sqlite.writes.index_events), once per batch, instead of by
# per-row triggers: a PERFORMED relation no longer rewrites its event's index row just after it was inserted.
# The trigger for a deleted PERFORMED relation stays (deletes are rare and go through foreign keys).
_V9 = """
DROP TRIGGER event_facts_on_insert;
DROP TRIGGER event_facts_on_update;
DROP TRIGGER event_facts_actor_on_insert;
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9)


def _statements(script: str) -> list[str]:
    """The statements of a script (a trigger's body holds semicolons, so split only where a statement is complete)."""
    statements: list[str] = []
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending.strip())
    return statements


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the schema to the latest version, each step in its own transaction; returns the version."""
    current = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if current > len(MIGRATIONS):
        raise SchemaVersionError(
            f"store schema version {current} is newer than this idgraph supports ({len(MIGRATIONS)}); upgrade idgraph"
        )
    for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
        statements = _statements(script)
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
