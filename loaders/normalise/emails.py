"""Email addresses: syntax checked with email-validator (never DNS), returned fully lower-cased as the matching key."""

from __future__ import annotations

import re
import unicodedata

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from loaders.reasons import InvalidValue, Reason

# The common shape (ASCII dot-atom @ LDH labels, alphabetic TLD) that email-validator accepts unchanged apart from
# case; it skips the validator's slower general path. Labels with "--" (punycode, reserved) take the general path.
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_SIMPLE_EMAIL = re.compile(rf"(?P<local>{_ATOM}(?:\.{_ATOM})*)@(?:{_LABEL}\.)+(?P<tld>[a-z]{{2,63}})")
_SPECIAL_USE_TLDS = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_MAX_EMAIL = 254  # email-validator (not strict) limits the whole address, not the local part


def _refusal(error: EmailNotValidError) -> InvalidValue:
    """Our own words for email-validator's reason: its messages may quote parts of the address."""
    text = str(error)
    if "too long" in text:
        detail = "it is too long"
    elif "@-sign" in text and ("exactly one" in text or "missing" in text.lower()):
        detail = "it needs exactly one @-sign"
    elif "after the @-sign" in text or "domain" in text.lower():
        detail = "the part after the @-sign is not a usable domain"
    elif "before the @-sign" in text:
        detail = "the part before the @-sign is not valid"
    else:
        detail = "the syntax is not valid"
    return InvalidValue(Reason.INVALID_EMAIL, f"not an email address: {detail}")


def _is_simple(value: str) -> bool:
    match = _SIMPLE_EMAIL.fullmatch(value)
    return (
        match is not None
        and len(value) <= _MAX_EMAIL
        and "--" not in value[match.end("local") :]
        and match["tld"] not in _SPECIAL_USE_TLDS
    )


def normalise_email(raw: str) -> str:
    """The address trimmed, syntax-checked and fully lower-cased: ` Ann.Lee@Example.COM ` -> `ann.lee@example.com`.

    Full-width forms typed with a CJK input method (`ｗｅｉ＠ｑｑ．ｃｏｍ`, `qq。com`) are read as ASCII and a display
    name (`Ann Lee <ann@example.com>`) is dropped. Internationalised domains are kept in Unicode. Reserved domains
    (`.test`, `.local`, `localhost`) are refused. Raises InvalidValue(INVALID_EMAIL) when it is not an address.
    """
    text = raw.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).replace("\u3002", ".").strip()
    lowered = text.lower()
    if _is_simple(lowered):
        return lowered
    if "@" not in text:
        raise InvalidValue(Reason.INVALID_EMAIL, "not an email address: it has no @-sign")
    try:
        validated = validate_email(text, check_deliverability=False, allow_display_name=True)
    except EmailNotValidError as exc:
        raise _refusal(exc) from None
    return validated.normalized.lower()
