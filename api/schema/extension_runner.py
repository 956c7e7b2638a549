"""strawberry's extension hooks, with the per-request work of finding and wrapping them done once per class.

For every request and every stage (operation, parsing, validation, execution) strawberry asks each extension
whether it defines the stage's hook (`inspect` tests on the class's function) and wraps the hook it finds in a new
`contextlib.contextmanager` (with `functools.wraps`), then enters an exit stack even when no extension has the hook:
a few dozen microseconds a request for three extensions, about the cost of a small field. Here the answer for an
(extension class, stage) is kept, the hook's generator function is wrapped once, and a stage no extension hooks
is entered and left at no cost. Hooks run exactly as before: the same context managers, entered in the
extensions' order and left in reverse through the same exit stacks, with the same errors.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner

# Per (extension class, hook name): None (no hook), (factory taking the extension, is_async), or "callable" for a
# hook that is a plain function or coroutine function, which strawberry's own get_hook wraps.
_Plan = tuple[Callable[[SchemaExtension], Any], bool] | str | None
_PLANS: dict[tuple[type, str], _Plan] = {}


def _plan(extension_type: type, hook_name: str) -> _Plan:
    hook_fn = getattr(extension_type, hook_name)
    if hook_fn is getattr(SchemaExtension, hook_name):
        return None
    if inspect.isgeneratorfunction(hook_fn):
        return contextlib.contextmanager(hook_fn), False
    if inspect.isasyncgenfunction(hook_fn):
        return contextlib.asynccontextmanager(hook_fn), True
    return "callable"


class _CachedHooks(ExtensionContextManagerBase):
    __slots__ = ()

    def get_hook(self, extension: SchemaExtension) -> WrappedHook | None:
        key = (type(extension), self.HOOK_NAME)
        plan = _PLANS.get(key, "unknown")
        if plan == "unknown":
            plan = _PLANS[key] = _plan(type(extension), self.HOOK_NAME)
        if plan is None:
            return None
        if isinstance(plan, str):  # a plain callable: strawberry's wrapping (rare; none of this API's)
            return super().get_hook(extension)
        factory, is_async = plan
        return WrappedHook(extension=extension, hook=partial(factory, extension), is_async=is_async)

    # A stage no extension hooks: nothing to enter or leave (strawberry would still open an empty exit stack).
    def __enter__(self) -> None:
        if self.hooks:
            super().__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        if self.hooks:
            super().__exit__(exc_type, exc_val, exc_tb)

    async def __aenter__(self) -> None:
        if self.hooks:
            await super().__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        if self.hooks:
            await super().__aexit__(exc_type, exc_val, exc_tb)


class _Operation(_CachedHooks, OperationContextManager):
    __slots__ = ()


class _Validation(_CachedHooks, ValidationContextManager):
    __slots__ = ()


class _Parsing(_CachedHooks, ParsingContextManager):
    __slots__ = ()


class _Executing(_CachedHooks, ExecutingContextManager):
    __slots__ = ()


class CachedHooksRunner(SchemaExtensionsRunner):
    """strawberry's runner with the hooks of each extension class looked up once (see the module's docstring)."""

    def operation(self) -> OperationContextManager:
        return _Operation(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _Validation(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _Parsing(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _Executing(self.extensions)
