"""Tests of retold.io: reading inputs, refusing what is not an article, option parsing."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retold.errors import ConfigError, InputError
from retold.io import atomic_write_text, decode_text, parse_date, parse_size, read_text

ARTICLE = "The mayor resigned on Tuesday.\nShe said: “It is time.”\n"


def write(tmp_path: Path, data: bytes, name: str = "a.txt") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_reads_utf8_text_exactly(tmp_path: Path) -> None:
    text = "Line one.\r\nLíne twö — “quoted”.\r\n"
    assert read_text(write(tmp_path, text.encode())) == text


def test_accepts_str_path(tmp_path: Path) -> None:
    assert read_text(str(write(tmp_path, ARTICLE.encode()))) == ARTICLE


def test_strips_leading_bom_only(tmp_path: Path) -> None:
    p = write(tmp_path, b"\xef\xbb\xbf" + ARTICLE.encode())
    text = read_text(p)
    assert text == ARTICLE
    assert text[4:9] == "mayor"  # offsets index the text without the BOM


def test_dash_reads_stdin() -> None:
    assert read_text("-", stdin=io.BytesIO(ARTICLE.encode())) == ARTICLE


def test_stdin_too_large() -> None:
    with pytest.raises(InputError, match=r"limit of 10 bytes.*--max-bytes"):
        read_text("-", max_bytes=10, stdin=io.BytesIO(b"x" * 11))


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(InputError, match="no such file") as err:
        read_text(missing)
    assert err.value.path == str(missing)
    assert str(missing) in str(err.value)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory") as err:
        read_text(tmp_path)
    assert err.value.path == str(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file(tmp_path: Path) -> None:
    p = write(tmp_path, ARTICLE.encode())
    p.chmod(0)
    try:
        with pytest.raises(InputError, match="permission denied"):
            read_text(p)
    finally:
        p.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty") as err:
        read_text(write(tmp_path, b""))
    assert err.value.path is not None


@pytest.mark.parametrize("data", [b"   \n\t\r\n  ", b"\xef\xbb\xbf\n\n"])
def test_whitespace_only_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(InputError, match="only white space"):
        read_text(write(tmp_path, data))


def test_binary_file_with_nul_bytes(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(InputError, match="binary"):
        read_text(write(tmp_path, png, "picture.txt"))


def test_binary_file_of_control_bytes(tmp_path: Path) -> None:
    data = bytes([1, 2, 3, 4, 5, 6, 0x0E, 0x0F, 0x10, 0x11]) * 50 + b"some text"
    with pytest.raises(InputError, match="binary"):
        read_text(write(tmp_path, data))


def test_random_bytes_are_binary(tmp_path: Path) -> None:
    data = bytes((i * 151 + 7) % 255 + 1 for i in range(5000))  # no NUL, mostly not UTF-8
    with pytest.raises(InputError, match="binary"):
        read_text(write(tmp_path, data))


def test_utf16_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="UTF-16"):
        read_text(write(tmp_path, ARTICLE.encode("utf-16")))


def test_invalid_utf8_names_line_and_offset(tmp_path: Path) -> None:
    data = "Fïrst line.\nSecond “line”.\nCaf".encode() + b"\xe9 au lait.\n"
    p = write(tmp_path, data)
    with pytest.raises(InputError) as err:
        read_text(p)
    e = err.value
    assert e.line == 3
    assert e.path == str(p)
    msg = str(e)
    assert msg.startswith(f"{p}:3: ")
    assert "not valid UTF-8" in msg
    assert "0xe9" in msg
    assert "byte 4 of line 3" in msg
    bad_at = data.index(b"\xe9")
    assert f"byte offset {bad_at}" in msg


def test_too_large_file(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    with p.open("wb") as f:
        f.truncate(50_000_000)  # sparse: fast, and refused before reading
    with pytest.raises(InputError) as err:
        read_text(p)
    msg = str(err.value)
    assert "50,000,000 bytes" in msg
    assert "20,000,000" in msg
    assert "--max-bytes 51000000" in msg


def test_raised_limit_lets_large_file_through(tmp_path: Path) -> None:
    p = write(tmp_path, b"word " * 300)
    with pytest.raises(InputError, match="limit"):
        read_text(p, max_bytes=1000)
    assert read_text(p, max_bytes=2000).startswith("word word")


def test_max_bytes_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        read_text(write(tmp_path, b"x"), max_bytes=0)


_TEXT_CHARS = st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\n\t\r ")


@given(st.text(_TEXT_CHARS, min_size=1).filter(lambda s: bool(s.strip()) and not s.startswith("\ufeff")))
def test_utf8_text_round_trips(text: str) -> None:
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


# --- parse_date -----------------------------------------------------------------------------


def test_parse_date() -> None:
    assert parse_date("2024-03-05") == dt.date(2024, 3, 5)
    assert parse_date(" 2024-03-05 ") == dt.date(2024, 3, 5)
    assert parse_date("2024-03-05T14:30") == dt.date(2024, 3, 5)
    assert parse_date("2024-03-05 14:30:00+01:00") == dt.date(2024, 3, 5)


@pytest.mark.parametrize("bad", ["", "yesterday", "05/03/2024", "2024-3-5", "20240305", "2024-02-30"])
def test_parse_date_rejects(bad: str) -> None:
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        parse_date(bad)


# --- parse_size -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20000000", 20_000_000), ("50MB", 50_000_000), ("50m", 50_000_000), ("64MiB", 64 * 2**20),
     ("1.5GB", 1_500_000_000), ("20_000", 20_000), ("2 kB", 2000)],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("bad", ["", "0", "-5", "lots", "5XB", "nan", "inf"])
def test_parse_size_rejects(bad: str) -> None:
    with pytest.raises(ConfigError, match="positive number of bytes"):
        parse_size(bad)


# --- atomic_write_text ----------------------------------------------------------------------


def test_atomic_write_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    atomic_write_text(target, "<html>one</html>")
    assert target.read_text(encoding="utf-8") == "<html>one</html>"
    target.chmod(0o640)
    atomic_write_text(target, "<html>twö</html>")
    assert target.read_text(encoding="utf-8") == "<html>twö</html>"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temp file left


def test_atomic_write_failure_leaves_no_temp(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        atomic_write_text(tmp_path / "missing-dir" / "r.html", "x")
    target = tmp_path / "r.html"
    target.write_text("old", encoding="utf-8")

    with pytest.raises(TypeError):
        atomic_write_text(target, 42)  # type: ignore[arg-type]
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]
