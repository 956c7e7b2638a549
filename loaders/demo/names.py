"""A person's name as one record writes it: in its name form, with typos, odd case, mojibake or lost bytes."""

from __future__ import annotations

import random

from loaders.demo.messiness import Rates, garble, mojibake, recase, typo
from loaders.demo.people import Person


def _base(person: Person, form: str) -> tuple[str, str]:
    """(given, family) in the name form."""
    if form == "native":
        return person.given, person.family
    if form == "transposed":
        return person.family_latin, person.given_latin
    if form == "nickname" and person.nickname:
        return person.nickname, person.family
    if form == "english" and person.english_name:
        return person.english_name, person.family_latin
    return person.given_latin, person.family_latin


def name_parts(
    person: Person, form: str, rng: random.Random, rates: Rates, *, utf8: bool, garbled: bool, gbk: bool = False
) -> tuple[str, str]:
    """(given, family) as written in a record of a source (`utf8`: a UTF-8 file, where mojibake shows; `gbk`: a GBK
    file, where lost bytes show as 锟斤拷, since U+FFFD has no GBK code)."""
    given, family = _base(person, form)
    if rng.random() < rates.name_typo:
        if rng.random() < 0.5:
            given = typo(given, rng)
        else:
            family = typo(family, rng)
    latin = given.isascii() or not any("\u4e00" <= c <= "\u9fff" for c in given + family)
    if latin and rng.random() < rates.name_case:
        given, family = recase(given, rng), recase(family, rng)
    if utf8 and latin and not (given + family).isascii() and rng.random() < rates.mojibake:
        given, family = mojibake(given), mojibake(family)
    if garbled:
        if rng.random() < 0.5 or (family.isascii() and not given.isascii()):
            given = garble(given, rng)
        else:
            family = garble(family, rng)
        if gbk:
            given, family = (
                part.replace("\ufffd\ufffd", "锟斤拷").replace("\ufffd", "锟斤拷") for part in (given, family)
            )
    return given, family


def full_name(person: Person, form: str, given: str, family: str) -> str:
    """The two parts in one field, in the order the form writes them."""
    if form == "native" and person.origin == "CN":
        return f"{family}{given}"
    if form == "pinyin_family_first":
        return f"{family} {given}"
    return f"{given} {family}"
