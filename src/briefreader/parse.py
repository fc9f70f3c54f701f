"""File -> Brief: read a brief from disk, decode it, and hand the text to the importer
for its format: ``parse_markdown`` for .md and .markdown files, ``parse_text`` for any
other name. The section ids and tree both importers build come from ``sections``.

Every Brief returned here has at least one section.
"""

from __future__ import annotations

import codecs
import hashlib
import importlib.util
import os
import stat
import sys
import unicodedata
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from briefreader.brief import Brief
from briefreader.errors import BriefError as BriefError  # re-exported: part of this module's API
from briefreader.errors import BriefreaderError
from briefreader.parse_markdown import parse_markdown
from briefreader.parse_text import parse_text
from briefreader.sections import BRIEF_SUFFIXES
from briefreader.sections import slugify as slugify  # re-exported: part of this module's API

#: What reading a brief can raise: our own errors, the operating system's, and Python's
#: own on pathological input. Whoever loads briefs off the GUI thread catches these.
LOAD_ERRORS = (BriefreaderError, OSError, MemoryError, RecursionError, ValueError)


def load_error_reason(path: str | os.PathLike[str], exc: BaseException) -> str:
    """One line saying why a brief could not be read (Python's own errors get its name)."""
    return str(exc) if isinstance(exc, BriefreaderError) else f"{Path(path).name}: {exc}"


MAX_BYTES = 50 * 1024 * 1024
MARKDOWN_SUFFIXES = (".md", ".markdown")


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class UnreadableFileError(BriefError):
    """Missing, a folder, not permitted, or not a regular file (FIFO, device)."""


class EmptyFileError(BriefError):
    """No bytes, or nothing but white space."""


class BinaryFileError(BriefError):
    """NUL bytes, a known binary format, or mostly control characters."""


class TooLargeError(BriefError):
    """Larger than the ``max_bytes`` the caller allows."""


class EncodingError(BriefError):
    """The bytes are not valid in the encoding asked for (UTF-8 by default)."""

    def __init__(self, message: str, *, offset: int, suggested_encoding: str | None = None):
        super().__init__(message)
        self.offset = offset
        """Byte offset in the file of the first byte that does not decode."""
        self.suggested_encoding = suggested_encoding
        """A codec that decodes the whole file ("cp1252", else "latin-1"), or None."""


# ---------------------------------------------------------------------------
# Files -> text
# ---------------------------------------------------------------------------


def load_brief(
    path: str | os.PathLike[str], *, encoding: str | None = None, max_bytes: int = MAX_BYTES
) -> Brief:
    """Read and parse the brief at ``path``; every failure is a BriefError subclass."""
    p = Path(path)
    data = _read_bytes(p, max_bytes)
    try:
        resolved = p.resolve()
    except OSError:
        resolved = p.absolute()
    return parse_bytes(data, name=p.name, path=resolved, encoding=encoding)


def _read_bytes(p: Path, max_bytes: int) -> bytes:
    try:
        st = os.stat(p)
        _check_regular(p, st.st_mode)
        if st.st_size > max_bytes:
            raise _too_large(p.name, st.st_size, max_bytes)
        # O_NONBLOCK: should the path become a FIFO between stat() and open(), open()
        # returns at once and the fstat() check refuses it instead of hanging.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(p, flags), "rb") as f:
            _check_regular(p, os.fstat(f.fileno()).st_mode)
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise UnreadableFileError(f"{p} does not exist") from None
    except PermissionError:
        raise UnreadableFileError(f"{p} cannot be read: permission denied") from None
    except IsADirectoryError:
        raise UnreadableFileError(f"{p} is a folder, not a brief") from None
    except OSError as exc:
        raise UnreadableFileError(f"{p} cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # it grew after stat()
        raise _too_large(p.name, len(data), max_bytes)
    return data


def _check_regular(p: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise UnreadableFileError(f"{p} is a folder, not a brief")
    if not stat.S_ISREG(mode):
        raise UnreadableFileError(f"{p} is not a regular file (a device, pipe or socket)")


def _too_large(name: str, size: int, limit: int) -> TooLargeError:
    return TooLargeError(
        f"{name} is too large to open ({_size(size)}; the limit is {_size(limit)})"
    )


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or an Office document (.docx, .xlsx, .odt)"),
    (b"\xd0\xcf\x11\xe0", "an old-style Office document (.doc, .xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)
# C0 controls other than tab, LF, VT, FF, CR and ESC, plus DEL.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_ENCODING_LABELS = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "iso8859-1": "Latin-1"}


def parse_bytes(
    data: bytes, *, name: str, path: Path | None = None, encoding: str | None = None
) -> Brief:
    """Decode ``data`` and parse it as Markdown (.md, .markdown) or plain text (any other
    name). ``encoding=None``: UTF-8, a BOM dropped (a UTF-16 BOM is honoured too, and
    UTF-16 without one is told by its NUL bytes)."""
    if not data:
        raise EmptyFileError(f"{name} is empty")
    codec = _codec_for(data, encoding)
    _reject_binary(data, name, codec)
    text = _decode(data, name, codec)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EmptyFileError(f"{name} is empty (only blank lines)")
    content_hash = version_hash(hashlib.sha256(data).hexdigest())
    if Path(name).suffix.lower() in MARKDOWN_SUFFIXES:
        return parse_markdown(text, name=name, content_hash=content_hash, path=path)
    return parse_text(text, name=name, content_hash=content_hash, path=path)


#: The modules whose code decides the sections and the plain text a brief's bytes give.
_READING_MODULES = ("brief", "sections", "parse", "parse_text", "parse_markdown",
                    "footnotes", "render")
#: The libraries they call to do it (by distribution name).
_READING_LIBRARIES = ("markdown", "nh3", "PyYAML")


@lru_cache(maxsize=1)
def _reading() -> bytes:
    """What a brief read from a file depends on besides the file's bytes: this code and
    the libraries it calls. It goes into the brief's content hash, so a file read by
    another version of briefreader, which may cut or word its sections otherwise, is a
    version of its own: its notes are placed again (``NotesService.sync``), never left
    at positions that hold other text now."""
    digest = hashlib.sha256(f"{sys.version} {unicodedata.unidata_version}\n".encode())
    for dist in _READING_LIBRARIES:
        try:
            digest.update(f"{dist} {metadata.version(dist)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{dist} ?\n".encode())
    for name in _READING_MODULES:
        spec = importlib.util.find_spec(f"briefreader.{name}")
        try:
            digest.update(Path(spec.origin).read_bytes())  # type: ignore[union-attr, arg-type]
        except (AttributeError, TypeError, OSError):  # no file of its own (a zip, say)
            digest.update(f"{name} {_own_version()}\n".encode())
    return digest.digest()


def _own_version() -> str:
    try:
        return metadata.version("briefreader")
    except metadata.PackageNotFoundError:
        return "?"


#: Hex digits of a content hash that are the file's (the rest are the reading's).
FILE_DIGITS = 48


def version_hash(file_hash: str) -> str:
    """A brief's content hash: the sha256 of its file's bytes (hex), its first
    :data:`FILE_DIGITS` digits, then 16 of what reads it (``reading``), so a file read
    otherwise is another version, and one can still tell it is the same file."""
    return file_hash[:FILE_DIGITS] + reading()[: 64 - FILE_DIGITS]


def same_file(a: str, b: str) -> bool:
    """Whether two content hashes are of the same file's bytes (read alike or not)."""
    return len(a) == len(b) == 64 and a[:FILE_DIGITS] == b[:FILE_DIGITS]


def reading() -> str:
    """What briefs are read with here (the code and libraries, see ``_reading``): the
    same for two processes that read any file alike."""
    return _reading().hex()


def _codec_for(data: bytes, encoding: str | None) -> str:
    if encoding is None:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        return _utf16_without_bom(data) or "utf-8"
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        info = None
    # Codecs of bytes to bytes (hex, base64, zlib, rot13…) are no text encodings.
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise BriefError(f"{encoding!r} is not a text encoding this program knows")
    return info.name


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for text saved as UTF-16 without a byte order mark,
    told by its NUL bytes: the high byte of nearly every character of a brief written
    in a Latin script is 0, so one byte in two is NUL, nearly always on one side; a
    binary file's NULs fall anywhere. None for anything else."""
    head = data[:8192]
    pairs = len(head) // 2
    if pairs < 2 or b"\x00" not in head:
        return None
    even = head[0 : 2 * pairs : 2].count(0)
    odd = head[1 : 2 * pairs : 2].count(0)
    # (In Greek or Cyrillic only the spaces, figures and stops have a NUL.)
    for nul_side, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if nul_side >= pairs * 0.1 and other <= pairs // 50 + 1:
            # Text throughout: samples from its start to its end read as text (a file
            # of binary data can look like UTF-16 at its start only). A bad character
            # in it, or one cut short at its end, is then said precisely on decoding.
            step = max(len(data) // 5 & ~1, 8192)
            samples = [data[at : at + 8192] for at in range(0, len(data), step)]
            text = "".join(b[: len(b) & ~1].decode(codec, "replace")
                           for b in samples)
            # (What does not decode, replaced by U+FFFD, is no text.)
            printable = sum((c.isprintable() and c != "\ufffd") or c in "\t\n\r"
                            for c in text)
            return codec if printable >= len(text) * 0.95 else None
    return None


def _reject_binary(data: bytes, name: str, codec: str) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise BinaryFileError(f"{name} is {what}, not a text brief")
    if codec.startswith(("utf-16", "utf-32")):
        return  # NUL bytes are normal there
    if b"\x00" in data:
        raise BinaryFileError(f"{name} is a binary file (it contains NUL bytes), not a text brief")
    head = data[:8192]
    if len(head) - len(head.translate(None, _CONTROL_BYTES)) > len(head) // 10:
        raise BinaryFileError(f"{name} looks like a binary file, not a text brief")


def _decode(data: bytes, name: str, codec: str) -> str:
    skip = len(codecs.BOM_UTF8) if codec == "utf-8" and data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = (data[skip:] if skip else data).decode(codec)
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        label = _ENCODING_LABELS.get(codec, codec)
        message = f"{name} is not valid {label} (byte 0x{data[offset]:02X} at offset {offset})"
        wide = codec.startswith(("utf-16", "utf-32"))
        if wide and exc.end >= len(data) - skip:
            message = (f"{name} is {label.upper()} text cut short: it ends partway through "
                       f"a character (offset {offset})")
        suggestion = None if wide else next(  # (NUL bytes: no 8-bit text)
            (
                c
                for c in ("cp1252", "latin-1")
                if codecs.lookup(c).name != codec and _decodes(data, c)
            ),
            None,
        )
        if suggestion:
            message += f"; open it as {_ENCODING_LABELS[codecs.lookup(suggestion).name]} instead?"
        raise EncodingError(message, offset=offset, suggested_encoding=suggestion) from None
    return text[1:] if text.startswith("\ufeff") else text


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def find_briefs(folder: str | os.PathLike[str]) -> list[Path]:
    """The brief files directly inside ``folder`` (hidden files skipped), sorted by name."""
    root = Path(folder)
    if not root.is_dir():
        raise UnreadableFileError(f"{root} is not a folder")
    try:
        entries = list(root.iterdir())
    except OSError as exc:
        raise UnreadableFileError(f"{root} cannot be read: {exc.strerror or exc}") from None
    found = [
        p
        for p in entries
        if not p.name.startswith(".") and p.suffix.lower() in BRIEF_SUFFIXES and p.is_file()
    ]
    return sorted(found, key=lambda p: (p.name.casefold(), p.name))
