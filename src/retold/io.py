"""Reading input documents and option values, with errors a user can act on.

``read_text`` is the one way retold reads an article: from a file, or from
standard input when the path is ``"-"``. It refuses what cannot be an article
(a directory, an empty file, a binary file, text that is not UTF-8, a file
over the size limit) with an :class:`~retold.errors.InputError` that names the
file and, for bad UTF-8, the line.

Offsets: a leading UTF-8 byte order mark (BOM) is dropped, nothing else is
touched (line endings included). Every character offset retold reports
indexes the decoded text *without* the BOM.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from retold.errors import ConfigError, InputError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "atomic_write_text",
    "decode_text",
    "parse_date",
    "parse_size",
    "read_text",
    "stored_date",
]

DEFAULT_MAX_BYTES = 20_000_000
STDIN_NAME = "<stdin>"

_BOM = "\ufeff"
_SAMPLE = 8192
# Bytes that never appear in text: C0 controls except \t \n \v \f \r and ESC, plus DEL.
_CONTROL = frozenset(range(0x00, 0x09)) | frozenset(range(0x0E, 0x1B)) | frozenset(range(0x1C, 0x20)) | {0x7F}
_MAX_CONTROL_SHARE = 0.10  # share of control bytes above which a sample is binary
_MAX_BAD_UTF8_SHARE = 0.10  # share of undecodable bytes above which a sample is binary


def read_text(
    path: str | Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
) -> str:
    """Read one input document as UTF-8 text.

    Args:
        path: a file path, or ``"-"`` for standard input.
        max_bytes: refuse inputs larger than this many bytes.
        stdin: the binary stream read for ``"-"`` (default ``sys.stdin.buffer``).

    Returns:
        The decoded text, with a leading byte order mark removed and nothing
        else changed; retold's character offsets index this string.

    Raises:
        InputError: the path is missing, a directory or unreadable, or its
            content is empty, only white space, binary, not UTF-8 or larger
            than ``max_bytes``. The error's ``path`` (and ``line`` for bad
            UTF-8) say where.
        ConfigError: ``max_bytes`` is not a positive number.

    Examples:
        >>> import io
        >>> read_text("-", stdin=io.BytesIO(b"\\xef\\xbb\\xbfThe mayor resigned.\\n"))
        'The mayor resigned.\\n'
    """
    if max_bytes <= 0:
        raise ConfigError(f"max_bytes must be a positive number of bytes, not {max_bytes}")
    if str(path) == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        name = STDIN_NAME
        try:
            data = stream.read(max_bytes + 1)
        except OSError as e:
            raise InputError(f"cannot read standard input: {e.strerror or e}", path=name) from e
        if len(data) > max_bytes:
            raise InputError(
                f"input is larger than the limit of {max_bytes:,} bytes; "
                f"raise the limit with --max-bytes (for example --max-bytes {_suggest(max_bytes * 2)})",
                path=name,
            )
    else:
        name = str(path)
        data = _read_file(Path(path), name, max_bytes)
    return decode_text(data, name=name)


def _read_file(path: Path, name: str, max_bytes: int) -> bytes:
    """Read a file's bytes after checking that it is a readable file within the limit."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError("no such file", path=name) from None
    except PermissionError:
        raise InputError("permission denied: cannot look up this file", path=name) from None
    except OSError as e:
        raise InputError(f"cannot open this file: {e.strerror or e}", path=name) from e
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory, not a text file; give the path of one article", path=name)
    if stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
        raise InputError(_too_big(st.st_size, max_bytes), path=name)
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except PermissionError:
        raise InputError("permission denied: cannot read this file", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a text file; give the path of one article", path=name) from None
    except OSError as e:
        raise InputError(f"cannot read this file: {e.strerror or e}", path=name) from e
    if len(data) > max_bytes:  # a pipe or device, or a file that grew
        raise InputError(_too_big(None, max_bytes), path=name)
    return data


def _suggest(n: int) -> int:
    """A round number of bytes at least ``n``, to suggest as a new limit."""
    step = 1_000_000
    return max(step, -(-n // step) * step)


def _too_big(size: int | None, max_bytes: int) -> str:
    """The message for an input over the size limit."""
    what = f"is {size:,} bytes" if size is not None else "is larger than the limit"
    return (
        f"file {what}, over the limit of {max_bytes:,} bytes; if it really is one article, "
        f"raise the limit with --max-bytes {_suggest((size or max_bytes * 2) + 1)}"
    )


def decode_text(data: bytes, *, name: str = STDIN_NAME) -> str:
    """Decode an input's bytes as UTF-8 text, refusing what is not text.

    Args:
        data: the raw bytes of the input.
        name: the input's name for error messages.

    Returns:
        The text, with a leading byte order mark removed.

    Raises:
        InputError: the bytes are empty, only white space, binary or not UTF-8.
    """
    if not data:
        raise InputError("file is empty; there is no article to compare", path=name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            "file is encoded as UTF-16; retold reads UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)",
            path=name,
        )
    sample = data[:_SAMPLE]
    if b"\x00" in data:
        raise InputError("looks like a binary file (it contains NUL bytes), not a text article", path=name)
    controls = sum(1 for b in sample if b in _CONTROL)
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise InputError(
            f"looks like a binary file ({controls * 100 // len(sample)}% of its first bytes are "
            "control characters), not a text article",
            path=name,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = sample.decode("utf-8", errors="replace").count("\ufffd")
        if bad > _MAX_BAD_UTF8_SHARE * len(sample):
            raise InputError("looks like a binary file (most of it is not UTF-8), not a text article",
                             path=name) from None
        raise _utf8_error(data, e, name) from None
    if text.startswith(_BOM):
        text = text[1:]
    if not text.strip():
        raise InputError("file contains only white space; there is no article to compare", path=name)
    return text


def _utf8_error(data: bytes, e: UnicodeDecodeError, name: str) -> InputError:
    """An InputError naming the line, column and byte offset of the first bad byte."""
    pos = e.start
    line = data.count(b"\n", 0, pos) + 1
    line_start = data.rfind(b"\n", 0, pos) + 1
    bad = data[pos : min(e.end, pos + 4)].hex(" ")
    return InputError(
        f"not valid UTF-8: bad byte 0x{bad} at byte {pos - line_start + 1} of line {line} "
        f"(byte offset {pos} in the file); retold reads UTF-8 only - if the file is Latin-1 or "
        "Windows-1252, convert it first (e.g. iconv -f CP1252 -t UTF-8)",
        path=name,
        line=line,
    )


def parse_date(s: str) -> dt.date:
    """Parse a publication date given as ``YYYY-MM-DD``.

    An ISO date-time (``2024-03-05T14:30``) is accepted too; its date part is kept.

    Args:
        s: the date as written by the user.

    Returns:
        The calendar date.

    Raises:
        ConfigError: ``s`` is not an ISO date, or not a real calendar day.

    Examples:
        >>> parse_date("2024-03-05")
        datetime.date(2024, 3, 5)
    """
    text = s.strip()
    try:
        if len(text) > 10 and text[10:11] in ("T", " "):
            return dt.datetime.fromisoformat(text).date()
        if len(text) == 10 and text[4:5] == "-" and text[7:8] == "-":
            return dt.date.fromisoformat(text)
    except ValueError as e:
        raise ConfigError(f"invalid date {s!r}: {e}; write it as YYYY-MM-DD, e.g. 2024-03-05") from None
    raise ConfigError(f"invalid date {s!r}: write it as YYYY-MM-DD, e.g. 2024-03-05")


_UNITS = {
    "": 1, "b": 1,
    "k": 1000, "kb": 1000, "kib": 1024,
    "m": 1000**2, "mb": 1000**2, "mib": 1024**2,
    "g": 1000**3, "gb": 1000**3, "gib": 1024**3,
}


def parse_size(s: str) -> int:
    """Parse a byte count such as ``20000000``, ``50MB``, ``50M`` or ``64MiB``.

    Raises:
        ConfigError: ``s`` is not a positive size.

    Examples:
        >>> parse_size("50MB"), parse_size("1_000"), parse_size("2KiB")
        (50000000, 1000, 2048)
    """
    text = s.strip().replace("_", "").replace(",", "").lower()
    digits = text.rstrip("abcdefghijklmnopqrstuvwxyz").strip()
    unit = text[len(digits) :].strip()
    try:
        value = float(digits)
    except ValueError:
        value = -1.0
    if unit not in _UNITS or not math.isfinite(value) or value <= 0 or value * _UNITS[unit] < 1:
        raise ConfigError(f"invalid size {s!r}: give a positive number of bytes, e.g. 50000000 or 50MB")
    return int(value * _UNITS[unit])


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` as UTF-8 so that readers never see a partial file.

    The text goes to a temporary file in the same directory, which then
    replaces ``path`` in one step.

    Returns:
        The path written.

    Raises:
        OSError: the directory does not exist or cannot be written.
    """
    target = Path(path)
    directory = target.parent
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates the file 0600; keep the mode of the file being replaced,
        # or give a new file the usual permissions.
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except OSError:
            umask = os.umask(0o022)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def stored_date(raw: str | None) -> dt.date | None:
    """The date of a stored ISO date or date-time string, or None when absent or unreadable."""
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        return None
