"""The per-request GraphQL context: the store, the settings, the caller and the request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from api.schema.dataloaders import Loaders
from api.security.principal import Principal
from api.settings import Settings
from graph import GraphStore


@dataclass
class Context(BaseContext):
    store: GraphStore
    settings: Settings
    principal: Principal
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        super().__init__()
        # DataLoaders live for one request: they batch and cache that request's store reads only.
        self.loaders = Loaders(self.store)

    @property
    def sees_pii(self) -> bool:
        return self.principal.sees_pii


Info: TypeAlias = StrawberryInfo[Context, None]
