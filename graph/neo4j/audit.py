"""Neo4j Cypher of the audit log, `(:AuditEntry {seq, at, actor, actor_name, action, target, detail})`, and of
listing documents. Entries are numbered by the `(:IdgraphCounter {name: "audit"})` sequence and never changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import neo4j

from graph.audit import AuditEntry, audit_time
from graph.neo4j import cypher, rows
from graph.neo4j.transactions import Transactions, execute, fetch

AUDIT_ENTRY = cypher.token(cypher.Bookkeeping.AUDIT_ENTRY)
AUDIT_COUNTER = "audit"

# Advance the audit sequence by $count (write-locks the counter: appends take turns, numbers follow commits).
_ADVANCE = cypher.ADVANCE_COUNTER

_CREATE = f"""
UNWIND $rows AS row
CREATE (:{AUDIT_ENTRY} {{seq: row.seq, at: row.at, actor: row.actor, actor_name: row.actor_name,
                         action: row.action, target: row.target, detail: row.detail}})
"""

# Newest first; $since ('' for none) is compared as text, which is time order for audit_time's form.
_ENTRIES = f"""
MATCH (a:{AUDIT_ENTRY})
WHERE ($before IS NULL OR a.seq < $before) AND a.at >= $since
RETURN a.seq AS seq, a.at AS at, a.actor AS actor, a.actor_name AS actor_name, a.action AS action,
       a.target AS target, a.detail AS detail
ORDER BY a.seq DESC
LIMIT $limit
"""

_DOCUMENT_NAMES = f"""
MATCH (d:{cypher.DOCUMENT})
WHERE d.name STARTS WITH $prefix
RETURN d.name AS name
ORDER BY name
"""


def append(transactions: Transactions, entries: Sequence[AuditEntry]) -> list[int]:
    def work(tx: neo4j.ManagedTransaction) -> list[int]:
        found = fetch(tx, _ADVANCE, name=AUDIT_COUNTER, count=len(entries))
        first = int(found[0]["value"]) - len(entries) + 1
        params = [
            {
                "seq": first + offset,
                "at": audit_time(entry.at),
                "actor": entry.actor,
                "actor_name": entry.actor_name,
                "action": entry.action,
                "target": entry.target,
                "detail": rows.encode_json(entry.detail),
            }
            for offset, entry in enumerate(entries)
        ]
        execute(tx, _CREATE, rows=params)
        return [first + offset for offset in range(len(entries))]

    return transactions.write("appending to the audit log", work)


def entries(transactions: Transactions, *, since: datetime | None, before: int | None, limit: int) -> list[AuditEntry]:
    found = transactions.read(
        "reading the audit log",
        lambda tx: fetch(tx, _ENTRIES, since=audit_time(since) if since else "", before=before, limit=max(limit, 0)),
    )
    return [
        AuditEntry.model_construct(
            seq=int(row["seq"]),
            at=rows.decode_datetime(row["at"]),
            actor=str(row["actor"]),
            actor_name=str(row["actor_name"] or ""),
            action=str(row["action"]),
            target=str(row["target"] or ""),
            detail=rows.decode_json(row["detail"]),
        )
        for row in found
    ]


def document_names(transactions: Transactions, prefix: str) -> list[str]:
    found = transactions.read("listing documents", lambda tx: fetch(tx, _DOCUMENT_NAMES, prefix=prefix))
    return [str(row["name"]) for row in found]
