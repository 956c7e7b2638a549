"""The Neo4j backend of the GraphStore port (a Neo4j 5 server over the official driver)."""

from graph.neo4j.store import Neo4jGraphStore

__all__ = ["Neo4jGraphStore"]
