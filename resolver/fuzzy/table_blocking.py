"""The person blocking keys' candidate pairs computed from a PersonTable's value codes, without making the key strings.

Each key of `person_blocking_keys` is a family and one or two values (`dn:{dob}|{part}`); two keys are equal exactly
when their family and values are, so a key is numbered by its values' codes. A million records' keys (three million
strings) need no dictionary pass: the pairs and their families are those `blocked_pairs` finds from the strings.
"""

from __future__ import annotations

import numpy as np

from resolver.fuzzy.blocking import BlockedPairs, IntArray, pairs_of_entries
from resolver.fuzzy.comparisons import PersonTable

_NUMBERS_FIT = 1 << 63  # key number * records must stay below this (int64)


def table_blocked_pairs(table: PersonTable, max_block_size: int, *, training: bool = False) -> BlockedPairs | None:
    """`blocked_pairs` of each record's `person_blocking_keys` (`person_training_keys` when `training`), or None
    when a value holds a character that would make two different keys' strings equal (the strings decide then)."""
    if not _unambiguous(table):
        return None
    n = table.size
    entries: list[tuple[str, IntArray, IntArray]] = []  # (family, records, key value within the family)

    def add(family: str, held: np.ndarray, value: IntArray) -> None:
        where = np.flatnonzero(held)
        if len(where):
            entries.append((family, where, value[where]))

    name, dob, city, postcode = table.name_code, table.birth_date, table.city_code, table.postcode_code
    dob_code = table.coded("birth_date")[0]  # a dense number per distinct date
    given, family = table.given_code, table.family_code  # one numbering for both parts
    parts = int(max(given.max(initial=0), family.max(initial=0))) + 1
    postcodes = int(postcode.max(initial=0)) + 1
    if training:
        add("nm", name > 0, name)
    year = dob // 10000
    add("ny", (name > 0) & (dob > 0), name * (int(year.max(initial=0)) + 1) + year)
    add("cn", (name > 0) & (city > 0), city * (int(name.max(initial=0)) + 1) + name)
    for code, length in ((given, table.given_length), (family, table.family_length)):  # a part equal to the other
        add("dn", (dob > 0) & (length > 1), dob_code * parts + code)  # makes the same key: counted once below
    for code, length in ((given, table.given_length), (family, table.family_length)):
        add("pn", (postcode > 0) & (length > 1), postcode * parts + code)
    add("dp", (dob > 0) & (postcode > 0), dob_code * postcodes + postcode)
    local_codes, local_values = table.coded("email_local")
    long_local = np.fromiter(map(len, local_values), np.int64, len(local_values))[local_codes] >= 4
    email = table.email_code
    # An e-mail's local part has no "@" and every e-mail has one (see `_unambiguous`): the two never meet.
    add("em", long_local | (email > 0), np.where(long_local, local_codes * 2, email * 2 + 1))
    add("ph", table.phone_code > 0, table.phone_code)
    names = tuple(sorted({entry[0] for entry in entries}))
    # Keys numbered family by family: a family's values shifted past the previous families' largest.
    shifted, records, starts = [], [], []
    offset = 0
    for family_name in names:
        values = [value for held_by, _, value in entries if held_by == family_name]
        starts.append(offset)
        shifted += [value + offset for value in values]
        records += [where for held_by, where, _ in entries if held_by == family_name]
        offset += max(int(value.max()) for value in values) + 1
    key = np.concatenate(shifted) if shifted else np.zeros(0, np.int64)
    del shifted
    first_key = np.array(starts, np.int64)
    if offset * max(n, 1) >= _NUMBERS_FIT:  # numbered densely (sorted) when the numbers would not fit with records
        first_key = np.searchsorted(np.unique(key), first_key)
        key = np.unique(key, return_inverse=True)[1].astype(np.int64)

    def family_bits(numbers: IntArray) -> IntArray:
        bits: IntArray = np.left_shift(1, np.searchsorted(first_key, numbers, side="right") - 1).astype(np.int64)
        return bits

    return pairs_of_entries(key, np.concatenate(records or [key]), n, family_bits, names, max_block_size)


def _unambiguous(table: PersonTable) -> bool:
    """Different values make different keys: `cn:{city}|{name}` and `pn:{postcode}|{part}` when no city or postcode
    holds a "|"; `em:` keys of a local part and of a whole e-mail when every e-mail has an "@" and no local part
    does. And a birth date is present exactly when it is positive (none is negative)."""
    return (
        not any("|" in value for value in table.coded("city")[1])
        and not any("|" in value for value in table.coded("postcode")[1])
        and all("@" in value for value in table.coded("email")[1][1:])
        and not any("@" in value for value in table.coded("email_local")[1])
        and int(table.birth_date.min(initial=0)) >= 0
    )
