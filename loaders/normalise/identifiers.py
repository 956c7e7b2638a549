"""The normalised key of an identifier of any kind, as the loaders and the API's lookups compute it."""

from __future__ import annotations

from graph import IdentifierKind
from loaders.normalise.domains import normalise_domain
from loaders.normalise.emails import normalise_email
from loaders.normalise.phones import normalise_phone
from loaders.reasons import InvalidValue, Reason


def normalise_identifier(kind: IdentifierKind, raw: str, *, phone_region: str | None = None) -> str:
    """The normalised value of an identifier of any kind; device and account IDs are only trimmed.

    Raises InvalidValue: INVALID_EMAIL, INVALID_PHONE, INVALID_DOMAIN, or MISSING_REQUIRED for a blank device or
    account ID.
    """
    match kind:
        case IdentifierKind.EMAIL:
            return normalise_email(raw)
        case IdentifierKind.PHONE:
            return normalise_phone(raw, phone_region)
        case IdentifierKind.DOMAIN:
            return normalise_domain(raw)
        case IdentifierKind.DEVICE | IdentifierKind.ACCOUNT:
            value = raw.strip()
            if not value:
                raise InvalidValue(Reason.MISSING_REQUIRED, f"empty {kind.name.lower()} id")
            return value
