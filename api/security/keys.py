"""API keys: created once and shown once; stored only as a hash of their secret, with their scopes.

A key reads `idg_<key id>_<secret>`. The store keeps, under the document `apikey.<key id>`, the SHA-256 of the
secret (the secret has 256 bits of entropy, so a slow hash adds nothing), the key's name, scopes, creation time
and, once revoked, `revoked_at`. A revoked key is refused from then on (by a running server within
`key_cache_seconds`, see `KeyCache`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import JsonValue

from api.security.principal import Principal
from api.security.scopes import Scope
from graph import GraphStore

PREFIX = "idg"
_DOCUMENT = "apikey."
_SCOPES = frozenset(s.value for s in Scope)  # a stored scope this version does not know grants nothing


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class KeyInfo:
    """What `keys list` shows of a key: never its secret or hash."""

    key_id: str
    name: str
    scopes: tuple[str, ...]
    created_at: str
    revoked_at: str | None


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


def key_id_of(token: str) -> str | None:
    """The key ID part of a token (not secret: it names the key in lists and the audit log)."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    return key_id if prefix == PREFIX and key_id and secret else None


def authenticate(store: GraphStore, token: str) -> Principal | None:
    """The principal of a token, or None when the token is malformed, unknown, revoked or wrong."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret or not key_id.isalnum():
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
        scopes=frozenset(Scope(s) for s in scopes if s in _SCOPES) if isinstance(scopes, list) else frozenset(),
    )


def list_keys(store: GraphStore) -> list[KeyInfo]:
    """Every key, revoked ones included, in creation order."""
    keys = []
    for name in store.document_names(_DOCUMENT):
        document = store.get_document(name) or {}
        scopes = document.get("scopes")
        revoked = document.get("revoked_at")
        keys.append(
            KeyInfo(
                key_id=name.removeprefix(_DOCUMENT),
                name=str(document.get("name", "")),
                scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else (),
                created_at=str(document.get("created_at", "")),
                revoked_at=str(revoked) if revoked else None,
            )
        )
    return sorted(keys, key=lambda key: (key.created_at, key.key_id))


def revoke_key(store: GraphStore, key_id: str) -> bool:
    """Revoke a key (it stays listed, marked revoked); False when no such key exists or it was revoked already."""
    document = store.get_document(_DOCUMENT + key_id) if key_id.isalnum() else None
    if document is None or document.get("revoked_at"):
        return False
    store.put_document(_DOCUMENT + key_id, {**document, "revoked_at": datetime.now(UTC).isoformat()})
    return True


class KeyCache:
    """Checked tokens for a few seconds, so a busy server does not read the key's document on every request.

    Keyed by the token's SHA-256 (the cache never holds a secret). Only valid keys are cached; a revoked key is
    refused once its entry expires. `ttl_seconds=0` turns the cache off.
    """

    def __init__(self, ttl_seconds: float, maxsize: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.maxsize = maxsize
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, token: str) -> Principal | None:
        if self.ttl <= 0:
            return None
        found = self._entries.get(_digest(token))
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, token: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.maxsize:
            self._entries.clear()
        self._entries[_digest(token)] = (time.monotonic() + self.ttl, principal)


def write_key_file(path: Path, token: str) -> None:
    """Write a token to a file only its owner can read (mode 0600, also when the file existed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, (token + "\n").encode())
    finally:
        os.close(descriptor)
