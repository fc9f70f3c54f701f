"""How every view shows a stored time: one format for the trash, bookmarks, library
and the notes cards."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QDateTime, QLocale, Qt


@lru_cache(maxsize=4096)
def format_timestamp(stamp: str) -> str:
    """An ISO 8601 time (as the store writes it) in the user's time zone, e.g. 26 Nov 2026,
    16:45, with the month named in the user's language and the time in the user's clock
    format; "" if empty or unreadable."""
    when = QDateTime.fromString(stamp, Qt.DateFormat.ISODateWithMs)
    if not when.isValid():
        when = QDateTime.fromString(stamp, Qt.DateFormat.ISODate)
    if not when.isValid():
        return ""
    # Not the locale's short date format: in some locales it is all digits, and 02/03
    # is read both ways. A named month is never ambiguous. The time is as the user
    # reads times (24-hour or a.m./p.m.).
    local, locale = when.toLocalTime(), QLocale()
    clock = locale.toString(local.time(), QLocale.FormatType.ShortFormat)
    return f"{locale.toString(local.date(), 'd MMM yyyy')}, {clock}"
