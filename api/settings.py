"""Settings from the environment (IDGRAPH_*) or a .env file; the one place configuration is read."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph import DEFAULT_STORE_URL, GraphStore, open_store


class Settings(BaseSettings):
    """idgraph's configuration. Every field can be set as IDGRAPH_<NAME>, e.g. IDGRAPH_STORE."""

    model_config = SettingsConfigDict(env_prefix="IDGRAPH_", env_file=".env", extra="ignore")

    store: str = Field(DEFAULT_STORE_URL, description="sqlite:///path.db (embedded) or neo4j://host:7687")
    neo4j_user: str | None = Field(None, description="Neo4j user name (or put it in the store URL)")
    neo4j_password: SecretStr | None = Field(None, description="Neo4j password")
    neo4j_database: str | None = Field(None, description="Neo4j database name; the server default when unset")
    env: Literal["development", "production"] = Field(
        "development", description="production turns off GraphiQL and introspection"
    )
    phone_region: str = Field(
        "US", description="region of phone numbers without a country code, in API lookups and single-file loads"
    )

    def open_store(self) -> GraphStore:
        return open_store(
            self.store,
            username=self.neo4j_user,
            password=self.neo4j_password.get_secret_value() if self.neo4j_password else None,
            database=self.neo4j_database,
        )
