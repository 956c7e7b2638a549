"""Why a row (or a value in it) was not loaded: the closed set of quarantine reasons, and the error carrying one."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Quarantine reasons; the values are the keys of the quality report's `reasons`."""

    MISSING_REQUIRED = "missing_required"  # a required field is empty or its column absent
    INVALID_EMAIL = "invalid_email"
    INVALID_PHONE = "invalid_phone"
    INVALID_DOMAIN = "invalid_domain"
    INVALID_DATE = "invalid_date"  # does not fit the source's declared format, or impossible (2024-02-30)
    INVALID_TIMESTAMP = "invalid_timestamp"
    INVALID_NUMBER = "invalid_number"  # an amount, quantity or count that is not a number
    UNKNOWN_CURRENCY = "unknown_currency"  # no rate for it in the config's rates table
    GARBLED_TEXT = "garbled_text"  # mojibake that could not be repaired
    TEST_DATA = "test_data"  # test@test.com, 13800000000, a name like "test" / "测试"
    LOGICAL_ERROR = "logical_error"  # birth date in the future, negative quantity, ...
    INVALID_VALUE = "invalid_value"  # anything else a field refuses
    MALFORMED_ROW = "malformed_row"  # a CSV line with too many cells, a JSONL line that is not an object
    UNKNOWN_REFERENCE = "unknown_reference"  # refers to a record (company, person, ...) that is not loaded


class InvalidValue(ValueError):
    """A value that cannot be normalised. The message never contains the value itself (it may be PII)."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
