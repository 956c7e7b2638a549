"""Free text: repair mojibake (ftfy), Unicode NFKC, collapsed whitespace, and detection of what stays garbled."""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy.badness import is_bad

from loaders.reasons import InvalidValue, Reason

# Characters that ftfy could change: Latin-1/Latin Extended/Greek/Cyrillic/Hebrew/Arabic (what UTF-8 bytes look like
# when decoded with a single-byte code page), C1 controls, general punctuation and symbols (cp1252 extras, curly
# quotes, cp437 box drawing), surrogates, BOM and replacement characters. Text without any of them (ASCII, pure CJK)
# is left to the cheap path; ftfy is never called for it.
_MOJIBAKE_CANDIDATE = re.compile("[\u0080-\u07ff\u2000-\u2bff\ud800-\udfff\ufeff\ufff9-\ufffd]")
# ASCII text ftfy would still change: HTML entities, C0 control characters, terminal escapes.
_ASCII_NEEDS_REPAIR = re.compile("[&\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# cp1252 characters standing for bytes 0x80-0x9F, i.e. UTF-8 continuation bytes read with the wrong code page.
_CP1252_CONTINUATION = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_CONT = f"[\u0080-\u00bf{_CP1252_CONTINUATION}]"
_GARBLED = re.compile(
    "|".join(
        [
            "\ufffd",  # a replacement character: the original bytes are gone
            "锟斤拷",  # U+FFFD's UTF-8 bytes read as GBK: GBK -> UTF-8 -> GBK round trips
            "烫烫烫",  # MSVC's 0xCC fill (uninitialised stack) read as GBK
            "屯屯屯",  # MSVC's 0xCD fill (uninitialised heap) read as GBK
            "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]",  # C0 (but tab and line breaks) and C1 control characters
            # UTF-8 lead byte + continuation bytes as Latin-1/cp1252 that ftfy could not undo ("å¼\xa0三")
            f"[\u00c2-\u00df]{_CONT}",
            f"[\u00e0-\u00ef]{_CONT}{{2}}",
        ]
    )
)


def repair_text(raw: str) -> str:
    """Mojibake and other Unicode accidents repaired with ftfy (`JosÃ© GarcÃ­a` -> `José García`).

    ftfy is only called when the text holds a character it could change, so ASCII and CJK text cost almost nothing.
    """
    if raw.isascii():
        return ftfy.fix_text(raw) if _ASCII_NEEDS_REPAIR.search(raw) else raw
    return ftfy.fix_text(raw) if _MOJIBAKE_CANDIDATE.search(raw) else raw


def is_garbled(text: str) -> bool:
    """True when the text holds damage that cannot be undone: U+FFFD, `锟斤拷` / `烫烫烫`, control characters,
    UTF-8-as-Latin-1 residue, or what ftfy's badness heuristic flags."""
    if text.isascii():
        return _GARBLED.search(text) is not None
    return _GARBLED.search(text) is not None or (_MOJIBAKE_CANDIDATE.search(text) is not None and is_bad(text))


def clean_text(raw: str) -> str:
    """Repaired, NFKC-normalised text with whitespace collapsed; GARBLED_TEXT when damage remains after repair."""
    if raw.isascii() and _ASCII_NEEDS_REPAIR.search(raw) is None:
        return " ".join(raw.split())
    text = repair_text(raw)
    # Checked before NFKC, which would rewrite the evidence (mojibake's "¼" becomes "1⁄4").
    if is_garbled(text):
        raise InvalidValue(Reason.GARBLED_TEXT, "garbled text that cannot be repaired (mojibake or lost characters)")
    return " ".join(unicodedata.normalize("NFKC", text).split())


def normalise_text(raw: str) -> str:
    """Free text (addresses, titles, notes): repaired, NFKC (full-width -> ASCII), whitespace collapsed; case kept.

    Raises InvalidValue(GARBLED_TEXT) when the text is still garbled after repair.
    """
    return clean_text(raw)
