"""Connection settings of the Neo4j store: URL, credentials and database from arguments, the URL and the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

DEFAULT_USER = "neo4j"
USER_VARIABLE = "IDGRAPH_NEO4J_USER"
PASSWORD_VARIABLE = "IDGRAPH_NEO4J_PASSWORD"  # noqa: S105 - the name of a variable, not a password
DATABASE_VARIABLE = "IDGRAPH_NEO4J_DATABASE"


@dataclass(frozen=True)
class ConnectionSettings:
    """Where and as whom to connect; `uri` carries no credentials and `password` stays out of the repr."""

    uri: str
    username: str
    password: str = field(repr=False)
    database: str | None


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """The URL without its `user:password@` part, and the (percent-decoded) user and password it held."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        raise ValueError("a Neo4j URL must look like neo4j://host:7687")
    end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    userinfo, at, host = authority.rpartition("@")
    if not at:
        return url, None, None
    user, colon, password = userinfo.partition(":")
    return f"{scheme}://{host}{tail}", unquote(user) or None, unquote(password) if colon else None


def connection_settings(
    url: str,
    *,
    username: str | None = None,
    password: str | None = None,
    database: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ConnectionSettings:
    """Settings for a URL: each of user, password and database comes from the first of the arguments,
    the URL's own credentials, the environment (IDGRAPH_NEO4J_USER / _PASSWORD / _DATABASE) that is set,
    else user "neo4j", an empty password and the server's default database.
    """
    env = os.environ if environ is None else environ
    uri, url_user, url_password = split_credentials(url)
    return ConnectionSettings(
        uri=uri,
        username=username or url_user or env.get(USER_VARIABLE) or DEFAULT_USER,
        password=password or url_password or env.get(PASSWORD_VARIABLE) or "",
        database=database or env.get(DATABASE_VARIABLE) or None,
    )
