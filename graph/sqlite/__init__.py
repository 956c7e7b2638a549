"""The embedded SQLite backend of the GraphStore port (the default store)."""

from graph.sqlite.store import SqliteGraphStore

__all__ = ["SqliteGraphStore"]
