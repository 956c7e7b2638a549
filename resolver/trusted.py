"""Pydantic models built from values the resolver computed itself, without validating each one again.

A batch run builds one entity, one history event and one SAME_AS relation per group or link: millions of them,
from records the store already validated. Validating each (or even `model_construct`) would cost more than the
rest of the run; the values are whole and of the right types by construction, and `Resolution` checks how they fit
together once, at the store's boundary.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_new = object.__new__
_set = object.__setattr__


def trusted(cls: type[M], **values: Any) -> M:
    """An instance of `cls` holding `values` as given: every field must be given (no defaults are filled in)."""
    instance = _new(cls)
    _set(instance, "__dict__", values)
    _set(instance, "__pydantic_fields_set__", set(values))
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance
