"""The per-request GraphQL context: the store and the settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from api.settings import Settings
from graph import GraphStore


@dataclass
class Context(BaseContext):
    store: GraphStore
    settings: Settings

    def __post_init__(self) -> None:
        super().__init__()


Info: TypeAlias = StrawberryInfo[Context, None]
