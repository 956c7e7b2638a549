"""Blocking: which record pairs are compared at all. Records sharing a key form a block; blocks over a size cap are
skipped, so the pairs compared grow about linearly with the records."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

from resolver.fuzzy.person import PersonFeatures
from resolver.fuzzy.settings import PersonField

IntArray = npt.NDArray[np.int64]

# Key families (the prefix before ":") and the fields that agree in every pair they make: an EM session over a
# family's pairs cannot learn those fields' m, since blocking chose the pairs by them.
PERSON_KEY_FIELDS: dict[str, frozenset[PersonField]] = {
    "nm": frozenset({PersonField.NAME}),  # the full name, in either order (training only)
    "ny": frozenset({PersonField.NAME, PersonField.BIRTH_DATE}),  # full name + birth year
    "dn": frozenset({PersonField.NAME, PersonField.BIRTH_DATE}),  # birth date + one name part
    "pn": frozenset({PersonField.NAME, PersonField.ADDRESS}),  # postcode + one name part
    "cn": frozenset({PersonField.NAME, PersonField.ADDRESS}),  # city + full name
    "dp": frozenset({PersonField.BIRTH_DATE, PersonField.ADDRESS}),  # birth date + postcode
    "em": frozenset({PersonField.EMAIL}),  # e-mail local part (the whole address when the part is the name)
    "ph": frozenset({PersonField.PHONE}),  # phone number
}


def person_blocking_keys(f: PersonFeatures, prefix: str = "") -> list[str]:
    """The blocking keys of one person record (`family:value`), each at most once, in a fixed order; `prefix` is put
    in front of each as it is made (the store's index prefixes its keys by kind: one string per key, not two).

    Each key joins the name (or a part of it) with something personal (birth date, postcode, city), or is an
    identifier-like value (e-mail local part, phone), so a block holds few records however many there are: the
    pairs compared grow about linearly. The name alone is no key (a common name's block grows with the data)."""
    keys: list[str] = []
    add = keys.append
    given, family, name, dob, postcode = f.given, f.family, f.name_key, f.birth_date, f.postcode
    if name:
        if dob:
            add(f"{prefix}ny:{name}|{dob // 10000}")
        if f.city:
            add(f"{prefix}cn:{f.city}|{name}")
    # The name parts longer than an initial, each once.
    for part in (given, family) if family != given else (given,):
        if len(part) > 1:
            if dob:
                add(f"{prefix}dn:{dob}|{part}")
            if postcode:
                add(f"{prefix}pn:{postcode}|{part}")
    if dob and postcode:
        add(f"{prefix}dp:{dob}|{postcode}")
    local = f.email_local
    if local and len(local) >= 4:
        add(f"{prefix}em:{local}")
    elif f.email:
        add(f"{prefix}em:{f.email}")
    if f.phone:
        add(f"{prefix}ph:{f.phone}")
    return keys


def person_training_keys(f: PersonFeatures) -> list[str]:
    """The blocking keys plus the whole name alone: pairs for estimating the model (sampled, so their number is
    bounded), not for linking."""
    name = f.name_key
    return [f"nm:{name}", *person_blocking_keys(f)] if name else person_blocking_keys(f)


@dataclass(frozen=True)
class BlockedPairs:
    """Candidate pairs (a < b, each once, sorted) and, per pair, a bit per key family that proposed it."""

    a: IntArray
    b: IntArray
    families: IntArray  # bit i set: family `names[i]` proposed the pair
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.a)

    def of_family(self, name: str) -> npt.NDArray[np.bool_]:
        """Mask of the pairs the key family proposed."""
        mask: npt.NDArray[np.bool_] = (self.families & (1 << self.names.index(name))) != 0
        return mask


def blocked_pairs(keys_by_record: Sequence[Sequence[str]], max_block_size: int) -> BlockedPairs:
    """Every pair of records sharing a key of a block with at most `max_block_size` records, with its families."""
    # Keys numbered by their first position in `flat` (in one pass; any one-to-one numbering gives the same result,
    # since the pairs are sorted and their families OR-ed at the end), with a record number per (record, key) held.
    flat = list(chain.from_iterable(keys_by_record))
    first_at: dict[str, int] = {}
    code: IntArray = np.fromiter(map(first_at.setdefault, flat, range(len(flat))), np.int64, len(flat))
    del flat
    family_of_key = [key.partition(":")[0] for key in first_at]
    names = tuple(sorted(set(family_of_key)))
    bit_of_name = {name: 1 << i for i, name in enumerate(names)}
    key_bits = np.zeros(len(code), np.int64)  # by key number
    key_bits[np.fromiter(first_at.values(), np.int64, len(first_at))] = np.fromiter(
        map(bit_of_name.__getitem__, family_of_key), np.int64, len(first_at)
    )
    del family_of_key, first_at
    lengths = np.fromiter(map(len, keys_by_record), np.int64, len(keys_by_record))
    record: IntArray = np.repeat(np.arange(len(keys_by_record), dtype=np.int64), lengths)
    return pairs_of_entries(code, record, len(keys_by_record), key_bits.__getitem__, names, max_block_size)


def pairs_of_entries(
    code: IntArray,
    record: IntArray,
    records: int,
    family_bits: Callable[[IntArray], IntArray],
    names: tuple[str, ...],
    max_block_size: int,
) -> BlockedPairs:
    """`blocked_pairs` of keys held as (key number `code[i]`, record number `record[i]`) entries, of `records`
    records; `family_bits` gives the keys' family bits (of `names`) by their numbers. code * records fits 63 bits."""
    n = max(records, 1)
    unique = _sorted_distinct(code * n + record)  # a record holds a key once; sorted by key, then record
    code, record = unique // n, unique % n
    firsts: IntArray = np.flatnonzero(np.r_[True, code[1:] != code[:-1]]) if len(code) else np.zeros(0, np.int64)
    sizes = np.diff(np.r_[firsts, len(code)])
    pair_ids: list[IntArray] = []
    pair_bits: list[IntArray] = []
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= max_block_size)]).tolist():
        starts = firsts[sizes == size]
        members = record[starts[:, None] + np.arange(size)]  # ascending record order within a block
        upper_a, upper_b = np.triu_indices(size, 1)
        pair_ids.append((members[:, upper_a] * n + members[:, upper_b]).ravel())
        pair_bits.append(np.repeat(family_bits(code[starts]), len(upper_a)))
    if not pair_ids:
        empty = np.zeros(0, dtype=np.int64)
        return BlockedPairs(empty, empty, empty, names)
    ids = np.concatenate(pair_ids)
    bits = np.concatenate(pair_bits)
    width = len(names)  # family bits
    if (n * n) << width < 1 << 63:  # a pair and its family bit in one number: one sort (no argsort and gathers)
        packed = np.sort((ids << width) | bits)
        ids, bits = packed >> width, packed & ((1 << width) - 1)
    else:
        order = np.argsort(ids, kind="stable")
        ids, bits = ids[order], bits[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    families = np.bitwise_or.reduceat(bits, starts)
    ids = ids[starts]
    return BlockedPairs(ids // n, ids % n, families, names)


def _sorted_distinct(values: IntArray) -> IntArray:
    """`np.unique(values)`, by a sort: numpy's hash-based unique is several times slower on millions of values."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=np.bool_)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def candidate_pairs(keys_by_record: Sequence[list[str]], max_block_size: int) -> Iterator[tuple[int, int]]:
    """Index pairs (i < j) of records sharing a blocking key, each pair once, in ascending order. Blocks with more
    than `max_block_size` records are skipped (a very common name, a shared call-centre phone)."""
    pairs = blocked_pairs(keys_by_record, max_block_size)
    return zip(pairs.a.tolist(), pairs.b.tolist(), strict=True)
