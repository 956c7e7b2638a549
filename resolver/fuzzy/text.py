"""Text folding shared by the comparisons: NFKC, case and accent folding, punctuation, Han detection, pinyin."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Han ideographs (with extension A, compatibility ideographs and the supplementary planes).
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# Letters that do not decompose into a base letter and a combining mark.
_SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ŋ": "ng", "ħ": "h"}
)
_HAN_RUN = re.compile(_HAN.pattern + "+")
_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"[\s_]+")


def has_han(text: str) -> bool:
    """True when the text holds at least one Han ideograph."""
    return _HAN.search(text) is not None


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """NFKC, casefolded, accents removed, punctuation dropped, whitespace collapsed: `  Núñez-O'Brien ` ->
    `nunezobrien`. Apostrophes and dots vanish; hyphens and other punctuation become spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_SPECIAL_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.replace("'", "").replace("’", "").replace(".", " ")
    text = _NOT_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def syllables(text: str) -> list[str]:
    """Pinyin syllables (no tones, `ü` as `u`) of the Han characters in the text; other runs kept as folded words."""
    out: list[str] = []
    start = 0
    for match in _HAN_RUN.finditer(text):
        out += fold(text[start : match.start()]).split()
        out += [s.replace("v", "u") for s in lazy_pinyin(match.group(), style=Style.NORMAL)]
        start = match.end()
    out += fold(text[start:]).split()
    return out


def romanise(text: str) -> str:
    """The text in pinyin, syllables run together (`王芳` -> `wangfang`), other scripts folded (`José` -> `jose`)."""
    if not has_han(text):
        return fold(text).replace(" ", "")
    return "".join(syllables(text))


def word_set(text: str) -> frozenset[str]:
    """The space-separated words of a table written as one string."""
    return frozenset(text.split())
