"""Test data left in production exports: `test@test.com`, `+8613800000000`, a customer called "test" or "测试"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

_LATIN_WORD = re.compile(r"[a-z]+")
_LOCAL_PART_NOISE = re.compile(r"[\d._-]+$")
# Any window of these strings is a run of consecutive digits, up or down (…7890123…).
_ASCENDING = "01234567890123456789"
_DESCENDING = "98765432109876543210"


@dataclass(frozen=True, slots=True)
class TestDataRules:
    """What counts as test data. Every list can be replaced from the source config.

    example.com is deliberately no test domain: documentation and fixtures use it for real-looking people.
    +8613800138000 is no test phone: it is the canonical Chinese sample number, used as a real value in tests.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class

    emails: frozenset[str] = frozenset(
        {"test@test.com", "test@example.com", "a@a.com", "abc@abc.com", "asdf@asdf.com", "123@123.com"}
    )
    # Local parts (before "+tag" and trailing digits / separators: "test_01", "test+x" count as "test").
    email_local_parts: frozenset[str] = frozenset(
        {
            "test",
            "testing",
            "tester",
            "testuser",
            "noreply",
            "no-reply",
            "no_reply",
            "donotreply",
            "do-not-reply",
            "asdf",
            "asdfasdf",
            "qwerty",
            "xxx",
            "dummy",
            "fake",
            "null",
        }
    )
    email_domains: frozenset[str] = frozenset(
        {"test.com", "test.cn", "test.net", "test.org", "testing.com", "asdf.com", "fake.com", "dummy.com"}
    )
    # Top-level domains reserved for tests and documentation (RFC 2606); any domain under them is test data.
    reserved_tlds: frozenset[str] = frozenset({"test", "example", "invalid", "localhost"})
    phones: frozenset[str] = frozenset({"+8613800000000", "+8613900000000", "+8613000000000", "+15555555555"})
    # A number whose last `phone_repeated_tail` digits are one digit (…0000000) or whose last
    # `phone_sequence_tail` digits run up or down (…12345678) is typed, not dialled.
    phone_repeated_tail: int = 7
    phone_sequence_tail: int = 8
    # Whole names (case-insensitive, whitespace collapsed).
    names: frozenset[str] = frozenset(
        {
            "test",
            "testing",
            "tester",
            "test user",
            "test test",
            "测试",
            "测试用户",
            "测试账号",
            "测试员",
            "asdf",
            "qwerty",
            "xxx",
            "dummy",
            "fake",
        }
    )
    # Latin words that make any name test data ("张三test", "Test User", "John Dummy").
    name_words: frozenset[str] = frozenset({"test", "testing", "tester", "asdf", "qwerty", "dummy"})
    # Substrings that make any name test data.
    name_substrings: frozenset[str] = frozenset({"测试", "テスト"})


DEFAULT_TEST_DATA_RULES = TestDataRules()


def is_test_email(value: str, rules: TestDataRules = DEFAULT_TEST_DATA_RULES) -> bool:
    """True for a test address: a listed one, a test domain or reserved TLD, or a test local part (`test+1@qq.com`)."""
    email = value.strip().lower()
    if email in rules.emails:
        return True
    local, _, domain = email.rpartition("@")
    domain = domain.rstrip(".")
    if domain in rules.email_domains or domain.rpartition(".")[2] in rules.reserved_tlds:
        return True
    base = local.partition("+")[0]
    return base in rules.email_local_parts or _LOCAL_PART_NOISE.sub("", base) in rules.email_local_parts


def is_test_phone(e164: str, rules: TestDataRules = DEFAULT_TEST_DATA_RULES) -> bool:
    """True for a test number: a listed one, all one digit, or a tail of repeated or consecutive digits."""
    if e164 in rules.phones:
        return True
    digits = "".join(c for c in e164 if c.isdigit())
    if not digits:
        return False
    if len(set(digits)) == 1:
        return True
    repeated = rules.phone_repeated_tail
    if repeated and len(digits) >= repeated and len(set(digits[-repeated:])) == 1:
        return True
    sequence = rules.phone_sequence_tail
    tail = digits[-sequence:]
    return bool(sequence) and len(tail) == sequence and (tail in _ASCENDING or tail in _DESCENDING)


def is_test_name(value: str, rules: TestDataRules = DEFAULT_TEST_DATA_RULES) -> bool:
    """True for a test name: a listed one ("test", "测试"), one holding a test word ("张三test") or substring, or one
    character typed over and over ("aaaa", "xxxxx")."""
    name = " ".join(value.lower().split())
    if not name:
        return False
    if name in rules.names or any(s in name for s in rules.name_substrings):
        return True
    squeezed = name.replace(" ", "")
    if len(squeezed) >= 3 and len(set(squeezed)) == 1:
        return True
    return any(word in rules.name_words for word in _LATIN_WORD.findall(name))
