"""The suppression check of loads: a source row holding an erased person's identifier or record key is not loaded.

The store keeps keyed hashes only (graph.erasure); a row's identifiers are normalised as the mapper does, hashed
with the same key, and looked up in the list read once at the start of the load. Each identifier is read on its
own, so a row that would fail validation elsewhere is still recognised (and never reaches the quarantine file).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graph import GraphStore, Identifier, IdentifierKind, RecordKey
from graph.erasure import Suppressor
from loaders.config import SourceConfig
from loaders.fields import FIELDS, SourceKind
from loaders.normalise import normalise_identifier

# Fields holding the identifiers the mapper links (see RowMapper._identifiers), by kind.
_IDENTIFIER_FIELDS = {
    "email": IdentifierKind.EMAIL,
    "phone": IdentifierKind.PHONE,
    "device_id": IdentifierKind.DEVICE,
    "account_id": IdentifierKind.ACCOUNT,
}
# Fields naming a person record: (field, reference role or None for the row's own key).
_PERSON_KEY_FIELDS = {
    SourceKind.CUSTOMER: (("source_id", None),),
    SourceKind.CONTACT: (("source_id", None),),
    SourceKind.EVENT: (("person_id", "person"),),
    SourceKind.DEVICE: (("person_id", "person"),),
    SourceKind.ACCOUNT: (("person_id", "person"),),
    SourceKind.OPPORTUNITY_ROLE: (("contact_id", "contact"),),
}
# The mapper reads `source_id` from an `id` column when the source maps no column onto it.
_ID_ALIAS = "id"

RowCheck = Callable[[SourceConfig, Mapping[str, Any]], bool]


@dataclass(frozen=True)
class _Plan:
    identifiers: tuple[tuple[IdentifierKind, tuple[str, ...]], ...]
    keys: tuple[tuple[str, tuple[str, ...]], ...]  # (source of the key, columns)
    account_system: str
    system_columns: tuple[str, ...]


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


class SuppressionCheck:
    """`check(source, row)`: whether the row holds a suppressed identifier or names a suppressed person record.

    Use as `LoadOptions.is_suppressed`. Build it with `suppression_check` (None when the list is empty).
    """

    def __init__(self, entries: Collection[str], suppress: Suppressor) -> None:
        self._entries = entries if isinstance(entries, (set, frozenset)) else set(entries)
        self._suppress = suppress
        self._plans: dict[int, tuple[SourceConfig, _Plan]] = {}

    def _plan(self, source: SourceConfig) -> _Plan:
        known = self._plans.get(id(source))
        if known is not None and known[0] is source:
            return known[1]
        fields = FIELDS[source.kind]
        identifiers = tuple(
            (kind, tuple(source.column_of(name))) for name, kind in _IDENTIFIER_FIELDS.items() if name in fields
        )
        keys = []
        for name, role in _PERSON_KEY_FIELDS.get(source.kind, ()):
            columns = source.column_of(name)
            if name == "source_id" and name not in source.columns:
                columns = [*columns, _ID_ALIAS]
            keys.append((source.name if role is None else source.reference(role), tuple(columns)))
        system_columns = tuple(source.column_of("system")) if "system" in fields else ()
        plan = _Plan(identifiers, tuple(keys), source.account_system or source.name, system_columns)
        self._plans[id(source)] = (source, plan)
        return plan

    def identifiers_of(self, source: SourceConfig, row: Mapping[str, Any]) -> Iterator[Identifier | RecordKey]:
        """The row's identifiers (normalised; unreadable ones skipped) and the person record keys it names."""
        plan = self._plan(source)
        system = next((t for c in plan.system_columns if (t := _text(row.get(c)))), plan.account_system)
        for kind, columns in plan.identifiers:
            for column in columns:
                raw = _text(row.get(column))
                if raw is None:
                    continue
                try:
                    value = normalise_identifier(kind, raw, phone_region=source.phone_region)
                except ValueError:
                    continue
                yield Identifier(kind, value, system if kind is IdentifierKind.ACCOUNT else "")
        for key_source, columns in plan.keys:
            found = next((t for c in columns if (t := _text(row.get(c)))), None)
            if found is not None:
                yield RecordKey(key_source, found)

    def __call__(self, source: SourceConfig, row: Mapping[str, Any]) -> bool:
        return any(self._suppress(item) in self._entries for item in self.identifiers_of(source, row))

    def holds_suppressed(self, items: Collection[Identifier | RecordKey]) -> bool:
        """Whether any of these identifiers or record keys is suppressed."""
        return any(self._suppress(item) in self._entries for item in items)


def suppression_check(store: GraphStore, suppress: Suppressor) -> SuppressionCheck | None:
    """The check over the store's suppression list as it is now; None when the list is empty (nothing to check)."""
    entries = set(store.iter_suppressed())
    return SuppressionCheck(entries, suppress) if entries else None


def suppression_check_for_rows(
    store: GraphStore, suppress: Suppressor, source: SourceConfig, rows: Iterable[object]
) -> SuppressionCheck | None:
    """The check for a few rows given at once: only the list's entries these rows could hit are read."""
    probe = SuppressionCheck(frozenset(), suppress)
    hashes = {suppress(item) for row in rows if isinstance(row, Mapping) for item in probe.identifiers_of(source, row)}
    entries = store.suppressed(hashes) if hashes else set()
    return SuppressionCheck(entries, suppress) if entries else None
