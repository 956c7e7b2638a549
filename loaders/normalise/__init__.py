"""Pure normalisers for source values: the same input always gives the same value, or an InvalidValue with a reason.

Each module has one job: emails, phones, domains, identifiers (any identifier kind), text (mojibake repair and
garbled-text detection), names, formats (declared date/time formats), dates, timestamps, currencies, money, testdata
(test values left in exports) and logical (values that cannot be true). None does I/O; all raise
loaders.reasons.InvalidValue (a ValueError) whose message never repeats the value.
"""

from loaders.normalise.currencies import normalise_currency
from loaders.normalise.dates import check_date_format, parse_date
from loaders.normalise.domains import FREE_MAIL_DOMAINS, email_domain, is_free_mail, normalise_domain
from loaders.normalise.emails import normalise_email
from loaders.normalise.identifiers import normalise_identifier
from loaders.normalise.logical import check_birth_date, check_non_negative
from loaders.normalise.money import Money, check_rates, convert_money, parse_amount, split_amount
from loaders.normalise.names import normalise_name
from loaders.normalise.phones import normalise_phone
from loaders.normalise.testdata import (
    DEFAULT_TEST_DATA_RULES,
    TestDataRules,
    is_test_email,
    is_test_name,
    is_test_phone,
)
from loaders.normalise.text import is_garbled, normalise_text, repair_text
from loaders.normalise.timestamps import check_timestamp_format, check_timezone, parse_timestamp

__all__ = [
    "DEFAULT_TEST_DATA_RULES",
    "FREE_MAIL_DOMAINS",
    "Money",
    "TestDataRules",
    "check_birth_date",
    "check_date_format",
    "check_non_negative",
    "check_rates",
    "check_timestamp_format",
    "check_timezone",
    "convert_money",
    "email_domain",
    "is_free_mail",
    "is_garbled",
    "is_test_email",
    "is_test_name",
    "is_test_phone",
    "normalise_currency",
    "normalise_domain",
    "normalise_email",
    "normalise_identifier",
    "normalise_name",
    "normalise_phone",
    "normalise_text",
    "parse_amount",
    "parse_date",
    "parse_timestamp",
    "repair_text",
    "split_amount",
]
