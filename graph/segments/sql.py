"""Compile a prepared segment to SQLite SQL: a boolean expression over `p`, a row of `entities`.

Every value from the definition is a named parameter (`:s0`, `:s1`, ...); trait and event property names travel
as JSON-path parameters.
Text spliced into the SQL comes only from this module and from the closed sets it checks (operators, event fields,
aggregate names). Conditions that touch many rows are uncorrelated `p.id IN (SELECT entity_id ...)` subqueries, so
SQLite evaluates each once (for an event condition: one pass over `event_facts` by type and time) and then probes
the result per profile. Time of day needs `idgraph_local_minute(at, zone)`, registered by `register_functions`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from graph.events import NESTED_PREFIX
from graph.model import EntityKind, IdentifierKind, RelType
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
from graph.segments.fields import CONSENT_EVENT

LOCAL_MINUTE = "idgraph_local_minute"

_COMPARE = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
# Event fields with a column of their own in event_facts; the others are read from the record's JSON.
_FACT_COLUMNS = {"channel": "f.channel", "amount": "f.amount"}


@dataclass(frozen=True)
class CompiledSql:
    """A boolean SQL expression over `p` (an `entities` row) and its named parameters."""

    where: str
    params: dict[str, Any]


def trait_path(name: str) -> str:
    """The JSON path of a trait's value in `entities.traits` (names never hold quotes: see fields.NAME_PATTERN)."""
    return f'$."{name}".value'


def _event_path(field: str) -> str:
    if field.startswith(NESTED_PREFIX):
        return f'$.properties."{field[len(NESTED_PREFIX) :]}"'
    return f"$.{field}"


class _Compiler(Compiler):
    PARAMETER_MARK = ":"

    def __init__(self, now: datetime, per_profile: bool) -> None:
        super().__init__(now)
        self.per_profile = per_profile

    def ps(self, values: list[Any]) -> str:
        return ", ".join(self.p(v) for v in values)

    # -- comparisons shared by traits and event fields ------------------------------------------------------

    def compare(self, expr: str, kind_of: str, op: str, value: Any) -> str:
        """`expr` compared with `value`; `kind_of` is an SQL expression giving the value's JSON type name."""
        if op == "exists":
            return f"{expr} IS NOT NULL"
        if op == "in":
            return f"{expr} IN ({self.ps(list(value))})"
        if op == "contains":
            return f"({kind_of} = 'text' AND instr(lower({expr}), {self.p(str(value).lower())}) > 0)"
        if op in ("gt", "gte", "lt", "lte"):
            # SQLite orders every number before every text; Cypher compares only like with like.
            kinds = "'text'" if isinstance(value, str) else "'integer', 'real'"
            return f"({kind_of} IN ({kinds}) AND {expr} {_COMPARE[op]} {self.p(value)})"
        return f"{expr} {_COMPARE[op]} {self.p(value)}"

    def trait(self, c: TraitCondition) -> str:
        spec = c.trait
        path = trait_path(spec.name)
        expr = f"json_extract(p.traits, {self.p(path)})"
        if spec.op == "contains":
            array = f"json_type(p.traits, {self.p(path)}) = 'array'"
            member = (
                f"EXISTS (SELECT 1 FROM json_each(p.traits, {self.p(path)}) j WHERE j.value = {self.p(spec.value)})"
            )
            text = self.compare(expr, f"json_type(p.traits, {self.p(path)})", "contains", spec.value)
            return f"ifnull(CASE WHEN {array} THEN {member} ELSE {text} END, 0)"
        typed = spec.op in ("gt", "gte", "lt", "lte")
        kind_of = f"json_type(p.traits, {self.p(path)})" if typed else ""
        return f"ifnull({self.compare(expr, kind_of, spec.op, spec.value)}, 0)"

    def consent(self, c: ConsentCondition) -> str:
        """Whether the profile grants the purpose: its latest explicit change, else its golden consent trait."""
        purpose = c.consent.purpose
        trait = f"ifnull(json_type(p.traits, {self.p(trait_path(f'{purpose}_consent'))}) = 'true', 0)"
        changes = (
            "FROM event_facts f{index} JOIN resolves_to t ON t.record_id = f.actor_id"
            " JOIN records r ON r.id = f.record_id"
            " WHERE f.type = {type} AND json_extract(r.properties, '$.properties.purpose') = {purpose}"
        )
        granted = "json_extract(r.properties, '$.properties.granted')"
        newest = "ORDER BY f.at DESC, r.source DESC, r.source_id DESC"
        if self.per_profile:
            mine = changes.format(
                index=" INDEXED BY event_facts_by_actor", type=self.p(CONSENT_EVENT), purpose=self.p(purpose)
            )
            return f"ifnull((SELECT {granted} {mine} AND t.entity_id = p.id {newest} LIMIT 1) = 1, {trait})"
        latest = changes.format(index="", type=self.p(CONSENT_EVENT), purpose=self.p(purpose))
        explicit = changes.format(index="", type=self.p(CONSENT_EVENT), purpose=self.p(purpose))
        ranked = (
            f"SELECT t.entity_id AS entity_id, {granted} AS granted,"
            f" row_number() OVER (PARTITION BY t.entity_id {newest}) AS n {latest}"
        )
        return (
            f"(p.id IN (SELECT entity_id FROM ({ranked}) WHERE n = 1 AND granted = 1)"
            f" OR ({trait} AND p.id NOT IN (SELECT t.entity_id {explicit})))"
        )

    # -- identifiers, organisations, committee roles ---------------------------------------------------------

    def identifier(self, c: IdentifierCondition) -> str:
        spec = c.identifier
        kind = self.p(spec.kind.value)
        system = "" if spec.system is None else f" AND i.system = {self.p(spec.system)}"
        value = "" if spec.value is None else f" AND i.value = {self.p(spec.value)}"
        if spec.value is None or self.per_profile:
            return (
                "EXISTS (SELECT 1 FROM resolves_to t JOIN record_identifiers ri ON ri.record_id = t.record_id"
                " JOIN identifiers i ON i.id = ri.identifier_id"
                f" WHERE t.entity_id = p.id AND i.kind = {kind}{value}{system})"
            )
        return (
            "p.id IN (SELECT t.entity_id FROM identifiers i JOIN record_identifiers ri ON ri.identifier_id = i.id"
            f" JOIN resolves_to t ON t.record_id = ri.record_id WHERE i.kind = {kind}{value}{system})"
        )

    def organization(self, c: OrganizationCondition) -> str:
        spec = c.organization
        if spec.id is not None:
            alias, entity_id = self.p(spec.id), self.p(spec.id)
            orgs = f"coalesce((SELECT a.entity_id FROM entity_aliases a WHERE a.alias = {alias}), {entity_id})"
            orgs = f"SELECT {orgs}"
        elif spec.domain is not None:
            orgs = (
                "SELECT m.entity_id FROM identifiers i JOIN record_identifiers ri ON ri.identifier_id = i.id"
                " JOIN resolves_to m ON m.record_id = ri.record_id"
                f" WHERE i.kind = {self.p(IdentifierKind.DOMAIN.value)} AND i.value = {self.p(_domain(spec.domain))}"
            )
        else:
            industry = f"lower(json_extract(e.traits, {self.p(trait_path('industry'))}))"
            orgs = (
                f"SELECT e.id FROM entities e WHERE e.kind = {self.p(EntityKind.ORGANIZATION.value)}"
                f" AND {industry} = {self.p(str(spec.industry).lower())}"
            )
        if self.per_profile:
            return (
                f"EXISTS (SELECT 1 FROM resolves_to t JOIN relations w ON w.type = {self.p(RelType.WORKS_AT.value)}"
                " AND w.start_id = t.record_id JOIN resolves_to o ON o.record_id = w.end_id"
                f" WHERE t.entity_id = p.id AND o.entity_id IN ({orgs}))"
            )
        return (
            "p.id IN (SELECT t.entity_id FROM resolves_to o JOIN relations w INDEXED BY relations_by_end"
            f" ON w.end_id = o.record_id AND w.type = {self.p(RelType.WORKS_AT.value)}"
            f" JOIN resolves_to t ON t.record_id = w.start_id WHERE o.entity_id IN ({orgs}))"
        )

    def committee(self, c: CommitteeCondition) -> str:
        names = list(c.committee_role.crm_roles)
        if not names:
            return "0"
        role = "lower(trim(json_extract(r.properties, '$.role')))"
        if self.per_profile:
            rel = self.p(RelType.ON_OPPORTUNITY.value)
            return (
                f"EXISTS (SELECT 1 FROM resolves_to t JOIN relations r ON r.type = {rel} AND r.start_id = t.record_id"
                f" WHERE t.entity_id = p.id AND {role} IN ({self.ps(names)}))"
            )
        return (
            "p.id IN (SELECT t.entity_id FROM relations r JOIN resolves_to t ON t.record_id = r.start_id"
            f" WHERE r.type = {self.p(RelType.ON_OPPORTUNITY.value)}"
            f" AND lower(trim(json_extract(r.properties, '$.role'))) IN ({self.ps(names)}))"
        )

    # -- events ----------------------------------------------------------------------------------------------

    def field(self, field: str) -> str:
        column = _FACT_COLUMNS.get(field)
        return column if column is not None else f"json_extract(r.properties, {self.p(_event_path(field))})"

    def in_list(self, values: list[Any]) -> str:
        return f"({self.ps(values)})"

    def local_minute(self, at: str, timezone: str) -> str:
        return f"{LOCAL_MINUTE}({at}, {timezone})"

    def event(self, spec: EventFilter) -> str:
        filters = self.event_filters(spec, "f")
        for condition in spec.where:
            filters.append(self.property_filter(condition))
        measure, threshold = spec.threshold()
        aggregate = self.aggregate(measure, spec)
        op, number = threshold.comparison()
        needs_record = any(f not in _FACT_COLUMNS for f in _event_fields(spec))
        records = " JOIN records r ON r.id = f.record_id" if needs_record else ""
        if self.per_profile:
            # One profile at a time (which of these profiles are members?): read its own events by actor.
            own = " AND ".join(["t.entity_id = p.id", *filters])
            source = "event_facts f INDEXED BY event_facts_by_actor JOIN resolves_to t ON t.record_id = f.actor_id"
            return f"((SELECT {aggregate} FROM {source}{records} WHERE {own}) {_COMPARE[op]} {self.p(number)})"
        where = (" WHERE " + " AND ".join(filters)) if filters else ""
        if measure in ("count", "sum"):
            # Totals per actor first (streamed in actor order by event_facts_by_type_actor), then per profile: one
            # look-up of the profile per actor rather than per event, and a smaller sort.
            index = " INDEXED BY event_facts_by_type_actor" if spec.types else ""
            total = aggregate if measure == "sum" else "count(*)"
            per_actor = (
                f"SELECT f.actor_id AS actor_id, {total} AS n FROM event_facts f{index}{records}{where}"
                " GROUP BY f.actor_id"
            )
            body = f"SELECT t.entity_id FROM ({per_actor}) a JOIN resolves_to t ON t.record_id = a.actor_id"
            having = f"total(a.n) {_COMPARE[op]} {self.p(number)}"
        else:
            body = (
                f"SELECT t.entity_id FROM event_facts f JOIN resolves_to t ON t.record_id = f.actor_id{records}{where}"
            )
            having = f"{aggregate} {_COMPARE[op]} {self.p(number)}"
        if threshold.holds_for_zero():
            # Profiles without any matching event pass too: keep everyone but those whose aggregate fails.
            return f"p.id NOT IN ({body} GROUP BY t.entity_id HAVING NOT ({having}))"
        return f"p.id IN ({body} GROUP BY t.entity_id HAVING {having})"

    def aggregate(self, measure: str, spec: EventFilter) -> str:
        if measure == "count":
            return "count(*)"
        if measure == "sum" and spec.sum is not None:
            return f"total({self.field(spec.sum.field)})"
        if measure == "distinct" and spec.distinct is not None:
            return f"count(DISTINCT {self.field(spec.distinct.field)})"
        raise AssertionError(f"unknown aggregate {measure}")

    def property_filter(self, where: PropertyFilter) -> str:
        expr = self.field(where.field)
        kind_of = f"typeof({expr})"
        return f"ifnull({self.compare(expr, kind_of, where.op, where.value)}, 0)"


def _event_fields(spec: EventFilter) -> list[str]:
    fields = [w.field for w in spec.where]
    if spec.sum is not None:
        fields.append(spec.sum.field)
    if spec.distinct is not None:
        fields.append(spec.distinct.field)
    return fields


def _domain(text: str) -> str:
    domain = text.strip().lower().rstrip(".")
    return domain.removeprefix("www.")


def compile_sql(segment: Segment, *, now: datetime, per_profile: bool = False) -> CompiledSql:
    """The SQL condition of a prepared segment; `now` anchors `window_days`.

    The default form evaluates each set-wide subquery once (for counting or paging the whole segment);
    `per_profile` correlates them with `p` instead, for testing a few given profiles.
    """
    compiler = _Compiler(now, per_profile)
    where = compiler.condition(segment.root)
    return CompiledSql(where=where, params=compiler.params)


def members_query(
    compiled: CompiledSql, *, after: str | None, limit: int, among: list[str] | None = None
) -> tuple[str, dict[str, Any]]:
    """Profile IDs in the segment, in ID order after `after`, at most `limit` (only those in `among`, if given)."""
    params = dict(compiled.params) | {"kind": EntityKind.PROFILE.value, "after": after or "", "limit": limit}
    sql = "SELECT p.id FROM entities p WHERE p.kind = :kind AND p.id > :after"
    if among is not None:
        params |= {f"among{i}": profile_id for i, profile_id in enumerate(among)}
        sql += f" AND p.id IN ({', '.join(f':among{i}' for i in range(len(among)))})"
    return sql + f" AND ({compiled.where}) ORDER BY p.id LIMIT :limit", params


def count_query(compiled: CompiledSql) -> tuple[str, dict[str, Any]]:
    """The number of profiles in the segment."""
    sql = f"SELECT count(*) FROM entities p WHERE p.kind = :kind AND ({compiled.where})"
    return sql, dict(compiled.params) | {"kind": EntityKind.PROFILE.value}


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_minute(at: str | None, zone: str | None) -> int | None:
    """Minutes after local midnight in `zone` of an `at` key (see graph.events.time_key); None if unreadable."""
    if at is None or zone is None:
        return None
    try:
        local = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(_zone(zone))
    except (ValueError, KeyError):
        return None
    return local.hour * 60 + local.minute


def register_functions(connection: sqlite3.Connection) -> None:
    """Register the SQL functions compiled segments call (cheap; safe to repeat on a connection)."""
    connection.create_function(LOCAL_MINUTE, 2, local_minute, deterministic=True)
