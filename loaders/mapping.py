"""Turn one raw row of a source into graph records, identifier links and relations, or the reasons it cannot be.

Pure: the mapper reads no files and no store. What a row refers to in other sources (a contact's company, an
event's person) comes back as references for the pipeline to check against the store. What a row adds comes
out as rows (graph.row_batch: tuples, properties as JSON text), not model objects: every value in them has been
parsed and checked here already, and building, validating or pickling objects per row would cost more than the
normalisers.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from graph import (
    ORGANIZATION_KINDS,
    PERSON_KINDS,
    Identifier,
    IdentifierKind,
    Properties,
    RecordKey,
    RecordKind,
    RelType,
)
from graph.row_batch import EventFactRow, LinkRow, RecordRow, RelationRow, dumps, event_fact_row
from loaders.actors import ACTOR_PROPERTIES, actor_key
from loaders.config import SourceConfig
from loaders.fields import FIELDS, IDENTIFIER_TYPES, Field, FieldType, SourceKind
from loaders.normalise import (
    TestDataRules,
    check_birth_date,
    check_non_negative,
    convert_money,
    is_free_mail,
    is_test_email,
    is_test_name,
    is_test_phone,
    normalise_domain,
    normalise_email,
    normalise_name,
    normalise_phone,
    normalise_text,
    parse_amount,
    parse_date,
    parse_timestamp,
)
from loaders.reasons import InvalidValue, Reason

# Columns understood without a mapping when a field's own column is absent.
_ALIASES = {"source_id": ("id",), "full_name": ("name",)}
_TRUE = frozenset({"true", "t", "yes", "y", "1", "是", "on"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "否", "off"})
_OPPORTUNITY_ONLY = frozenset({RecordKind.OPPORTUNITY})
_CONTACT_ONLY = frozenset({RecordKind.CONTACT})
_ACTOR_PROPERTIES = dumps(ACTOR_PROPERTIES)
_CUSTOMER = RecordKind.CUSTOMER.value
_ACCOUNT = IdentifierKind.ACCOUNT.value
# The fields whose values a record links as identifiers (but accounts, which have a system), in link order.
_LINKED_KINDS = (
    ("email", IdentifierKind.EMAIL),
    ("phone", IdentifierKind.PHONE),
    ("device_id", IdentifierKind.DEVICE),
    ("domain", IdentifierKind.DOMAIN),
)
_LINKED_FIELDS = tuple((name, kind.value) for name, kind in _LINKED_KINDS)
# Fields kept out of a record's own properties, by kind of row (they go elsewhere).
_NOT_PERSON_PROPERTIES = frozenset({"company_domain", "company_name"})
_NOT_COMPANY_PROPERTIES = frozenset({"domain"})
_NOT_EVENT_PROPERTIES = frozenset({"amount", "currency", "properties"})
_NOT_OPPORTUNITY_PROPERTIES = frozenset({"amount", "currency", "contact_roles"})


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a row cannot be loaded: the field, the reason code and a message without the value."""

    field: str
    reason: Reason
    message: str


@dataclass(slots=True)
class Mapped:
    """What one good row adds to the graph."""

    # As rows (graph.row_batch): plain tuples are cheaper to build, keep and send to another process than models.
    records: list[RecordRow] = field(default_factory=list)
    links: list[LinkRow] = field(default_factory=list)
    relations: list[RelationRow] = field(default_factory=list)
    event_facts: list[EventFactRow] = field(default_factory=list)  # of the event records among `records`
    # Records of other rows or sources the row refers to, with the kinds they may have.
    references: dict[RecordKey, frozenset[RecordKind]] = field(default_factory=dict)
    # SUBSIDIARY_OF to a parent company, written once the whole file is in (the parent may come later).
    deferred: list[RelationRow] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)
    normalised: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Row:
    parsed: dict[str, list[Any]]  # field -> parsed values (several only for identifier fields)
    raw: dict[str, Any]  # the row as read, by column


@dataclass(frozen=True, slots=True)
class _FieldPlan:
    """Where one field's values come from, worked out once per source."""

    name: str
    spec: Field
    columns: tuple[str, ...]
    aliases: tuple[str, ...]  # read only when none of `columns` is in the row
    required: bool
    identifier: bool


class _RowErrors(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


# (`_value_` rather than `.value` below: an enum's `.value` goes through a descriptor, which costs more per row.)
def _record(kind: RecordKind, key: RecordKey, properties: Properties) -> RecordRow:
    return (key.source, key.source_id, kind._value_, dumps(properties))


def _link(key: RecordKey, identifier: Identifier) -> LinkRow:
    return (key.source, key.source_id, identifier.kind._value_, identifier.value, identifier.system)


def _relation(rel: RelType, start: RecordKey, end: RecordKey, properties: Properties | None = None) -> RelationRow:
    return (
        rel._value_,
        start.source,
        start.source_id,
        end.source,
        end.source_id,
        dumps(properties) if properties else "{}",
    )


def _text_of(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _company_name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


class RowMapper:
    """Maps rows of one source; build one per source and call `map` per row."""

    def __init__(
        self,
        source: SourceConfig,
        *,
        base_currency: str,
        rates: Mapping[str, Decimal],
        today: date,
        test_rules: TestDataRules | None = None,
    ) -> None:
        self.source = source
        self.fields = FIELDS[source.kind]
        self._id_fields = frozenset(name for name, spec in self.fields.items() if spec.type is FieldType.ID)
        # Fields kept out of a record's properties, by the `skip` of each kind of row (plus the id fields).
        self._excluded: dict[frozenset[str], frozenset[str]] = {}
        self.base_currency = base_currency
        self.rates = rates
        self.today = today
        self.test_rules = test_rules or TestDataRules()
        self.required = {f.name for f in self.fields.values() if f.required} | set(source.required)
        self.account_system = source.account_system or source.name
        self._columns = {name: source.column_of(name) for name in self.fields}
        self._plan = tuple(
            _FieldPlan(
                name=name,
                spec=spec,
                columns=tuple(self._columns[name]),
                aliases=() if name in source.columns else _ALIASES.get(name, ()),
                required=name in self.required,
                identifier=spec.type in IDENTIFIER_TYPES,
            )
            for name, spec in self.fields.items()
        )
        self._build: Callable[[_Row, Mapped], None] = {
            SourceKind.CUSTOMER: self._person,
            SourceKind.CONTACT: self._person,
            SourceKind.COMPANY: self._company,
            SourceKind.EVENT: self._event,
            SourceKind.OPPORTUNITY: self._opportunity,
            SourceKind.OPPORTUNITY_ROLE: self._opportunity_role,
            SourceKind.DEVICE: self._device,
            SourceKind.ACCOUNT: self._account,
        }[source.kind]

    # -- reading fields --------------------------------------------------------------------------------

    def missing_columns(self, columns: list[str]) -> list[str]:
        """Required fields none of whose columns is in a file's header (checked once per CSV)."""
        present = set(columns)
        missing = []
        for name in sorted(self.required):
            candidates = self._columns[name] + ([] if name in self.source.columns else list(_ALIASES.get(name, ())))
            if not present.intersection(candidates):
                missing.append(" or ".join(repr(c) for c in candidates))
        return missing

    def _raw(self, values: Mapping[str, Any], name: str) -> list[Any]:
        """Non-empty raw values of a field, from each of its columns."""
        plan = next(p for p in self._plan if p.name == name)
        return _raw_values(values, plan)

    def _parse(self, spec: Field, raw: Any, mapped: Mapped) -> Any:
        kind = spec.type
        if kind is FieldType.JSON:
            return self._json(raw)
        if isinstance(raw, (dict, list)):
            raise InvalidValue(Reason.INVALID_VALUE, "expected a single value, got an object or a list")
        text = _text_of(raw)
        match kind:
            case FieldType.ID | FieldType.DEVICE | FieldType.ACCOUNT | FieldType.CURRENCY:
                return text
            case FieldType.TEXT:
                value = normalise_text(text)
            case FieldType.NAME:
                value = normalise_name(text)
                if self.source.checks.test_data and is_test_name(value, self.test_rules):
                    raise InvalidValue(Reason.TEST_DATA, "a test name")
            case FieldType.EMAIL:
                value = normalise_email(text)
                if self.source.checks.test_data and is_test_email(value, self.test_rules):
                    raise InvalidValue(Reason.TEST_DATA, "a test email address")
            case FieldType.PHONE:
                value = normalise_phone(text, self.source.phone_region)
                if self.source.checks.test_data and is_test_phone(value, self.test_rules):
                    raise InvalidValue(Reason.TEST_DATA, "a test phone number")
            case FieldType.DOMAIN:
                value = normalise_domain(text)
            case FieldType.DATE:
                return parse_date(text, self.source.date_format).isoformat()
            case FieldType.TIMESTAMP:
                return parse_timestamp(text, self.source.timestamp_format, self.source.timezone).isoformat()
            case FieldType.AMOUNT:
                return parse_amount(text)
            case FieldType.INTEGER:
                return self._integer(text)
            case FieldType.BOOLEAN:
                return self._boolean(text)
        if value != text:
            mapped.normalised.append(spec.name)
        return value

    @staticmethod
    def _json(raw: Any) -> Any:
        if isinstance(raw, (dict, list)):
            return raw
        try:
            return json.loads(str(raw))
        except json.JSONDecodeError:
            raise InvalidValue(Reason.INVALID_VALUE, "not valid JSON") from None

    @staticmethod
    def _integer(text: str) -> int:
        try:
            number = Decimal(text.replace(",", ""))
        except ArithmeticError:
            raise InvalidValue(Reason.INVALID_NUMBER, "not a whole number") from None
        if number != number.to_integral_value():
            raise InvalidValue(Reason.INVALID_NUMBER, "not a whole number")
        return int(number)

    @staticmethod
    def _boolean(text: str) -> bool:
        folded = text.casefold()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
        raise InvalidValue(Reason.INVALID_VALUE, "not a yes/no value")

    def _fields(self, values: Mapping[str, Any], mapped: Mapped) -> dict[str, list[Any]]:
        """Every field's parsed values; all problems of the row at once."""
        parsed: dict[str, list[Any]] = {}
        problems: list[Problem] = []
        for plan in self._plan:
            raws = _raw_values(values, plan)
            if not raws:
                if plan.required:
                    problems.append(Problem(plan.name, Reason.MISSING_REQUIRED, "required value is missing"))
                continue
            if not plan.identifier:
                del raws[1:]
            results = []
            for raw in raws:
                try:
                    results.append(self._parse(plan.spec, raw, mapped))
                except InvalidValue as exc:
                    if exc.reason is Reason.GARBLED_TEXT and not self.source.checks.garbled_text:
                        continue
                    problems.append(Problem(plan.name, exc.reason, exc.message))
            if results:
                parsed[plan.name] = list(dict.fromkeys(results)) if plan.identifier else results
                mapped.filled.append(plan.name)
        if problems:
            raise _RowErrors(problems)
        return parsed

    # -- row kinds -------------------------------------------------------------------------------------

    def parse(self, values: dict[str, Any], mapped: Mapped | None = None) -> dict[str, list[Any]] | list[Problem]:
        """Every field of the row cleaned and checked (the normalisers' work), or every problem found in it."""
        try:
            parsed = self._fields(values, mapped if mapped is not None else Mapped())
            self._logical(parsed)
        except _RowErrors as exc:
            return exc.problems
        return parsed

    def map(self, values: dict[str, Any]) -> Mapped | list[Problem]:
        """The row's contribution to the graph, or every problem found in it."""
        mapped = Mapped()
        parsed = self.parse(values, mapped)
        if isinstance(parsed, list):
            return parsed
        try:
            self._build(_Row(parsed, values), mapped)
        except _RowErrors as exc:
            return exc.problems
        except InvalidValue as exc:
            return [Problem("", exc.reason, exc.message)]
        return mapped

    def _logical(self, parsed: dict[str, list[Any]]) -> None:
        if not self.source.checks.logical:
            return
        problems = []
        if birth := parsed.get("birth_date"):
            try:
                check_birth_date(date.fromisoformat(birth[0]), self.today)
            except InvalidValue as exc:
                problems.append(Problem("birth_date", exc.reason, exc.message))
        if quantity := parsed.get("quantity"):
            try:
                check_non_negative(quantity[0], "quantity")
            except InvalidValue as exc:
                problems.append(Problem("quantity", exc.reason, exc.message))
        if problems:
            raise _RowErrors(problems)

    def _key(self, role: str, source_id: str) -> RecordKey:
        return RecordKey(self.source.reference(role), source_id)

    def _properties(self, row: _Row, skip: frozenset[str] = frozenset()) -> Properties:
        properties: Properties = {}
        excluded = self._excluded.get(skip)
        if excluded is None:
            excluded = self._excluded[skip] = skip | self._id_fields
        for name, values in row.parsed.items():
            if name in excluded:
                continue
            value = values[0]
            properties[name] = str(value) if isinstance(value, Decimal) else value
        raw = row.raw
        if self.source.attributes:
            attributes: Properties = {
                c: normalise_text(_text_of(raw[c])) for c in self.source.attributes if _present(raw.get(c))
            }
            if attributes:
                properties["attributes"] = attributes
        return properties

    def _identifier_list(self, parsed: dict[str, list[Any]]) -> list[Identifier]:
        found = [Identifier(kind, value) for name, kind in _LINKED_KINDS for value in parsed.get(name, ())]
        found += [
            Identifier(IdentifierKind.ACCOUNT, value, self.account_system) for value in parsed.get("account_id", ())
        ]
        return found

    def _identifiers(self, key: RecordKey, parsed: dict[str, list[Any]], mapped: Mapped) -> None:
        """The links of `_identifier_list(parsed)` to `key`, as rows straight away (no Identifier per value)."""
        source, source_id = key
        links = mapped.links
        for name, kind in _LINKED_FIELDS:
            if values := parsed.get(name):
                links += [(source, source_id, kind, value, "") for value in values]
        if accounts := parsed.get("account_id"):
            system = self.account_system
            links += [(source, source_id, _ACCOUNT, value, system) for value in accounts]

    def _money(self, parsed: dict[str, list[Any]], properties: Properties) -> None:
        if "amount" not in parsed:
            return
        currency = (parsed.get("currency") or [self.source.currency or self.base_currency])[0]
        money = convert_money(parsed["amount"][0], currency, base=self.base_currency, rates=self.rates)
        properties["amount"] = float(money.base_amount)
        properties["currency"] = money.base_currency
        properties["original_amount"] = str(money.amount)
        properties["original_currency"] = money.currency

    def _person(self, row: _Row, mapped: Mapped) -> None:
        parsed = row.parsed
        kind = self.source.kind.record_kind
        assert kind is not None
        key = RecordKey(self.source.name, parsed["source_id"][0])
        skip = _NOT_PERSON_PROPERTIES
        properties = self._properties(row, skip)
        raw = row.raw
        if "email" in parsed:
            properties["email_given"] = next(_text_of(v) for v in self._raw(raw, "email"))
        mapped.records.append(_record(kind, key, properties))
        self._identifiers(key, parsed, mapped)
        if kind is RecordKind.CONTACT:
            self._works_at(key, parsed, mapped)

    def _works_at(self, contact: RecordKey, parsed: dict[str, list[Any]], mapped: Mapped) -> None:
        """WORKS_AT the company by its id; else a company record of this source named by its domain or name,
        which the resolver joins to the company's other records."""
        job: Properties = {n: parsed[n][0] for n in ("title", "department", "seniority") if n in parsed}
        if company_id := parsed.get("company_id"):
            company = self._key("company", company_id[0])
            mapped.references[company] = ORGANIZATION_KINDS
        elif (domain := parsed.get("company_domain")) and not is_free_mail(domain[0]):
            company = RecordKey(self.source.name, f"company:{domain[0]}")
            properties: Properties = {"domain": domain[0], "derived_from": "contact"}
            if name := parsed.get("company_name"):
                properties["name"] = name[0]
            mapped.records.append(_record(RecordKind.COMPANY, company, properties))
            mapped.links.append(_link(company, Identifier(IdentifierKind.DOMAIN, domain[0])))
        elif name := parsed.get("company_name"):
            company = RecordKey(self.source.name, f"company-name:{_company_name_key(name[0])}")
            properties = {"name": name[0], "derived_from": "contact"}
            mapped.records.append(_record(RecordKind.COMPANY, company, properties))
        else:
            return
        mapped.relations.append(_relation(RelType.WORKS_AT, contact, company, job))

    def _company(self, row: _Row, mapped: Mapped) -> None:
        parsed = row.parsed
        key = RecordKey(self.source.name, parsed["source_id"][0])
        properties = self._properties(row, _NOT_COMPANY_PROPERTIES)
        if domains := parsed.get("domain"):
            properties["domains"] = domains
        mapped.records.append(_record(RecordKind.COMPANY, key, properties))
        self._identifiers(key, parsed, mapped)
        if parent := parsed.get("parent_id"):
            parent_key = self._key("company", parent[0])
            if parent_key != key:
                mapped.deferred.append(_relation(RelType.SUBSIDIARY_OF, key, parent_key))

    def _event(self, row: _Row, mapped: Mapped) -> None:
        parsed = row.parsed
        raw = row.raw
        source_id = parsed.get("source_id", [None])[0] or _content_id(raw)
        key = RecordKey(self.source.name, source_id)
        properties = self._properties(row, _NOT_EVENT_PROPERTIES)
        self._money(parsed, properties)
        extra = parsed.get("properties", [{}])[0]
        if not isinstance(extra, dict):
            raise _RowErrors([Problem("properties", Reason.INVALID_VALUE, "properties must be a JSON object")])
        extra = dict(extra)
        for column in self.source.properties:
            if _present(raw.get(column)):
                extra[column] = normalise_text(_text_of(raw[column]))
        if extra:
            properties["properties"] = extra
        mapped.records.append(_record(RecordKind.EVENT, key, properties))
        mapped.event_facts.append(event_fact_row(key.source, key.source_id, properties))
        if person := parsed.get("person_id"):
            actor = self._key("person", person[0])
            mapped.references[actor] = PERSON_KINDS
            self._identifiers(key, parsed, mapped)
        else:
            # No person named: the event's identifiers go to its derived actor (see loaders.actors).
            held = self._identifier_list(parsed)
            if not held:
                raise _RowErrors(
                    [Problem("person_id", Reason.MISSING_REQUIRED, "an event needs a person or an identifier")]
                )
            actor = actor_key(self.source.name, held)
            mapped.records.append((actor.source, actor.source_id, _CUSTOMER, _ACTOR_PROPERTIES))
            mapped.links += [_link(actor, identifier) for identifier in held]
        mapped.relations.append(_relation(RelType.PERFORMED, actor, key))

    def _opportunity(self, row: _Row, mapped: Mapped) -> None:
        parsed = row.parsed
        key = RecordKey(self.source.name, parsed["source_id"][0])
        properties = self._properties(row, _NOT_OPPORTUNITY_PROPERTIES)
        self._money(parsed, properties)
        mapped.records.append(_record(RecordKind.OPPORTUNITY, key, properties))
        if company := parsed.get("company_id"):
            company_key = self._key("company", company[0])
            mapped.references[company_key] = ORGANIZATION_KINDS
            mapped.relations.append(_relation(RelType.FOR, key, company_key))
        roles = parsed.get("contact_roles", [[]])[0]
        if not isinstance(roles, list) or not all(isinstance(r, dict) and r.get("contact_id") for r in roles):
            raise _RowErrors(
                [Problem("contact_roles", Reason.INVALID_VALUE, 'expected [{"contact_id": ..., "role": ...}]')]
            )
        for role in roles:
            contact = self._key("contact", _text_of(role["contact_id"]))
            mapped.references[contact] = _CONTACT_ONLY
            properties = {"role": normalise_text(_text_of(role["role"]))} if _present(role.get("role")) else {}
            mapped.relations.append(_relation(RelType.ON_OPPORTUNITY, contact, key, properties))

    def _opportunity_role(self, row: _Row, mapped: Mapped) -> None:
        parsed = row.parsed
        contact = self._key("contact", parsed["contact_id"][0])
        opportunity = self._key("opportunity", parsed["opportunity_id"][0])
        mapped.references[contact] = _CONTACT_ONLY
        mapped.references[opportunity] = _OPPORTUNITY_ONLY
        properties: Properties = {"role": parsed["role"][0]} if "role" in parsed else {}
        mapped.relations.append(_relation(RelType.ON_OPPORTUNITY, contact, opportunity, properties))

    def _device(self, row: _Row, mapped: Mapped) -> None:
        parsed = row.parsed
        person = self._key("person", parsed["person_id"][0])
        mapped.references[person] = PERSON_KINDS
        for device in parsed["device_id"]:
            mapped.links.append(_link(person, Identifier(IdentifierKind.DEVICE, device)))

    def _account(self, row: _Row, mapped: Mapped) -> None:
        parsed = row.parsed
        person = self._key("person", parsed["person_id"][0])
        mapped.references[person] = PERSON_KINDS
        system = parsed.get("system", [self.account_system])[0]
        for account in parsed["account_id"]:
            identifier = Identifier(IdentifierKind.ACCOUNT, account, system)
            mapped.links.append(_link(person, identifier))


def _present(value: Any) -> bool:
    if value is None:
        return False
    if type(value) is str:
        return bool(value) and not value.isspace()
    return bool(value != [] and value != {})


def _raw_values(values: Mapping[str, Any], plan: _FieldPlan) -> list[Any]:
    """Non-empty raw values of a field, from each of its columns (or its aliases when none is there)."""
    found = [value for column in plan.columns if _present(value := values.get(column))]
    if not found and plan.aliases and not any(column in values for column in plan.columns):
        found = [value for column in plan.aliases if _present(value := values.get(column))]
    return found


def _content_id(values: Mapping[str, Any]) -> str:
    """A stable id for a row without one: the same row content always gives the same id."""
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return "row-" + hashlib.blake2b(text.encode(), digest_size=10).hexdigest()
