"""Who is calling: the API key behind a request and what its scopes allow."""

from __future__ import annotations

from dataclasses import dataclass

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
        return self.allows(Scope.PII_READ)
