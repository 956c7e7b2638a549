"""API keys: created once and shown once; stored only as a hash of their secret, with their scopes.

A key reads `idg_<key id>_<secret>`. The store keeps, under the document `apikey.<key id>`, the SHA-256 of the
secret (the secret has 256 bits of entropy, so a slow hash adds nothing), the key's name, scopes and creation time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from pydantic import JsonValue

from api.security.principal import Principal
from api.security.scopes import Scope
from graph import GraphStore

PREFIX = "idg"
_DOCUMENT = "apikey."


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(store: GraphStore, name: str, scopes: frozenset[Scope]) -> str:
    """A new key with `scopes`; the returned token is the only copy of its secret."""
    if not scopes:
        raise ValueError("a key needs at least one scope")
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    scope_names: list[JsonValue] = [s.value for s in sorted(scopes)]
    store.put_document(
        _DOCUMENT + key_id,
        {
            "name": name,
            "scopes": scope_names,
            "secret_sha256": _digest(secret),
            "created_at": datetime.now(UTC).isoformat(),
        },
    )
    return f"{PREFIX}_{key_id}_{secret}"


def authenticate(store: GraphStore, token: str) -> Principal | None:
    """The principal of a token, or None when the token is malformed, unknown or wrong."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret:
        return None
    document = store.get_document(_DOCUMENT + key_id)
    if document is None or document.get("revoked_at"):
        return None
    if not hmac.compare_digest(str(document.get("secret_sha256")), _digest(secret)):
        return None
    scopes = document.get("scopes")
    return Principal(
        key_id=key_id,
        name=str(document.get("name", "")),
        scopes=frozenset(Scope(s) for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else frozenset(),
    )
