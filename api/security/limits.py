"""Query limits as a GraphQL validation rule: depth, aliases, page sizes and cost, checked before anything runs.

Cost estimates how many fields a document resolves: each field counts once for every item of the lists above it.
A connection's `edges` (and `nodes`) repeat `first` times (the default page size when `first` is absent), its
`totalCount` and `pageInfo` once; another field taking `first` multiplies what is under it by `first`; any other
list field multiplies by the default page size.
`first` above the page-size cap is refused here too, so no resolver ever sees it. Introspection (`__schema`,
`__type`) is outside the limits: it is off in production, and GraphiQL's own query is deep.

The walk is linear in the document: a fragment is measured once and reused wherever it is spread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
)

from api.schema.errors import BAD_USER_INPUT, limit_error
from api.schema.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

_INTROSPECTION = frozenset({"__schema", "__type"})
_PAGE_FIELDS = frozenset({"edges", "nodes"})  # the fields of a connection that repeat once per item


def _is_connection(named: Any) -> bool:
    fields = getattr(named, "fields", None) or {}
    return "edges" in fields and "pageInfo" in fields


@dataclass(frozen=True)
class Limits:
    max_depth: int = 12
    max_aliases: int = 30
    max_cost: int = 100_000
    max_tokens: int = 2000


@dataclass
class Measure:
    """What a document asks for: its cost, deepest nesting, aliases, and `first` arguments out of range."""

    cost: int = 0
    depth: int = 0
    aliases: int = 0
    bad_first: list[FieldNode] | None = None
    # A `first` given by a variable: the cost depends on the request's variables.
    uses_variables: bool = False


class _Walk:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any] | None) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.memo: dict[tuple[str, int], tuple[int, int, int]] = {}
        self.active: set[str] = set()
        self.defaults: dict[str, Any] = {}
        self.measure = Measure()

    def operation(self, operation: OperationDefinitionNode) -> None:
        root = self.schema.get_root_type(operation.operation)
        self.defaults = {
            v.variable.name.value: v.default_value.value
            for v in operation.variable_definitions or ()
            if isinstance(v.default_value, IntValueNode)
        }
        if root is None:
            return
        cost, depth, aliases = self.selections(operation.selection_set, root)
        self.measure.cost += cost
        self.measure.depth = max(self.measure.depth, depth)
        self.measure.aliases += aliases

    def _first(self, field: FieldNode) -> int | None:
        """The value of the field's `first` argument; None when absent (or unknown: a bad variable)."""
        for argument in field.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                self.measure.uses_variables = True
                name = value.name.value
                given = self.variables.get(name) if self.variables is not None else None
                if given is None:
                    given = self.defaults.get(name)
                    return int(given) if given is not None else None
                return given if isinstance(given, int) and not isinstance(given, bool) else None
        return None

    def selections(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, page: int = 1
    ) -> tuple[int, int, int]:
        """(cost, depth, aliases) of a selection set under one item of `parent`; `page` is the size of the page
        when `parent` is a connection (its `edges` and `nodes` repeat that often, its `totalCount` once)."""
        if selection_set is None:
            return 0, 0, 0
        cost = depth = aliases = 0
        fields = getattr(parent, "fields", None) or {}  # a union has none: its inline fragments name the types
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name in _INTROSPECTION or name == "__typename":
                    continue
                aliases += selection.alias is not None
                definition = fields.get(name)
                if definition is None:  # unknown field: the standard rules report it
                    continue
                child_type = get_named_type(definition.type)
                inner_page = DEFAULT_PAGE_SIZE
                if "first" in definition.args:
                    first = self._first(selection)
                    if first is not None and not 0 <= first <= MAX_PAGE_SIZE:
                        self.measure.bad_first = [*(self.measure.bad_first or []), selection]
                    inner_page = DEFAULT_PAGE_SIZE if first is None else max(0, min(first, MAX_PAGE_SIZE))
                if _is_connection(child_type):
                    factor = 1
                elif _is_connection(parent) and name in _PAGE_FIELDS:
                    factor = page
                elif "first" in definition.args:
                    factor = inner_page
                elif isinstance(get_nullable_type(definition.type), GraphQLList):
                    factor = DEFAULT_PAGE_SIZE
                else:
                    factor = 1
                child_cost, child_depth, child_aliases = self.selections(
                    selection.selection_set, child_type, inner_page
                )
                cost += 1 + factor * child_cost
                depth = max(depth, 1 + child_depth)
                aliases += child_aliases
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                typed = self.schema.get_type(condition.name.value) if condition else parent
                part = self.selections(selection.selection_set, typed or parent, page)
                cost, depth, aliases = cost + part[0], max(depth, part[1]), aliases + part[2]
            elif isinstance(selection, FragmentSpreadNode):
                part = self.fragment(selection.name.value, page)
                cost, depth, aliases = cost + part[0], max(depth, part[1]), aliases + part[2]
        return cost, depth, aliases

    def fragment(self, name: str, page: int) -> tuple[int, int, int]:
        if (name, page) in self.memo:
            return self.memo[(name, page)]
        definition = self.fragments.get(name)
        if definition is None or name in self.active:  # unknown or cyclic: the standard rules report it
            return 0, 0, 0
        self.active.add(name)
        typed = self.schema.get_type(definition.type_condition.name.value)
        part = self.selections(definition.selection_set, typed, page) if typed is not None else (0, 0, 0)
        self.active.discard(name)
        self.memo[(name, page)] = part
        return part


def measure(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any] | None, operation_name: str | None
) -> Measure:
    """Measure the operation that would run (the named one, else every operation of the document)."""
    walk = _Walk(schema, document, variables)
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None or (definition.name is not None and definition.name.value == operation_name)
        ):
            walk.operation(definition)
    return walk.measure


def limit_errors(found: Measure, limits: Limits) -> list[GraphQLError]:
    """The errors of a measured document: page sizes first (they name the argument), then each limit passed."""
    errors = [
        GraphQLError(
            f"argument 'first' must be between 0 and {MAX_PAGE_SIZE}",
            nodes=field,
            extensions={"code": BAD_USER_INPUT},
        )
        for field in found.bad_first or []
    ]
    if found.depth > limits.max_depth:
        errors.append(limit_error("depth", f"the query is {found.depth} levels deep; at most {limits.max_depth}"))
    if found.aliases > limits.max_aliases:
        errors.append(limit_error("aliases", f"the query has {found.aliases} aliases; at most {limits.max_aliases}"))
    if found.cost > limits.max_cost:
        errors.append(
            limit_error(
                "cost",
                f"the query's estimated cost is {found.cost:,} (fields times page sizes); at most {limits.max_cost:,}:"
                " ask for smaller pages or fewer fields",
            )
        )
    return errors


def limits_rule(
    limits: Limits, variables: Mapping[str, Any] | None = None, operation_name: str | None = None
) -> type[ValidationRule]:
    """A graphql-core validation rule enforcing `limits` (with the request's variables, when known)."""

    class QueryLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            found = measure(context.schema, context.document, variables, operation_name)
            for error in limit_errors(found, limits):
                context.report_error(error)

    return QueryLimitsRule
