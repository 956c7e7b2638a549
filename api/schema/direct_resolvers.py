"""Direct resolvers: strawberry's per-field wrapper replaced, after the schema is built, by one function per field.

For a field with a resolver, strawberry runs on every call a chain built for the general case: an Info object,
`get_arguments`, which converts each argument by walking its type recursively (an `EventInput` with one
identifier takes 24 calls and about 0.3 ms), the extension chain (here `requires`, the scope check) and two
wrappers around the resolver. `install_direct_resolvers` gives each field whose pieces it fully understands a
resolver that does the same steps in the same order with everything worked out once:

1. the arguments converted by a converter compiled from their types, with strawberry's rules (input objects built
   with None for omitted fields without a default, lists copied, scalars and enums as graphql-core coerced them);
2. the scope checks of `requires` (`HasScope.has_permission`, then `on_unauthorized`, which raises FORBIDDEN);
3. the resolver, given the parent object as `self`, `info` as strawberry's Info, the converted arguments.

A field with anything else (other extensions, `Maybe` or `GlobalID` arguments, input types with `from_input`,
exception handlers) keeps strawberry's resolver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING
from typing import Any

import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo
from strawberry.permission import PermissionExtension
from strawberry.relay.types import GlobalID
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryList, StrawberryMaybe, StrawberryOptional, has_object_definition
from strawberry.types.enum import has_enum_definition
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

from api.security.permissions import HasScope

try:  # strawberry's own test of "used as is" (scalars, enums); without it every field keeps strawberry's path
    from strawberry.types.arguments import _is_leaf_type, _is_optional_leaf_type

    _CONVERTS = True
except ImportError:  # pragma: no cover - a strawberry version that reorganised its internals
    _CONVERTS = False

Converter = Callable[[Any], Any]


class _Unsupported(Exception):
    """A type this module does not convert: the field keeps strawberry's resolver."""


class _Compiler:
    def __init__(self, schema: strawberry.Schema) -> None:
        self.registry = schema.schema_converter.scalar_registry
        self.names = schema.config.name_converter
        self._inputs: dict[Any, Converter] = {}  # input types may nest themselves (segment conditions)

    def leaf(self, type_: Any) -> bool:
        return bool(_is_leaf_type(type_, self.registry))

    def converter(self, type_: Any) -> Converter | None:
        """What strawberry's `convert_argument` does to a value of `type_`; None when it returns it unchanged."""
        if isinstance(type_, StrawberryMaybe):
            raise _Unsupported
        if isinstance(type_, StrawberryOptional):
            return self.converter(type_.of_type)
        if isinstance(type_, StrawberryList):
            item_type = type_.of_type
            skip = (GlobalID,)
            if _is_leaf_type(item_type, self.registry, skip) or _is_optional_leaf_type(item_type, self.registry, skip):
                return _copied_list
            return _list_of(self.converter(item_type))
        if type_ is GlobalID:
            raise _Unsupported
        if self.leaf(type_):
            return None
        if isinstance(type_, LazyType):
            return self.converter(type_.resolve_type())
        if has_enum_definition(type_):
            return self.converter(type_.__strawberry_definition__)
        if has_object_definition(type_):
            return self._input(type_)
        raise _Unsupported

    def _input(self, type_: Any) -> Converter:
        known = self._inputs.get(type_)
        if known is not None:
            return known
        definition = type_.__strawberry_definition__
        if definition.from_input is not None:
            raise _Unsupported
        # As strawberry: an input field without a default is None when the value leaves it out.
        required = [f for f in definition.fields if f.default_value is MISSING and f.default_factory is MISSING]
        defaults = {f.python_name: None for f in required} if definition.is_input else {}
        fields: list[tuple[str, str, Converter | None]] = []

        def build(value: Any) -> Any:
            if value is None or value is UNSET:
                return value
            kwargs = dict(defaults)
            for graphql_name, python_name, convert in fields:
                if graphql_name in value:
                    item = value[graphql_name]
                    kwargs[python_name] = item if convert is None else convert(item)
            return type_(**kwargs)

        self._inputs[type_] = build  # before its fields: a field of the same type refers to it
        try:
            for f in definition.fields:
                resolved = f.resolve_type(type_definition=definition)
                fields.append((self.names.from_field(f), f.python_name, self.converter(resolved)))
        except _Unsupported:
            del self._inputs[type_]
            raise
        return build


def _copied_list(value: Any) -> Any:
    # Copied: graphql-core gives the same default list to every request that leaves the argument out.
    return value if value is None or value is UNSET else list(value)


def _list_of(convert: Converter | None) -> Converter:
    if convert is None:  # pragma: no cover - leaf items are handled by _copied_list
        return _copied_list

    def convert_list(value: Any) -> Any:
        return value if value is None or value is UNSET else [convert(item) for item in value]

    return convert_list


def _scope_checks(field: StrawberryField) -> list[HasScope]:
    """The `requires` checks of the field, in order; _Unsupported for any other extension."""
    checks: list[HasScope] = []
    for extension in field.extensions:
        if type(extension) is not PermissionExtension or extension.fail_silently:
            raise _Unsupported
        for permission in extension.permissions:
            if type(permission) is not HasScope:
                raise _Unsupported
            checks.append(permission)
    return checks


def _direct_resolver(schema: strawberry.Schema, compiler: _Compiler, field: StrawberryField) -> Callable[..., Any]:
    resolver = field.base_resolver
    if resolver is None or field.is_subscription:
        raise _Unsupported
    method = resolver.wrapped_func
    if not callable(method):
        raise _Unsupported
    checks = _scope_checks(field)
    arguments = [
        (compiler.names.from_argument(argument), argument.python_name, compiler.converter(argument.type))
        for argument in field.arguments
    ]
    takes_self = resolver.self_parameter is not None
    parent = resolver.parent_parameter.name if resolver.parent_parameter else None
    root = resolver.root_parameter.name if resolver.root_parameter else None
    info_name = resolver.info_parameter.name if resolver.info_parameter else None
    info_class = schema.config.info_class

    # Positional-only: an argument may be called `source` or `info` (setConsent has a `source`).
    def resolve(source: Any, raw_info: GraphQLResolveInfo[Any], /, **raw: Any) -> Any:
        kwargs: dict[str, Any] = {}
        for graphql_name, python_name, convert in arguments:
            if graphql_name in raw:
                value = raw[graphql_name]
                kwargs[python_name] = value if convert is None else convert(value)
        if parent is not None:
            kwargs[parent] = source
        if root is not None:
            kwargs[root] = source
        info = info_class(_raw_info=raw_info, _field=field)
        for check in checks:
            if not check.has_permission(source, info, **kwargs):
                return check.on_unauthorized()  # raises FORBIDDEN
        if info_name is not None:
            kwargs[info_name] = info
        return method(source, **kwargs) if takes_self else method(**kwargs)

    return resolve


def install_direct_resolvers(schema: strawberry.Schema) -> int:
    """Replace strawberry's resolver of every field this module fully handles; returns how many were replaced."""
    if not _CONVERTS or schema.schema_converter._exception_handler_specs:
        return 0
    compiler = _Compiler(schema)
    replaced = 0
    for type_name, graphql_type in schema._schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for graphql_field in graphql_type.fields.values():
            field = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField) or field.base_resolver is None:
                continue
            try:
                graphql_field.resolve = _direct_resolver(schema, compiler, field)
            except _Unsupported:
                continue
            replaced += 1
    return replaced
