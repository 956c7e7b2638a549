"""Errors a client caused and may read (shown even in production, where other errors are masked)."""

from __future__ import annotations

from graphql import GraphQLError


class InputError(ValueError):
    """Bad input from the client; the message names the argument."""


def is_internal(error: GraphQLError) -> bool:
    """Whether production should hide the error's message: everything but InputError and GraphQL's own."""
    original = error.original_error
    return original is not None and not isinstance(original, InputError)
