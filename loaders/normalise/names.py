"""Person names: repaired NFKC text, name case for names typed all upper or all lower case, CJK without spaces."""

from __future__ import annotations

import re

from loaders.normalise.text import clean_text

# Han (with extensions and compatibility ideographs), kana, bopomofo, hangul: scripts written without inner spaces.
_CJK = "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}\U00020000-\U0003134f]")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}\U00020000-\U0003134f]) (?=[{_CJK}\U00020000-\U0003134f])")

# Lower-case particles inside a name ("Ludwig van Beethoven"). Kept short on purpose: "de", "da", "di", "du", "le",
# "la" and "do" are also pinyin syllables or Vietnamese surnames, where lower case would be wrong.
_PARTICLES = frozenset({"van", "von", "der", "den", "del", "della", "dos", "das", "ten", "ter"})
_ROMAN_SUFFIXES = frozenset({"ii", "iii", "iv"})
_WORD_PART = re.compile(r"[^\s\-.]+|[\s\-.]+")


def _capitalise(part: str) -> str:
    """One hyphen-, dot- and space-free part of a lower-cased name: `o'neil` -> `O'Neil`, `mcdonald` -> `McDonald`."""
    if part in _ROMAN_SUFFIXES:
        return part.upper()
    if len(part) > 2 and part[1] == "'":  # O'Neil, D'Angelo, L'Estrange
        return part[0].upper() + "'" + part[2:].capitalize()
    if len(part) > 3 and part.startswith("mc"):
        return "Mc" + part[2:].capitalize()
    return part.capitalize()


def _fix_case(text: str) -> str:
    """A name typed in one case only, in the case people write it: `JOHN SMITH` -> `John Smith`."""
    words = text.lower().split(" ")
    last = len(words) - 1
    out: list[str] = []
    for index, word in enumerate(words):
        if 0 < index < last and word in _PARTICLES:
            out.append(word)
        else:
            out.append("".join(_capitalise(p) if p[0].isalpha() else p for p in _WORD_PART.findall(word)))
    return " ".join(out)


def _is_single_case(text: str) -> bool:
    """All cased letters upper (or all lower), and no letters of uncased scripts (CJK, Arabic, ...)."""
    if not (text.isupper() or text.islower()):
        return False
    return text.isascii() or not any(c.isalpha() and not (c.isupper() or c.islower()) for c in text)


def normalise_name(raw: str) -> str:
    """A person's name as it should be stored and matched.

    Mojibake is repaired, the text NFKC-normalised (full-width letters become ASCII) and whitespace collapsed. Names
    written all upper or all lower case get name case (`JOHN SMITH` -> `John Smith`, `o'neil` -> `O'Neil`,
    `mcdonald` -> `McDonald`); mixed case is kept as written. CJK names are kept as written but lose inner spaces
    (`王 芳` -> `王芳`). An empty or blank name gives "".

    Raises InvalidValue(GARBLED_TEXT) when the name is garbled beyond repair.
    """
    text = clean_text(raw)
    if text.isascii():
        return _fix_case(text) if text.isupper() or text.islower() else text
    if _CJK_CHAR.search(text):
        return _SPACE_BETWEEN_CJK.sub("", text)
    return _fix_case(text) if _is_single_case(text) else text
