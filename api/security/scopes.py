"""The scopes an API key may carry; `admin` implies every other scope."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    PROFILES_READ = "profiles:read"
    PII_READ = "pii:read"
    SEGMENTS_WRITE = "segments:write"
    INGEST_WRITE = "ingest:write"
    ADMIN = "admin"


def parse_scopes(text: str) -> frozenset[Scope]:
    """Scopes from a comma- or space-separated list; an unknown scope is an error that names it."""
    scopes = set()
    for name in text.replace(",", " ").split():
        try:
            scopes.add(Scope(name))
        except ValueError:
            known = ", ".join(s.value for s in Scope)
            raise ValueError(f"unknown scope {name!r} (known: {known})") from None
    return frozenset(scopes)
