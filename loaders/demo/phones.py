"""Phone numbers as a person owns them, and the many ways source systems write them down."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

Country = Literal["CN", "US"]

# Mobile prefixes of the three Chinese carriers.
CN_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "157", "158",
    "159", "166", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "198", "199",
)  # fmt: skip
# Area codes of the Chinese cities the stores and companies are in (without the trunk prefix 0).
CN_AREA_CODES = ("10", "21", "20", "755", "571", "28", "27", "25", "512", "29")
US_AREA_CODES = (
    "212", "646", "718", "917", "415", "650", "408", "510", "310", "213", "818", "312", "773", "617", "206",
    "512", "713", "214", "305", "404", "303", "702", "602", "503", "202", "919", "704", "612", "858", "949",
)  # fmt: skip


@dataclass(frozen=True)
class Phone:
    """A number as owned: country and national significant number (`13800138000`, `1062188888`, `4155550100`)."""

    country: Country
    national: str
    landline_area: str = ""  # CN fixed lines: the area code the national number starts with

    @property
    def e164(self) -> str:
        return f"+{'86' if self.country == 'CN' else '1'}{self.national}"


def _cn_mobile(number: str, rng: random.Random, region: Country) -> str:
    a, b, c = number[:3], number[3:7], number[7:]
    local = [number, f"{a} {b} {c}", f"{a}-{b}-{c}"]
    international = [f"+86 {a} {b} {c}", f"+86-{a}-{b}-{c}", f"+86{number}", f"+86 {number}"]
    if region == "CN":
        choices = [*local, *international, f"0086 {number}", f"0086{number}", f"86-{number}"]
        weights = [45, 20, 5, 8, 5, 4, 4, 3, 3, 3]
        return rng.choices(choices, weights)[0]
    return rng.choice(international)


def _cn_landline(phone: Phone, rng: random.Random, region: Country) -> str:
    area = phone.landline_area
    rest = phone.national[len(area) :]
    half = len(rest) // 2
    if region == "CN":
        return rng.choice(
            [f"0{area}-{rest}", f"0{area}-{rest[:half]} {rest[half:]}", f"(0{area}) {rest}", f"0{area}{rest}"]
        )
    return rng.choice([f"+86 {area} {rest[:half]} {rest[half:]}", f"+86-{area}-{rest}"])


def _us(number: str, rng: random.Random, region: Country) -> str:
    a, b, c = number[:3], number[3:6], number[6:]
    international = [f"+1 {a} {b} {c}", f"+1 ({a}) {b}-{c}", f"+1-{a}-{b}-{c}", f"+1{number}"]
    if region == "US":
        choices = [f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", number, f"1-{a}-{b}-{c}", *international]
        weights = [35, 25, 10, 10, 5, 6, 3, 3, 3]
        return rng.choices(choices, weights)[0]
    return rng.choice(international)


def write_phone(phone: Phone, rng: random.Random, region: Country) -> str:
    """How a source whose default region is `region` writes the number: local forms at home, international
    forms (which parse in any region) for foreign numbers."""
    if phone.country == "US":
        return _us(phone.national, rng, region)
    if phone.landline_area:
        return _cn_landline(phone, rng, region)
    if phone.national.startswith("400"):  # a nationwide service number
        n = phone.national
        local = [f"{n[:3]}-{n[3:6]}-{n[6:]}", n, f"{n[:3]} {n[3:6]} {n[6:]}"]
        international = [f"+86 {n[:3]} {n[3:6]} {n[6:]}", f"+86-{n[:3]}-{n[3:6]}-{n[6:]}"]
        return rng.choice(local if region == "CN" else international)
    return _cn_mobile(phone.national, rng, region)


# Numbers entered on many unrelated records: the service hotline and a flagship store's landline.
CALL_CENTRE_CN = Phone("CN", "4008208820")
STORE_LANDLINE_CN = Phone("CN", "2162188888", landline_area="21")
CALL_CENTRE_US = Phone("US", "8885550123")
# The number every tester types (and the loaders treat as test data).
TEST_PHONE_CN = "13800000000"
