"""Text and names: mojibake repaired where it can be, refused as garbled where it cannot, names in a sensible case."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.normalise import is_garbled, normalise_name, normalise_text, repair_text
from loaders.reasons import InvalidValue, Reason


def _utf8_read_as_cp1252(text: str) -> str:
    """What a UTF-8 export looks like after a tool read it as Windows-1252 (the classic `Ã©`)."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


# Mojibake made the way it is made in the wild, not typed in by hand.
ZHANG_SAN_DOUBLE_ENCODED = _utf8_read_as_cp1252(_utf8_read_as_cp1252("张三"))
HELLO_AS_CP1251 = "Привет".encode().decode("cp1251")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("JosÃ© GarcÃ­a", "José García"),
        (_utf8_read_as_cp1252("François Müller"), "François Müller"),
        (ZHANG_SAN_DOUBLE_ENCODED, "张三"),
        (_utf8_read_as_cp1252("王芳"), "王芳"),
        (HELLO_AS_CP1251, "Привет"),
        ("Renée O’Neil", "Renée O'Neil"),  # curly apostrophe
        ("Smith &amp; Sons", "Smith & Sons"),  # HTML entity from a web form
        ("plain ascii", "plain ascii"),
        ("王芳", "王芳"),
        ("Zoë Saldaña", "Zoë Saldaña"),
    ],
)
def test_repair_undoes_mojibake_and_leaves_good_text_alone(raw: str, expected: str) -> None:
    assert repair_text(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "锟斤拷锟斤拷",  # GBK -> UTF-8 -> GBK: the bytes are gone
        "烫烫烫烫",  # uninitialised memory read as GBK
        "屯屯屯屯",
        "\ufffd\ufffd",
        "Мо\ufffdква",
        "ann\x81lee",  # a C1 control character that is no cp1252 character either
        "å¼ ä¸‰",  # double-encoded 张三 that lost its non-breaking space: cannot be undone
        "Ã¥Â¼Â ä¸‰",  # partly repairable, but a residue stays
    ],
)
def test_damage_that_cannot_be_undone_is_detected(text: str) -> None:
    assert is_garbled(repair_text(text))


@pytest.mark.parametrize(
    ("raw", "repaired"), [("ann\x85lee", "ann…lee"), ("ann\x00lee", "annlee"), ("a\x1b[31mb", "ab")]
)
def test_control_characters_are_garbled_until_repaired(raw: str, repaired: str) -> None:
    assert is_garbled(raw)
    assert repair_text(raw) == repaired
    assert not is_garbled(repaired)


@pytest.mark.parametrize(
    "text",
    [
        "Ann Lee",
        "王芳",
        "José García",
        "Zoë Saldaña",
        "Björk Guðmundsdóttir",
        "Ðorđe Balašević",
        "Nguyễn Thị Minh Khai",
        "Łukasz Żółć",
        "Søren Kierkegaard",
        "İsmail Çağlar",
        "Иван Петров",
        "Αλέξανδρος",
        "محمد",
        "Müller-Lüdenscheidt",
        "阿卜杜·克里木",
        "김민준",
        "山田太郎",
        "Tab\tand\nnew line",
        "Café «Le Dôme»",
        "£12 and €5",
    ],
)
def test_real_text_in_many_scripts_is_not_garbled(text: str) -> None:
    assert not is_garbled(text)
    assert repair_text(text) == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Ann   Lee ", "Ann Lee"),
        ("JOHN SMITH", "John Smith"),
        ("john smith", "John Smith"),
        ("o'neil", "O'Neil"),
        ("O'NEIL", "O'Neil"),
        ("O’NEIL", "O'Neil"),
        ("d'angelo", "D'Angelo"),
        ("mcdonald", "McDonald"),
        ("MCDONALD", "McDonald"),
        ("McDonald", "McDonald"),  # mixed case is kept as written
        ("Jean DUPONT", "Jean DUPONT"),
        ("macdonald", "Macdonald"),  # no guess between Mac- and Mack-
        ("JEAN-LUC PICARD", "Jean-Luc Picard"),
        ("j.r.r. tolkien", "J.R.R. Tolkien"),
        ("ludwig van beethoven", "Ludwig van Beethoven"),
        ("VAN DER BERG", "Van der Berg"),
        ("ANNA LE", "Anna Le"),  # Vietnamese surname, not a particle
        ("john smith iii", "John Smith III"),
        ("ÉMILE ZOLA", "Émile Zola"),
        ("ИВАН ПЕТРОВ", "Иван Петров"),
        ("ｊｏｈｎ ｓｍｉｔｈ", "John Smith"),  # full-width letters
        ("Ｊｏｈｎ", "John"),
        ("JosÃ© GarcÃ­a", "José García"),
        ("王 芳", "王芳"),
        ("王　芳", "王芳"),  # ideographic space
        (" 欧阳 娜娜 ", "欧阳娜娜"),
        ("王芳 Fang WANG", "王芳 Fang WANG"),  # spaces between scripts are kept, case untouched
        ("김 민준", "김민준"),
        ("Anna", "Anna"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_names_are_normalised(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize("raw", ["锟斤拷", "\ufffd\ufffd", "å¼ ä¸‰", "Ã¥Â¼Â ä¸‰", "Ann\x8dLee", "Мо\ufffdква"])
def test_garbled_names_are_refused_without_quoting_them(raw: str) -> None:
    with pytest.raises(InvalidValue, match="garbled") as caught:
        normalise_name(raw)
    assert caught.value.reason is Reason.GARBLED_TEXT
    assert raw not in caught.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  12  Main   Street ", "12 Main Street"),
        ("ＶＩＰ　客户", "VIP 客户"),  # full-width to ASCII, no case change
        ("HEAD OF SALES", "HEAD OF SALES"),
        ("北京市\n朝阳区", "北京市 朝阳区"),
        ("CafÃ©", "Café"),
        ("ﬁnance", "finance"),  # ligature
        ("", ""),
    ],
)
def test_free_text_is_repaired_and_collapsed_but_keeps_its_case(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_garbled_free_text_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        normalise_text("地址锟斤拷")
    assert caught.value.reason is Reason.GARBLED_TEXT


_names = st.text(alphabet=st.characters(categories=["Lu", "Ll", "Lo", "Zs"], codec="utf-8"), max_size=20)


@given(_names | st.from_regex(r"[A-Za-z' .-]{0,20}", fullmatch=True))
def test_normalising_a_name_is_idempotent(raw: str) -> None:
    try:
        once = normalise_name(raw)
    except InvalidValue:
        return
    assert normalise_name(once) == once
    assert once == once.strip()
    assert "  " not in once
