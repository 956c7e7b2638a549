"""Risk queries: identifiers (devices, phones, ...) held by records of many distinct profiles."""

from __future__ import annotations

from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool

from api.schema.context import Info
from api.schema.errors import InputError
from api.schema.types import Identifier, Profile
from api.security.permissions import requires
from api.security.scopes import Scope
from graph import Entity, IdentifierKind, SharedIdentifier

MAX_CLUSTERS = 100
MAX_PROFILES_PER_CLUSTER = 100


@strawberry.type(description="An identifier linking several profiles: a shared device, a call-centre phone, ...")
class IdentifierCluster:
    shared: strawberry.Private[SharedIdentifier]
    members: strawberry.Private[list[Entity]]

    @strawberry.field(description="the identifier (value masked without pii:read)")
    def identifier(self, info: Info) -> Identifier:
        return Identifier.of(self.shared.identifier, sees_pii=info.context.sees_pii)

    @strawberry.field(description="how many distinct profiles hold it")
    def profile_count(self) -> int:
        return self.shared.entity_count

    @strawberry.field(description="the first of those profiles in ID order (capped by `profilesPerCluster`)")
    def profiles(self) -> list[Profile]:
        return [Profile(entity=entity) for entity in self.members]


def _bounded(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise InputError(f"argument '{name}' must be between {low} and {high}")
    return value


@strawberry.type
class RiskQuery:
    @strawberry.field(
        description="Identifiers of one kind held by records of at least `minProfiles` distinct profiles, most"
        " shared first (then by value).",
        extensions=[requires(Scope.PROFILES_READ)],
    )
    async def shared_identifier_clusters(
        self,
        info: Info,
        kind: IdentifierKind,
        min_profiles: int,
        first: Annotated[int, strawberry.argument(description=f"clusters, at most {MAX_CLUSTERS}")] = 20,
        profiles_per_cluster: Annotated[
            int, strawberry.argument(description=f"profiles listed per cluster, at most {MAX_PROFILES_PER_CLUSTER}")
        ] = 20,
    ) -> list[IdentifierCluster]:
        _bounded("minProfiles", min_profiles, 2, 1_000_000)
        _bounded("first", first, 0, MAX_CLUSTERS)
        _bounded("profilesPerCluster", profiles_per_cluster, 0, MAX_PROFILES_PER_CLUSTER)
        if first == 0:
            return []
        store = info.context.store
        shared = await run_in_threadpool(
            lambda: store.shared_identifiers(
                kind, min_entities=min_profiles, limit=first, ids_per_identifier=profiles_per_cluster
            )
        )
        # One batched entity read for every cluster's profiles.
        ids = list(dict.fromkeys(entity_id for s in shared for entity_id in s.entity_ids))
        entities = dict(zip(ids, await info.context.loaders.entity.load_many(ids), strict=True))
        return [
            IdentifierCluster(
                shared=s, members=[e for entity_id in s.entity_ids if (e := entities[entity_id]) is not None]
            )
            for s in shared
        ]
