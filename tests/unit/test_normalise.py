"""Identifier normalisers: the same person's identifier written differently gives the same key."""

from __future__ import annotations

import types
from collections.abc import Callable

import pytest

import loaders
from graph import IdentifierKind
from loaders import normalise, normalise_domain, normalise_email, normalise_identifier, normalise_phone
from loaders.reasons import InvalidValue, Reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" Ann.Lee@Example.COM ", "ann.lee@example.com"), ("wei@qq.com", "wei@qq.com"), ("a+tag@b.co", "a+tag@b.co")],
)
def test_emails_are_trimmed_and_lower_cased(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["", "ann", "ann@", "@example.com", "ann@localhost", "a b@example.com", "a@b@c.com"])
def test_malformed_emails_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="not an email"):
        normalise_email(raw)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(415) 555-0100", "US", "+14155550100"),
        ("+1 415 555 0100", None, "+14155550100"),
        ("138 0013 8000", "CN", "+8613800138000"),
        ("+86-138-0013-8000", "US", "+8613800138000"),
        ("0086 138 0013 8000", "CN", "+8613800138000"),
    ],
)
def test_phones_become_e164(raw: str, region: str | None, expected: str) -> None:
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize(("raw", "region"), [("not-a-phone", "US"), ("12", "US"), ("415 555 0100", None)])
def test_unusable_phones_are_refused(raw: str, region: str | None) -> None:
    with pytest.raises(ValueError, match="phone number"):
        normalise_phone(raw, region)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("https://www.Acme.com/about", "acme.com"), ("acme.co.uk.", "acme.co.uk"), ("shop.acme.cn:8080", "shop.acme.cn")],
)
def test_domains_become_bare_host_names(raw: str, expected: str) -> None:
    assert normalise_domain(raw) == expected


def test_device_and_account_ids_are_only_trimmed() -> None:
    assert normalise_identifier(IdentifierKind.DEVICE, "  AbC-1 ") == "AbC-1"
    assert normalise_identifier(IdentifierKind.PHONE, "(415) 555-0100", phone_region="US") == "+14155550100"
    with pytest.raises(ValueError, match="empty account"):
        normalise_identifier(IdentifierKind.ACCOUNT, "  ")


@pytest.mark.parametrize(
    ("kind", "raw", "reason"),
    [
        (IdentifierKind.EMAIL, "ann@", Reason.INVALID_EMAIL),
        (IdentifierKind.PHONE, "12", Reason.INVALID_PHONE),
        (IdentifierKind.DOMAIN, "acme", Reason.INVALID_DOMAIN),
        (IdentifierKind.DEVICE, " ", Reason.MISSING_REQUIRED),
        (IdentifierKind.ACCOUNT, "", Reason.MISSING_REQUIRED),
    ],
)
def test_refusals_carry_the_quarantine_reason(kind: IdentifierKind, raw: str, reason: Reason) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalise_identifier(kind, raw, phone_region="US")
    assert caught.value.reason is reason
    assert isinstance(caught.value, ValueError)


def test_the_package_exports_every_public_normaliser() -> None:
    public = {name for name in dir(normalise) if not name.startswith("_")} - {
        *(m for m in dir(normalise) if isinstance(getattr(normalise, m), types.ModuleType))
    }
    assert public == set(normalise.__all__)
    for name in ("normalise_domain", "normalise_email", "normalise_identifier", "normalise_phone"):
        assert getattr(loaders, name) is getattr(normalise, name)


# One refused value per normaliser that takes personal data, each holding a marker that must not leak.
_PII = "zq7secret"


@pytest.mark.parametrize(
    "call",
    [
        lambda: normalise.normalise_email(f"{_PII}@@x.com"),
        lambda: normalise.normalise_email(f"{_PII}@x.test"),
        lambda: normalise.normalise_phone(f"{_PII}", "CN"),
        lambda: normalise.normalise_domain(f"{_PII}"),
        lambda: normalise.normalise_name(f"{_PII}\ufffd"),
        lambda: normalise.normalise_text(f"{_PII}锟斤拷"),
        lambda: normalise.parse_date(f"{_PII}", "YYYY-MM-DD"),
        lambda: normalise.parse_timestamp(f"{_PII}", "ISO", "UTC"),
        lambda: normalise.parse_timestamp(f"{_PII}", "MM/DD/YYYY HH:mm", "UTC"),
        lambda: normalise.parse_amount(f"12 {_PII}"),
        lambda: normalise.normalise_currency(_PII),
        lambda: normalise.email_domain(_PII),
    ],
)
def test_messages_never_contain_the_value(call: Callable[[], object]) -> None:
    with pytest.raises(InvalidValue) as caught:
        call()
    assert _PII not in str(caught.value)
    assert caught.value.message == str(caught.value)
