"""Source file encodings: real files in UTF-8, UTF-8 with BOM, UTF-16 and GBK/GB18030, detected or declared."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from loaders.encoding import SAMPLE_BYTES, check_encoding, detect_encoding, open_text

ROWS = [
    ["id", "name", "city", "note"],
    ["1", "王芳", "北京", "VIP客户"],
    ["2", "José García", "Madrid", "línea\nnueva"],
]
CHINESE_ROWS = [["id", "name", "city"], ["1", "王芳", "北京"], ["2", "张三", "上海"], ["3", "欧阳娜娜", "深圳"]]


def _write(tmp_path: Path, name: str, rows: list[list[str]], encoding: str) -> Path:
    path = tmp_path / name
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _read(path: Path, encoding: str = "auto") -> list[list[str]]:
    with open_text(path, encoding) as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize(
    ("encoding", "rows", "detected"),
    [
        ("utf-8", ROWS, "utf-8"),
        ("utf-8-sig", ROWS, "utf-8-sig"),  # Excel's "CSV UTF-8"
        ("utf-16", ROWS, "utf-16"),  # Excel's "Unicode text" (with BOM)
        ("gbk", CHINESE_ROWS, "gb18030"),  # a Chinese Windows export
        ("gb18030", CHINESE_ROWS, "gb18030"),
        ("ascii", [["id", "name"], ["1", "Ann"]], "utf-8"),
    ],
)
def test_the_encoding_is_detected_and_the_rows_read_back(
    tmp_path: Path, encoding: str, rows: list[list[str]], detected: str
) -> None:
    path = _write(tmp_path, f"export-{encoding}.csv", rows, encoding)
    assert detect_encoding(path) == detected
    assert _read(path) == rows


def test_a_bom_does_not_end_up_in_the_first_column_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "bom.csv", ROWS, "utf-8-sig")
    assert _read(path)[0][0] == "id"
    assert _read(path, "utf-8")[0][0] == "id"  # declared UTF-8 accepts the BOM as well


def test_newlines_inside_quoted_fields_survive(tmp_path: Path) -> None:
    path = _write(tmp_path, "multiline.csv", ROWS, "utf-8")
    assert _read(path)[2][3] == "línea\nnueva"


def test_gbk_characters_outside_gb2312_are_read(tmp_path: Path) -> None:
    rows = [["id", "name"], ["1", "李喆"], ["2", "王堃"], ["3", "陈䶮"]]  # 喆 and 堃 are GBK, 䶮 only GB18030
    path = _write(tmp_path, "rare.csv", rows, "gb18030")
    assert _read(path) == rows
    assert _read(path, "gbk") == rows  # a declared GBK is read as its superset GB18030


def test_a_long_ascii_head_does_not_hide_a_gbk_body(tmp_path: Path) -> None:
    rows = [["id", "name"]] + [[str(i), "Ann Lee"] for i in range(SAMPLE_BYTES // 10)] + [["x", "王芳"]]
    path = _write(tmp_path, "late.csv", rows, "gbk")
    assert path.stat().st_size > SAMPLE_BYTES
    assert detect_encoding(path) == "gb18030"
    assert _read(path)[-1] == ["x", "王芳"]


def test_a_utf8_character_cut_at_the_sample_edge_is_still_utf8(tmp_path: Path) -> None:
    path = tmp_path / "edge.csv"
    head = b"a" * (SAMPLE_BYTES - 1)
    path.write_bytes(head + "王芳\n".encode() * 3)  # the first byte of 王 ends the sample
    assert detect_encoding(path) == "utf-8"


@pytest.mark.parametrize(
    ("declared", "expected"),
    [("utf-8", "王芳"), ("UTF8", "王芳"), ("latin-1", "王芳".encode().decode("latin-1"))],  # latin-1: no detection
)
def test_a_declared_encoding_is_used_as_given(tmp_path: Path, declared: str, expected: str) -> None:
    path = tmp_path / "declared.csv"
    path.write_bytes("name\r\n王芳\r\n".encode())
    with open_text(path, declared) as handle:
        assert handle.read() == f"name\r\n{expected}\r\n"  # newline="": line ends are left to the csv module


def test_a_wrong_declared_encoding_fails_loudly_or_marks_the_damage(tmp_path: Path) -> None:
    path = _write(tmp_path, "gbk.csv", CHINESE_ROWS, "gbk")
    with pytest.raises(UnicodeDecodeError), open_text(path, "utf-8") as handle:
        handle.read()
    with open_text(path, "utf-8", errors="replace") as handle:
        assert "\ufffd" in handle.read()


def test_an_empty_file_is_utf8(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert detect_encoding(path) == "utf-8"
    assert _read(path) == []


@pytest.mark.parametrize(
    ("name", "codec"),
    [("auto", "auto"), ("AUTO", "auto"), ("gbk", "gb18030"), ("GB2312", "gb18030"), ("cp936", "gb18030"),
     ("utf-8", "utf-8-sig"), ("utf8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"),
     ("latin-1", "iso8859-1")],
)  # fmt: skip
def test_declared_encodings_map_to_codecs(name: str, codec: str) -> None:
    assert check_encoding(name) == codec


def test_an_unknown_encoding_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown encoding 'klingon'"):
        check_encoding("klingon")
    path = _write(tmp_path, "x.csv", ROWS, "utf-8")
    with pytest.raises(ValueError, match="unknown encoding"):
        open_text(path, "klingon")


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        open_text(tmp_path / "missing.csv")
