"""Root queries: profiles by ID or by any identifier."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.schema.context import Info
from api.schema.errors import InputError
from api.schema.types import Profile
from graph import PERSON_KINDS, EntityKind, Identifier, IdentifierKind
from loaders import normalise_identifier


@strawberry.type
class ProfileQuery:
    @strawberry.field(description="A profile by its ID; the ID of a merged-away profile gives its survivor.")
    def profile(self, info: Info, id: strawberry.ID) -> Profile | None:
        entity = info.context.store.get_entity(str(id))
        if entity is None or entity.kind is not EntityKind.PROFILE:
            return None
        return Profile(entity=entity)

    @strawberry.field(
        description="The profile holding an identifier. The value is normalised as the loaders do (emails"
        " lower-cased, phones to E.164). When the identifier is shared by several profiles (it did not link"
        " them), the one with the smallest ID is returned."
    )
    def profile_by_identifier(
        self,
        info: Info,
        kind: IdentifierKind,
        value: str,
        system: Annotated[str | None, strawberry.argument(description="issuing system, for ACCOUNT")] = None,
    ) -> Profile | None:
        try:
            normalised = normalise_identifier(kind, value, phone_region=info.context.settings.phone_region)
        except ValueError as exc:
            raise InputError(f"argument 'value': {exc}") from None
        if kind is IdentifierKind.ACCOUNT and not system:
            raise InputError("argument 'system' is required for ACCOUNT identifiers")
        store = info.context.store
        holders = store.records_with(
            Identifier(kind, normalised, (system or "") if kind is IdentifierKind.ACCOUNT else "")
        )
        records = store.get_records(holders)
        people = [key for key in holders if key in records and records[key].kind in PERSON_KINDS]
        entity_ids = sorted(set(store.entity_ids_of(people).values()))
        for entity_id in entity_ids:
            entity = store.get_entity(entity_id)
            if entity is not None:
                return Profile(entity=entity)
        return None
