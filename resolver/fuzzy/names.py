"""A person's name as two comparable parts, given and family, whatever script and order it was written in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from resolver.fuzzy.surnames import COMMON_PINYIN_SURNAMES, romanise_surname, split_han_name
from resolver.fuzzy.text import fold, has_han, romanise, word_set

_INITIALS = "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINALS = (
    "(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ui|ao|ou|iu|ie|ue|ve|er|an|en|in|un|vn|ia|ua|uo"
    "|a|o|e|i|u|v)"
)
_PINYIN = re.compile(f"(?:{_INITIALS}{_FINALS})+")
# Words around a name that are not part of it.
_TITLES = word_set("mr mrs ms miss mx dr prof sir madam dame jr sr ii iii iv phd md esq")
# Values typed into a name field that are no name.
_NO_NAME = word_set("unknown none null nil na n a x xx xxx test customer guest anonymous noname")


@dataclass(frozen=True, slots=True)
class PersonName:
    """Folded, romanised parts without spaces (`wang`, `fang`); either may be "" when the record lacks it."""

    given: str
    family: str

    @property
    def key(self) -> str:
        """The parts in sorted order: a name written family name first gives the same key."""
        return " ".join(sorted(p for p in (self.given, self.family) if p))


@lru_cache(maxsize=131072)
def is_pinyin(word: str) -> bool:
    """True when a folded word reads as one or more pinyin syllables (`lingying`, `zhang`)."""
    return _PINYIN.fullmatch(word) is not None


def _words(text: str) -> list[str]:
    return [w for w in fold(text).split() if w not in _TITLES]


def _given(text: str) -> str:
    """A given-name field: Han in pinyin; Latin syllables of a Chinese name joined (`Ling Ying` -> `lingying`), else
    the first word (`Mary Ann` -> `mary`)."""
    if has_han(text):
        return romanise(text)
    words = _words(text)
    if not words:
        return ""
    return "".join(words) if all(is_pinyin(w) for w in words) else words[0]


def _family(text: str) -> str:
    if has_han(text):
        return romanise_surname(text.replace(" ", ""))
    return "".join(_words(text))


def _han_full(text: str) -> PersonName:
    given, family = split_han_name(text.replace(" ", ""))
    return PersonName(romanise(given), romanise_surname(family))


def _latin_full(text: str) -> PersonName:
    if "," in text:  # Smith, John
        family, _, given = text.partition(",")
        return PersonName(_given(given), _family(family))
    words = [romanise(w) for w in _words(text)]
    words = [w for w in words if w]
    if not words:
        return PersonName("", "")
    if len(words) == 1:
        return PersonName(words[0], "")
    chinese = all(is_pinyin(w) for w in words)
    if chinese and words[0] in COMMON_PINYIN_SURNAMES and words[-1] not in COMMON_PINYIN_SURNAMES:
        return PersonName("".join(words[1:]), words[0])  # Zhang Lingying / Zhang Ling Ying
    if chinese:
        return PersonName("".join(words[:-1]), words[-1])  # Ling Ying Zhang
    return PersonName(words[0], words[-1])  # Mary Ann Smith: the middle name is dropped


def _full(text: str) -> PersonName:
    compact = text.replace(" ", "")
    if has_han(text) and all(has_han(c) for c in compact):
        return _han_full(compact)
    return _latin_full(text)


def _clean(value: object) -> str:
    if not isinstance(value, str):
        return ""
    text = value.strip()
    return "" if fold(text).replace(" ", "") in _NO_NAME else text


def parse_name(first: object, last: object, full: object) -> PersonName:
    """Given and family name from a record's `first_name`, `last_name` and `full_name` (used when both parts are
    missing). A whole name typed into one part field is split as a full name."""
    first_text, last_text, full_text = _clean(first), _clean(last), _clean(full)
    if first_text and last_text:
        return PersonName(_given(first_text), _family(last_text))
    single = first_text or last_text
    if single and (len(_words(single)) > 1 or (has_han(single) and len(single.replace(" ", "")) >= 2)):
        return _full(single)
    if single:
        return PersonName(_given(single), "") if first_text else PersonName("", _family(single))
    if full_text:
        return _full(full_text)
    return PersonName("", "")
