"""The segment DSL: a validated AST of conditions on profiles, parsed from the JSON segment definitions.

A segment is one condition; a condition is a JSON object with exactly one key:

    {"all": [c, ...]}   {"any": [c, ...]}   {"not": c}
    {"trait": {"name": "city", "op": "eq", "value": "Shanghai"}}          op: eq ne in contains gt gte lt lte exists
    {"identifier": {"kind": "EMAIL", "value": "ann@example.com"}}        value (normalised) and system optional
    {"consent": {"purpose": "email", "granted": true}}                   the golden trait `email_consent`
    {"event": {"types": ["transaction"], "window_days": 7,              or "since" / "until" (ISO date-times)
               "time_of_day": {"start": "00:00", "end": "05:00", "timezone": "Asia/Shanghai"},
               "where": [{"field": "channel", "op": "eq", "value": "pos"}],
               "distinct": {"field": "properties.city", "gte": 3}}}      or "count": {...} / "sum": {"field", ...}
    {"organization": {"id": "org_..."}}                                  or "domain" / "industry"
    {"committee_role": {"roles": ["ECONOMIC_BUYER"]}}                    opportunity contact roles
    {"in_segment": "vip"}                                                a saved segment (inlined before compiling)

Thresholds hold exactly one of gte / gt / lte / lt / eq; an event condition without one means count >= 1.
Errors name the path of the bad value, e.g. `all[2].event.window_days: must be > 0`.
"""

from __future__ import annotations

import json
import re
from datetime import time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    RootModel,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from graph.model import IdentifierKind
from graph.segments.fields import EVENT_FIELDS, NAME_PATTERN, NUMERIC_EVENT_FIELDS, check_event_field

MAX_WINDOW_DAYS = 36_500
MAX_CONDITIONS = 200  # per segment, after saved segments are inlined
MAX_DEPTH = 12
SEGMENT_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$"
# The buying-committee roles of DESIGN.md (api.b2b.roles.CommitteeRole holds the same names).
COMMITTEE_ROLES = (
    "DECISION_MAKER",
    "ECONOMIC_BUYER",
    "CHAMPION",
    "INFLUENCER",
    "USER",
    "GATEKEEPER",
    "UNKNOWN",
)

Scalar = StrictBool | StrictInt | StrictFloat | StrictStr
Operator = Literal["eq", "ne", "in", "contains", "gt", "gte", "lt", "lte", "exists"]
CommitteeRoleName = Literal[
    "DECISION_MAKER", "ECONOMIC_BUYER", "CHAMPION", "INFLUENCER", "USER", "GATEKEEPER", "UNKNOWN"
]


class SegmentError(ValueError):
    """A segment definition that is not valid; the message names the path of each bad value."""


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _check_operand(op: str, value: Any) -> None:
    if op == "exists":
        if value is not None:
            raise ValueError("'exists' takes no value")
    elif op == "in":
        if not isinstance(value, list) or not value:
            raise ValueError("'in' needs a non-empty list of values")
    elif isinstance(value, list) or value is None:
        raise ValueError(f"'{op}' needs one value")
    elif op == "contains" and not isinstance(value, str):
        raise ValueError("'contains' needs a string")
    elif op in ("gt", "gte", "lt", "lte") and isinstance(value, bool):
        raise ValueError(f"'{op}' needs a number or a string")


class TraitFilter(_Node):
    """A golden-record trait of the profile compared with a value."""

    name: str = Field(pattern=NAME_PATTERN)
    op: Operator = "eq"
    value: Scalar | list[Scalar] | None = None

    @model_validator(mode="after")
    def _operand(self) -> TraitFilter:
        _check_operand(self.op, self.value)
        return self


class IdentifierFilter(_Node):
    """The profile's records hold an identifier of a kind (with this normalised value, if given)."""

    kind: IdentifierKind
    value: str | None = Field(None, min_length=1)
    system: str | None = Field(None, min_length=1)

    @field_validator("kind", mode="before")
    @classmethod
    def _by_name(cls, kind: Any) -> Any:
        """EMAIL (the GraphQL enum name) or Email (the label) both name IdentifierKind.EMAIL."""
        if isinstance(kind, str) and kind.upper() in IdentifierKind.__members__:
            return IdentifierKind[kind.upper()]
        return kind

    @field_serializer("kind")
    def _name(self, kind: IdentifierKind) -> str:
        return kind.name

    @model_validator(mode="after")
    def _system(self) -> IdentifierFilter:
        if self.system is not None and self.kind is not IdentifierKind.ACCOUNT:
            raise ValueError("system is for ACCOUNT identifiers only")
        return self


class ConsentFilter(_Node):
    """The profile's consent to a purpose (its `<purpose>_consent` trait: every record must grant)."""

    purpose: str = Field(pattern=r"^[a-z0-9][a-z0-9_]{0,49}$")
    granted: bool = True


def _clock(text: str) -> time:
    if not re.fullmatch(r"\d{2}:\d{2}", text):
        raise ValueError("must be HH:MM")
    hours, minutes = int(text[:2]), int(text[3:])
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise ValueError("must be a time of day between 00:00 and 24:00")
    return time(0, 0) if hours == 24 else time(hours, minutes)


class TimeOfDay(_Node):
    """Local time of day in a time zone: from `start` (inclusive) to `end` (exclusive); wraps past midnight."""

    start: str
    end: str
    timezone: str = "UTC"

    @field_validator("start", "end")
    @classmethod
    def _hh_mm(cls, text: str) -> str:
        _clock(text)
        return text

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone (use an IANA name such as Asia/Shanghai)") from None
        return name

    @model_validator(mode="after")
    def _not_empty(self) -> TimeOfDay:
        if self.start_minute == self.end_minute:
            raise ValueError("start and end must differ")
        return self

    @property
    def start_minute(self) -> int:
        return _minute(self.start)

    @property
    def end_minute(self) -> int:
        return _minute(self.end)

    def minutes(self) -> tuple[int, int]:
        """(start, end) as minutes after local midnight; end 1440 for 24:00."""
        return self.start_minute, self.end_minute


def _minute(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:])


class PropertyFilter(_Node):
    """An event field (`channel`, `amount`, `currency`, `quantity` or `properties.<name>`) compared with a value."""

    field: str
    op: Operator = "eq"
    value: Scalar | list[Scalar] | None = None

    _field = field_validator("field")(check_event_field)

    @model_validator(mode="after")
    def _operand(self) -> PropertyFilter:
        _check_operand(self.op, self.value)
        return self


class Threshold(_Node):
    """Exactly one comparison of an aggregate with a number."""

    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None
    eq: float | None = None

    @model_validator(mode="after")
    def _one(self) -> Threshold:
        if len([v for v in (self.gte, self.gt, self.lte, self.lt, self.eq) if v is not None]) != 1:
            raise ValueError("give exactly one of gte, gt, lte, lt, eq")
        return self

    def comparison(self) -> tuple[str, float]:
        """(operator, number), the operator one of gte / gt / lte / lt / eq."""
        for op in ("gte", "gt", "lte", "lt", "eq"):
            value = getattr(self, op)
            if value is not None:
                return op, float(value)
        raise AssertionError("validated: one comparison")

    def holds_for_zero(self) -> bool:
        """Whether an aggregate of 0 (a profile with no matching events) satisfies the threshold."""
        op, value = self.comparison()
        return {"gte": value <= 0, "gt": value < 0, "lte": value >= 0, "lt": value > 0, "eq": value == 0}[op]


class SumThreshold(Threshold):
    """A threshold on the sum of a numeric event field (default `amount`, in base currency)."""

    field: str = "amount"

    @field_validator("field")
    @classmethod
    def _numeric(cls, field: str) -> str:
        check_event_field(field)
        if field in EVENT_FIELDS - NUMERIC_EVENT_FIELDS:
            raise ValueError(f"{field} is not numeric: sum amount, quantity or properties.<name>")
        return field


class DistinctThreshold(Threshold):
    """A threshold on the number of distinct values of an event field."""

    field: str

    _field = field_validator("field")(check_event_field)


class EventFilter(_Node):
    """The profile performed events: of some types, in a window, at some time of day, matching property filters,
    with a count, sum or distinct-count threshold (default: count >= 1)."""

    types: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default_factory=list, max_length=50)
    window_days: int | None = Field(None, gt=0, le=MAX_WINDOW_DAYS)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    time_of_day: TimeOfDay | None = None
    where: list[PropertyFilter] = Field(default_factory=list, max_length=20)
    count: Threshold | None = None
    sum: SumThreshold | None = None
    distinct: DistinctThreshold | None = None

    @model_validator(mode="after")
    def _consistent(self) -> EventFilter:
        if self.window_days is not None and (self.since is not None or self.until is not None):
            raise ValueError("give window_days or since/until, not both")
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise ValueError("since must be before until")
        if len([t for t in (self.count, self.sum, self.distinct) if t is not None]) > 1:
            raise ValueError("give at most one of count, sum, distinct")
        return self

    def threshold(self) -> tuple[Literal["count", "sum", "distinct"], Threshold]:
        """The aggregate and its threshold (count >= 1 when none is given)."""
        if self.sum is not None:
            return "sum", self.sum
        if self.distinct is not None:
            return "distinct", self.distinct
        return "count", self.count if self.count is not None else Threshold(gte=1)


class OrganizationFilter(_Node):
    """The profile works at (WORKS_AT) an organisation given by ID (or merged-away ID), web domain or industry."""

    id: str | None = Field(None, min_length=1, max_length=200)
    domain: str | None = Field(None, min_length=1, max_length=253)
    industry: str | None = Field(None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _one(self) -> OrganizationFilter:
        if len([v for v in (self.id, self.domain, self.industry) if v is not None]) != 1:
            raise ValueError("give exactly one of id, domain, industry")
        return self


class CommitteeFilter(_Node):
    """The profile's contact records are on an opportunity with one of these roles (ON_OPPORTUNITY {role}).

    `roles` are committee roles; before compiling they are expanded into `crm_roles`, the (lower-case) CRM
    contact-role names that mean them. `crm_roles` may also be given directly.
    """

    roles: list[CommitteeRoleName] = Field(default_factory=list, max_length=len(COMMITTEE_ROLES))
    crm_roles: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _some(self) -> CommitteeFilter:
        if not self.roles and not self.crm_roles:
            raise ValueError("give roles or crm_roles")
        return self


class AllOf(_Node):
    all: list[Condition] = Field(min_length=1, max_length=MAX_CONDITIONS)


class AnyOf(_Node):
    any: list[Condition] = Field(min_length=1, max_length=MAX_CONDITIONS)


class NotOf(_Node):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    not_: Condition = Field(alias="not")


class TraitCondition(_Node):
    trait: TraitFilter


class IdentifierCondition(_Node):
    identifier: IdentifierFilter


class ConsentCondition(_Node):
    consent: ConsentFilter


class EventCondition(_Node):
    event: EventFilter


class OrganizationCondition(_Node):
    organization: OrganizationFilter


class CommitteeCondition(_Node):
    committee_role: CommitteeFilter


class SegmentRef(_Node):
    in_segment: str = Field(pattern=SEGMENT_NAME_PATTERN)


_KINDS = (
    "all",
    "any",
    "not",
    "trait",
    "identifier",
    "consent",
    "event",
    "organization",
    "committee_role",
    "in_segment",
)


def _kind_of(value: Any) -> str | None:
    """The tag of a condition: its one key (None lets pydantic report a bad shape)."""
    if isinstance(value, dict):
        keys = list(value)
        return keys[0] if len(keys) == 1 and keys[0] in _KINDS else None
    if isinstance(value, BaseModel):
        for kind, cls in _CLASSES.items():
            if isinstance(value, cls):
                return kind
    return None


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[TraitCondition, Tag("trait")]
    | Annotated[IdentifierCondition, Tag("identifier")]
    | Annotated[ConsentCondition, Tag("consent")]
    | Annotated[EventCondition, Tag("event")]
    | Annotated[OrganizationCondition, Tag("organization")]
    | Annotated[CommitteeCondition, Tag("committee_role")]
    | Annotated[SegmentRef, Tag("in_segment")],
    Discriminator(
        _kind_of,
        custom_error_type="condition",
        custom_error_message="a condition is an object with exactly one of the keys " + ", ".join(_KINDS),
    ),
]

_CLASSES: dict[str, type[BaseModel]] = {
    "all": AllOf,
    "any": AnyOf,
    "not": NotOf,
    "trait": TraitCondition,
    "identifier": IdentifierCondition,
    "consent": ConsentCondition,
    "event": EventCondition,
    "organization": OrganizationCondition,
    "committee_role": CommitteeCondition,
    "in_segment": SegmentRef,
}

for _model in (AllOf, AnyOf, NotOf):
    _model.model_rebuild()


class Segment(RootModel[Condition]):
    """A whole segment definition: one condition (usually `all` / `any` / `not` of others)."""

    model_config = ConfigDict(frozen=True)

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON definition (unset optional fields left out)."""
        value: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
        return value


# -- parsing and errors --------------------------------------------------------------------------------------


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part == previous and part in _KINDS:
            continue  # the union's tag repeats the key it was chosen by
        else:
            text += ("." if text else "") + ("not" if part == "not_" else str(part))
        previous = part
    return text or "segment"


_MESSAGES = {
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "string_pattern_mismatch": "has characters or a length that are not allowed",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
}


def _message(error: Any) -> str:
    template = _MESSAGES.get(error["type"])
    if template is not None:
        return template.format(**error.get("ctx", {}))
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def describe_errors(error: ValidationError) -> str:
    """One line per problem: `path: message`, without echoing the values (they may be personal data)."""
    return "; ".join(f"{_path(tuple(e['loc']))}: {_message(e)}" for e in error.errors(include_input=False))


def parse_segment(definition: Any) -> Segment:
    """A Segment from its JSON definition (a dict, or JSON text); SegmentError names every bad path."""
    if isinstance(definition, (str, bytes)):
        try:
            definition = json.loads(definition)
        except ValueError:
            raise SegmentError("segment: the definition is not valid JSON") from None
    try:
        segment = Segment.model_validate(definition)
    except ValidationError as error:
        raise SegmentError(describe_errors(error)) from None
    count, depth = _size(segment.root, 1)
    if depth > MAX_DEPTH:
        raise SegmentError(f"segment: conditions nest {depth} deep, more than {MAX_DEPTH}")
    if count > MAX_CONDITIONS:
        raise SegmentError(f"segment: {count} conditions, more than {MAX_CONDITIONS}")
    return segment


def _size(condition: BaseModel, depth: int) -> tuple[int, int]:
    """(number of conditions, nesting depth) of a condition tree."""
    children: list[BaseModel] = []
    if isinstance(condition, AllOf):
        children = list(condition.all)
    elif isinstance(condition, AnyOf):
        children = list(condition.any)
    elif isinstance(condition, NotOf):
        children = [condition.not_]
    count, deepest = 1, depth
    for child in children:
        child_count, child_depth = _size(child, depth + 1)
        count += child_count
        deepest = max(deepest, child_depth)
    return count, deepest


def conditions_of(condition: BaseModel) -> list[BaseModel]:
    """The direct sub-conditions of a combinator (empty for a leaf condition)."""
    if isinstance(condition, AllOf):
        return list(condition.all)
    if isinstance(condition, AnyOf):
        return list(condition.any)
    if isinstance(condition, NotOf):
        return [condition.not_]
    return []
