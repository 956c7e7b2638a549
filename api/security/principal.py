"""Who is calling: the API key behind a request and what its scopes allow."""

from __future__ import annotations

from dataclasses import dataclass

from api.security.audit_context import note_pii_read
from api.security.scopes import Scope


@dataclass(frozen=True)
class Principal:
    key_id: str
    name: str
    scopes: frozenset[Scope]

    def allows(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes

    @property
    def sees_pii(self) -> bool:
        """Whether PII comes back unmasked. Asked by every PII-returning field, so a yes marks the request as a
        PII read for the audit log (see api.security.audit)."""
        allowed = self.allows(Scope.PII_READ)
        if allowed:
            note_pii_read()
        return allowed
