"""The fields each source kind loads: the model's own names that source columns are mapped onto."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from graph import RecordKind


class SourceKind(StrEnum):
    """What one source file holds. Most are record kinds; `device`, `account` and `opportunity_role` rows add
    identifiers or relationships to records loaded from other sources."""

    CUSTOMER = "customer"
    CONTACT = "contact"
    COMPANY = "company"
    EVENT = "event"
    OPPORTUNITY = "opportunity"
    OPPORTUNITY_ROLE = "opportunity_role"
    DEVICE = "device"
    ACCOUNT = "account"

    @property
    def record_kind(self) -> RecordKind | None:
        """The record kind rows of this source become, or None for rows that only link existing records."""
        return _RECORD_KIND.get(self)


_RECORD_KIND = {
    SourceKind.CUSTOMER: RecordKind.CUSTOMER,
    SourceKind.CONTACT: RecordKind.CONTACT,
    SourceKind.COMPANY: RecordKind.COMPANY,
    SourceKind.EVENT: RecordKind.EVENT,
    SourceKind.OPPORTUNITY: RecordKind.OPPORTUNITY,
}


class FieldType(StrEnum):
    """How a field's values are parsed and normalised."""

    ID = "id"  # a source id (of this record or one it refers to), trimmed
    TEXT = "text"  # free text: mojibake repaired, NFKC, whitespace collapsed
    NAME = "name"  # a person's name: as TEXT, plus case fixed for Latin names
    EMAIL = "email"  # identifier
    PHONE = "phone"  # identifier, E.164
    DOMAIN = "domain"  # identifier (companies), or a company reference (contacts)
    DEVICE = "device"  # identifier: device, cookie or advertising id
    ACCOUNT = "account"  # identifier: login, loyalty card, member number in the source's account system
    DATE = "date"  # in the source's declared date format
    TIMESTAMP = "timestamp"  # in the source's timestamp format and time zone, stored as UTC
    AMOUNT = "amount"  # money, converted to the base currency with the row's (or source's) currency
    CURRENCY = "currency"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    JSON = "json"  # an object or list (JSONL), or JSON text (CSV)


# Identifier fields may take several columns (e.g. `phone = ["mobile", "landline"]`).
IDENTIFIER_TYPES = frozenset({FieldType.EMAIL, FieldType.PHONE, FieldType.DOMAIN, FieldType.DEVICE, FieldType.ACCOUNT})


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    required: bool = False
    description: str = ""


def _fields(*fields: Field) -> dict[str, Field]:
    return {f.name: f for f in fields}


_SOURCE_ID = Field("source_id", FieldType.ID, required=True, description="the record's id in its source system")
_PERSON = (
    _SOURCE_ID,
    Field("first_name", FieldType.NAME),
    Field("last_name", FieldType.NAME),
    Field("full_name", FieldType.NAME, description="when the source has no separate given and family name"),
    Field("gender", FieldType.TEXT),
    Field("birth_date", FieldType.DATE),
    Field("email", FieldType.EMAIL),
    Field("phone", FieldType.PHONE),
    Field("street", FieldType.TEXT),
    Field("city", FieldType.TEXT),
    Field("postcode", FieldType.TEXT),
    Field("state", FieldType.TEXT),
    Field("country", FieldType.TEXT),
    Field("device_id", FieldType.DEVICE),
    Field("account_id", FieldType.ACCOUNT, description="in the source's account_system"),
    Field("email_consent", FieldType.BOOLEAN),
    Field("sms_consent", FieldType.BOOLEAN),
    Field("created_at", FieldType.TIMESTAMP, description="when the source system created the record"),
    Field("updated_at", FieldType.TIMESTAMP, description="when the source system last changed the record"),
)

FIELDS: dict[SourceKind, dict[str, Field]] = {
    SourceKind.CUSTOMER: _fields(*_PERSON),
    SourceKind.CONTACT: _fields(
        *_PERSON,
        Field("title", FieldType.TEXT),
        Field("department", FieldType.TEXT),
        Field("seniority", FieldType.TEXT),
        Field("company_id", FieldType.ID, description="source id of the company (in references.company)"),
        Field("company_domain", FieldType.DOMAIN, description="the company's web domain, when there is no id"),
        Field("company_name", FieldType.TEXT, description="the company's name, when there is no id or domain"),
    ),
    SourceKind.COMPANY: _fields(
        _SOURCE_ID,
        Field("name", FieldType.TEXT, required=True),
        Field("domain", FieldType.DOMAIN, description="web domains; a website URL is reduced to its domain"),
        Field("parent_id", FieldType.ID, description="source id of the parent company (SUBSIDIARY_OF)"),
        Field("industry", FieldType.TEXT),
        Field("employees", FieldType.INTEGER),
        Field("phone", FieldType.PHONE),
        Field("street", FieldType.TEXT),
        Field("city", FieldType.TEXT),
        Field("postcode", FieldType.TEXT),
        Field("country", FieldType.TEXT),
        Field("created_at", FieldType.TIMESTAMP),
        Field("updated_at", FieldType.TIMESTAMP),
    ),
    SourceKind.EVENT: _fields(
        Field("source_id", FieldType.ID, description="event id; derived from the row's content when absent"),
        Field("type", FieldType.TEXT, required=True, description="page_view, purchase, email_open, ..."),
        Field("timestamp", FieldType.TIMESTAMP, required=True),
        Field("channel", FieldType.TEXT),
        Field("person_id", FieldType.ID, description="source id of the record that did it (references.person)"),
        Field("device_id", FieldType.DEVICE),
        Field("email", FieldType.EMAIL),
        Field("phone", FieldType.PHONE),
        Field("account_id", FieldType.ACCOUNT),
        Field("amount", FieldType.AMOUNT),
        Field("currency", FieldType.CURRENCY),
        Field("quantity", FieldType.INTEGER),
        Field("properties", FieldType.JSON, description="an object of event properties"),
    ),
    SourceKind.OPPORTUNITY: _fields(
        _SOURCE_ID,
        Field("name", FieldType.TEXT),
        Field("company_id", FieldType.ID, description="source id of the company (references.company)"),
        Field("amount", FieldType.AMOUNT),
        Field("currency", FieldType.CURRENCY),
        Field("stage", FieldType.TEXT),
        Field("close_date", FieldType.DATE),
        Field("created_at", FieldType.TIMESTAMP),
        Field(
            "contact_roles",
            FieldType.JSON,
            description='[{"contact_id": ..., "role": ...}] (contact ids in references.contact)',
        ),
    ),
    SourceKind.OPPORTUNITY_ROLE: _fields(
        Field("opportunity_id", FieldType.ID, required=True, description="in references.opportunity"),
        Field("contact_id", FieldType.ID, required=True, description="in references.contact"),
        Field("role", FieldType.TEXT, description="the CRM's contact role, e.g. Decision Maker"),
    ),
    SourceKind.DEVICE: _fields(
        Field("person_id", FieldType.ID, required=True, description="the record using it (references.person)"),
        Field("device_id", FieldType.DEVICE, required=True),
        Field("device_type", FieldType.TEXT),
    ),
    SourceKind.ACCOUNT: _fields(
        Field("person_id", FieldType.ID, required=True, description="the record holding it (references.person)"),
        Field("account_id", FieldType.ACCOUNT, required=True),
        Field("system", FieldType.TEXT, description="the issuing system; default: the source's account_system"),
    ),
}

# Source kinds whose rows refer to records of other sources, and the reference roles they use.
REFERENCE_ROLES = ("person", "company", "contact", "opportunity")
