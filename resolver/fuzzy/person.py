"""What of a person record the fuzzy comparisons use: name parts, birth date, gender, address, e-mail, phone."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date
from functools import lru_cache

from graph import Properties, Record, RecordKey
from resolver.fuzzy.names import PersonName, parse_name
from resolver.fuzzy.nicknames import formal_names
from resolver.fuzzy.text import fold, romanise, word_set

_GENDERS = {
    "m": "m", "male": "m", "man": "m", "mr": "m", "boy": "m", "男": "m", "男性": "m", "先生": "m",
    "f": "f", "female": "f", "woman": "f", "w": "f", "mrs": "f", "ms": "f", "miss": "f", "girl": "f", "女": "f",
    "女性": "f", "女士": "f",
}  # fmt: skip
# Birth dates typed to get past a required field.
_PLACEHOLDER_YEARS_BEFORE = 1901
_STREET_WORDS = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr", "boulevard": "blvd",
    "lane": "ln", "court": "ct", "place": "pl", "square": "sq", "terrace": "ter", "highway": "hwy",
    "parkway": "pkwy", "suite": "ste", "apartment": "apt", "unit": "apt", "floor": "fl", "north": "n",
    "south": "s", "east": "e", "west": "w", "number": "no", "trail": "trl", "circle": "cir", "way": "wy",
}  # fmt: skip
_CITY_SUFFIX = re.compile(r"(?:市|city|shi)$")
_LOCAL_PUNCTUATION = str.maketrans("", "", "._-")  # dropped from an e-mail's local part
_GENERIC_LOCALS = word_set(
    "info admin sales contact support office hello mail email noreply no-reply test service team hr billing"
)


@dataclass(frozen=True, slots=True)
class PersonFeatures:
    """The normalised values of one person record that fuzzy matching compares. "" or 0 where missing."""

    key: RecordKey
    given: str
    family: str
    birth_date: int = 0  # yyyymmdd
    gender: str = ""  # "m", "f" or ""
    email: str = ""
    email_local: str = ""  # without +tags and dots: the part people keep when they change provider
    phone: str = ""  # E.164
    postcode: str = ""
    city: str = ""
    street: str = ""
    # Given and family name in sorted order (the same for a name written family name first); computed once,
    # since blocking and every comparison column read it.
    name_key: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name_key", _name_key(self.given, self.family))

    @property
    def name(self) -> PersonName:
        return PersonName(self.given, self.family)

    @classmethod
    def from_record(cls, record: Record) -> PersonFeatures | None:
        """The record's comparable values, or None when it has no name (nothing fuzzy matching can rely on)."""
        return cls.from_properties(record.key, record.properties)

    @classmethod
    def from_properties(cls, key: RecordKey, props: Properties) -> PersonFeatures | None:
        """`from_record` of a record given as its key and properties. A batch run passes a million records here, so
        the per-value caches are called directly and the instance is built without the frozen `__init__`."""
        get = props.get
        first, last, full = get("first_name"), get("last_name"), get("full_name")
        if (
            (first is None or isinstance(first, str))
            and (last is None or isinstance(last, str))
            and (full is None or isinstance(full, str))
        ):
            name = _cached_name(first, last, full)
        else:
            name = parse_name(first, last, full)
        given, family = name.given, name.family
        if not given and not family:
            return None
        raw_email, phone = get("email"), get("phone")
        email = raw_email.strip().casefold() if isinstance(raw_email, str) else ""
        birth, gender, postcode, city = get("birth_date"), get("gender"), get("postcode"), get("city")
        street = get("street")
        instance = _new(cls)  # what __init__ and __post_init__ make, at half the cost (no frozen __setattr__)
        _set_key(instance, key)
        _set_given(instance, given)
        _set_family(instance, family)
        _set_birth_date(instance, _birth_date(birth if isinstance(birth, str) else ""))
        _set_gender(instance, _gender(gender if isinstance(gender, str) else ""))
        _set_email(instance, email)
        _set_email_local(instance, _local_part(email, name) if email else "")
        _set_phone(instance, phone.strip().replace(" ", "") if isinstance(phone, str) else "")
        _set_postcode(instance, _postcode(postcode if isinstance(postcode, str) else ""))
        _set_city(instance, _city(city if isinstance(city, str) else ""))
        _set_street(instance, normalise_street(street.strip()) if isinstance(street, str) else "")
        _set_name_key(instance, _name_key(given, family))
        return instance


def _name_key(given: str, family: str) -> str:
    """`PersonName(given, family).key`, without making the name (a million records pass here)."""
    if not (given and family):
        return given or family
    return f"{given} {family}" if given <= family else f"{family} {given}"


# Each field's slot setter, in field order: `from_properties` sets every one of them.
_new = object.__new__
(
    _set_key,
    _set_given,
    _set_family,
    _set_birth_date,
    _set_gender,
    _set_email,
    _set_email_local,
    _set_phone,
    _set_postcode,
    _set_city,
    _set_street,
    _set_name_key,
) = (getattr(PersonFeatures, f.name).__set__ for f in fields(PersonFeatures))


# Names, dates, cities and postcodes repeat across records: each distinct value is normalised once.
@lru_cache(maxsize=1 << 17)
def _cached_name(first: object, last: object, full: object) -> PersonName:
    return parse_name(first, last, full)


@lru_cache(maxsize=1 << 16)
def _birth_date(value: str) -> int:
    return birth_date_number(value)


@lru_cache(maxsize=1 << 10)
def _gender(value: str) -> str:
    return _GENDERS.get(fold(_text(value)), "")


@lru_cache(maxsize=1 << 16)
def _postcode(value: str) -> str:
    return normalise_postcode(_text(value))


@lru_cache(maxsize=1 << 14)
def _city(value: str) -> str:
    return normalise_city(_text(value))


def _local_part(email: str, name: PersonName) -> str:
    return distinctive_local_part(email_local_part(email), name)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def birth_date_number(value: object) -> int:
    """An ISO birth date as yyyymmdd, or 0 when missing, unreadable or a placeholder (1900-01-01)."""
    try:
        day = date.fromisoformat(_text(value)[:10])
    except ValueError:
        return 0
    if day.year < _PLACEHOLDER_YEARS_BEFORE:
        return 0
    return day.year * 10000 + day.month * 100 + day.day


def email_local_part(email: str) -> str:
    """The part before @ without a +tag and dots, or "" for role addresses (info@, sales@) and very short ones."""
    local, at, _ = email.partition("@")
    if not at:
        return ""
    local = local.split("+", 1)[0].translate(_LOCAL_PUNCTUATION)
    return "" if len(local) < 3 or local in _GENERIC_LOCALS else local


def distinctive_local_part(local: str, name: PersonName) -> str:
    """The local part, or "" when it says nothing beyond the name: made of the name's parts and initials only
    (`wang.jing`, `jsmith`, `tonys`), as work addresses are. Such a part is equal for any two people of one name, so
    it would count the name twice. Digits, or words that are not the name, make it distinctive (`jsmith1984`)."""
    if not local.isalpha():  # (empty, or holding a digit or other non-letter)
        return local
    pieces = [p for p in (name.given, name.family, *sorted(formal_names(name.given))) if p]
    pieces += [p[0] for p in pieces]
    return "" if _made_of(local, pieces) else local


def _made_of(text: str, pieces: list[str]) -> bool:
    """True when the text is a concatenation of some of the pieces, each used at most once."""
    if not text:
        return True
    for i, piece in enumerate(pieces):
        if text.startswith(piece) and _made_of(text[len(piece) :], pieces[:i] + pieces[i + 1 :]):
            return True
    return False


def normalise_postcode(text: str) -> str:
    """Upper case without spaces or dashes (`sw1a 1aa` -> `SW1A1AA`); a ZIP+4 keeps its five digits."""
    code = re.sub(r"[\s\-]", "", text.upper())
    if len(code) == 9 and code.isdigit():
        return code[:5]
    return code


def normalise_city(text: str) -> str:
    """Folded and romanised, without a trailing `市` / `City`: `上海市` -> `shanghai`, `New York City` -> `newyork`."""
    city = fold(text)
    stripped = _CITY_SUFFIX.sub("", city).strip() or city
    return romanise(stripped)


def normalise_street(text: str) -> str:
    """Folded, with the usual abbreviations (`Street` -> `st`, `Suite` -> `ste`)."""
    return " ".join(_STREET_WORDS.get(word, word) for word in fold(text).split())
