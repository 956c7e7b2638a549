"""Managed transactions on one Neo4j database, with driver errors turned into GraphStoreError.

Every call opens its own short session (sessions are not thread-safe; the driver is), and all sessions of
one store share a bookmark manager, so a read always sees the writes this store committed before it, even
when a cluster routes it to another member.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
from neo4j.exceptions import DriverError, Neo4jError

from graph.errors import GraphStoreError

_T = TypeVar("_T")

Work = Callable[[neo4j.ManagedTransaction], _T]


def describe(purpose: str, error: Exception) -> str:
    """The message of a wrapped driver error: the purpose and the error's kind, never the values involved.

    A server error's message may quote a stored value (a constraint violation names the property value),
    so only its status code is kept; the original stays attached as `__cause__`.
    """
    if isinstance(error, Neo4jError):
        return f"neo4j: {purpose} failed: {type(error).__name__} {error.code or 'without a code'}"
    return f"neo4j: {purpose} failed: {type(error).__name__}: {error}"


@contextmanager
def wrapped_errors(purpose: str) -> Iterator[None]:
    """Re-raise driver and server errors as GraphStoreError naming the purpose; domain errors pass as they are."""
    try:
        yield
    except (Neo4jError, DriverError) as error:
        raise GraphStoreError(describe(purpose, error)) from error


def fetch(tx: neo4j.ManagedTransaction, query: str, **parameters: Any) -> list[dict[str, Any]]:
    """Run one query and return its rows as plain dicts (the result must be consumed inside the transaction)."""
    return [record.data() for record in tx.run(query, parameters)]


def execute(tx: neo4j.ManagedTransaction, query: str, **parameters: Any) -> None:
    """Run one updating query to its end."""
    tx.run(query, parameters).consume()


class Transactions:
    """Runs transaction functions as managed reads or writes on one database.

    The driver retries a transaction function on transient failures (deadlock, leader switch, lost
    connection), so each must be idempotent: read what it needs, then MERGE/SET/DELETE by natural keys.
    An exception raised by the function itself (a domain error) rolls the transaction back and is not
    retried.
    """

    def __init__(self, driver: neo4j.Driver, database: str | None) -> None:
        self.driver = driver
        self.database = database
        self._bookmarks = neo4j.GraphDatabase.bookmark_manager()

    def _session(self) -> neo4j.Session:
        return self.driver.session(database=self.database, bookmark_manager=self._bookmarks)

    def read(self, purpose: str, work: Work[_T]) -> _T:
        """Run `work` in one read transaction (routed to a reader in a cluster)."""
        with wrapped_errors(purpose), self._session() as session:
            return session.execute_read(work)

    def write(self, purpose: str, work: Work[_T]) -> _T:
        """Run `work` in one write transaction: all of it commits, or none of it."""
        with wrapped_errors(purpose), self._session() as session:
            return session.execute_write(work)

    def run_schema(self, purpose: str, query: str) -> None:
        """Run one schema command (constraints, indexes) in its own auto-commit transaction."""
        with wrapped_errors(purpose), self._session() as session:
            session.run(query).consume()

    def close(self) -> None:
        """Close the driver and its connections."""
        with wrapped_errors("closing the driver"):
            self.driver.close()
