"""What the reader may load and where a click on a link may go.

Resources: an ``<img src>`` shows the bytes of a regular image file inside the brief's
folder, else a placeholder; nothing is fetched from the network. Links: jump within the
brief, open http/https/mailto outside the app, or do nothing. Pure functions, no Qt.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

# ---------------------------------------------------------------------------
# Resource policy: what the reader may load for <img src> (and nothing else)
# ---------------------------------------------------------------------------


def _png(width: int, height: int, grey: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = b"".join(b"\x00" + bytes([grey]) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


#: A 16×16 mid-grey PNG, shown for every image the reader refuses to load; mid-grey
#: reads as "missing" on light and dark themes alike.
PLACEHOLDER_PNG = _png(16, 16, 0x99)

_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"BM",
)


@dataclass(frozen=True)
class Resource:
    kind: Literal["image", "placeholder"]
    data: bytes
    """The file's bytes for "image"; PLACEHOLDER_PNG for "placeholder"."""


_PLACEHOLDER = Resource("placeholder", PLACEHOLDER_PNG)


def _looks_like_image(head: bytes) -> bool:
    # No SVG: an SVG's <image href> makes Qt read files by path, past this policy.
    if head.startswith(_IMAGE_MAGIC):
        return True
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _relative_path(url: str, base: Path) -> Path | None:
    """The file a URL names inside ``base``, before resolving links; None if refused."""
    if "\x00" in url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path))
        if not path.is_absolute():
            return None
        return path
    # one-letter "schemes" are Windows drives: absolute paths, refused like the rest
    if parts.scheme or parts.netloc:
        return None
    raw = unquote(parts.path)
    if not raw or raw.startswith(("/", "\\")) or "\x00" in raw:
        return None
    return base / raw


def resolve_resource(
    base_dir: Path | None, url: str, *, max_bytes: int = 10 * 1024 * 1024
) -> Resource:
    """Decide what an ``<img src>`` may show: the bytes of a regular image file inside
    the brief's folder, else the placeholder. Never touches the network, never opens
    anything that is not a regular file (a FIFO would hang, /dev/zero never ends)."""
    if base_dir is None:
        return _PLACEHOLDER
    try:
        base = Path(base_dir).resolve(strict=True)
        candidate = _relative_path(url, base)
        if candidate is None:
            return _PLACEHOLDER
        target = candidate.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):  # missing, symlink loop, bad path
        return _PLACEHOLDER
    if not target.is_relative_to(base) or target == base:
        return _PLACEHOLDER
    try:
        info = os.stat(target)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return _PLACEHOLDER
        # O_NONBLOCK and the fstat below guard against a swap after the stat above
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(target, flags)
    except OSError:
        return _PLACEHOLDER
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(handle.fileno())
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            return _PLACEHOLDER
        if not stat.S_ISREG(opened.st_mode):
            return _PLACEHOLDER
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes or not _looks_like_image(data):
        return _PLACEHOLDER
    return Resource("image", data)


# ---------------------------------------------------------------------------
# Link policy
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkAction:
    kind: Literal["anchor", "external", "ignore"]
    target: str
    """The anchor name for "anchor", the URL for "external", the raw URL for "ignore"."""


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def classify_link(url: str) -> LinkAction:
    """What a click on a link does: jump within the brief, open http/https/mailto
    outside the app, or nothing (file:, javascript:, relative paths …).

    Control characters are dropped, as browsers drop tabs and newlines
    ("java\tscript:"). Spaces are not: removing one would join two words into
    another host or path. A space in the scheme or the authority (user, host, port)
    makes the link invalid, so it is ignored; in the path, query or fragment it is
    sent as %20, the same place the reader showed.
    """
    cleaned = url.strip()
    if cleaned.startswith("#"):
        name = unquote(cleaned[1:])
        return LinkAction("anchor", name) if name else LinkAction("ignore", url)
    squeezed = _CONTROL_RE.sub("", cleaned)
    try:
        parts = urlsplit(squeezed)
    except ValueError:
        return LinkAction("ignore", url)
    if " " in parts.netloc:
        return LinkAction("ignore", url)
    scheme = parts.scheme.lower()
    target = squeezed.replace(" ", "%20")
    if scheme in ("http", "https") and parts.hostname:
        return LinkAction("external", target)
    if scheme == "mailto" and parts.path:
        return LinkAction("external", target)
    return LinkAction("ignore", url)
