"""Errors a client caused and may read (shown even in production, where other errors are masked).

Every error the API means to show carries `extensions.code`: BAD_USER_INPUT (an argument), FORBIDDEN (the key
lacks a scope), LIMIT_EXCEEDED (depth, aliases, cost, tokens: rejected before anything runs). Any other error
from a resolver is internal: production shows only "Unexpected error.".
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from api.schema.extension_runner import CachedHooksRunner

BAD_USER_INPUT = "BAD_USER_INPUT"
FORBIDDEN = "FORBIDDEN"
LIMIT_EXCEEDED = "LIMIT_EXCEEDED"


class InputError(ValueError):
    """Bad input from the client; the message names the argument."""

    extensions = {"code": BAD_USER_INPUT}  # noqa: RUF012 - read by graphql-core when it wraps the error


class ForbiddenError(GraphQLError):
    """The caller's API key lacks the scope this field or operation needs."""

    def __init__(self, scope: str, **kwargs: Any) -> None:
        super().__init__(f"this needs the {scope!r} scope", extensions={"code": FORBIDDEN, "scope": scope}, **kwargs)


def limit_error(limit: str, message: str, **kwargs: Any) -> GraphQLError:
    """A document over one of the query limits (depth, aliases, cost, tokens)."""
    return GraphQLError(message, extensions={"code": LIMIT_EXCEEDED, "limit": limit}, **kwargs)


def is_internal(error: GraphQLError) -> bool:
    """Whether production should hide the error's message: everything but InputError and GraphQL's own."""
    original = error.original_error
    return original is not None and not isinstance(original, InputError | GraphQLError)


_log = logging.getLogger("idgraph.api")


class PrivateErrorsSchema(strawberry.Schema):
    """A schema whose error log holds no personal data.

    strawberry logs each error with the request's text, whose literals may be emails or phones, and the exception's
    message, which may quote a value. Here an internal error logs its kind, path and traceback (code lines only);
    a client's error (bad input, forbidden, over a limit) logs its code and path at debug level.
    """

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        # The same hooks, looked up once per extension class rather than on every request (api.schema.extension_runner).
        return CachedHooksRunner(execution_context=execution_context, extensions=extensions)

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            path = ".".join(str(part) for part in error.path or ()) or "-"
            if is_internal(error):
                original = error.original_error
                trace = "".join(traceback.format_tb(original.__traceback__)) if original else ""
                _log.error("internal error %s at %s\n%s", type(original).__name__, path, trace)
            else:
                code = (error.extensions or {}).get("code", "GRAPHQL_VALIDATION")
                _log.debug("client error %s at %s", code, path)


class MaskInternalErrors(MaskErrors):
    """strawberry's MaskErrors (production: internal errors become "Unexpected error."), without its per-request
    `isinstance` test against a runtime-checkable Protocol, which costs more than the rest of the extension."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_internal)

    def _process_result(self, result: object) -> None:
        errors = getattr(result, "errors", None)  # what the Protocol test checked: an `errors` attribute
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]
