"""Identifier normalisers: the same person's identifier written differently gives the same key."""

from __future__ import annotations

import pytest

from graph import IdentifierKind
from loaders import normalise_domain, normalise_email, normalise_identifier, normalise_phone


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
