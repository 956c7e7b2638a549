"""Scope checks for GraphQL fields: `extensions=[requires(Scope.X)]` on a field or mutation.

A key lacking the scope gets the field's error with `extensions.code` FORBIDDEN (HTTP stays 200, as for any
GraphQL error; 401 is only for a missing or bad key). Query operations as a whole need `profiles:read`: the
request guard (api.security.guard) refuses them before anything runs.
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension

from api.schema.errors import ForbiddenError
from api.security.scopes import Scope


class HasScope(BasePermission):
    """The caller's key carries the scope (or `admin`)."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.message = f"this needs the {scope.value!r} scope"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        principal = getattr(info.context, "principal", None)
        return principal is not None and bool(principal.allows(self.scope))

    def on_unauthorized(self) -> None:
        raise ForbiddenError(self.scope.value)


def requires(scope: Scope) -> FieldExtension:
    """The field extension that refuses callers without `scope` (FORBIDDEN), before the resolver runs."""
    return PermissionExtension(permissions=[HasScope(scope)], use_directives=False)


def required_scopes(field: Any) -> set[Scope]:
    """The scopes a strawberry field's `requires` extensions ask for (for tests and docs)."""
    return {
        permission.scope
        for extension in getattr(field, "extensions", [])
        if isinstance(extension, PermissionExtension)
        for permission in extension.permissions
        if isinstance(permission, HasScope)
    }
