"""Settings from the environment (IDGRAPH_*) or a .env file; the one place configuration is read."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
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
        "development", description="production turns off GraphiQL and introspection and masks unexpected errors"
    )
    phone_region: str = Field(
        "US", description="region of phone numbers without a country code, in API lookups and single-file loads"
    )
    b2b_rules: str | None = Field(
        None, description="TOML file of B2B rules (title rules, role weights, engagement weights); defaults when unset"
    )
    # Ingest through the API (track, upsertRecords) and erasure.
    base_currency: str = Field(
        "USD", min_length=3, max_length=3, description="currency that track and upsertRecords convert amounts to"
    )
    rates: dict[str, Decimal] = Field(
        default_factory=dict,
        description="value of one unit of each currency in the base currency (IDGRAPH_RATES: a JSON object of them)",
    )
    rules: Path | None = Field(None, description="resolver rules TOML for incremental resolution (default: built-in)")
    suppression_key: SecretStr | None = Field(
        None,
        description="secret key (16+ bytes) of the erasure suppression list's keyed hashes; when unset, a key"
        " generated on first use is kept in the store (fine for development, not for production)",
    )
    # Query limits: each rejects a document at validation, before any resolver runs.
    max_depth: int = Field(12, ge=1, description="deepest field nesting of a GraphQL document")
    max_aliases: int = Field(30, ge=0, description="aliased fields in a GraphQL document")
    max_tokens: int = Field(2000, ge=10, description="lexical tokens in a GraphQL document")
    max_cost: int = Field(
        100_000,
        ge=1,
        description="estimated fields resolved: each field counts once per item of the lists above it, a list"
        " counting its `first` argument or the default page size",
    )
    max_body_bytes: int = Field(100_000, ge=1_000, description="largest GraphQL request body, in bytes")
    key_cache_seconds: float = Field(
        5.0, ge=0, description="how long a checked API key is trusted before the store is asked again (revocation lag)"
    )

    def open_store(self) -> GraphStore:
        return open_store(
            self.store,
            username=self.neo4j_user,
            password=self.neo4j_password.get_secret_value() if self.neo4j_password else None,
            database=self.neo4j_database,
        )
