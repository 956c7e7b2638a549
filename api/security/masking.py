"""PII masking: without `pii:read`, names, emails, phones, addresses and birth dates come back masked.

Every GraphQL type that returns a person's properties or identifiers passes them through here, so masking holds on
every path through the graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph import IdentifierKind

# Record properties and golden-record traits that are personal data.
PII_PROPERTIES = frozenset(
    {
        "first_name",
        "last_name",
        "full_name",
        "name_given",
        "email",
        "email_given",
        "phone",
        "street",
        "city",
        "postcode",
        "state",
        "birth_date",
        # The values of DEVICE and ACCOUNT identifiers (masked below) must not show through traits either.
        "device_id",
        "account_id",
    }
)
# Identifier kinds whose values are personal data (devices and accounts are pseudonymous but still link a person).
PII_IDENTIFIERS = frozenset({IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.DEVICE, IdentifierKind.ACCOUNT})
MASK = "***"


def mask_identifier(kind: IdentifierKind, value: str, *, sees_pii: bool) -> str:
    """The value, or its mask: emails keep their domain (`***@example.com`), other kinds become `***`."""
    if sees_pii or kind not in PII_IDENTIFIERS:
        return value
    if kind is IdentifierKind.EMAIL and "@" in value:
        return f"{MASK}@{value.rsplit('@', 1)[1]}"
    return MASK


def mask_properties(properties: Mapping[str, Any], *, sees_pii: bool) -> dict[str, Any]:
    """A copy of `properties` with every PII property masked (nested trait objects keep their provenance)."""
    if sees_pii:
        return dict(properties)
    return {name: _masked(value) if name in PII_PROPERTIES else value for name, value in properties.items()}


def mask_trait(name: str, value: Any, *, sees_pii: bool) -> Any:
    return value if sees_pii or name not in PII_PROPERTIES else _masked(value)


def _masked(value: Any) -> Any:
    return None if value is None else MASK
