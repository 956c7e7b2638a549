"""B2C rows: CRM customers (US formats), e-shop accounts (JSON, ISO dates) and loyalty members (GBK, Chinese)."""

from __future__ import annotations

import random
from datetime import date, datetime

from loaders.demo import clock
from loaders.demo.messiness import Rates, email_as_typed
from loaders.demo.names import full_name, name_parts
from loaders.demo.people import Person
from loaders.demo.phones import TEST_PHONE_CN, Phone, write_phone
from loaders.demo.records import Draft
from loaders.demo.sinks import Row
from loaders.demo.stores import STORE_CUMULATIVE, STORES

PLACEHOLDER_BIRTH_DATE = date(1900, 1, 1)
TEST_EMAIL = "test@test.com"
_TEST_NAMES = ("test", "Test", "TEST", "测试")


def _birth_date(person: Person, draft: Draft) -> date | None:
    """The birth date the record holds: the true one, a placeholder, or (logical error) a century too late."""
    if not draft.birth_date:
        return None
    if draft.placeholder_birth_date:
        return PLACEHOLDER_BIRTH_DATE
    day = person.birth_date
    if draft.note == "logical_error":
        return day.replace(year=day.year + 100, day=min(day.day, 28))
    return day


class CustomerRows:
    def __init__(self, rng: random.Random, rates: Rates) -> None:
        self._rng = rng
        self._rates = rates

    def _email(self, draft: Draft) -> str | None:
        return email_as_typed(draft.email[0], self._rng, self._rates) if draft.email else None

    def _phone(self, draft: Draft, region: str) -> str | None:
        phone: Phone | None = draft.phones[0][0] if draft.phones else None
        return write_phone(phone, self._rng, "CN" if region == "CN" else "US") if phone else None

    def _names(self, person: Person, draft: Draft, *, utf8: bool, gbk: bool = False) -> tuple[str, str]:
        return name_parts(
            person, draft.name_form, self._rng, self._rates, utf8=utf8, garbled=draft.note == "garbled", gbk=gbk
        )

    def _present(self, p: float) -> bool:
        return self._rng.random() < p

    def crm(self, person: Person, draft: Draft, sid: str, loyalty_card: str | None) -> Row:
        rng = self._rng
        given, family = self._names(person, draft, utf8=True)
        birth = _birth_date(person, draft)
        address = person.address if draft.address else None
        created = clock.moment(rng)
        countries = ("China", "CN", "中国") if person.origin == "CN" else ("USA", "US", "United States")
        return {
            "Customer ID": sid,
            "First Name": given,
            "Last Name": family,
            "Gender": person.gender if self._present(0.8) else None,
            "Birth Date": clock.us_date(birth) if birth else None,
            "E-mail": self._email(draft),
            "Mobile": self._phone(draft, "US"),
            "Street": address.street if address else None,
            "City": address.city if address else None,
            "State": address.state if address else None,
            "ZIP": address.postcode if address and self._present(0.9) else None,
            "Country": rng.choice(countries) if address or self._present(0.5) else None,
            "Loyalty Card No": loyalty_card if draft.loyalty_card else None,
            "Email Opt-In": rng.choice(("Yes", "No")) if self._present(0.9) else None,
            "SMS Opt-In": rng.choice(("Yes", "No")) if self._present(0.7) else None,
            "Created": clock.us_12h(created),
            "Last Modified": clock.us_12h(clock.later(rng, created)),
        }

    def eshop(self, person: Person, draft: Draft, sid: str) -> Row:
        rng = self._rng
        given, family = self._names(person, draft, utf8=True)
        if rng.random() < 0.05:  # a user who typed spaces around the name
            given = f" {given}"
        birth = _birth_date(person, draft)
        address = person.address if draft.address else None
        created = clock.moment(rng)
        offset = 8 if person.origin == "CN" else -5
        zulu = rng.random() < 0.5

        def stamp(when: datetime) -> str:
            return clock.iso_z(when) if zulu else clock.iso_offset(when, offset)

        return {
            "account_id": sid,
            "name": full_name(person, draft.name_form, given, family),
            "gender": {"F": "female", "M": "male"}[person.gender] if self._present(0.6) else None,
            "birthday": clock.iso_date(birth) if birth else None,
            "email": self._email(draft),
            "mobile": self._phone(draft, "CN"),
            "ship_to_street": address.street if address else None,
            "ship_to_city": address.city if address else None,
            "ship_to_province": address.state if address else None,
            "ship_to_postcode": address.postcode if address else None,
            "ship_to_country": person.origin if address else None,
            "newsletter": rng.random() < 0.4,
            "created_at": stamp(created),
            "updated_at": stamp(clock.later(rng, created)),
        }

    def loyalty(self, person: Person, draft: Draft, sid: str) -> Row:
        rng = self._rng
        given, family = self._names(person, draft, utf8=False, gbk=True)
        birth = _birth_date(person, draft)
        address = person.address if draft.address else None
        store = rng.choices(STORES, cum_weights=STORE_CUMULATIVE)[0]
        return {
            "会员卡号": sid,
            "姓名": full_name(person, draft.name_form, given, family),
            "性别": {"F": "女", "M": "男"}[person.gender] if self._present(0.9) else None,
            "出生日期": clock.chinese_date(birth) if birth else None,
            "手机号码": self._phone(draft, "CN"),
            "电子邮箱": self._email(draft),
            "省份": address.state if address else None,
            "城市": address.city if address else None,
            "详细地址": address.street if address else None,
            "邮编": address.postcode if address and self._present(0.8) else None,
            "注册门店": store.name,
            "入会时间": clock.shanghai_seconds(clock.moment(rng)),
            "短信订阅": rng.choice(("1", "0")),
        }

    def test_row(self, source: str, sid: str) -> Row:
        """A row a tester typed in: a test name, and often test@test.com or 13800000000."""
        rng = self._rng
        name = rng.choice(_TEST_NAMES)
        email = TEST_EMAIL if rng.random() < 0.7 else None
        phone = TEST_PHONE_CN if rng.random() < 0.5 else None
        if source == "crm":
            return {
                "Customer ID": sid,
                "First Name": name,
                "Last Name": name,
                "E-mail": email,
                "Mobile": f"+86 {phone}" if phone else None,
                "Created": clock.us_12h(clock.moment(rng)),
                "Last Modified": clock.us_12h(clock.moment(rng)),
            }
        if source == "eshop":
            return {
                "account_id": sid,
                "name": name,
                "email": TEST_EMAIL,
                "mobile": phone,
                "newsletter": False,
                "created_at": clock.iso_z(clock.moment(rng)),
            }
        return {
            "会员卡号": sid,
            "姓名": name,
            "手机号码": phone or TEST_PHONE_CN,
            "电子邮箱": email,
            "注册门店": STORES[0].name,
            "入会时间": clock.shanghai_seconds(clock.moment(rng)),
        }
