"""A cheaper way through graphql-core for fields that only read a value: attributes and argument-free methods.

strawberry hands graphql-core a resolver for every field. For a plain attribute (no resolver of its own, no
arguments, no extensions) that resolver is two calls deep, and graphql-core still builds a resolve-info tuple,
looks for arguments and runs the generic completion for each field: about 15 us a field, and a profile with its
traits, identifiers, consents and events has about a hundred of them. After the schema is built, `plan_fields`
finds the fields that need none of that:

- plain attributes (strawberry's "basic" fields: no resolver, no arguments, no extensions such as `requires`);
- methods taking only `self` (no `info`, no arguments, no extensions; synchronous), such as `Profile.id`.

`FastExecutionContext` reads those with one call and, when their type is a scalar or an enum, serialises the value
directly, exactly as graphql-core's completion would (the same `coerce_output_value`); anything unusual (a null
for a non-null field, a value that will not serialise, an awaitable, an error) takes graphql-core's own path, so
errors and their locations are unchanged. An object whose selected fields are all such attributes (a trait, an
identifier, an event node) is completed in one loop, and a list of them in one more, with graphql-core's path
taken for the whole object or list as soon as one value is unusual. Every other field (resolvers with `info` or
arguments, scope checks, masking of properties on demand) runs through its resolver as before. Masking is not
affected: types whose fields are plain hold values that were masked when the object was built (`Identifier.of`,
`Trait(...)`), and fields that mask on demand take `info` so they are never planned.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from typing import Any, cast

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path, is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# Per field: (read the value from its parent object, the scalar or enum serialiser or None, nullable, whether the
# read is a plain attribute, which can be read again at no cost and with no effect).
Plan = tuple[Callable[[Any], Any], Callable[[Any], Any] | None, bool, bool]
# An object whose selected fields are all plain scalar or enum attributes: (response name, read, serialiser,
# nullable) per field, completed in one loop (see FastExecutionContext._flat).
Flat = list[tuple[str, Callable[[Any], Any], Callable[[Any], Any], bool]]
_PLAIN_VALUES = frozenset({str, int, float, bool})
_PLANS_ATTRIBUTE = "_idgraph_field_plans"
# Flat plans shared by the requests of a schema, by (object type, the field nodes of the group): see _flat.
_SHARED_ATTRIBUTE = "_idgraph_shared_flats"
_MAX_SHARED = 4096
SharedKey = tuple[str, tuple[int, ...]]
_NO_PLANS: dict[str, Plan] = {}


def _getter(field: StrawberryField, graphql_field: GraphQLField, default_resolver: Any) -> Callable[[Any], Any] | None:
    """How to read the field straight from its parent object, or None when it needs strawberry's resolver."""
    if field.extensions or field.arguments or graphql_field.args or graphql_field.resolve is None:
        return None
    resolver = field.base_resolver
    if resolver is None:
        # strawberry's basic field: `default_resolver(source, python_name)`, getattr unless configured otherwise.
        if not getattr(graphql_field.resolve, "_is_default", False) or default_resolver is not getattr:
            return None
        name = field.python_name

        def read_attribute(source: Any) -> Any:
            return getattr(source, name)

        return read_attribute
    if resolver.is_async or resolver.self_parameter is None:
        return None
    if resolver.info_parameter or resolver.root_parameter or resolver.parent_parameter:
        return None
    if len(resolver.signature.parameters) != 1:  # self and nothing else
        return None
    method = resolver.wrapped_func
    if not callable(method):
        return None
    return method


def plan_fields(schema: GraphQLSchema, *, default_resolver: Any, exception_handlers: bool) -> int:
    """Record on `schema` the fields `FastExecutionContext` may read directly; returns how many."""
    plans: dict[str, dict[str, Plan]] = {}
    if not exception_handlers:  # strawberry's exception handlers need its resolver wrapper on every field
        for type_name, graphql_type in schema.type_map.items():
            if not isinstance(graphql_type, GraphQLObjectType) or type_name.startswith("__"):
                continue
            for field_name, graphql_field in graphql_type.fields.items():
                field = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
                if not isinstance(field, StrawberryField) or field.is_subscription:
                    continue
                getter = _getter(field, graphql_field, default_resolver)
                if getter is None:
                    continue
                output: GraphQLOutputType = graphql_field.type
                nullable = not isinstance(output, GraphQLNonNull)
                inner = output.of_type if isinstance(output, GraphQLNonNull) else output
                serialise = inner.coerce_output_value if is_leaf_type(inner) else None
                attribute = field.base_resolver is None
                plans.setdefault(type_name, {})[field_name] = (getter, serialise, nullable, attribute)
    setattr(schema, _PLANS_ATTRIBUTE, plans)
    setattr(schema, _SHARED_ATTRIBUTE, {})
    return sum(len(fields) for fields in plans.values())


def _complete_flat(flat: Flat, source: Any) -> dict[str, Any] | None:
    """The completed fields of one object, or None when a value is anything but a plain serialisable one (a null
    for a non-null field, an awaitable, an error, a value its scalar refuses): graphql-core then completes the
    object, reading its attributes again, and reports the error where it belongs."""
    completed: dict[str, Any] = {}
    try:
        for response_name, read, serialise, nullable in flat:
            value = read(source)
            if value is None:
                if not nullable:
                    return None
                completed[response_name] = None
                continue
            if type(value) not in _PLAIN_VALUES and (isinstance(value, Exception) or is_awaitable(value)):
                return None
            serialised = serialise(value)
            if serialised is None or serialised is Undefined:
                return None
            completed[response_name] = serialised
    except Exception:  # graphql-core completes the object again and reports the error
        return None
    return completed


def _shareable(field_details_list: FieldDetailsList) -> bool:
    """Whether the sub-fields of the group depend on its nodes alone: plain fields, no fragments or directives
    (whose `if: $var` depends on the request), no deferral, no fragment variables."""
    for details in field_details_list:
        if details.defer_usage is not None or details.fragment_variable_values is not None:
            return False
        selection_set = details.node.selection_set
        if selection_set is None:
            return False
        for selection in selection_set.selections:
            if type(selection) is not FieldNode or selection.directives:
                return False
    return True


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context with the direct path for planned fields (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core's helpers are bound methods of the executor, which holds them: a reference cycle that keeps
        # the whole request (its context, loaders, records and results) alive until a full garbage collection, and
        # on a busy server those collections take tens of milliseconds each. Through a weak reference the request
        # is freed as soon as its response is built.
        executor = weakref.ref(self)

        def gather(*args: Any, **kwargs: Any) -> Any:
            return executor().gather_async_work(*args, **kwargs)  # type: ignore[union-attr]

        def track(*args: Any, **kwargs: Any) -> Any:
            return executor().track_async_work(*args, **kwargs)  # type: ignore[union-attr]

        self.async_helpers = GraphQLResolveInfoHelpers(gather=gather, track=track)
        manager = self.middleware_manager
        # Field middleware (an extension's `resolve` hook) must see every field: then nothing is read directly.
        direct = manager is None or not manager.middlewares
        self._plans: dict[str, dict[str, Plan]] = getattr(self.schema, _PLANS_ATTRIBUTE, {}) if direct else {}
        # Per (object type, field group): its Flat plan or None; the group is kept alive with it, as graphql-core
        # does in its own cache of collected sub-fields, so that its id is not reused within the request.
        self._flats: dict[tuple[str, int], tuple[FieldDetailsList, Flat | None]] = {}
        self._shared: dict[SharedKey, tuple[tuple[FieldNode, ...], Flat | None]] | None = (
            getattr(self.schema, _SHARED_ATTRIBUTE, None) if direct else None
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        plan = self._plans.get(parent_type.name, _NO_PLANS).get(node.name.value)
        if plan is None or node.arguments:
            return super().execute_field(parent_type, source, field_details_list, path, position_context)
        read, serialise, nullable, _ = plan
        field_def = parent_type.fields[node.name.value]
        return_type = field_def.type
        try:
            value = read(source)
            if serialise is not None and not self.is_awaitable(value) and not isinstance(value, Exception):
                if value is None or value is Undefined:
                    if nullable:
                        return None
                else:
                    serialised = serialise(value)
                    if serialised is not None and serialised is not Undefined:
                        return serialised
            # Objects, lists and every unusual case: graphql-core's completion, as for any resolver's result.
            info = self.build_resolve_info(field_def, [d.node for d in field_details_list], parent_type, path)
            if self.is_awaitable(value):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, value, position_context
                )
            completed = self.complete_value(return_type, field_details_list, info, path, value, position_context)
            if self.is_awaitable(completed):
                return self._await_completed(completed, return_type, field_details_list, path)
            return completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's completion, with the common cases first: non-null wrappers, null, and object types
        without `is_type_of` (which need only their sub-selections). Lists, scalars, enums, abstract types and
        anything else go to graphql-core's own code."""
        if isinstance(result, Exception):
            raise result
        kind = type(return_type)
        if kind is GraphQLNonNull:
            completed = self.complete_value(
                cast("GraphQLNonNull[Any]", return_type).of_type,
                field_details_list,
                info,
                path,
                result,
                position_context,
            )
            if completed is None:
                raise TypeError(f"Cannot return null for non-nullable field {info.parent_type}.{info.field_name}.")
            return completed
        if result is None or result is Undefined:
            return None
        if kind is GraphQLObjectType and cast("GraphQLObjectType", return_type).is_type_of is None:
            object_type = cast("GraphQLObjectType", return_type)
            flat = self._flat(object_type, field_details_list)
            if flat is not None:
                completed = _complete_flat(flat, result)
                if completed is not None:
                    return completed
            return self.collect_and_execute_subfields(object_type, field_details_list, path, result, position_context)
        if kind is GraphQLList:
            if type(result) is list or type(result) is tuple:
                completed_list = self._complete_flat_list(
                    cast("GraphQLList[Any]", return_type), field_details_list, result
                )
                if completed_list is not None:
                    return completed_list
            return self.complete_list_value(
                cast("GraphQLList[Any]", return_type),
                field_details_list,
                info,
                path,
                result,
                position_context,
            )
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def _flat(self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList) -> Flat | None:
        """The Flat plan of an object's selection, or None when any selected field needs more than a read.

        Documents are parsed once per query text (api.security.guard), so the requests of one query share their
        field nodes, and the plan of a group of nodes whose sub-selections are plain fields (no fragments, no
        directives: nothing that depends on variables) is worked out once for all of them. The shared entry holds
        its nodes, so their ids are not reused while it lives."""
        key = (object_type.name, id(field_details_list))
        known = self._flats.get(key)
        if known is not None:
            return known[1]
        shared_key: SharedKey | None = None
        if self._shared is not None:
            shared_key = (object_type.name, tuple(id(details.node) for details in field_details_list))
            found = self._shared.get(shared_key)
            if found is not None:
                self._flats[key] = (field_details_list, found[1])
                return found[1]
        flat: Flat | None = None
        plans = self._plans.get(object_type.name)
        if plans is not None:
            grouped, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
            flat = []
            for response_name, details in grouped.items():
                node = details[0].node
                plan = plans.get(node.name.value)
                if new_defer_usages or plan is None or node.arguments or not plan[3] or plan[1] is None:
                    flat = None
                    break
                flat.append((response_name, plan[0], plan[1], plan[2]))
        self._flats[key] = (field_details_list, flat)
        if shared_key is not None and self._shared is not None and _shareable(field_details_list):
            if len(self._shared) >= _MAX_SHARED:
                self._shared.clear()
            self._shared[shared_key] = (tuple(details.node for details in field_details_list), flat)
        return flat

    def _complete_flat_list(
        self, list_type: GraphQLList[Any], field_details_list: FieldDetailsList, items: list[Any] | tuple[Any, ...]
    ) -> list[Any] | None:
        """A list of Flat objects completed in one loop; None (nothing done) for anything else, or any item that
        is null or unusual: graphql-core then completes the list, with its errors and their paths."""
        item_type = list_type.of_type
        if type(item_type) is GraphQLNonNull:
            item_type = item_type.of_type
        if type(item_type) is not GraphQLObjectType or item_type.is_type_of is not None:
            return None
        if any(details.node.directives for details in field_details_list):  # @stream and the like
            return None
        flat = self._flat(item_type, field_details_list)
        if flat is None:
            return None
        completed = []
        for item in items:
            values = None if item is None else _complete_flat(flat, item)
            if values is None:
                return None
            completed.append(values)
        return completed

    async def _await_completed(
        self,
        completed: Awaitable[Any],
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
