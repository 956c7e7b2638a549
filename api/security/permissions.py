"""Scope checks for GraphQL fields: `extensions=[requires(Scope.X)]` on a field or mutation."""

from __future__ import annotations

from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension

from api.security.scopes import Scope


class HasScope(BasePermission):
    """The caller's key carries the scope (or `admin`)."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.message = f"this needs the {scope.value!r} scope"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and bool(principal.allows(self.scope))


def requires(scope: Scope) -> FieldExtension:
    return PermissionExtension(permissions=[HasScope(scope)])
