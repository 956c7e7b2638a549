"""The request guard: every GraphQL document is parsed and validated once per query text, then reused.

For each (query text, operation name) the guard keeps the parsed document and the outcome of validation: the
standard rules, the query limits (api.security.limits), and in production the ban on introspection. A request
whose text was seen before skips parsing and validation entirely; only a cost that depends on the request's
variables (`first: $n`) is measured again. Query operations need the `profiles:read` scope. Everything here
runs before execution, so a refused request never reaches a resolver.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from threading import Lock

from graphql import DocumentNode, FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from api.schema.errors import ForbiddenError
from api.security.limits import Limits, limit_errors, limits_rule, measure
from api.security.scopes import Scope

_META_FIELDS = frozenset({"__schema", "__type", "__typename"})


@dataclass(frozen=True)
class CheckedDocument:
    document: DocumentNode
    errors: tuple[GraphQLError, ...]
    operation: OperationType | None
    root_fields: tuple[str, ...]
    cost_uses_variables: bool


class DocumentCache:
    """Checked documents by (query text, operation name), least recently used dropped first."""

    def __init__(self, limits: Limits, *, production: bool, maxsize: int = 1024) -> None:
        self.limits = limits
        self.production = production
        self.maxsize = maxsize
        self._documents: OrderedDict[tuple[str, str | None], CheckedDocument] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple[str, str | None]) -> CheckedDocument | None:
        with self._lock:
            found = self._documents.get(key)
            if found is not None:
                self._documents.move_to_end(key)
            return found

    def put(self, key: tuple[str, str | None], checked: CheckedDocument) -> None:
        with self._lock:
            self._documents[key] = checked
            while len(self._documents) > self.maxsize:
                self._documents.popitem(last=False)

    def __len__(self) -> int:
        return len(self._documents)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


class RequestGuard(SchemaExtension):
    """Parse (max tokens), validate (standard rules, limits, no introspection in production), check the scope."""

    def __init__(self, cache: DocumentCache) -> None:
        self.cache = cache
        self._checked: CheckedDocument | None = None
        self._key: tuple[str, str | None] = ("", None)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        # The name the client gave (once a document is parsed, `operation_name` falls back to its operation's).
        self._key = (context.query or "", context.operation_name)
        checked = self.cache.get(self._key)
        if checked is None:
            # A syntax error (or too many tokens) raises here and becomes the response's error; it is not cached.
            context.graphql_document = parse(context.query or "", max_tokens=self.cache.limits.max_tokens)
        else:
            self._checked = checked
            context.graphql_document = checked.document
        yield

    def _check(self, document: DocumentNode, operation_name: str | None) -> CheckedDocument:
        context = self.execution_context
        rules = [*context.validation_rules, limits_rule(self.cache.limits, None, operation_name)]
        if self.cache.production:
            rules.append(NoSchemaIntrospectionCustomRule)
        errors = validate_document(context.schema._schema, document, tuple(rules))
        operation = _operation(document, operation_name)
        roots = tuple(
            s.name.value for s in (operation.selection_set.selections if operation else ()) if isinstance(s, FieldNode)
        )
        uses_variables = measure(context.schema._schema, document, None, operation_name).uses_variables
        return CheckedDocument(
            document=document,
            errors=tuple(errors),
            operation=operation.operation if operation else None,
            root_fields=roots,
            cost_uses_variables=uses_variables,
        )

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        checked = self._checked
        if checked is None and context.graphql_document is not None:
            checked = self._check(context.graphql_document, context.operation_name)
            self.cache.put(self._key, checked)
        if checked is not None:
            errors = list(checked.errors)
            if not errors and checked.cost_uses_variables:
                found = measure(
                    context.schema._schema, checked.document, context.variables or {}, context.operation_name
                )
                errors = limit_errors(found, self.cache.limits)
            if not errors and checked.operation is OperationType.QUERY:
                principal = getattr(context.context, "principal", None)
                needs_scope = any(name not in _META_FIELDS for name in checked.root_fields)
                if needs_scope and (principal is None or not principal.allows(Scope.PROFILES_READ)):
                    errors = [ForbiddenError(Scope.PROFILES_READ.value)]
            # An empty list (not None) tells strawberry validation is done.
            context.pre_execution_errors = errors
        yield
