"""Pure normalisers for identifier values: the same input always gives the same key, or a ValueError."""

from __future__ import annotations

import phonenumbers

from graph import IdentifierKind


def normalise_email(raw: str) -> str:
    """Trimmed and lower-cased; a ValueError when it is not shaped like local@domain."""
    value = raw.strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in value) or "@" in domain:
        raise ValueError("not an email address")
    return value


def normalise_phone(raw: str, region: str | None = None) -> str:
    """E.164 (`+14155550100`); numbers without a country code are read in `region` (ISO 3166 alpha-2)."""
    try:
        number = phonenumbers.parse(raw, region.upper() if region else None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"not a valid phone number{f' for region {region.upper()}' if region else ''}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_domain(raw: str) -> str:
    """A web domain as its bare host name: `https://www.Acme.com/about` -> `acme.com`."""
    value = raw.strip().lower()
    value = value.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    value = value.removeprefix("www.").rstrip(".")
    if "." not in value or any(c.isspace() for c in value):
        raise ValueError("not a domain name")
    return value


def normalise_identifier(kind: IdentifierKind, raw: str, *, phone_region: str | None = None) -> str:
    """The normalised value of an identifier of any kind; device and account IDs are only trimmed."""
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
                raise ValueError(f"empty {kind.name.lower()} id")
            return value
