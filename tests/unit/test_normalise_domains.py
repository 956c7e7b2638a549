"""Domains: bare host names from whatever a CRM holds in its website column; email domains; free-mail providers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.normalise import FREE_MAIL_DOMAINS, email_domain, is_free_mail, normalise_domain
from loaders.reasons import InvalidValue, Reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.Acme.com/about", "acme.com"),
        ("acme.co.uk.", "acme.co.uk"),
        ("shop.acme.cn:8080", "shop.acme.cn"),
        ("HTTP://ACME.COM", "acme.com"),
        ("acme.com?utm_source=crm", "acme.com"),
        ("acme.com#contact", "acme.com"),
        ("https://user:pw@portal.acme.com/x", "portal.acme.com"),
        ("www.163.com", "163.com"),
        ("ａｃｍｅ．ｃｏｍ", "acme.com"),  # full-width
        ("阿里巴巴。中国", "阿里巴巴.中国"),  # ideographic full stop
        ("xn--fsqu00a.xn--fiqs8s", "例子.中国"),  # punycode is read back to Unicode, as emails keep domains
        ("例子.中国", "例子.中国"),
        ("Bücher.DE", "bücher.de"),
    ],
)
def test_domains_become_bare_host_names(raw: str, expected: str) -> None:
    assert normalise_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("", "needs a dot"),
        ("acme", "needs a dot"),
        ("localhost:8080", "needs a dot"),
        ("acme.-com", "only letters"),
        ("-acme.com", "only letters"),
        ("acme..com", "only letters"),
        ("a_b.com", "only letters"),
        ("1.2.3.4", "non-numeric top label"),
        ("acme.c", "only letters"),
        ("a" * 64 + ".com", "only letters"),  # a label longer than 63
        ("acme corp.com", "only letters"),
        ("xn--zz.com", "internationalised"),
    ],
)
def test_non_domains_are_refused(raw: str, detail: str) -> None:
    with pytest.raises(InvalidValue, match="not a domain name") as caught:
        normalise_domain(raw)
    assert caught.value.reason is Reason.INVALID_DOMAIN
    assert detail in caught.value.message


@given(
    st.from_regex(r"(https?://)?(www\.)?[a-z0-9]{1,10}(\.[a-z]{2,6}){1,2}(:[0-9]{2,4})?(/[a-z]{0,5})?", fullmatch=True)
)
def test_normalising_a_domain_is_idempotent(raw: str) -> None:
    once = normalise_domain(raw)
    assert normalise_domain(once) == once


@pytest.mark.parametrize(
    ("email", "domain"),
    [("ann@Acme.COM", "acme.com"), ("wei@qq.com", "qq.com"), ("a@b@corp.cn", "corp.cn"), ("x@例子.中国", "例子.中国")],
)
def test_email_domain_is_the_part_after_the_last_at_sign(email: str, domain: str) -> None:
    assert email_domain(email) == domain


@pytest.mark.parametrize("email", ["", "acme.com", "@acme.com", "ann@"])
def test_email_domain_refuses_what_has_no_domain(email: str) -> None:
    with pytest.raises(InvalidValue, match="not an email") as caught:
        email_domain(email)
    assert caught.value.reason is Reason.INVALID_EMAIL


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "GMAIL.COM",
        "qq.com",
        "163.com",
        "126.com",
        "foxmail.com",
        "139.com",
        "proton.me",
        "gmx.de",
        "qq.com.",
    ],
)
def test_free_mail_providers_are_recognised(domain: str) -> None:
    assert is_free_mail(domain)


@pytest.mark.parametrize("domain", ["acme.com", "alibaba.com", "mail.acme.com", "gmail.co", "example.com"])
def test_company_domains_are_not_free_mail(domain: str) -> None:
    assert not is_free_mail(domain)


def test_the_free_mail_list_holds_the_big_western_and_chinese_providers() -> None:
    expected = (
        "gmail.com googlemail.com outlook.com hotmail.com live.com yahoo.com icloud.com aol.com proton.me"
        " protonmail.com gmx.de qq.com 163.com 126.com sina.com sohu.com foxmail.com yeah.net 139.com aliyun.com"
    )
    assert set(expected.split()) <= FREE_MAIL_DOMAINS
    assert all(d == d.lower() and d == normalise_domain(d) for d in FREE_MAIL_DOMAINS)
