"""The true people behind the records: households with names, birth dates, e-mails, phones and addresses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from typing import Literal

from faker import Faker
from faker.providers.person.zh_CN import Provider as ChinesePersonProvider

from loaders.demo import name_data
from loaders.demo.messiness import ascii_letters
from loaders.demo.numbering import Permutation, prime_at_least, prime_at_most, stream
from loaders.demo.phones import CN_MOBILE_PREFIXES, US_AREA_CODES, Country, Phone

# The day the systems were exported: every date in the data set is relative to it, so output never depends on
# when it is generated.
EXPORT_DAY = date(2025, 6, 30)

Gender = Literal["F", "M"]


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    state: str  # US state or Chinese province
    postcode: str
    country: Country


@dataclass(frozen=True)
class Job:
    """Where a person works (B2B contacts, leads and webinar registrants)."""

    company: int  # index of the company in the CompanyBook
    title: str
    department: str
    work_email: str
    direct_line: Phone


@dataclass
class Person:
    index: int
    entity: str  # the id truth.csv gives the person
    origin: Country
    gender: Gender
    family: str  # as written at home: Chinese characters for Chinese people
    given: str
    family_latin: str  # pinyin for Chinese people
    given_latin: str
    birth_date: date
    emails: list[str]  # [current, older one]
    phones: list[Phone]  # [current mobile, old mobile]
    address: Address
    household: int
    nickname: str | None = None  # Bill for William
    english_name: str | None = None  # Kevin, used at work by some Chinese people
    household_phone: Phone | None = None  # the head's number, which this member sometimes gives
    job: Job | None = None
    consumer: bool = True  # buys for themself (appears in CRM, e-shop, loyalty); False: only B2B sources
    ids: dict[str, list[str]] = field(default_factory=dict)  # source -> the ids of this person's records there

    @property
    def full_name(self) -> str:
        return f"{self.family}{self.given}" if self.origin == "CN" else f"{self.given} {self.family}"


_CN_SURNAMES = [s for s in ChinesePersonProvider.last_names if s in name_data.SURNAME_PINYIN]
_CN_SURNAME_CUMULATIVE = list(accumulate(float(ChinesePersonProvider.last_names[s]) for s in _CN_SURNAMES))
_CN_GIVEN = {
    "M": [g for g in ChinesePersonProvider.first_names_male if len(g) == 1],
    "F": [g for g in ChinesePersonProvider.first_names_female if len(g) == 1],
}
_CN_EMAIL_DOMAINS = ("163.com", "qq.com", "126.com", "gmail.com", "sina.com", "foxmail.com", "outlook.com", "139.com")
_CN_EMAIL_WEIGHTS = (25, 30, 12, 8, 6, 6, 8, 5)
_US_EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com")
_US_EMAIL_WEIGHTS = (45, 15, 12, 12, 10, 6)


def pinyin(hanzi: str, table: dict[str, str]) -> str:
    return "".join(table[c] for c in hanzi).capitalize()


class PeopleFactory:
    """Makes households one at a time (memory does not grow with the number of people). E-mail addresses and
    phone numbers are unique by construction (permuted person indexes), so unrelated people never share one
    by accident; the only shared identifiers are the ones made on purpose (households, call centres)."""

    def __init__(self, seed: int, people: int, *, origin_cn: float = 0.6, phone_sharing: float = 0.08) -> None:
        self._rng = stream(seed, "people")
        self._en = Faker("en_US")
        self._en.seed_instance(seed)
        self._zh = Faker("zh_CN")
        self._zh.seed_instance(seed + 1)
        self._people = people
        self._origin_cn = origin_cn
        self._phone_sharing = phone_sharing
        self._email_numbers = Permutation.random(self._rng, prime_at_least(2 * people + 1000))
        self._cn_numbers = Permutation.random(self._rng, prime_at_most(99_999_998))
        self._us_numbers = Permutation.random(self._rng, prime_at_most(7_999_999))
        self._cn_landlines = Permutation.random(self._rng, prime_at_most(69_999_999))

    def households(self) -> Iterator[list[Person]]:
        """Households until `people` persons are made; a person's index is its position in that sequence."""
        made = 0
        household = 0
        while made < self._people:
            members = self._household(household, made, self._people - made)
            made += len(members)
            household += 1
            yield members

    # households

    def _household(self, household: int, first: int, room: int) -> list[Person]:
        rng = self._rng
        origin: Country = "CN" if rng.random() < self._origin_cn else "US"
        size = min(room, rng.choices((1, 2, 3, 4), (55, 28, 11, 6))[0])
        address = self._address(origin)
        head_age = rng.randint(45, 72) if size > 2 else rng.randint(22 if size == 2 else 18, 80)
        head_gender: Gender = rng.choice(("F", "M"))
        head = self._person(first, origin, head_gender, head_age, address, household)
        members = [head]
        if size >= 2:
            gender: Gender = "F" if head_gender == "M" else "M"
            age = max(20, head_age + rng.randint(-5, 5))
            family = head.family if origin == "US" and rng.random() < 0.8 else None
            members.append(
                self._person(first + 1, origin, gender, age, address, household, family=family, taken=members)
            )
        for k in range(2, size):
            age = rng.randint(18, max(18, min(30, head_age - 22)))
            family = head.family if origin == "US" or head_gender == "M" else members[1].family
            gender = rng.choice(("F", "M"))
            members.append(
                self._person(first + k, origin, gender, age, address, household, family=family, taken=members)
            )
        if size >= 2 and rng.random() < self._phone_sharing:
            for member in members[1:]:
                member.household_phone = head.phones[0]
        return members

    def _person(
        self,
        index: int,
        origin: Country,
        gender: Gender,
        age: int,
        address: Address,
        household: int,
        *,
        family: str | None = None,
        taken: list[Person] | None = None,
    ) -> Person:
        """One person; `taken`: the household so far, whose given names (as spelled in Latin letters) a new member
        does not repeat (a family does not name two of its members Wei, or John)."""
        rng = self._rng
        birth = EXPORT_DAY - timedelta(days=age * 365 + rng.randrange(365))
        names_taken = {member.given_latin.lower() for member in taken or []}
        if origin == "CN":
            for _ in range(20):
                family_name, given = self._chinese_name(gender, family)
                given_latin = pinyin(given, name_data.GIVEN_PINYIN)
                if given_latin.lower() not in names_taken:
                    break
            family_latin = pinyin(family_name, name_data.SURNAME_PINYIN)
            nickname = None
            english_pool = name_data.ENGLISH_MALE if gender == "M" else name_data.ENGLISH_FEMALE
            english = rng.choice(english_pool) if rng.random() < 0.35 else None
        else:
            for _ in range(20):
                family_name, given = self._american_name(gender, family)
                if given.lower() not in names_taken:
                    break
            family_latin, given_latin = family_name, given
            nicknames = name_data.NICKNAMES.get(given)
            nickname = rng.choice(nicknames) if nicknames else None
            english = None
        person = Person(
            index=index,
            entity=f"P{index + 1:06d}",
            origin=origin,
            gender=gender,
            family=family_name,
            given=given,
            family_latin=family_latin,
            given_latin=given_latin,
            birth_date=birth,
            emails=[],
            phones=[],
            address=address,
            household=household,
            nickname=nickname,
            english_name=english,
        )
        person.emails.append(self._email(person, 0))
        if rng.random() < 0.3:
            person.emails.append(self._email(person, 1))
        person.phones.append(self._mobile(person, 0))
        if rng.random() < 0.3:
            person.phones.append(self._mobile(person, 1))
        return person

    # names

    def _chinese_name(self, gender: Gender, family: str | None) -> tuple[str, str]:
        rng = self._rng
        if family is None and rng.random() < 0.02:
            return rng.choice(name_data.COMMON_CN)
        surname = family or rng.choices(_CN_SURNAMES, cum_weights=_CN_SURNAME_CUMULATIVE)[0]
        pool = _CN_GIVEN[gender]
        given = rng.choice(pool) if rng.random() < 0.45 else rng.choice(pool) + rng.choice(pool)
        return surname, given

    def _american_name(self, gender: Gender, family: str | None) -> tuple[str, str]:
        rng = self._rng
        if family is None and rng.random() < 0.02:
            given, family = rng.choice(name_data.COMMON_US_MALE if gender == "M" else name_data.COMMON_US_FEMALE)
            return family, given
        draw = rng.random()
        if draw < 0.2:
            given = rng.choice(name_data.FORMAL_MALE if gender == "M" else name_data.FORMAL_FEMALE)
        elif draw < 0.23:
            given = rng.choice(name_data.ACCENTED_MALE if gender == "M" else name_data.ACCENTED_FEMALE)
        else:
            given = self._en.first_name_male() if gender == "M" else self._en.first_name_female()
        if family is None:
            family = rng.choice(name_data.ACCENTED_LAST) if rng.random() < 0.03 else self._en.last_name()
        return family, given

    # identifiers

    def _email(self, person: Person, slot: int) -> str:
        rng = self._rng
        n = self._email_numbers(2 * person.index + slot)
        family = ascii_letters(person.family_latin)
        given = ascii_letters(person.given_latin)
        if person.origin == "CN":
            domain = rng.choices(_CN_EMAIL_DOMAINS, _CN_EMAIL_WEIGHTS)[0]
            if domain == "qq.com":
                return f"{100_000 + n * 7}@qq.com"
            local = rng.choice((f"{family}{given}{n}", f"{given}{family}{n}", f"{family}.{given}{n}", f"{given}_{n}"))
        else:
            domain = rng.choices(_US_EMAIL_DOMAINS, _US_EMAIL_WEIGHTS)[0]
            local = rng.choice(
                (f"{given}.{family}{n}", f"{given[:1]}{family}{n}", f"{given}{family}{n}", f"{given}_{family[:1]}{n}")
            )
        return f"{local}@{domain}"

    def _mobile(self, person: Person, slot: int) -> Phone:
        rng = self._rng
        if person.origin == "CN":
            subscriber = self._cn_numbers(3 * person.index + slot) + 1
            return Phone("CN", f"{rng.choice(CN_MOBILE_PREFIXES)}{subscriber:08d}")
        return self.us_number(3 * person.index + slot)

    def us_number(self, position: int) -> Phone:
        q = self._us_numbers(position)
        return Phone("US", f"{self._rng.choice(US_AREA_CODES)}{200 + q // 10_000}{q % 10_000:04d}")

    def direct_line(self, person: Person, area: str | None) -> Phone:
        """An office number of the person's own (unique), in the company's country."""
        if area is None:
            return self.us_number(3 * person.index + 2)
        subscriber = self._cn_landlines(person.index) + 20_000_000
        return Phone("CN", f"{area}{subscriber}", landline_area=area)

    # addresses

    def _address(self, origin: Country) -> Address:
        rng = self._rng
        if origin == "CN":
            zh = self._zh
            district = f"{zh.district()}区"
            street = f"{district}{zh.street_name()}{rng.randint(1, 999)}号"
            if rng.random() < 0.7:
                street += f"{rng.randint(1, 30)}栋{rng.randint(1, 33)}{rng.randint(1, 6):02d}室"
            return Address(street, f"{zh.city_name()}市", zh.province(), zh.postcode(), "CN")
        en = self._en
        state = en.state_abbr(include_territories=False, include_freely_associated_states=False)
        return Address(en.street_address(), en.city(), state, en.zipcode_in_state(state), "US")
