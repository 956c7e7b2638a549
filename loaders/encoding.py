"""Text encodings of source exports: UTF-8, UTF-8 with BOM, UTF-16 with BOM and GBK/GB18030, detected or declared."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import TextIO

AUTO = "auto"
SAMPLE_BYTES = 1 << 20  # 1 MiB: decide on a large first sample, not on the header row alone
# GB18030 is a superset of GBK, GB2312 and cp936: reading any of them as GB18030 gives the same text and more.
_GB_FAMILY = frozenset({"gbk", "gb2312", "cp936", "ms936", "gb18030", "euc-cn", "euccn", "936"})
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def check_encoding(name: str) -> str:
    """The codec `open_text` will use for a declared encoding: "auto" as is, the GBK family as "gb18030", UTF-8 as
    "utf-8-sig" (which also strips a BOM). Raises ValueError naming an encoding Python does not know."""
    key = name.strip().lower()
    if key == AUTO:
        return AUTO
    if key in _GB_FAMILY:
        return "gb18030"
    try:
        codec = codecs.lookup(key).name
    except LookupError:
        raise ValueError(f"unknown encoding {name!r}: use 'auto', 'utf-8' or 'gbk'") from None
    return "utf-8-sig" if codec == "utf-8" else codec


def _decides(chunk: bytes) -> bool:
    return not chunk.isascii()


def detect_encoding(path: Path | str) -> str:
    """The encoding of a file: "utf-8-sig" (UTF-8 BOM), "utf-16" (UTF-16 BOM), "utf-8", or "gb18030".

    Without a BOM, the first sample holding a non-ASCII byte decides (a file can start with pages of ASCII): valid
    UTF-8 there means "utf-8", anything else "gb18030". A pure ASCII file is "utf-8".
    """
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
        for bom, encoding in _BOMS:
            if head.startswith(bom):
                return encoding
        sample = head
        while sample and not _decides(sample):
            sample = handle.read(SAMPLE_BYTES)
        if not sample:
            return "utf-8"
        at_end = len(sample) < SAMPLE_BYTES or not handle.read(1)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=at_end)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def open_text(path: Path | str, encoding: str = AUTO, *, errors: str = "strict") -> TextIO:
    """The file as a text stream for the csv module (newline=""), decoded as detected ("auto") or as declared.

    A declared "gbk" (or gb2312, cp936) is read as gb18030, its superset; "utf-8" also accepts a BOM.
    With errors="replace", undecodable bytes become U+FFFD, which the normalisers report as garbled text per row
    instead of failing the whole file. Raises ValueError for an unknown encoding, OSError for an unreadable file.
    """
    codec = check_encoding(encoding)
    if codec == AUTO:
        codec = detect_encoding(path)
    return open(path, encoding=codec, errors=errors, newline="")
