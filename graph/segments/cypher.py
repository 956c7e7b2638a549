"""Compile a prepared segment to Cypher: a boolean expression over `p`, a `(:Profile)` node.

Every value from the definition is a `$sN` parameter, and so is every trait or event property name (read as
`p[$s0]`, `e[$s1]`: entity nodes carry their traits as `trait.<name>` and Event nodes their facts and nested
scalar properties, see graph.segments.fields and graph.events). Labels and relationship types are spliced only
from the model's enums. The semantics match the SQL compiler: a missing value makes a leaf false (so `not`
includes profiles without the trait), comparisons are between values of one type, `contains` is a
case-insensitive substring of a text (or an element of a list trait).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.events import NESTED_PREFIX
from graph.model import EntityKind, IdentifierKind, RecordKind, RelType
from graph.segments.ast import (
    CommitteeCondition,
    ConsentCondition,
    EventFilter,
    IdentifierCondition,
    OrganizationCondition,
    PropertyFilter,
    Segment,
    TraitCondition,
)
from graph.segments.compiler import Compiler
from graph.segments.fields import CONSENT_EVENT, TRAIT_PREFIX

_COMPARE = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_SAFE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _label(value: RecordKind | IdentifierKind | EntityKind | RelType | str) -> str:
    """A label or relationship type of the model's closed sets (or the backend's `Record` / `Alias` ones)."""
    text = value.value if isinstance(value, RecordKind | IdentifierKind | EntityKind | RelType) else value
    if not isinstance(value, RecordKind | IdentifierKind | EntityKind | RelType) and text not in {
        "Record",
        "Alias",
        "ALIAS_OF",
    }:
        raise ValueError(f"not a label of the model: {text!r}")
    if not _SAFE.fullmatch(text):
        raise ValueError(f"unsafe label {text!r}")
    return text


RECORD = _label("Record")
_MEMBER = f"(p)<-[:RESOLVES_TO]-(m:{RECORD})"


@dataclass(frozen=True)
class CompiledCypher:
    """A boolean Cypher expression over `p` (a Profile node) and its parameters."""

    where: str
    params: dict[str, Any]


class _Compiler(Compiler):
    PARAMETER_MARK = "$"

    def consent(self, c: ConsentCondition) -> str:
        """Whether the profile grants the purpose: its latest explicit change, else its golden consent trait."""
        purpose = c.consent.purpose
        trait = f"p[{self.p(TRAIT_PREFIX + purpose + '_consent')}]"
        event = f"(e:{_label(RecordKind.EVENT)})"
        changes = (
            f"MATCH {_MEMBER}-[:{_label(RelType.PERFORMED)}]->{event}"
            f" WHERE e.type = {self.p(CONSENT_EVENT)} AND e[{self.p(NESTED_PREFIX + 'purpose')}] = {self.p(purpose)}"
            f" RETURN e[{self.p(NESTED_PREFIX + 'granted')}]"
            " ORDER BY e.at DESC, e.source DESC, e.source_id DESC LIMIT 1"
        )
        return f"coalesce(coalesce(head(COLLECT {{ {changes} }}), {trait}) = true, false)"

    def compare(self, expr: str, op: str, value: Any, *, lists: bool = False) -> str:
        """`expr` compared with `value`, false (never null) when `expr` is missing or of another type."""
        if op == "exists":
            return f"({expr} IS NOT NULL)"
        if op == "in":
            return f"coalesce({expr} IN {self.p(list(value))}, false)"
        if op == "contains":
            # CASE, not AND, guards toLower: Cypher may evaluate an AND's operands in any order, and toLower of a
            # list or number is an error, not null.
            needle = self.p(str(value).lower())
            text = f"coalesce(CASE WHEN {expr} IS :: STRING THEN toLower({expr}) CONTAINS {needle} END, false)"
            if not lists:
                return text
            member = f"coalesce(CASE WHEN {expr} IS :: LIST<ANY> THEN {self.p(value)} IN {expr} END, false)"
            return f"({member} OR {text})"
        # Booleans compare only by equality; numbers with numbers, text with text (as in the SQL compiler).
        return f"coalesce({expr} {_COMPARE[op]} {self.p(value)}, false)"

    def trait(self, c: TraitCondition) -> str:
        spec = c.trait
        return self.compare(f"p[{self.p(TRAIT_PREFIX + spec.name)}]", spec.op, spec.value, lists=True)

    def identifier(self, c: IdentifierCondition) -> str:
        spec = c.identifier
        kind = spec.kind
        filters = []
        if spec.value is not None:
            filters.append(f"i.{kind.key_property} = {self.p(spec.value)}")
        if spec.system is not None:
            filters.append(f"i.system = {self.p(spec.system)}")
        where = f" WHERE {' AND '.join(filters)}" if filters else ""
        return f"EXISTS {{ MATCH {_MEMBER}-[:{_label(kind.relationship)}]->(i:{_label(kind)}){where} }}"

    def organization(self, c: OrganizationCondition) -> str:
        spec = c.organization
        org = f"(o:{_label(EntityKind.ORGANIZATION)})"
        path = f"{_MEMBER}-[:{_label(RelType.WORKS_AT)}]->(:{RECORD})-[:RESOLVES_TO]->{org}"
        if spec.id is not None:
            value = self.p(spec.id)
            alias = f"(:{_label('Alias')} {{id: {value}}})-[:{_label('ALIAS_OF')}]->(o)"
            where = f"o.id = {value} OR EXISTS {{ MATCH {alias} }}"
        elif spec.domain is not None:
            domain = IdentifierKind.DOMAIN
            held = f"(o)<-[:RESOLVES_TO]-(:{RECORD})-[:{_label(domain.relationship)}]->(d:{_label(domain)})"
            domain_name = spec.domain.strip().lower().rstrip(".").removeprefix("www.")
            where = f"EXISTS {{ MATCH {held} WHERE d.{domain.key_property} = {self.p(domain_name)} }}"
        else:
            industry = f"o[{self.p(TRAIT_PREFIX + 'industry')}]"
            lowered = f"CASE WHEN {industry} IS :: STRING THEN toLower({industry}) END"  # a list or number: null
            where = f"coalesce({lowered} = {self.p(str(spec.industry).lower())}, false)"
        return f"EXISTS {{ MATCH {path} WHERE {where} }}"

    def committee(self, c: CommitteeCondition) -> str:
        names = list(c.committee_role.crm_roles)
        if not names:
            return "false"
        # Relationship properties are JSON text in the Neo4j store: match the role inside it, any case.
        escaped = "|".join(re.escape(json.dumps(name, ensure_ascii=False)[1:-1]) for name in names)
        pattern = f'(?isu).*"role":\\s*"\\s*(?:{escaped})\\s*".*'
        rel = f"[r:{_label(RelType.ON_OPPORTUNITY)}]"
        return f"EXISTS {{ MATCH {_MEMBER}-{rel}->(:{RECORD}) WHERE r.properties =~ {self.p(pattern)} }}"

    def in_list(self, values: list[Any]) -> str:
        return self.p(values)

    def local_minute(self, at: str, timezone: str) -> str:
        local = f"datetime({{datetime: datetime({at}), timezone: {timezone}}})"
        return f"({local}.hour * 60 + {local}.minute)"

    def event(self, spec: EventFilter) -> str:
        filters = (["e.at IS NOT NULL"] if _timed(spec) else []) + self.event_filters(spec, "e")
        for condition in spec.where:
            filters.append(self.property_filter(condition))
        measure, threshold = spec.threshold()
        where = f" WHERE {' AND '.join(filters)}" if filters else ""
        pattern = f"{_MEMBER}-[:{_label(RelType.PERFORMED)}]->(e:{_label(RecordKind.EVENT)})"
        if measure == "count":
            aggregate = f"size([{pattern}{where} | 1])"
        elif measure == "sum" and spec.sum is not None:
            values = f"[{pattern}{where} | coalesce(toFloatOrNull(e[{self.p(spec.sum.field)}]), 0.0)]"
            aggregate = f"reduce(total = 0.0, x IN {values} | total + x)"
        elif spec.distinct is not None:
            field = self.p(spec.distinct.field)
            present = f"{where} AND e[{field}] IS NOT NULL" if where else f" WHERE e[{field}] IS NOT NULL"
            values = f"[{pattern}{present} | e[{field}]]"
            aggregate = f"size(reduce(seen = [], x IN {values} | CASE WHEN x IN seen THEN seen ELSE seen + [x] END))"
        else:
            raise AssertionError(f"unknown aggregate {measure}")
        op, number = threshold.comparison()
        return f"({aggregate} {_COMPARE[op]} {self.p(number)})"

    def property_filter(self, where: PropertyFilter) -> str:
        return self.compare(f"e[{self.p(where.field)}]", where.op, where.value)


def _timed(spec: EventFilter) -> bool:
    return spec.window_days is not None or spec.since is not None or spec.until is not None or bool(spec.time_of_day)


def compile_cypher(segment: Segment, *, now: datetime) -> CompiledCypher:
    """The Cypher condition of a prepared segment; `now` anchors `window_days`."""
    compiler = _Compiler(now)
    where = compiler.condition(segment.root)
    return CompiledCypher(where=where, params=compiler.params)


PROFILE = _label(EntityKind.PROFILE)


def members_query(
    compiled: CompiledCypher, *, after: str | None, limit: int, among: list[str] | None = None
) -> tuple[str, dict[str, Any]]:
    """Profile IDs in the segment, in ID order after `after`, at most `limit` (only those in `among`, if given)."""
    params = dict(compiled.params) | {"after": after or "", "limit": limit}
    among_filter = ""
    if among is not None:
        params["among"] = list(among)
        among_filter = " AND p.id IN $among"
    query = f"""
MATCH (p:{PROFILE})
WHERE p.id > $after{among_filter} AND {compiled.where}
RETURN p.id AS id
ORDER BY id
LIMIT $limit
"""
    return query, params


def count_query(compiled: CompiledCypher) -> tuple[str, dict[str, Any]]:
    """The number of profiles in the segment."""
    return f"MATCH (p:{PROFILE})\nWHERE {compiled.where}\nRETURN count(p) AS count\n", dict(compiled.params)
