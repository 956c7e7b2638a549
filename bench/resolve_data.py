"""Synthetic person records for bench/resolve.py: numpy-generated, deterministic for a seed, no faker.

True persons have 1-4 records (from crm, shop, app and support sources) holding some of the person's emails,
E.164 phones, devices and shop accounts, about 2.5 identifiers a record. On top of that: households sharing a
landline and a family tablet, call-centre phones on many support records, and placeholder values
(test@test.com, +8613800000000, the all-zero device) that sloppy sources put on many records.

Identifiers are integer codes per kind here (`Dataset.link_*` arrays); strings are made once per identifier.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from pydantic import JsonValue

from graph import GraphBatch, Identifier, IdentifierKind, IdentifierLink, Record, RecordKey, RecordKind
from resolver.linking import LinkTable

KINDS = ("email", "phone", "device", "account")
EMAIL, PHONE, DEVICE, ACCOUNT = range(4)
SOURCES = ("crm", "shop", "app", "support")
ACCOUNT_SYSTEM = "shop"

# Probability that a record of each source (rows) holds an identifier of each kind (columns), and the share of
# records that hold a second one of the kind (a work and a private email, a phone and a tablet).
PRESENCE = np.array(
    [
        [0.97, 0.80, 0.05, 0.45],  # crm
        [0.95, 0.55, 0.30, 0.97],  # shop
        [0.30, 0.10, 0.97, 0.75],  # app
        [0.65, 0.95, 0.05, 0.35],  # support
    ]
)
SECOND = np.array(
    [
        [0.10, 0.08, 0.00, 0.00],
        [0.05, 0.03, 0.10, 0.00],
        [0.02, 0.00, 0.30, 0.00],
        [0.05, 0.10, 0.00, 0.00],
    ]
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


RECORDS_PER_PERSON = np.array([0.50, 0.28, 0.14, 0.08])  # 1, 2, 3, 4 records: mean 1.8

FIRST_NAMES = _words(
    "james mary robert patricia john jennifer michael linda david elizabeth william barbara richard susan joseph "
    "jessica thomas sarah charles karen christopher lisa daniel nancy matthew betty anthony margaret mark sandra "
    "donald ashley steven kimberly paul emily andrew donna joshua michelle kenneth carol kevin amanda brian "
    "melissa george deborah timothy stephanie wei fang jing li min hui yan jun lei ying hong ping xin yu tao "
    "mohammed fatima ahmed aisha omar leila hans anna klaus petra jurgen sabine pierre marie jean sophie luca "
    "giulia marco chiara carlos maria jose ana juan lucia"
)
LAST_NAMES = _words(
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson "
    "anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis "
    "robinson walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall "
    "rivera campbell mitchell carter roberts wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu "
    "guo he lin gao luo muller schmidt schneider fischer weber meyer wagner becker schulz hoffmann dubois "
    "moreau laurent rossi russo ferrari esposito bianchi romano colombo khan ali hussain ahmed patel singh "
    "kumar sharma"
)
CITIES = _words(
    "london manchester new_york chicago san_francisco berlin munich hamburg paris lyon milan rome madrid "
    "beijing shanghai shenzhen guangzhou hangzhou chengdu toronto sydney"
)
EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "qq.com", "163.com", "icloud.com", "gmx.de", "web.de")
PLACEHOLDERS = ((EMAIL, "test@test.com"), (PHONE, "+8613800000000"), (DEVICE, "00000000-0000-0000-0000-000000000000"))


@dataclass
class Dataset:
    """N records, their true persons and their identifier links (record index, kind, code within the kind)."""

    person: np.ndarray  # true person of each record
    source: np.ndarray  # index into SOURCES
    link_record: np.ndarray
    link_kind: np.ndarray
    link_code: np.ndarray
    values: list[list[str]]  # values[kind][code]
    first: np.ndarray  # per person: index into FIRST_NAMES
    last: np.ndarray
    birth: np.ndarray  # per person: days since 1940-01-01
    city: np.ndarray
    created: np.ndarray  # per record: days since 2015-01-01
    pools: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # kind -> (offsets, codes)
    shared: dict[str, int] = field(default_factory=dict)  # what was shared: households, call-centre phones, ...

    @property
    def records(self) -> int:
        return len(self.person)

    @property
    def links(self) -> int:
        return len(self.link_record)

    def record_id(self, i: int) -> str:
        return f"{i:08d}"

    def holders(self) -> np.ndarray:
        """Records holding each identifier, as one array indexed by a global code (see `global_codes`)."""
        return np.bincount(self.global_codes(), minlength=sum(len(v) for v in self.values))

    def global_codes(self) -> np.ndarray:
        offsets = np.cumsum([0] + [len(v) for v in self.values[:-1]])
        return offsets[self.link_kind] + self.link_code


def _pool(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per person a run of fresh codes, `counts[p]` for person p: (offsets into codes, codes)."""
    offsets = np.concatenate([[0], np.cumsum(counts)])
    return offsets, np.arange(offsets[-1], dtype=np.int64)


def _email(code: int, first: str, last: str) -> str:
    return f"{first}.{last}{code}@{EMAIL_DOMAINS[code % len(EMAIL_DOMAINS)]}"


def _phone(code: int) -> str:
    match code % 4:
        case 0:
            return f"+1{201 + code // 4 % 700}{code // 2800 % 10_000_000:07d}"
        case 1:
            return f"+86{(139, 158, 186, 135)[code // 4 % 4]}{code // 16 % 100_000_000:08d}"
        case 2:
            return f"+447{code // 4 % 1_000_000_000:09d}"
        case _:
            return f"+4915{code // 4 % 1_000_000_000:09d}"


def _device(code: int) -> str:
    return str(uuid.UUID(int=(code * 0x9E3779B97F4A7C15F39CC0605CEDC835 + 1) % (1 << 128)))


def _account(code: int) -> str:
    return f"C{code:09d}"


def generate(records: int, seed: int) -> Dataset:
    """`records` person records: see the module docstring."""
    rng = np.random.default_rng(seed)
    # True persons and their records.
    persons = int(records / 1.8 * 1.1) + 10
    sizes = rng.choice(np.arange(1, 5), size=persons, p=RECORDS_PER_PERSON)
    person = np.repeat(np.arange(persons), sizes)[:records]
    persons = int(person[-1]) + 1
    person = person[rng.permutation(records)]
    source = rng.choice(len(SOURCES), size=records, p=[0.35, 0.3, 0.25, 0.1])

    first = rng.integers(0, len(FIRST_NAMES), persons)
    last = rng.integers(0, len(LAST_NAMES), persons)
    birth = rng.integers(0, 365 * 65, persons)
    city = rng.integers(0, len(CITIES), persons)
    created = rng.integers(0, 365 * 10, records)

    # Each person's own identifiers: 1-2 emails, 1-2 phones, 1-3 devices, one shop account.
    pools = {
        EMAIL: _pool(rng.choice([1, 2], size=persons, p=[0.8, 0.2])),
        PHONE: _pool(rng.choice([1, 2], size=persons, p=[0.85, 0.15])),
        DEVICE: _pool(rng.choice([1, 2, 3], size=persons, p=[0.55, 0.3, 0.15])),
        ACCOUNT: _pool(np.ones(persons, dtype=np.int64)),
    }
    link_record: list[np.ndarray] = []
    link_kind: list[np.ndarray] = []
    link_code: list[np.ndarray] = []

    def add(rec: np.ndarray, kind: int, code: np.ndarray) -> None:
        link_record.append(rec.astype(np.int64))
        link_kind.append(np.full(len(rec), kind, dtype=np.int8))
        link_code.append(code.astype(np.int64))

    for kind, (offsets, codes) in pools.items():
        count = offsets[person + 1] - offsets[person]
        for nth in range(2):
            chance = (PRESENCE if nth == 0 else SECOND)[source, kind]
            holds = rng.random(records) < chance
            if nth == 1:
                holds &= count > 1
            rec = np.flatnonzero(holds)
            # The first one is most often the person's main identifier; a second one is another of theirs.
            pick = rng.integers(0, count[rec]) if nth == 0 else (rng.integers(1, count[rec]))
            pick = np.where((nth == 0) & (rng.random(len(rec)) < 0.6), 0, pick)
            add(rec, kind, codes[offsets[person[rec]] + pick])

    values: list[list[str]] = [[], [], [], []]
    sizes_by_kind = {kind: int(pools[kind][1][-1]) + 1 for kind in pools}
    shared: dict[str, int] = {}

    # Households: 8% of persons live with 1-3 others and share a landline and a family tablet.
    household_of = np.full(persons, -1, dtype=np.int64)
    members = rng.permutation(persons)[: int(persons * 0.08)]
    household_sizes = rng.choice([2, 3, 4], size=len(members) // 2, p=[0.5, 0.3, 0.2])
    household_sizes = household_sizes[: np.searchsorted(np.cumsum(household_sizes), len(members))]
    households = len(household_sizes)
    household_of[members[: household_sizes.sum()]] = np.repeat(np.arange(households), household_sizes)
    in_household = np.flatnonzero(household_of[person] >= 0)
    landline = in_household[rng.random(len(in_household)) < 0.35]
    add(landline, PHONE, sizes_by_kind[PHONE] + household_of[person[landline]])
    tablet = in_household[rng.random(len(in_household)) < 0.25]
    add(tablet, DEVICE, sizes_by_kind[DEVICE] + household_of[person[tablet]])
    shared["households"] = households
    sizes_by_kind[PHONE] += households
    sizes_by_kind[DEVICE] += households

    # Call-centre phones: one per 20,000 records, on 5% of the support records (about 100 records each).
    support = np.flatnonzero(source == SOURCES.index("support"))
    centres = max(1, records // 20_000)
    on_centre = support[rng.random(len(support)) < 0.05]
    add(on_centre, PHONE, sizes_by_kind[PHONE] + rng.integers(0, centres, len(on_centre)))
    shared["call-centre phones"] = centres
    sizes_by_kind[PHONE] += centres

    # Placeholders: each on about 1 record in 5,000.
    for kind, _ in PLACEHOLDERS:
        rec = rng.permutation(records)[: max(2, records // 5_000)]
        add(rec, kind, np.full(len(rec), sizes_by_kind[kind]))
        sizes_by_kind[kind] += 1
    shared["placeholder values"] = len(PLACEHOLDERS)

    # Strings, once per identifier.
    email_owner = np.repeat(np.arange(persons), np.diff(pools[EMAIL][0]))
    values[EMAIL] = [
        _email(code, FIRST_NAMES[f], LAST_NAMES[la])
        for code, f, la in zip(
            range(len(email_owner)), first[email_owner].tolist(), last[email_owner].tolist(), strict=True
        )
    ]
    values[PHONE] = [_phone(code) for code in range(int(pools[PHONE][1][-1]) + 1)]
    values[PHONE] += [f"+4420{7_000_000 + h:08d}" for h in range(households)]
    values[PHONE] += [f"+1800{5_550_000 + c:07d}" for c in range(centres)]
    values[DEVICE] = [_device(code) for code in range(int(pools[DEVICE][1][-1]) + 1)]
    values[DEVICE] += [_device(10**12 + h) for h in range(households)]
    values[ACCOUNT] = [_account(code) for code in range(sizes_by_kind[ACCOUNT])]
    for kind, value in PLACEHOLDERS:
        values[kind].append(value)
    assert [len(v) for v in values] == [sizes_by_kind[k] for k in range(4)]

    lr, lk, lc = np.concatenate(link_record), np.concatenate(link_kind), np.concatenate(link_code)
    # One link per (record, identifier), in record order.
    order = np.lexsort((lc, lk, lr))
    lr, lk, lc = lr[order], lk[order], lc[order]
    keep = np.ones(len(lr), dtype=bool)
    keep[1:] = (lr[1:] != lr[:-1]) | (lk[1:] != lk[:-1]) | (lc[1:] != lc[:-1])
    return Dataset(
        person=person,
        source=source,
        link_record=lr[keep],
        link_kind=lk[keep],
        link_code=lc[keep],
        values=values,
        first=first,
        last=last,
        birth=birth,
        city=city,
        created=created,
        pools=pools,
        shared=shared,
    )


# -- as idgraph sees them ----------------------------------------------------------------------------------------


def identifier_objects(data: Dataset) -> list[list[Identifier]]:
    """Identifier objects per kind and code, made once each."""
    kinds = (IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.DEVICE, IdentifierKind.ACCOUNT)
    return [
        [Identifier(kind, value, ACCOUNT_SYSTEM if kind is IdentifierKind.ACCOUNT else "") for value in data.values[k]]
        for k, kind in enumerate(kinds)
    ]


def record_keys(data: Dataset) -> list[RecordKey]:
    """Record i is `source/0000000i`, so the index is the key's source_id."""
    return [RecordKey(SOURCES[s], data.record_id(i)) for i, s in enumerate(data.source.tolist())]


def evidence_links(
    data: Dataset, keys: Sequence[RecordKey], identifiers: Sequence[Sequence[Identifier]]
) -> list[tuple[RecordKey, Identifier]]:
    """The links as a list of (RecordKey, Identifier) pairs, `keys` indexed by record number."""
    return [
        (keys[r], identifiers[k][c])
        for r, k, c in zip(data.link_record.tolist(), data.link_kind.tolist(), data.link_code.tolist(), strict=True)
    ]


def link_table(data: Dataset, identifiers: Sequence[Sequence[Identifier]]) -> tuple[list[RecordKey], LinkTable]:
    """The records in key order (as a store reads them) and the links as a LinkTable over them: the node
    numbers of both ends of each link, the way a graph store holds them."""
    keys = record_keys(data)
    order = sorted(range(data.records), key=keys.__getitem__)
    position = np.empty(data.records, dtype=np.int64)
    position[order] = np.arange(data.records)
    records = [keys[i] for i in order]
    flat = [identifier for per_kind in identifiers for identifier in per_kind]
    return records, LinkTable(records, flat, position[data.link_record], data.global_codes())


_EPOCH = date(2015, 1, 1)
_BIRTH_EPOCH = date(1940, 1, 1)


def _properties(data: Dataset, person: int, created_days: int, rng: np.random.Generator) -> dict[str, JsonValue]:
    created = _EPOCH + timedelta(days=created_days)
    properties: dict[str, JsonValue] = {
        "first_name": FIRST_NAMES[data.first[person]].title(),
        "last_name": LAST_NAMES[data.last[person]].title(),
        "city": CITIES[data.city[person]].replace("_", " ").title(),
        "created_at": created.isoformat() + "T09:00:00+00:00",
    }
    if rng.random() < 0.7:
        properties["birth_date"] = (_BIRTH_EPOCH + timedelta(days=int(data.birth[person]))).isoformat()
    if rng.random() < 0.3:
        properties["email_consent"] = bool(rng.random() < 0.8)
    return properties


def store_batches(data: Dataset, size: int, seed: int) -> Iterator[GraphBatch]:
    """The records and their identifier links as GraphBatches of `size` records (in key order)."""
    rng = np.random.default_rng(seed + 1)
    keys = record_keys(data)
    identifiers = identifier_objects(data)
    kinds = {"crm": RecordKind.CONTACT}
    order = sorted(range(data.records), key=keys.__getitem__)
    starts = np.searchsorted(data.link_record, np.arange(data.records + 1))
    persons, created = data.person.tolist(), data.created.tolist()
    for begin in range(0, data.records, size):
        chunk = order[begin : begin + size]
        records = tuple(
            Record(
                kind=kinds.get(keys[i].source, RecordKind.CUSTOMER),
                key=keys[i],
                properties=_properties(data, persons[i], created[i], rng),
            )
            for i in chunk
        )
        links = tuple(
            IdentifierLink(record=keys[i], identifier=identifiers[int(data.link_kind[p])][int(data.link_code[p])])
            for i in chunk
            for p in range(starts[i], starts[i + 1])
        )
        yield GraphBatch(records=records, links=links)


@dataclass
class Update:
    """One new record for the incremental part, and what it is meant to do."""

    category: str  # new person | joins a profile | bridges two profiles | pushes an identifier over its limit
    record: Record
    identifiers: tuple[Identifier, ...]

    def as_json(self) -> dict[str, JsonValue]:
        return {
            "category": self.category,
            "record": self.record.model_dump(mode="json"),
            "identifiers": [[i.kind.value, i.value, i.system] for i in self.identifiers],
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Update:
        return cls(
            category=value["category"],
            record=Record.model_validate(value["record"]),
            identifiers=tuple(Identifier(IdentifierKind(k), v, s) for k, v, s in value["identifiers"]),
        )


CATEGORIES = ("new person", "joins a profile", "bridges two profiles", "pushes an identifier over its limit")


def updates(data: Dataset, count: int, seed: int, device_limit: int) -> list[Update]:
    """`count` new records: 40% new persons, 45% sharing an identifier of one existing person, 13% sharing one of
    each of two persons (a merge), 2% taking a device held by exactly `device_limit` records over the limit."""
    rng = np.random.default_rng(seed + 2)
    identifiers = identifier_objects(data)
    holders = data.holders()
    codes = data.global_codes()
    # Links to identifiers a person's new record would plausibly carry: their own, lightly shared ones.
    last_code = np.array([len(v) - 1 for v in data.values])[data.link_kind]
    placeholder = (data.link_code == last_code) & (data.link_kind != ACCOUNT)
    own = np.flatnonzero((holders[codes] <= 3) & ~placeholder & (data.link_kind != DEVICE))
    at_limit = np.flatnonzero((data.link_kind == DEVICE) & (holders[codes] == device_limit))
    at_limit_codes = np.unique(data.link_code[at_limit])
    rng.shuffle(at_limit_codes)
    categories = rng.choice(len(CATEGORIES), size=count, p=[0.40, 0.45, 0.13, 0.02])
    result: list[Update] = []
    used_limit = 0
    for n, category in enumerate(categories.tolist()):
        fresh_device = Identifier(IdentifierKind.DEVICE, _device(2 * 10**12 + n))
        if category == 3 and used_limit < len(at_limit_codes):
            code = int(at_limit_codes[used_limit])
            used_limit += 1
            person = int(data.person[data.link_record[at_limit[data.link_code[at_limit] == code][0]]])
            held: tuple[Identifier, ...] = (identifiers[DEVICE][code],)
        elif category != 0:
            category = min(category, 2)  # with no device left at its limit, a bridge instead
            picks = rng.choice(own, size=category)
            person = int(data.person[data.link_record[picks[0]]])
            held = (*(identifiers[int(data.link_kind[p])][int(data.link_code[p])] for p in picks), fresh_device)
        else:
            person = int(rng.integers(0, len(data.first)))  # a new person with the same kind of name
            held = (
                Identifier(IdentifierKind.EMAIL, f"new.person{n}@example.org"),
                Identifier(IdentifierKind.PHONE, f"+4917{n:09d}"),
                fresh_device,
            )
        record = Record(
            kind=RecordKind.CUSTOMER,
            key=RecordKey("web", f"w{n:07d}"),
            properties=_properties(data, person, 365 * 10 + n // 100, rng),
        )
        result.append(Update(CATEGORIES[category], record, tuple(dict.fromkeys(held))))
    return result
