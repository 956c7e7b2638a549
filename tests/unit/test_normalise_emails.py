"""Email normalisation: email-validator's syntax rules, fully lower-cased keys, and a fast path that agrees with it."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given
from hypothesis import strategies as st

from loaders.normalise import normalise_email
from loaders.normalise.emails import _is_simple
from loaders.reasons import InvalidValue, Reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Ann.Lee@Example.COM ", "ann.lee@example.com"),
        ("ANN.LEE@EXAMPLE.COM", "ann.lee@example.com"),
        ("\tann@example.com\n", "ann@example.com"),
        ("o'neil+crm@acme.co.uk", "o'neil+crm@acme.co.uk"),
        ("ｗｅｉ＠ｑｑ．ｃｏｍ", "wei@qq.com"),  # typed with a full-width CJK input method
        ("wei@qq。com", "wei@qq.com"),  # ideographic full stop
        ("Ann Lee <Ann@Example.com>", "ann@example.com"),  # display name from a mail client export
        ("a@xn--fsqu00a.xn--fiqs8s", "a@例子.中国"),  # punycode domain kept in Unicode
        ("Wei@例子.中国", "wei@例子.中国"),
        ("ÄNN@Müller.DE", "änn@müller.de"),
        ("user@sub.domain.museum", "user@sub.domain.museum"),
    ],
)
def test_addresses_are_validated_and_lower_cased(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("", "no @-sign"),
        ("ann.lee", "no @-sign"),
        ("ann@", "after the @-sign"),
        ("@example.com", "before the @-sign"),
        ("ann@localhost", "after the @-sign"),
        ("ann@shop.local", "after the @-sign"),  # special-use domain
        ("ann@qa.test", "after the @-sign"),
        ("ann@1.2.3.4", "after the @-sign"),
        ("ann@example.com.", "not an email"),
        ("ann..lee@example.com", "not an email"),
        (".ann@example.com", "not an email"),
        ("a b@example.com", "not an email"),
        ("a@b@c.com", "not an email"),
        ("ann@exa mple.com", "not an email"),
        ("ann@-acme.com", "after the @-sign"),
        ("x" * 250 + "@example.com", "too long"),
    ],
)
def test_malformed_addresses_are_refused_with_a_reason(raw: str, detail: str) -> None:
    with pytest.raises(InvalidValue, match="not an email") as caught:
        normalise_email(raw)
    assert caught.value.reason is Reason.INVALID_EMAIL
    assert detail in caught.value.message


def test_the_refusal_never_quotes_the_address() -> None:
    for raw in ["ann.secret@qa.test", "ann.secret@@example.com", "ann.secret@exa<mple.com", "ann.secret"]:
        with pytest.raises(InvalidValue) as caught:
            normalise_email(raw)
        assert "secret" not in caught.value.message


def test_no_dns_lookup_is_made_for_a_domain_that_does_not_exist() -> None:
    assert normalise_email("ann@no-such-domain-for-idgraph-tests.com") == "ann@no-such-domain-for-idgraph-tests.com"


_local = st.from_regex(r"[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,12}(\.[a-zA-Z0-9_+-]{1,8}){0,2}", fullmatch=True)
_label = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?", fullmatch=True)
_tld = st.from_regex(r"[a-zA-Z]{2,6}", fullmatch=True) | st.sampled_from(["test", "local", "onion", "localhost"])
_emails = st.builds(
    lambda lo, labels, tld: f"{lo}@{'.'.join([*labels, tld])}", _local, st.lists(_label, min_size=1, max_size=3), _tld
)


@given(_emails)
def test_the_fast_path_agrees_with_email_validator(raw: str) -> None:
    try:
        expected: str | None = validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        expected = None
    if _is_simple(raw.lower()):
        assert expected == raw.lower()
    try:
        got: str | None = normalise_email(raw)
    except InvalidValue:
        got = None
    assert got == expected


@given(_emails | st.text(max_size=30))
def test_normalising_is_idempotent(raw: str) -> None:
    try:
        once = normalise_email(raw)
    except InvalidValue:
        return
    assert normalise_email(once) == once
    assert once == once.lower()
