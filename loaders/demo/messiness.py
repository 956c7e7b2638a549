"""What goes wrong with values on their way into source systems: typos, case, whitespace, mojibake, lost bytes."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from loaders.demo.name_data import HOMOPHONES

# Keys next to each other on a QWERTY keyboard (the typo of a hurried clerk).
_NEIGHBOURS = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc", "g": "ftyhbv", "h": "gyujnb",
    "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop", "m": "njk", "n": "bhjm", "o": "iklp", "p": "ol",
    "q": "wa", "r": "edft", "s": "awedxz", "t": "rfgy", "u": "yhji", "v": "cfgb", "w": "qase", "x": "zsdc",
    "y": "tghu", "z": "asx",
}  # fmt: skip

# Domains people mistype when they fill in a form.
_DOMAIN_TYPOS = {
    "gmail.com": "gmial.com",
    "hotmail.com": "hotmial.com",
    "yahoo.com": "yaho.com",
    "outlook.com": "outlok.com",
    "163.com": "136.com",
    "qq.com": "qq.cm",
}


@dataclass(frozen=True)
class Rates:
    """How often each kind of damage happens (per record, or per value where it says so)."""

    name_typo: float = 0.04  # one character wrong in a name
    name_case: float = 0.04  # a name in upper or lower case (Latin names)
    email_case: float = 0.10  # an e-mail address with capitals
    email_space: float = 0.03  # an e-mail address with leading or trailing spaces
    email_typo: float = 0.005  # a mistyped e-mail domain (a different address: it no longer links)
    mojibake: float = 0.30  # of names with accents in UTF-8 files: UTF-8 read as Windows-1252, repairable
    garbled: float = 0.003  # a name whose bytes are lost (U+FFFD, 锟斤拷): quarantined as garbled
    future_birth_date: float = 0.003  # a birth date typed with the wrong century: quarantined as a logical error
    duplicate_row: float = 0.01  # a row exported twice, byte for byte
    duplicate_record: float = 0.04  # a second record of the same person in the same source (another id)
    test_row: float = 0.004  # rows typed in by testers, per row of a person source
    call_centre_phone: float = 0.02  # the hotline or store number entered instead of the customer's
    household_phone: float = 0.5  # of records of a member of a phone-sharing household: the head's number
    placeholder_birth_date: float = 0.004  # 01/01/1900 typed to get past a required field: a logical error too
    negative_quantity: float = 0.005  # a POS row with a negative quantity: quarantined as a logical error
    bad_timestamp: float = 0.002  # a POS time that does not exist (31/02): quarantined as invalid
    unlinkable: float = 0.015  # a record left with nothing (no shared identifier, name + birth date) to link it


def typo(text: str, rng: random.Random) -> str:
    """One character swapped, dropped, doubled or replaced by a neighbouring key; Chinese names get a homophone."""
    if not text:
        return text
    if not text.isascii():
        positions = [i for i, c in enumerate(text) if c in HOMOPHONES]
        if positions:
            i = rng.choice(positions)
            return text[:i] + HOMOPHONES[text[i]] + text[i + 1 :]
        return text
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    near = _NEIGHBOURS.get(text[i].lower())
    return text[:i] + rng.choice(near) + text[i + 1 :] if near else text


def recase(text: str, rng: random.Random) -> str:
    """Upper or lower case, as some systems export names."""
    return text.upper() if rng.random() < 0.6 else text.lower()


def email_as_typed(address: str, rng: random.Random, rates: Rates) -> str:
    """The address with capitals or stray spaces (the same address once normalised)."""
    if rng.random() < rates.email_case:
        local, _, domain = address.partition("@")
        address = f"{local.capitalize()}@{domain.capitalize()}" if rng.random() < 0.5 else address.upper()
    if rng.random() < rates.email_space:
        address = rng.choice([f" {address}", f"{address} ", f"  {address}  "])
    return address


def mistype_email_domain(address: str) -> str | None:
    """The address with a commonly mistyped domain, or None when its domain has no usual typo."""
    local, _, domain = address.partition("@")
    wrong = _DOMAIN_TYPOS.get(domain)
    return f"{local}@{wrong}" if wrong else None


def mojibake(text: str) -> str:
    """UTF-8 read as Windows-1252 (`José García` -> `JosÃ© GarcÃ­a`); ftfy can undo it."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


def garble(text: str, rng: random.Random) -> str:
    """Damage nothing can undo: Chinese text cut and ended by `锟斤拷` (U+FFFD's UTF-8 bytes read as GBK) or by
    U+FFFD; in Latin text the accented letters (or one letter) replaced by U+FFFD."""
    if any("\u4e00" <= c <= "\u9fff" for c in text):
        keep = text[: max(1, len(text) // 2)]
        return keep + ("锟斤拷" if rng.random() < 0.7 else "\ufffd\ufffd")
    if not text.isascii():
        return "".join(c if c.isascii() else "\ufffd" for c in text)
    if len(text) < 2:
        return text + "\ufffd"
    i = rng.randrange(1, len(text))
    return text[:i] + "\ufffd" + text[i + 1 :]


def to_gbk(text: str) -> str:
    """Text a GBK export can hold: accents dropped where GBK has no such letter (as Windows' best fit does)."""
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        stripped = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        return stripped.encode("gbk", errors="replace").decode("gbk")
    return text


def ascii_letters(text: str) -> str:
    """Lower-case ASCII letters only (`O'Brien-Núñez` -> `obriennunez`): for e-mail local parts."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.lower() if "a" <= c <= "z")
